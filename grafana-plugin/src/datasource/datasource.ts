// The PainChain changes datasource: events from the collector's query API as data frames,
// annotations and template variables, all through Grafana's data proxy.
import {
  DataSourceApi,
  type CoreApp,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type ScopedVars,
  type TestDataSourceResponse,
  type TimeRange,
} from '@grafana/data';
import { config, getTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { changesAnnotationSupport } from './annotations';
import { CollectorApi, type TimeBounds } from './api/collector-api';
import { deliveryToFrames, needsLeadTime } from './delivery-frames';
import { eventsToFrame } from './frames';
import { describeHealth } from './health';
import { interpolateFilters } from './interpolate';
import type { FacetsAnswer } from './types/api';
import { DEFAULT_MAX_EVENTS, MAX_MAX_EVENTS, PROXY_ROUTE, type ChangesOptions } from './types/config';
import type { ChangeFilters, ChangesQuery, FacetField } from './types/query';
import { ChangesVariableSupport } from './variables';

const bounds = (range: TimeRange | undefined): TimeBounds | undefined =>
  range ? { from: range.from.valueOf(), to: range.to.valueOf() } : undefined;

export class ChangesDataSource extends DataSourceApi<ChangesQuery, ChangesOptions> {
  readonly api: CollectorApi;
  readonly maxEvents: number;

  constructor(
    instanceSettings: DataSourceInstanceSettings<ChangesOptions>,
    private readonly templateSrv: TemplateSrv = getTemplateSrv()
  ) {
    super(instanceSettings);
    this.api = new CollectorApi(`${instanceSettings.url ?? ''}/${PROXY_ROUTE}`);
    this.maxEvents = clampCap(instanceSettings.jsonData.maxEvents ?? DEFAULT_MAX_EVENTS);
    this.annotations = changesAnnotationSupport(() => config.theme2);
    this.variables = new ChangesVariableSupport(this);
  }

  // DataSourceApi.getDefaultQuery: what a new query (panel, Explore, annotation) starts with.
  override getDefaultQuery(_app: CoreApp): Partial<ChangesQuery> {
    return {};
  }

  // DataSourceApi.filterQuery: hidden queries do not run.
  override filterQuery(query: ChangesQuery): boolean {
    return !query.hide;
  }

  // DataSourceApi.query: one frame per change query, all pages up to the cap; time series, a
  // summary or the changes behind the numbers per delivery query.
  async query(request: DataQueryRequest<ChangesQuery>): Promise<DataQueryResponse> {
    const range = bounds(request.range) ?? { from: 0, to: Date.now() };
    const targets = request.targets.filter((t) => this.filterQuery(t));
    const data = await Promise.all(
      targets.map(async (target) => {
        const filters = this.interpolate(target, request.scopedVars);
        if (target.queryType === 'delivery') {
          const options = target.delivery ?? {};
          const answer = await this.api.delivery({
            ...range,
            service: filters.service,
            environment: filters.environment,
            interval: deliveryInterval(options.interval, range),
            timezone: resolveTimeZone(request.timezone),
            explain: options.format === 'changes',
            leadTime: needsLeadTime(options),
          });
          return deliveryToFrames(target.refId, answer, options);
        }
        const cap = clampCap(target.maxEvents ?? this.maxEvents);
        const { events, truncated } = await this.api.listEvents(filters, range, cap);
        return [eventsToFrame({ refId: target.refId, events, cap, truncated, datasourceUid: this.uid })];
      })
    );
    return { data: data.flat() };
  }

  // DataSourceApi.interpolateVariablesInQueries: Explore and "copy query" show resolved values.
  override interpolateVariablesInQueries(queries: ChangesQuery[], scopedVars: ScopedVars): ChangesQuery[] {
    return queries.map((q) => ({ ...q, ...this.interpolate(q, scopedVars) }));
  }

  // DataSourceApi.testDatasource: readiness, version, store and each connector's state.
  async testDatasource(): Promise<TestDataSourceResponse> {
    try {
      const ready = await this.api.ready();
      const connectors = await this.api.connectors();
      return describeHealth(ready, connectors);
    } catch (err) {
      return { status: 'error', message: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Distinct values of a field (editors' options, variables), with the query's other filters. */
  async facetValues(
    field: FacetField,
    filters: ChangeFilters,
    range?: TimeRange,
    scopedVars?: ScopedVars
  ): Promise<FacetsAnswer['values']> {
    return this.api.facet(field, this.interpolate(filters, scopedVars), bounds(range));
  }

  /** The names of the dashboard's variables, offered in the editors as `$name`. */
  variableNames(): string[] {
    return this.templateSrv.getVariables().map((v) => `$${v.name}`);
  }

  private interpolate<T extends ChangeFilters>(filters: T, scopedVars?: ScopedVars): T {
    return interpolateFilters(filters, this.templateSrv, scopedVars);
  }
}

/** Days for ranges up to two months (about 60 points), weeks beyond. */
const AUTO_DAYS_UP_TO_MS = 62 * 86_400_000;

export function deliveryInterval(interval: 'auto' | 'day' | 'week' | undefined, range: TimeBounds): 'day' | 'week' {
  if (interval === 'day' || interval === 'week') {
    return interval;
  }
  return range.to - range.from <= AUTO_DAYS_UP_TO_MS ? 'day' : 'week';
}

/** Grafana's dashboard time zone as an IANA name: `browser` (or unset) is the browser's own. */
export function resolveTimeZone(timezone: string | undefined): string {
  if (!timezone || timezone === 'browser') {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  }
  return timezone.toLowerCase() === 'utc' ? 'UTC' : timezone;
}

function clampCap(n: number): number {
  return Number.isFinite(n) ? Math.min(MAX_MAX_EVENTS, Math.max(1, Math.floor(n))) : DEFAULT_MAX_EVENTS;
}
