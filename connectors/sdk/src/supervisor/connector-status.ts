// The one status shape of a connector instance, wherever it runs: what `GET /api/v1/connectors`
// lists, built from a supervisor in-process and from heartbeats for standalone connectors.
import { Type, type Static, type TSchema } from 'typebox';
import type { ConnectorProgress } from '../connector.js';

export const CONNECTOR_RUN_STATES = [
  'starting',
  'running',
  // Running, but its last sync could read only part of the source (health.message says why).
  'degraded',
  // Running, but its last sync read nothing: the source refuses or cannot be reached.
  'error',
  'backoff',
  'stopped',
  'disabled',
  // A standalone connector whose heartbeats stopped arriving.
  'unresponsive',
] as const;
export type ConnectorRunState = (typeof CONNECTOR_RUN_STATES)[number];

/** The states a supervisor reports (disabled and unresponsive are the collector's view). */
export const SUPERVISED_STATES = [
  'starting',
  'running',
  'degraded',
  'error',
  'backoff',
  'stopped',
] as const;
export type SupervisedState = (typeof SUPERVISED_STATES)[number];

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const IsoTime = Type.String({ format: 'date-time' });

export const ProgressView = Type.Object({
  phase: Type.String(),
  done: Type.Number(),
  total: Nullable(Type.Number()),
  unit: Nullable(Type.String()),
  percent: Nullable(Type.Number()),
});
export type ProgressView = Static<typeof ProgressView>;

export const DetailValue = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

export const HealthView = Type.Object({
  message: Nullable(Type.String()),
  lastSyncAt: Nullable(IsoTime),
  lagSeconds: Nullable(Type.Number({ description: 'Seconds since lastSyncAt' })),
  progress: Nullable(ProgressView),
  details: Type.Record(Type.String(), DetailValue),
});
export type HealthView = Static<typeof HealthView>;

/** One instance on `GET /api/v1/connectors`; `standalone` is for connectors that register over HTTP. */
export const ConnectorStatus = Type.Object({
  name: Type.String(),
  type: Type.String(),
  tenant: Type.String(),
  mode: Type.Union([Type.Literal('in-process'), Type.Literal('standalone')]),
  state: Type.Enum(CONNECTOR_RUN_STATES),
  restarts: Type.Integer({ minimum: 0, description: 'Restarts after a failure since start-up' }),
  startedAt: Nullable(IsoTime),
  lastError: Nullable(Type.Object({ message: Type.String(), at: IsoTime })),
  nextRestartAt: Nullable(IsoTime),
  health: HealthView,
  eventsEmitted: Type.Integer({ minimum: 0 }),
  lastEventAt: Nullable(IsoTime),
});
export type ConnectorStatus = Static<typeof ConnectorStatus>;

/** Done as a share of total, rounded down to a tenth of a percent; null without a total. */
export function percentOf(progress: Pick<ConnectorProgress, 'done' | 'total'>): number | null {
  const total = progress.total ?? undefined;
  if (total === undefined || total <= 0) return null;
  return Math.min(100, Math.floor((progress.done / total) * 1000) / 10);
}

export function progressView(
  progress: { phase: string; done: number; total?: number | null; unit?: string | null } | null,
): ProgressView | null {
  if (!progress) return null;
  return {
    phase: progress.phase,
    done: progress.done,
    total: progress.total ?? null,
    unit: progress.unit ?? null,
    percent: percentOf({ done: progress.done, total: progress.total ?? undefined }),
  };
}

/** `backfill: 150/200 runs (75%)`: the line the log shows for a progress report. */
export function describeProgress(progress: ConnectorProgress): string {
  const percent = percentOf(progress);
  const counts =
    progress.total === undefined ? `${progress.done}` : `${progress.done}/${progress.total}`;
  const unit = progress.unit ? ` ${progress.unit}` : '';
  const share = percent === null ? '' : ` (${percent}%)`;
  return `${progress.phase}: ${counts}${unit}${share}`;
}

export const isoOrNull = (date: Date | string | null | undefined): string | null => {
  if (date === null || date === undefined) return null;
  const parsed = date instanceof Date ? date : new Date(date);
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
};

/** Health as reported (dates or RFC 3339 text) → the status view, lag measured at `now`. */
export function healthView(
  health: {
    message?: string | null;
    lastSyncAt?: Date | string | null;
    progress?: Parameters<typeof progressView>[0] | undefined;
    details?: Record<string, string | number | boolean | null>;
  },
  now: number,
): HealthView {
  const lastSyncAt = isoOrNull(health.lastSyncAt);
  return {
    message: health.message ?? null,
    lastSyncAt,
    lagSeconds:
      lastSyncAt === null ? null : Math.max(0, Math.round((now - Date.parse(lastSyncAt)) / 1000)),
    progress: progressView(health.progress ?? null),
    details: { ...health.details },
  };
}
