// Keeps one connector instance running, in the collector or in its own process: launches it,
// restarts a failed run after capped exponential backoff with jitter, refuses emits from a run
// that ended, stops it within a deadline, and keeps what its status shows.
import type { ChangeEventInput } from '../change-event.js';
import type {
  Connector,
  ConnectorContext,
  ConnectorDefinition,
  ConnectorHealth,
  ConnectorLogger,
  ConnectorProgress,
  ConnectorState,
  EmitResult,
} from '../connector.js';
import type { SourceLeases } from '../leases/source-leases.js';
import { describeProgress, healthView, isoOrNull, percentOf } from './connector-status.js';
import type { HealthView, SupervisedState } from './connector-status.js';

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export interface SupervisorTiming {
  readonly backoff: BackoffOptions;
  /** A run that stayed up this long resets the backoff to its initial delay. */
  readonly stableAfterMs: number;
  /** How long stop() waits for run() to settle before giving up on it. */
  readonly stopTimeoutMs: number;
  /** A run with no sign of life (emit, reportHealth) counts as running after this long. */
  readonly startupGraceMs: number;
  /** At most one progress log line in this interval. */
  readonly progressLogIntervalMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 5 * 60_000, factor: 2 };
export const DEFAULT_SUPERVISOR_TIMING: SupervisorTiming = {
  backoff: DEFAULT_BACKOFF,
  stableAfterMs: 60_000,
  stopTimeoutMs: 10_000,
  startupGraceMs: 5_000,
  progressLogIntervalMs: 5_000,
};
/** Error messages end up in the API and the log: long ones (a whole HTML page) are cut. */
export const MAX_ERROR_MESSAGE_LENGTH = 500;
/**
 * Restarts land somewhere in the last fifth of the delay, so that instances failing together
 * (their source is down) do not all retry in the same millisecond.
 */
const JITTER_FRACTION = 0.2;

export interface SupervisorDeps {
  readonly name: string;
  readonly definition: ConnectorDefinition;
  /** Options that passed checkOptions (schema, defaults, validate). */
  readonly config: unknown;
  readonly logger: ConnectorLogger;
  readonly state: ConnectorState;
  /** Leases on the instance's sources, handed to every run as `ctx.leases` (collector replicas). */
  readonly leases?: SourceLeases;
  /** Where the events go: the ingest pipeline in-process, the collector's API standalone. */
  readonly sink: (events: ChangeEventInput[], signal: AbortSignal) => Promise<EmitResult>;
  readonly timing?: Partial<SupervisorTiming>;
  /** Told after every change of state or health (standalone mode sends a heartbeat soon). */
  readonly onChange?: () => void;
}

/** What the supervisor knows of its instance, times as ISO strings. */
export interface SupervisorSnapshot {
  state: SupervisedState;
  restarts: number;
  startedAt: string | null;
  lastError: { message: string; at: string } | null;
  nextRestartAt: string | null;
  health: HealthView;
  eventsEmitted: number;
  lastEventAt: string | null;
}

/** The live run of the instance, for work handed to it from outside (webhooks). */
export interface LiveConnector {
  readonly connector: Connector;
  /** Stores events as this run's, exactly like ctx.emit(). */
  emit(events: ChangeEventInput[]): Promise<EmitResult>;
}

type Timer = ReturnType<typeof setTimeout>;
type RunOutcome = { ok: true } | { ok: false; error: unknown };

/** One call of create() + run(): its context goes stale when it ends, so late emits are refused. */
interface Launch {
  readonly controller: AbortController;
  readonly startedAt: number;
  /** What create() returned; undefined when it threw. */
  connector: Connector | undefined;
  ended: boolean;
  /** Emits handed to the sink and not yet answered: stop() waits for them too. */
  readonly inflight: Set<Promise<EmitResult>>;
  settled: Promise<void>;
  graceTimer: Timer | undefined;
}

/** Nominal delay grows by `factor` per failure up to the cap, then jitter shortens it a little. */
export function backoffDelay(backoff: BackoffOptions, failures: number): number {
  const nominal = Math.min(
    backoff.maxMs,
    backoff.initialMs * backoff.factor ** Math.max(0, failures - 1),
  );
  return Math.round(nominal * (1 - JITTER_FRACTION * Math.random()));
}

