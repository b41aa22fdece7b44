// Polling, once for every connector: every interval each target (a repository, a project) is
// read from its stored cursor, a few at a time. The scheduler owns the cursors in state, the
// backfill and its progress, rate-limit pauses, backoff of failing targets and health reports;
// a connector supplies only `targets()` and `poll(target, ctx)`.
import { abortableSleep } from '../abortable-sleep.js';
import type { ChangeEventInput } from '../change-event.js';
import type { ConnectorContext, ConnectorHealth } from '../connector.js';
import type { ProjectMapping } from '../events/project-mapping.js';
import { AuthenticationError, NotFoundError, RateLimitedError } from './source-errors.js';

/** One thing to poll: `key` names its cursor in state (stable across restarts). */
export interface PollTarget<T> {
  readonly key: string;
  /** How people know it: `acme/api`. */
  readonly label: string;
  readonly value: T;
}

/** What `poll` works with for one target. */
export interface PollContext<C> {
  /** The cursor saved by the last poll; undefined on the first one (the backfill). */
  readonly cursor: C | undefined;
  readonly signal: AbortSignal;
  /** Hands events on: mapped (project mapping), chunked, counted. Call before checkpointing. */
  emit(events: ChangeEventInput[]): Promise<void>;
  /**
   * Saves the cursor (when it changed): call it after the events it covers were emitted, so a
   * crash repeats work (idempotent keys make that harmless) but never skips it.
   */
  checkpoint(cursor: C): Promise<void>;
}

export interface PollOutcome {
  /** Parts that failed this time while the rest was read: `deployments: 403 …`. */
  problems?: string[];
}

export interface PollSource<T, C> {
  /** What a target is called in health messages. */
  readonly unit: { readonly one: string; readonly other: string };
  /** The targets of this cycle: configured ones, or listed from the source. */
  targets(): Promise<PollTarget<T>[]>;
  /**
   * Reads one target from its cursor. Throw RateLimitedError to pause it, AuthenticationError to
   * stop the run (the supervisor restarts it with backoff); any other error fails this target.
   */
  poll(target: T, ctx: PollContext<C>): Promise<PollOutcome | void>;
  /** Before each cycle (re-read a rotated token file, say). */
  beforeCycle?(): Promise<void>;
  /** Small, non-secret figures for the health details: the rate-limit budget, requests made. */
  details?(): Record<string, string | number | boolean | null>;
  /** A failure of one target in words; undefined for the default (its message). */
  describeFailure?(error: unknown): string | undefined;
}

export interface PollSchedulerOptions<T, C> {
  readonly source: PollSource<T, C>;
  readonly ctx: Pick<ConnectorContext, 'state' | 'emit' | 'logger' | 'signal' | 'reportHealth'>;
  readonly intervalMs: number;
  readonly mapping?: ProjectMapping;
  /** Targets read at the same time. */
  readonly concurrency?: number;
  /** Longest pause of a target that keeps failing, in polls' time. */
  readonly maxTargetBackoffMs?: number;
  readonly now?: () => Date;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface CycleSummary {
  targets: number;
  events: number;
  /** `label: what went wrong`, for the targets (or parts of them) that failed. */
  failures: string[];
  /** Was this the first poll, reading the history window? */
  backfill: boolean;
}

/** Fast enough, and gentle on the sources' secondary limits. */
export const DEFAULT_POLL_CONCURRENCY = 4;
/** Events per emit(): one backfill of a busy target is not one huge transaction. */
export const EMIT_CHUNK = 500;
export const DEFAULT_MAX_TARGET_BACKOFF_MS = 60 * 60_000;
/** Rate-limit pauses of one target in one cycle before it is reported as failing. */
const MAX_PAUSES_PER_TARGET = 5;
/** Shortest pause for a rate limit, whatever the clocks say: never spin. */
const MIN_PAUSE_MS = 1_000;
const BACKFILL_KEY = 'backfill';

interface BackfillState {
  completedAt: string;
}
interface TargetFailures {
  count: number;
  retryAt: number;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
/** Only our own stop is a stop: an AbortError of the source's own timeout is a failure. */
const isStop = (signal: AbortSignal) => signal.aborted;
const plural = (count: number, unit: { one: string; other: string }) =>
  `${count} ${count === 1 ? unit.one : unit.other}`;

export class PollScheduler<T, C> {
  private readonly now: () => Date;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Targets failing poll after poll wait longer each time (kept in memory: a restart retries). */
  private readonly failing = new Map<string, TargetFailures>();

  constructor(private readonly options: PollSchedulerOptions<T, C>) {
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? abortableSleep;
  }

  /** Polls until the signal aborts; rejects when the source refuses the credential. */
  async run(): Promise<void> {
    const { signal } = this.options.ctx;
    while (!signal.aborted) {
      try {
        await this.cycle();
      } catch (error) {
        if (isStop(signal)) return;
        throw error;
      }
      await this.sleep(this.options.intervalMs, signal);
    }
  }

