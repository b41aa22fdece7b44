// The collector's query API as seen through Grafana's data proxy: every request goes to
// `<datasource url>/collector/...`, the plugin.json route that adds the bearer token.
import { getBackendSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { PAGE_SIZE } from '../types/config';
import type {
  ChainAnswer,
  ChangeEvent,
  ConnectorsAnswer,
  DeliveryAnswer,
  ErrorAnswer,
  EventsPage,
  FacetsAnswer,
  ReadyAnswer,
  SuspectsAnswer,
} from '../types/api';
import { FILTER_FIELDS, type ChangeFilters, type FacetField } from '../types/query';

export interface TimeBounds {
  /** Epoch milliseconds, as the API accepts them. */
  from: number;
  to: number;
}

export interface EventsResult {
  events: ChangeEvent[];
  /** More events matched than the cap allowed. */
  truncated: boolean;
}

/** Why a request failed, in the words of the collector when it gave any. */
export class CollectorError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly body: unknown
  ) {
    super(message);
    this.name = 'CollectorError';
  }
}

const isErrorAnswer = (v: unknown): v is ErrorAnswer =>
  typeof v === 'object' && v !== null && typeof (v as ErrorAnswer).message === 'string';

/** Filters and time bounds as a query string; lists repeat the parameter (`kind=a&kind=b`). */
export function toSearchParams(filters: ChangeFilters, bounds?: TimeBounds): URLSearchParams {
  const params = new URLSearchParams();
  if (bounds) {
    params.set('from', String(Math.floor(bounds.from)));
    params.set('to', String(Math.ceil(bounds.to)));
  }
  for (const field of FILTER_FIELDS) {
    for (const value of filters[field] ?? []) {
      if (value !== '') {
        params.append(field, value);
      }
    }
  }
  if (filters.q?.trim()) {
    params.set('q', filters.q.trim());
  }
  return params;
}

/** The question GET /api/v1/suspects answers: a time and a place, or a stored alert. */
export interface SuspectsQuestion {
  /** Epoch ms or RFC 3339; the collector defaults to now (or to the alert's start). */
  at?: number | string;
  service?: string;
  environment?: string;
  project?: string;
  /** `30m`, `2h`, `1d`. */
  lookback?: string;
  /** The id of a stored alert event: at, service, environment and project come from it. */
  alert?: string;
}

const SUSPECT_PARAMS = ['at', 'service', 'environment', 'project', 'lookback', 'alert'] as const;

/** The question GET /api/v1/delivery answers. */
export interface DeliveryQuestion extends TimeBounds {
  /** None: every service with a deploy or a signal in the range. */
  service?: string[];
  /** None: the collector's delivery environment (production unless configured). */
  environment?: string[];
  interval: 'day' | 'week';
  /** An IANA zone: where the days and weeks start. */
  timezone: string;
  /** List the changes behind every figure. */
  explain?: boolean;
  /** false: no lead time, so the collector follows no chain. */
  leadTime?: boolean;
}

export class CollectorApi {
  /** `baseUrl` is the datasource's proxy URL followed by the route path. */
  constructor(
    private readonly baseUrl: string,
    private readonly pageSize = PAGE_SIZE
  ) {}

  /** Follows `nextCursor` until the last page or until `cap` events are read. */
  async listEvents(filters: ChangeFilters, bounds: TimeBounds, cap: number): Promise<EventsResult> {
    const events: ChangeEvent[] = [];
    let cursor: string | null = null;
    do {
      const params = toSearchParams(filters, bounds);
      params.set('limit', String(Math.min(this.pageSize, cap - events.length)));
      if (cursor) {
        params.set('cursor', cursor);
      }
      const page: EventsPage = await this.get<EventsPage>(`/api/v1/events?${params}`);
      events.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor && events.length < cap);
    return { events, truncated: cursor !== null };
  }

  async facet(
    field: FacetField,
    filters: ChangeFilters,
    bounds?: TimeBounds,
    limit = 100
  ): Promise<FacetsAnswer['values']> {
    const params = toSearchParams(filters, bounds);
    params.set('limit', String(limit));
    const answer = await this.get<FacetsAnswer>(`/api/v1/facets/${field}?${params}`);
    return answer.values;
  }

  /** 200 when ready; a 503 still carries the same body, which the health check reports. */
  async ready(): Promise<ReadyAnswer> {
    try {
      return await this.get<ReadyAnswer>('/readyz');
    } catch (err) {
      if (err instanceof CollectorError && err.status === 503 && isReadyAnswer(err.body)) {
        return err.body;
      }
      throw err;
    }
  }

  /** The changes linked to one through shared refs, commit to rollout. */
  async chain(id: string): Promise<ChainAnswer> {
    return this.get<ChainAnswer>(`/api/v1/events/${encodeURIComponent(id)}/chain`);
  }

  /** The changes that may explain an incident, ranked, with reasons; or "no change correlated". */
  async suspects(question: SuspectsQuestion): Promise<SuspectsAnswer> {
    const params = new URLSearchParams();
    for (const name of SUSPECT_PARAMS) {
      const value = question[name];
      if (value !== undefined && value !== '') {
        params.set(name, String(value));
      }
    }
    return this.get<SuspectsAnswer>(`/api/v1/suspects?${params}`);
  }

  /** The four DORA keys per interval and service, from the collector's stored changes. */
  async delivery(question: DeliveryQuestion): Promise<DeliveryAnswer> {
    const params = new URLSearchParams({
      from: String(Math.floor(question.from)),
      to: String(Math.ceil(question.to)),
      interval: question.interval,
      timezone: question.timezone,
    });
    for (const name of ['service', 'environment'] as const) {
      for (const value of question[name] ?? []) {
        if (value !== '') {
          params.append(name, value);
        }
      }
    }
    if (question.explain) {
      params.set('explain', 'true');
    }
    if (question.leadTime === false) {
      params.set('leadTime', 'false');
    }
    return this.get<DeliveryAnswer>(`/api/v1/delivery?${params}`);
  }

  async connectors(): Promise<ConnectorsAnswer['connectors']> {
    return (await this.get<ConnectorsAnswer>('/api/v1/connectors')).connectors;
  }

  private async get<T>(path: string): Promise<T> {
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<T>({
          url: `${this.baseUrl}${path}`,
          method: 'GET',
          showErrorAlert: false,
          showSuccessAlert: false,
        })
      );
      return response.data;
    } catch (err) {
      throw toCollectorError(err);
    }
  }
}

function isReadyAnswer(v: unknown): v is ReadyAnswer {
  return typeof v === 'object' && v !== null && typeof (v as ReadyAnswer).store === 'string';
}

function toCollectorError(err: unknown): CollectorError {
  if (isFetchError(err)) {
    const body: unknown = err.data;
    const code = isErrorAnswer(body) ? body.error : undefined;
    const detail = isErrorAnswer(body)
      ? body.message
      : err.statusText || (err.status ? `HTTP ${err.status}` : 'no answer');
    const hint =
      err.status === 401 || err.status === 403
        ? ' Check the API token in the datasource settings (it needs the read scope).'
        : err.status === 502 || err.status === 504 || !err.status
          ? ' Check the collector URL in the datasource settings.'
          : '';
    return new CollectorError(`PainChain collector: ${detail}.${hint}`, err.status ?? 0, code, body);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CollectorError(`PainChain collector: ${message}`, 0, undefined, undefined);
}