/** The message only: stacks, causes and attached request objects may carry secrets. */
export function errorMessage(error: unknown): string {
  const message =
    error instanceof Error
      ? error.message || error.name
      : typeof error === 'string'
        ? error
        : 'run() failed with a value that is not an Error';
  return message.length > MAX_ERROR_MESSAGE_LENGTH
    ? `${message.slice(0, MAX_ERROR_MESSAGE_LENGTH)}…`
    : message;
}

export class ConnectorSupervisor {
  private readonly timing: SupervisorTiming;
  private state: SupervisedState = 'stopped';
  private restarts = 0;
  /** Failures since the last stable run: drives the backoff delay. */
  private failures = 0;
  private startedAt: Date | null = null;
  private lastError: { message: string; at: Date } | null = null;
  private nextRestartAt: Date | null = null;
  private health: ConnectorHealth = {};
  private eventsEmitted = 0;
  private lastEventAt: Date | null = null;
  private launch: Launch | null = null;
  private restartTimer: Timer | undefined;
  private lastProgressLogAt = Number.NEGATIVE_INFINITY;
  private started = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;

  constructor(private readonly deps: SupervisorDeps) {
    this.timing = { ...DEFAULT_SUPERVISOR_TIMING, ...deps.timing };
  }

  /** Launches the first run and returns at once; failures are handled in the background. */
  start(): void {
    if (this.stopping) throw new Error('start() after stop(): build a new supervisor');
    if (this.started) return;
    this.started = true;
    this.begin();
  }

  /**
   * Aborts the run and waits for it to settle, at most `stopTimeoutMs`. Idempotent; once it has
   * begun, every context refuses emit().
   */
  stop(): Promise<void> {
    this.stopped ??= this.stopNow();
    return this.stopped;
  }

  /** The current run, when it is live (not in backoff, not stopping). */
  live(): LiveConnector | undefined {
    const launch = this.launch;
    if (this.stopping || !launch?.connector || launch.ended || launch.controller.signal.aborted) {
      return undefined;
    }
    return { connector: launch.connector, emit: (events) => this.emitFrom(launch, events) };
  }

  snapshot(now = Date.now()): SupervisorSnapshot {
    return {
      state: this.shownState(),
      restarts: this.restarts,
      startedAt: isoOrNull(this.startedAt),
      lastError: this.lastError
        ? { message: this.lastError.message, at: this.lastError.at.toISOString() }
        : null,
      nextRestartAt: isoOrNull(this.nextRestartAt),
      health: healthView(this.health, now),
      eventsEmitted: this.eventsEmitted,
      lastEventAt: isoOrNull(this.lastEventAt),
    };
  }

  /** Running, told apart by how its last sync went. */
  private shownState(): SupervisedState {
    if (this.state !== 'running') return this.state;
    if (this.health.condition === 'failing') return 'error';
    if (this.health.condition === 'degraded') return 'degraded';
    return 'running';
  }

  private begin(): void {
    const { definition, logger, name } = this.deps;
    const launch: Launch = {
      controller: new AbortController(),
      startedAt: Date.now(),
      connector: undefined,
      ended: false,
      inflight: new Set(),
      settled: Promise.resolve(),
      graceTimer: undefined,
    };
    this.launch = launch;
    this.state = 'starting';
    this.startedAt = new Date(launch.startedAt);
    this.nextRestartAt = null;
    // Progress and condition belong to the run that reported them; message and lastSyncAt stay.
    this.health = { ...this.health, progress: null, condition: undefined };
    logger.info({ restarts: this.restarts }, 'connector starting');

    let running: Promise<void>;
    try {
      const ctx: ConnectorContext = {
        name,
        config: this.deps.config,
        logger,
        signal: launch.controller.signal,
        state: this.deps.state,
        ...(this.deps.leases ? { leases: this.deps.leases } : {}),
        emit: (events) => this.emitFrom(launch, events),
        reportHealth: (health) => this.reportHealthFrom(launch, health),
      };
      launch.connector = definition.create(ctx);
      running = Promise.resolve(launch.connector.run());
    } catch (error) {
      running = Promise.reject(error);
    }
    launch.graceTimer = setTimeout(() => this.markAlive(launch), this.timing.startupGraceMs);
    launch.settled = running
      .then(
        (): RunOutcome => ({ ok: true }),
        (error: unknown): RunOutcome => ({ ok: false, error }),
      )
      .then((outcome) => this.onRunEnded(launch, outcome));
    this.changed();
  }

