// The in-process connector lifecycle: starts every enabled connector instance, restarts a failed
// one after capped exponential backoff, stops them all, and reports their status.
import type {
  ChangeEventInput,
  Connector,
  ConnectorContext,
  ConnectorDefinition,
  ConnectorHealth,
  ConnectorProgress,
  ConnectorState,
  EmitResult,
} from '@painchain/sdk';
import type { Logger } from 'pino';
import { Type, type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

export const CONNECTOR_RUN_STATES = [
  'starting',
  'running',
  'backoff',
  'stopped',
  'disabled',
  // A standalone connector whose heartbeats stopped arriving.
  'unresponsive',
] as const;
export type ConnectorRunState = (typeof CONNECTOR_RUN_STATES)[number];

/** One `connectors[]` entry of the config, defaults applied. */
export interface ConnectorInstanceSpec {
  readonly name: string;
  readonly type: string;
  readonly tenant: string;
  readonly enabled: boolean;
  readonly options: Record<string, unknown>;
}

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

/** Where a connector's events go: the instance name, not the source system in `event.connector`. */
export interface EmitTarget {
  readonly tenant: string;
  readonly connector: string;
}

export interface ConnectorRunnerDeps {
  /** The registry: one definition per connector type. */
  readonly definitions: readonly ConnectorDefinition[];
  readonly instances: readonly ConnectorInstanceSpec[];
  readonly logger: Logger;
  /** The ingest pipeline; the runner only counts what it accepted. */
  readonly emit: (target: EmitTarget, events: ChangeEventInput[]) => Promise<EmitResult>;
  /** The store's durable key/value state of one instance. */
  readonly stateFor: (tenant: string, connectorName: string) => ConnectorState;
  readonly backoff?: BackoffOptions;
  /** A run that stayed up this long resets the backoff to its initial delay. */
  readonly stableAfterMs?: number;
  /** How long stop() waits for each run() to settle before giving up on it. */
  readonly stopTimeoutMs?: number;
  /** A run with no sign of life (emit, reportHealth) counts as running after this long. */
  readonly startupGraceMs?: number;
  /** At most one progress log line per instance in this interval. */
  readonly progressLogIntervalMs?: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 5 * 60_000, factor: 2 };
export const DEFAULT_STABLE_AFTER_MS = 60_000;
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
export const DEFAULT_STARTUP_GRACE_MS = 5_000;
export const DEFAULT_PROGRESS_LOG_INTERVAL_MS = 5_000;
/** Error messages end up in the API and the log: long ones (a whole HTML page) are cut. */
const MAX_ERROR_MESSAGE_LENGTH = 500;
/**
 * Restarts land somewhere in the last fifth of the delay, so that instances failing together
 * (their source is down) do not all retry in the same millisecond.
 */
const JITTER_FRACTION = 0.2;

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const IsoTime = Type.String({ format: 'date-time' });

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
  health: Type.Object({
    message: Nullable(Type.String()),
    lastSyncAt: Nullable(IsoTime),
    lagSeconds: Nullable(Type.Number({ description: 'Seconds since lastSyncAt' })),
    progress: Nullable(
      Type.Object({
        phase: Type.String(),
        done: Type.Number(),
        total: Nullable(Type.Number()),
        unit: Nullable(Type.String()),
        percent: Nullable(Type.Number()),
      }),
    ),
    details: Type.Record(
      Type.String(),
      Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
    ),
  }),
  eventsEmitted: Type.Integer({ minimum: 0 }),
  lastEventAt: Nullable(IsoTime),
});
export type ConnectorStatus = Static<typeof ConnectorStatus>;

/**
 * The running connector of one in-process instance, for routes that hand it work (webhooks):
 * `emit` stores its events as that instance's, exactly like ctx.emit().
 */
export type ConnectorLookup =
  | {
      found: true;
      name: string;
      tenant: string;
      connector: Connector;
      emit(events: ChangeEventInput[]): Promise<EmitResult>;
    }
  | {
      found: false;
      /** `none`: no enabled instance matches; `ambiguous`: several do; `not_running`: it is in backoff or stopped. */
      reason: 'none' | 'ambiguous' | 'not_running';
      /** The names of the matching instances. */
      names: string[];
    };

type Timer = ReturnType<typeof setTimeout>;
type RunOutcome = { ok: true } | { ok: false; error: unknown };

/** One call of create() + run(): its context goes stale when it ends, so late emits are refused. */
interface Launch {
  readonly controller: AbortController;
  readonly startedAt: number;
  /** What create() returned; undefined when it threw. */
  connector: Connector | undefined;
  ended: boolean;
  /** Emits handed to the pipeline and not yet answered: stop() waits for them too. */
  readonly inflight: Set<Promise<EmitResult>>;
  settled: Promise<void>;
  graceTimer: Timer | undefined;
}