  /** One poll of every target. */
  async cycle(): Promise<CycleSummary> {
    const { source, ctx } = this.options;
    const { state, signal, logger } = ctx;
    await source.beforeCycle?.();
    const backfill = (await state.get<BackfillState>(BACKFILL_KEY)) === undefined;
    const targets = await source.targets();
    const summary: CycleSummary = { targets: targets.length, events: 0, failures: [], backfill };
    let done = 0;
    const progress = () => {
      if (!backfill) return;
      ctx.reportHealth({
        message: `backfill: ${done} of ${plural(targets.length, source.unit)}, ${summary.events} events`,
        progress: { phase: 'backfill', done, total: targets.length, unit: source.unit.other },
        details: { ...this.details(summary), backfillEvents: summary.events },
      });
    };
    progress();

    const queue = [...targets];
    let failedTargets = 0;
    const worker = async () => {
      for (let target = queue.shift(); target && !signal.aborted; target = queue.shift()) {
        if (!(await this.pollTarget(target, summary))) failedTargets += 1;
        done += 1;
        progress();
      }
    };
    const workers = Math.max(
      1,
      Math.min(this.options.concurrency ?? DEFAULT_POLL_CONCURRENCY, targets.length),
    );
    await Promise.all(Array.from({ length: workers }, worker));
    signal.throwIfAborted();

    // A backfill is done once every target has been read; a failed one is read again next time.
    if (backfill && failedTargets === 0) {
      await state.set(BACKFILL_KEY, {
        completedAt: this.now().toISOString(),
      } satisfies BackfillState);
      logger.info({ targets: targets.length, events: summary.events }, 'backfill done');
    }
    const failing = summary.failures.length;
    // A poll in which every target failed synced nothing: no lastSyncAt, and it says so.
    const nothingRead = targets.length > 0 && failedTargets === targets.length;
    const health: ConnectorHealth = {
      message: nothingRead
        ? `failing: no ${source.unit.one} could be read; ${summary.failures[0]}`
        : `polling ${plural(targets.length, source.unit)}` +
          (failing
            ? `; ${failing} problem${failing === 1 ? '' : 's'}: ${summary.failures[0]}`
            : ''),
      progress: null,
      details: this.details(summary),
      condition: nothingRead ? 'failing' : failing > 0 ? 'degraded' : 'ok',
    };
    if (!nothingRead) health.lastSyncAt = this.now();
    ctx.reportHealth(health);
    return summary;
  }

  /** Reads one target; false when it failed as a whole. */
  private async pollTarget(target: PollTarget<T>, summary: CycleSummary): Promise<boolean> {
    const { source, ctx } = this.options;
    const { signal, logger } = ctx;
    const backoff = this.failing.get(target.key);
    if (backoff && backoff.retryAt > this.now().getTime()) {
      summary.failures.push(
        `${target.label}: failing (${backoff.count} times), next try at ${new Date(backoff.retryAt).toISOString()}`,
      );
      return false;
    }
    for (let pauses = 0; !signal.aborted; pauses += 1) {
      try {
        const outcome = await source.poll(target.value, await this.pollContext(target, summary));
        for (const problem of outcome?.problems ?? []) {
          summary.failures.push(`${target.label} ${problem}`);
          logger.warn({ target: target.label, problem }, 'a resource could not be read');
        }
        this.failing.delete(target.key);
        return true;
      } catch (error) {
        if (isStop(signal)) return true;
        if (error instanceof AuthenticationError) throw error;
        if (error instanceof RateLimitedError && pauses < MAX_PAUSES_PER_TARGET) {
          await this.pause(target, error, summary);
          continue;
        }
        const message =
          source.describeFailure?.(error) ??
          (error instanceof NotFoundError ? `not found: ${messageOf(error)}` : messageOf(error));
        summary.failures.push(`${target.label}: ${message}`);
        logger.warn({ target: target.label, err: { message } }, 'poll failed');
        this.backOff(target.key);
        return false;
      }
    }
    return true;
  }

  private async pollContext(target: PollTarget<T>, summary: CycleSummary): Promise<PollContext<C>> {
    const { ctx, mapping } = this.options;
    const key = `cursor:${target.key}`;
    const stored = await ctx.state.get<C>(key);
    let saved = JSON.stringify(stored);
    return {
      cursor: stored,
      signal: ctx.signal,
      emit: async (events) => {
        const mapped = mapping ? mapping.apply(events) : events;
        for (let i = 0; i < mapped.length; i += EMIT_CHUNK) {
          // An answer that arrived just before stop is dropped, not emitted: its cursor is not
          // saved either, so the next start reads it again.
          ctx.signal.throwIfAborted();
          await ctx.emit(mapped.slice(i, i + EMIT_CHUNK));
        }
        summary.events += mapped.length;
      },
      checkpoint: async (cursor) => {
        // An idle poll writes nothing.
        const text = JSON.stringify(cursor);
        if (text === saved) return;
        await ctx.state.set(key, cursor);
        saved = text;
      },
    };
  }

  private async pause(
    target: PollTarget<T>,
    error: RateLimitedError,
    summary: CycleSummary,
  ): Promise<void> {
    const { ctx } = this.options;
    // resumeAt comes from the source's answer (its headers): real time, not the injected clock.
    const wait = Math.max(MIN_PAUSE_MS, error.resumeAt.getTime() - Date.now());
    const until = new Date(Date.now() + wait);
    ctx.logger.warn({ target: target.label, resumeAt: until }, `${error.message}: pausing`);
    ctx.reportHealth({
      message: `rate limited until ${until.toISOString()}`,
      details: { ...this.details(summary), rateLimitedUntil: until.toISOString() },
    });
    await this.sleep(wait, ctx.signal);
  }

  /** The next try of a failing target: one interval, doubling per failure, up to the cap. */
  private backOff(key: string): void {
    const count = (this.failing.get(key)?.count ?? 0) + 1;
    const cap = this.options.maxTargetBackoffMs ?? DEFAULT_MAX_TARGET_BACKOFF_MS;
    // The first failure is tried again at the next poll; later ones wait longer.
    const delay = count === 1 ? 0 : Math.min(cap, this.options.intervalMs * 2 ** (count - 1));
    this.failing.set(key, { count, retryAt: this.now().getTime() + delay });
  }

  private details(summary: CycleSummary): Record<string, string | number | boolean | null> {
    return {
      [this.options.source.unit.other]: summary.targets,
      failing: summary.failures.length,
      ...this.options.source.details?.(),
    };
  }
}