  private onRunEnded(launch: Launch, outcome: RunOutcome): void {
    const { logger } = this.deps;
    launch.ended = true;
    clearTimeout(launch.graceTimer);
    if (this.stopping) {
      this.state = 'stopped';
      if (!outcome.ok) {
        logger.warn(
          { err: { message: errorMessage(outcome.error) } },
          'connector failed while stopping',
        );
      }
      logger.info('connector stopped');
      this.changed();
      return;
    }
    // Whatever the failed run left behind (timers, watches) is told to stop as well.
    launch.controller.abort();
    const now = Date.now();
    const message = outcome.ok ? 'run() returned before stop' : errorMessage(outcome.error);
    if (now - launch.startedAt >= this.timing.stableAfterMs) this.failures = 0;
    this.failures += 1;
    const delay = backoffDelay(this.timing.backoff, this.failures);
    this.state = 'backoff';
    this.lastError = { message, at: new Date(now) };
    this.nextRestartAt = new Date(now + delay);
    logger.warn(
      { err: { message }, restarts: this.restarts, retryInMs: delay },
      'connector failed; restarting after backoff',
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.restarts += 1;
      this.begin();
    }, delay);
    this.changed();
  }

  private async emitFrom(
    launch: Launch,
    input: ChangeEventInput | ChangeEventInput[],
  ): Promise<EmitResult> {
    if (launch.ended || launch.controller.signal.aborted) {
      throw new Error(
        `connector "${this.deps.name}" is stopped: emit() after stop is refused (its run must end once ctx.signal is aborted)`,
      );
    }
    const events = Array.isArray(input) ? input : [input];
    this.markAlive(launch);
    if (events.length === 0) return { ids: [], created: 0, updated: 0, unchanged: 0 };
    const pending = this.deps.sink(events, launch.controller.signal);
    launch.inflight.add(pending);
    try {
      const result = await pending;
      this.eventsEmitted += events.length;
      this.lastEventAt = new Date();
      return result;
    } finally {
      launch.inflight.delete(pending);
    }
  }

  private reportHealthFrom(launch: Launch, health: ConnectorHealth): void {
    // A run that already ended must not overwrite what its successor reports.
    if (launch.ended) return;
    this.health = { ...this.health, ...health };
    this.markAlive(launch);
    if (health.progress) this.logProgress(health.progress);
    this.changed();
  }

  private markAlive(launch: Launch): void {
    if (this.launch !== launch || launch.ended || this.state !== 'starting') return;
    clearTimeout(launch.graceTimer);
    this.state = 'running';
    this.changed();
  }

  private logProgress(progress: ConnectorProgress): void {
    const now = Date.now();
    if (now - this.lastProgressLogAt < this.timing.progressLogIntervalMs) return;
    this.lastProgressLogAt = now;
    this.deps.logger.info(
      { progress: { ...progress, percent: percentOf(progress) } },
      describeProgress(progress),
    );
  }

  private changed(): void {
    try {
      this.deps.onChange?.();
    } catch {
      // A listener's failure is not the connector's.
    }
  }

  private async stopNow(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.nextRestartAt = null;
    const launch = this.launch;
    if (launch && !launch.ended) {
      launch.controller.abort();
      await this.waitForStop(launch);
    } else {
      this.state = 'stopped';
      this.changed();
    }
  }

  private async waitForStop(launch: Launch): Promise<void> {
    // No emit can start after the abort, so this snapshot is every write still to land.
    const drained = Promise.allSettled([launch.settled, ...launch.inflight]).then(
      () => 'done' as const,
    );
    let timer: Timer | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timing.stopTimeoutMs);
    });
    const result = await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      launch.ended = true;
      clearTimeout(launch.graceTimer);
      this.state = 'stopped';
      this.changed();
      this.deps.logger.error(
        { timeoutMs: this.timing.stopTimeoutMs },
        'connector did not stop after abort; giving up on it (its emits are refused)',
      );
    }
  }
}
