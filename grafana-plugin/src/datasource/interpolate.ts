// Template variables in every filter: multi-value variables become several values of the filter.
import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import { FILTER_FIELDS, type ChangeFilters } from './types/query';

/** Joins the values of a multi-value variable; split again after replace(). */
const SEPARATOR = '\u001f';

const joinValues = (value: unknown): string =>
  Array.isArray(value) ? value.map(String).join(SEPARATOR) : String(value ?? '');

/**
 * The value dashboards give as a variable's `allValue`: "All" means no filter at all, so that
 * changes without a service (pushes, say) still show when Service = All.
 */
export const ALL_VALUE = '*';

/** Each value of each list filter, with variables expanded; empty values dropped. */
export function interpolateFilters<T extends ChangeFilters>(
  filters: T,
  templateSrv: TemplateSrv,
  scopedVars: ScopedVars = {}
): T {
  const result: T = { ...filters };
  for (const field of FILTER_FIELDS) {
    const values = filters[field];
    if (!values) {
      continue;
    }
    const expanded = values
      .flatMap((v) => templateSrv.replace(v, scopedVars, joinValues).split(SEPARATOR))
      .map((v) => v.trim())
      .filter((v) => v !== '');
    result[field] = expanded.includes(ALL_VALUE) ? undefined : [...new Set(expanded)];
  }
  if (filters.q) {
    result.q = templateSrv.replace(filters.q, scopedVars, (v: unknown) =>
      Array.isArray(v) ? v.join(' ') : String(v ?? '')
    );
  }
  return result;
}