interface Instance {
  readonly spec: ConnectorInstanceSpec;
  readonly definition: ConnectorDefinition | undefined;
  readonly logger: Logger;
  state: ConnectorRunState;
  restarts: number;
  /** Failures since the last stable run: drives the backoff delay. */
  failures: number;
  startedAt: Date | null;
  lastError: { message: string; at: Date } | null;
  nextRestartAt: Date | null;
  health: ConnectorHealth;
  eventsEmitted: number;
  lastEventAt: Date | null;
  launch: Launch | null;
  restartTimer: Timer | undefined;
  lastProgressLogAt: number;
}

/**
 * Every problem with the connector instances, at once: duplicate types or names, unknown types
 * and options that do not match their connector's schema. Disabled instances may name a type
 * that is not installed. Empty when all is well.
 */
export function validateConnectorInstances(
  definitions: readonly ConnectorDefinition[],
  instances: readonly ConnectorInstanceSpec[],
): string[] {
  const problems: string[] = [];
  const byType = new Map<string, ConnectorDefinition>();
  for (const definition of definitions) {
    if (byType.has(definition.type)) {
      problems.push(`connector type "${definition.type}" is registered twice`);
    }
    byType.set(definition.type, definition);
  }
  const validators = new Map<ConnectorDefinition, ReturnType<typeof Compile>>();
  const seen = new Set<string>();
  instances.forEach((instance, index) => {
    const where = `connectors[${index}] (${instance.name})`;
    const key = `${instance.tenant}/${instance.name}`;
    if (seen.has(key)) {
      problems.push(
        `${where}: name "${instance.name}" is used twice in tenant "${instance.tenant}"`,
      );
    }
    seen.add(key);
    if (!instance.enabled) return;
    const definition = byType.get(instance.type);
    if (!definition) {
      const known = [...byType.keys()].sort().join(', ') || 'none';
      problems.push(`${where}: unknown connector type "${instance.type}" (known: ${known})`);
      return;
    }
    let validator = validators.get(definition);
    if (!validator) {
      validator = Compile(definition.configSchema);
      validators.set(definition, validator);
    }
    for (const error of validator.Errors(instance.options)) {
      problems.push(`${where}: options${error.instancePath}: ${error.message}`);
    }
  });
  return problems;
}

/** Nominal delay doubles (by `factor`) per failure up to the cap, then jitter shortens it a little. */
function backoffDelay(backoff: BackoffOptions, failures: number): number {
  const nominal = Math.min(
    backoff.maxMs,
    backoff.initialMs * backoff.factor ** Math.max(0, failures - 1),
  );
  return Math.round(nominal * (1 - JITTER_FRACTION * Math.random()));
}

