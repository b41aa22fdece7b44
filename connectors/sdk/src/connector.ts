// The Connector interface: what every source integration implements, in-process or standalone.
// Connectors only fetch and translate; storage, dedupe, retries toward the store and export are
// the collector's job.
import type { TSchema, Static } from 'typebox';
import type { ChangeEventInput, ChangeKind } from './change-event.js';
import type { WebhookRequest, WebhookResult } from './webhook.js';
import type { ConfigurableDefinition } from './options/check-options.js';
import type { SourceLeases } from './leases/source-leases.js';

/** The subset of pino's logger a connector may use (the collector hands it a child logger). */
export interface ConnectorLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): ConnectorLogger;
}

/** Durable key/value state for one connector instance (cursors, ETags, backfill progress). */
export interface ConnectorState {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface EmitResult {
  /** Ids of the stored events, in the order given. */
  ids: string[];
  created: number;
  updated: number;
  /** Same externalId seen before with nothing newer: stored event left as it was. */
  unchanged: number;
  /**
   * Events the collector kept in its durable spool because the store was unreachable: they are
   * safe (on disk) and get stored, with ids, once it is back; `ids` does not list them.
   */
  spooled?: number;
}

/** Progress of long work (a backfill): shown in the log and on /api/v1/connectors. */
export interface ConnectorProgress {
  phase: string;
  done: number;
  total?: number;
  unit?: string;
}

export interface ConnectorHealth {
  /** One short sentence for people: "polling 12 repositories", "rate limited until 10:42". */
  message?: string;
  /** When the connector last finished a full sync with its source. */
  lastSyncAt?: Date;
  progress?: ConnectorProgress | null;
  /** Small, non-secret figures: remaining rate-limit budget, repositories watched, ... */
  details?: Record<string, string | number | boolean | null>;
  /**
   * How the last sync went: `ok`; `degraded`, some of the source failed (the message says what);
   * `failing`, nothing could be read. A running connector then shows as `degraded` or `error` on
   * `/api/v1/connectors`, with the cause in its message.
   */
  condition?: HealthCondition;
}

export const HEALTH_CONDITIONS = ['ok', 'degraded', 'failing'] as const;
export type HealthCondition = (typeof HEALTH_CONDITIONS)[number];

export interface ConnectorContext<Config = unknown> {
  /** Instance name from the config (unique), e.g. `github-acme`. */
  readonly name: string;
  readonly config: Config;
  readonly logger: ConnectorLogger;
  /** Aborted when the connector must stop; every wait and request should honour it. */
  readonly signal: AbortSignal;
  readonly state: ConnectorState;
  /**
   * Leases on this instance's sources, when several collector replicas share one database: the
   * poll scheduler takes one per target before polling it, a watch one per watched source, so
   * that each source is read by one replica at a time. Absent (standalone, or a test context):
   * every source is this process's.
   */
  readonly leases?: SourceLeases;
  /**
   * Hands normalized events to the ingest pipeline (validated, deduplicated, stored).
   * Rejects once `signal` is aborted or the run has ended: nothing is stored after stop.
   */
  emit(events: ChangeEventInput | ChangeEventInput[]): Promise<EmitResult>;
  /**
   * Updates what `/api/v1/connectors` shows. Fields given replace the previous ones, fields left
   * out keep their last value (`progress: null` clears progress), so a backfill can report
   * progress alone without repeating `lastSyncAt`.
   */
  reportHealth(health: ConnectorHealth): void;
}

/**
 * One running connector. `run` resolves once `ctx.signal` is aborted and the connector has
 * stopped cleanly, and rejects when it failed (the runner then restarts it with backoff).
 * Resolving before the signal is aborted counts as a failure too ("returned before stop"):
 * a connector with nothing to do waits for the signal.
 */
export interface Connector {
  run(): Promise<void>;
  /**
   * Optional: receives the source's webhook deliveries (`POST /webhooks/<type>[/<name>]`) while
   * `run()` is running. Verifies the delivery (throw WebhookSignatureError when it cannot be
   * trusted: the collector answers 401 and stores nothing) and translates it; the collector
   * stores the returned events through the ingest pipeline, counted as this connector's emits.
   * It is called concurrently with `run()` and with itself.
   */
  handleWebhook?(request: WebhookRequest): Promise<WebhookResult>;
}

/** The one description of a connector type: what the collector's registry lists. */
export interface ConnectorDefinition<
  S extends TSchema = TSchema,
> extends ConfigurableDefinition<S> {
  /** Type name used in config: `github`, `gitlab`, `kubernetes`. */
  readonly type: string;
  /** The kinds of change this connector produces. */
  readonly kinds: readonly ChangeKind[];
  /**
   * Builds a connector for one run; work starts in `run()`. Called again, with a fresh context,
   * for every restart, always with options that passed `checkOptions` (schema, defaults and
   * `validate`): bad options are reported at load, so create() does not throw for them.
   * Throwing here counts as a failed run.
   */
  create(ctx: ConnectorContext<Static<S>>): Connector;
}
