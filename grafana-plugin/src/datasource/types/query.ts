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

/** What a query asks for: the changes themselves, or the delivery performance they add up to. */
export const QUERY_TYPES = ['changes', 'delivery'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

/** The figures of GET /api/v1/delivery a query can turn into fields. */
export const DELIVERY_FIGURES = [
  'deployments',
  'deploysPerDay',
  'leadTimeMedian',
  'leadTimeP90',
  'changeFailureRate',
  'failedDeployments',
  'timeToRestoreMedian',
  'timeToRestoreP90',
  'withoutChain',
  'redeploys',
  'failedRollouts',
  'unrestored',
] as const;
export type DeliveryFigure = (typeof DELIVERY_FIGURES)[number];

/** The four keys, one figure each: what a delivery query returns unless it names others. */
export const DEFAULT_DELIVERY_FIGURES: DeliveryFigure[] = [
  'deploysPerDay',
  'leadTimeMedian',
  'changeFailureRate',
  'timeToRestoreMedian',
];

export interface DeliveryOptions {
  /** `auto`: days up to two months, weeks beyond. */
  interval?: 'auto' | 'day' | 'week';
  /** One series for the services together, or one per service. */
  groupBy?: 'total' | 'service';
  /** A point per interval, one row for the whole range, or the deploys behind the numbers. */
  format?: 'timeseries' | 'summary' | 'changes';
  figures?: DeliveryFigure[];
}

export interface ChangesQuery extends DataQuery, ChangeFilters {
  /** Absent on queries saved before delivery performance existed: they are change queries. */
  queryType?: QueryType;
  /** Overrides the datasource's `maxEvents` for this query. */
  maxEvents?: number;
  /** Delivery performance queries only; `service` and `environment` filter them too. */
  delivery?: DeliveryOptions;
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
