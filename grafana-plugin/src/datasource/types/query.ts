// The query models: event queries (panels, Explore, annotations) and variable queries.
import type { DataQuery } from '@grafana/schema';

/** Filters of GET /api/v1/events, each a list (OR within a field, AND across fields). */
export const FILTER_FIELDS = ['connector', 'project', 'service', 'environment', 'kind', 'status', 'tag'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

/** Fields GET /api/v1/facets/:field lists. */
export const FACET_FIELDS = [...FILTER_FIELDS, 'author'] as const;
export type FacetField = (typeof FACET_FIELDS)[number];

export type ChangeFilters = { [K in FilterField]?: string[] } & {
  /** Free text in title, description, project, service or author. */
  q?: string;
};

export interface ChangesQuery extends DataQuery, ChangeFilters {
  /** Overrides the datasource's `maxEvents` for this query. */
  maxEvents?: number;
}

export interface ChangesVariableQuery extends DataQuery, ChangeFilters {
  field: FacetField;
}

export const FILTER_LABELS: Record<FilterField, string> = {
  connector: 'Connector',
  project: 'Project',
  service: 'Service',
  environment: 'Environment',
  kind: 'Kind',
  status: 'Status',
  tag: 'Tags',
};

export const DEFAULT_VARIABLE_QUERY: Omit<ChangesVariableQuery, 'refId'> = { field: 'service' };