/** The message only: stacks, causes and attached request objects may carry secrets. */
function errorMessage(error: unknown): string {
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

function percentOf(progress: ConnectorProgress): number | null {
  if (progress.total === undefined || progress.total <= 0) return null;
  return Math.min(100, Math.floor((progress.done / progress.total) * 1000) / 10);
}

const isoOrNull = (date: Date | null | undefined): string | null =>
  date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;

export class ConnectorRunner {
  private readonly deps: ConnectorRunnerDeps;
  private readonly instances: Instance[];
  private readonly backoff: BackoffOptions;
  private readonly stableAfterMs: number;
  private readonly stopTimeoutMs: number;
  private readonly startupGraceMs: number;
  private readonly progressLogIntervalMs: number;
  private started = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;

  /** Throws, listing every problem, when an instance cannot run (see validateConnectorInstances). */
  constructor(deps: ConnectorRunnerDeps) {
    const problems = validateConnectorInstances(deps.definitions, deps.instances);
    if (problems.length > 0) {
      throw new Error(`invalid connector configuration:\n  ${problems.join('\n  ')}`);
    }
    this.deps = deps;
    this.backoff = deps.backoff ?? DEFAULT_BACKOFF;
    this.stableAfterMs = deps.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS;
    this.stopTimeoutMs = deps.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    this.startupGraceMs = deps.startupGraceMs ?? DEFAULT_STARTUP_GRACE_MS;
    this.progressLogIntervalMs = deps.progressLogIntervalMs ?? DEFAULT_PROGRESS_LOG_INTERVAL_MS;
    this.instances = deps.instances.map((spec) => ({
      spec,
      definition: deps.definitions.find((definition) => definition.type === spec.type),
      logger: deps.logger.child({ connector: spec.name, type: spec.type, tenant: spec.tenant }),
      state: spec.enabled ? 'stopped' : 'disabled',
      restarts: 0,
      failures: 0,
      startedAt: null,
      lastError: null,
      nextRestartAt: null,
      health: {},
      eventsEmitted: 0,
      lastEventAt: null,
      launch: null,
      restartTimer: undefined,
      lastProgressLogAt: Number.NEGATIVE_INFINITY,
    }));
  }

  /** Launches every enabled instance and returns at once; failures are handled in the background. */
  start(): void {
    if (this.stopping) throw new Error('ConnectorRunner.start() after stop(): build a new runner');
    if (this.started) return;
    this.started = true;
    for (const instance of this.instances) {
      if (instance.spec.enabled) this.launch(instance);
    }
  }

  /**
   * Aborts every connector and waits for its run() to settle, at most `stopTimeoutMs` each.
   * Idempotent; once it has begun, every context refuses emit().
   */
  stop(): Promise<void> {
    this.stopped ??= this.stopAll();
    return this.stopped;
  }

  /** Every instance, or only those of one tenant; times as ISO strings. */
  status(tenant?: string): ConnectorStatus[] {
    const now = Date.now();
    return this.instances
      .filter((instance) => tenant === undefined || instance.spec.tenant === tenant)
      .map((instance) => this.describe(instance, now));
  }

  /**
   * The enabled instance of `type` (named `name`, when given) and its current Connector, if its
   * run is live. Without a name, exactly one instance of the type must exist.
   */
  find(type: string, name?: string): ConnectorLookup {
    const matches = this.instances.filter(
      (instance) =>
        instance.spec.enabled &&
        instance.spec.type === type &&
        (name === undefined || instance.spec.name === name),
    );
    const names = matches.map((instance) => instance.spec.name);
    const instance = matches[0];
    if (!instance) return { found: false, reason: 'none', names };
    if (matches.length > 1) return { found: false, reason: 'ambiguous', names };
    const launch = instance.launch;
    if (this.stopping || !launch?.connector || launch.ended || launch.controller.signal.aborted) {
      return { found: false, reason: 'not_running', names };
    }
    return {
      found: true,
      name: instance.spec.name,
      tenant: instance.spec.tenant,
      connector: launch.connector,
      emit: (events) => this.emitFrom(instance, launch, events),
    };
  }

  private launch(instance: Instance): void {
    const { definition, spec } = instance;
    // validateConnectorInstances guarantees a definition for every enabled instance.
    if (!definition) return;
    const launch: Launch = {
      controller: new AbortController(),
      startedAt: Date.now(),
      connector: undefined,
      ended: false,
      inflight: new Set(),
      settled: Promise.resolve(),
      graceTimer: undefined,
    };
    instance.launch = launch;
    instance.state = 'starting';
    instance.startedAt = new Date(launch.startedAt);
    instance.nextRestartAt = null;
    // Progress belongs to the run that reported it; message and lastSyncAt stay meaningful.
    instance.health = { ...instance.health, progress: null };
    instance.logger.info({ restarts: instance.restarts }, 'connector starting');

    let running: Promise<void>;
    try {
      const ctx: ConnectorContext = {
        name: spec.name,
        config: spec.options,
        logger: instance.logger,
        signal: launch.controller.signal,
        state: this.deps.stateFor(spec.tenant, spec.name),
        emit: (events) => this.emitFrom(instance, launch, events),
        reportHealth: (health) => this.reportHealthFrom(instance, launch, health),
      };
      launch.connector = definition.create(ctx);
      running = Promise.resolve(launch.connector.run());
    } catch (error) {
      running = Promise.reject(error);
    }
    launch.graceTimer = setTimeout(() => this.markAlive(instance, launch), this.startupGraceMs);
    launch.settled = running
      .then(
        (): RunOutcome => ({ ok: true }),
        (error: unknown): RunOutcome => ({ ok: false, error }),
      )
      .then((outcome) => this.onRunEnded(instance, launch, outcome));
  }

  private onRunEnded(instance: Instance, launch: Launch, outcome: RunOutcome): void {
    launch.ended = true;
    clearTimeout(launch.graceTimer);
    if (this.stopping) {
      instance.state = 'stopped';
      if (!outcome.ok) {
        instance.logger.warn(
          { err: { message: errorMessage(outcome.error) } },
          'connector failed while stopping',
        );
      }
      instance.logger.info('connector stopped');
      return;
    }
    // Whatever the failed run left behind (timers, watches) is told to stop as well.
    launch.controller.abort();
    const now = Date.now();
    const message = outcome.ok ? 'run() returned before stop' : errorMessage(outcome.error);
    if (now - launch.startedAt >= this.stableAfterMs) instance.failures = 0;
    instance.failures += 1;
    const delay = backoffDelay(this.backoff, instance.failures);
    instance.state = 'backoff';
    instance.lastError = { message, at: new Date(now) };
    instance.nextRestartAt = new Date(now + delay);
    instance.logger.warn(
      { err: { message }, restarts: instance.restarts, retryInMs: delay },
      'connector failed; restarting after backoff',
    );
    instance.restartTimer = setTimeout(() => {
      instance.restartTimer = undefined;
      if (this.stopping) return;
      instance.restarts += 1;
      this.launch(instance);
    }, delay);
  }

  private async emitFrom(
    instance: Instance,
    launch: Launch,
    input: ChangeEventInput | ChangeEventInput[],
  ): Promise<EmitResult> {
    if (launch.ended || launch.controller.signal.aborted) {
      throw new Error(
        `connector "${instance.spec.name}" is stopped: emit() after stop is refused (its run must end once ctx.signal is aborted)`,
      );
    }
    const events = Array.isArray(input) ? input : [input];
    this.markAlive(instance, launch);
    if (events.length === 0) return { ids: [], created: 0, updated: 0, unchanged: 0 };
    const pending = this.deps.emit(
      { tenant: instance.spec.tenant, connector: instance.spec.name },
      events,
    );
    launch.inflight.add(pending);
    try {
      const result = await pending;
      instance.eventsEmitted += events.length;
      instance.lastEventAt = new Date();
      return result;
    } finally {
      launch.inflight.delete(pending);
    }
  }

  private reportHealthFrom(instance: Instance, launch: Launch, health: ConnectorHealth): void {
    // A run that already ended must not overwrite what its successor reports.
    if (launch.ended) return;
    instance.health = { ...instance.health, ...health };
    this.markAlive(instance, launch);
    if (health.progress) this.logProgress(instance, health.progress);
  }

  private markAlive(instance: Instance, launch: Launch): void {
    if (instance.launch !== launch || launch.ended || instance.state !== 'starting') return;
    clearTimeout(launch.graceTimer);
    instance.state = 'running';
  }

  private logProgress(instance: Instance, progress: ConnectorProgress): void {
    const now = Date.now();
    if (now - instance.lastProgressLogAt < this.progressLogIntervalMs) return;
    instance.lastProgressLogAt = now;
    const percent = percentOf(progress);
    const counts =
      progress.total === undefined ? `${progress.done}` : `${progress.done}/${progress.total}`;
    const unit = progress.unit ? ` ${progress.unit}` : '';
    const share = percent === null ? '' : ` (${percent}%)`;
    instance.logger.info(
      { progress: { ...progress, percent } },
      `${progress.phase}: ${counts}${unit}${share}`,
    );
  }

  private async stopAll(): Promise<void> {
    this.stopping = true;
    const waits: Promise<void>[] = [];
    for (const instance of this.instances) {
      clearTimeout(instance.restartTimer);
      instance.restartTimer = undefined;
      instance.nextRestartAt = null;
      const launch = instance.launch;
      if (launch && !launch.ended) {
        launch.controller.abort();
        waits.push(this.waitForStop(instance, launch));
      } else if (instance.state !== 'disabled') {
        instance.state = 'stopped';
      }
    }
    await Promise.all(waits);
  }

  private async waitForStop(instance: Instance, launch: Launch): Promise<void> {
    // No emit can start after the abort above, so this snapshot is every write still to land.
    const drained = Promise.allSettled([launch.settled, ...launch.inflight]).then(
      () => 'done' as const,
    );
    let timer: Timer | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.stopTimeoutMs);
    });
    const result = await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      launch.ended = true;
      clearTimeout(launch.graceTimer);
      instance.state = 'stopped';
      instance.logger.error(
        { timeoutMs: this.stopTimeoutMs },
        'connector did not stop after abort; giving up on it (its emits are refused)',
      );
    }
  }

  private describe(instance: Instance, now: number): ConnectorStatus {
    const { spec, health } = instance;
    const lastSyncAt = isoOrNull(health.lastSyncAt);
    const progress = health.progress ?? null;
    return {
      name: spec.name,
      type: spec.type,
      tenant: spec.tenant,
      mode: 'in-process',
      state: instance.state,
      restarts: instance.restarts,
      startedAt: isoOrNull(instance.startedAt),
      lastError: instance.lastError
        ? { message: instance.lastError.message, at: instance.lastError.at.toISOString() }
        : null,
      nextRestartAt: isoOrNull(instance.nextRestartAt),
      health: {
        message: health.message ?? null,
        lastSyncAt,
        lagSeconds:
          lastSyncAt === null
            ? null
            : Math.max(0, Math.round((now - Date.parse(lastSyncAt)) / 1000)),
        progress: progress && {
          phase: progress.phase,
          done: progress.done,
          total: progress.total ?? null,
          unit: progress.unit ?? null,
          percent: percentOf(progress),
        },
        details: { ...health.details },
      },
      eventsEmitted: instance.eventsEmitted,
      lastEventAt: isoOrNull(instance.lastEventAt),
    };
  }
}
