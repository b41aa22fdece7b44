// Polling, once for every connector: every interval each target (a repository, a project) is
// read from its stored cursor, a few at a time. The scheduler owns the cursors in state, the
// backfill and its progress, rate-limit pauses, backoff of failing targets and health reports;
// a connector supplies only `targets()` and `poll(target, ctx)`. When the context carries leases
// (collector replicas on one database), only the targets this replica holds a lease on are polled.
import { abortableSleep } from '../abortable-sleep.js';
import type { ChangeEventInput } from '../change-event.js';
import type { ConnectorContext, ConnectorHealth } from '../connector.js';
import type { ProjectMapping } from '../events/project-mapping.js';
import { LeasedSources } from '../leases/leased-sources.js';
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
  /** With `leases`, each target is polled under a lease on its key (see ConnectorContext). */
  readonly ctx: Pick<
    ConnectorContext,
    'state' | 'emit' | 'logger' | 'signal' | 'reportHealth' | 'leases'
  >;
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
  /** With leases: the targets of this cycle that other replicas hold (not polled here). */
  elsewhere?: number;
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
  /** The leases of this run, when the context has them. */
  private readonly leased: LeasedSources | undefined;
  /** Every target's key as last listed: what the claims between cycles are about. */
  private listedKeys: string[] = [];

  constructor(private readonly options: PollSchedulerOptions<T, C>) {
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? abortableSleep;
    const { leases, logger } = options.ctx;
    this.leased = leases ? new LeasedSources(leases, { logger }) : undefined;
  }

  /**
   * Polls until the signal aborts; rejects when the source refuses the credential. Its leases
   * are given up when it ends, whichever way.
   */
  async run(): Promise<void> {
    const { signal } = this.options.ctx;
    try {
      while (!signal.aborted) {
        try {
          await this.cycle();
        } catch (error) {
          if (isStop(signal)) return;
          throw error;
        }
        await this.waitForNextCycle();
      }
    } finally {
      await this.leased?.leave();
    }
  }

  /** One poll of every target (with leases: of every target this replica holds). */
  async cycle(): Promise<CycleSummary> {
    const { source, ctx } = this.options;
    const { state, signal, logger } = ctx;
    await source.beforeCycle?.();
    const backfill = (await state.get<BackfillState>(BACKFILL_KEY)) === undefined;
    const listed = await source.targets();
    const targets = await this.heldTargets(listed);
    const summary: CycleSummary = { targets: targets.length, events: 0, failures: [], backfill };
    if (this.leased) summary.elsewhere = listed.length - targets.length;
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
        // A lease lost since the claim: another replica polls it now.
        const held = !this.leased || this.leased.has(target.key);
        if (held && !(await this.pollTarget(target, summary))) failedTargets += 1;
        done += 1;
        progress();
      }
    };
    const workers = Math.max(
      1,
      Math.min(this.options.concurrency ?? DEFAULT_POLL_CONCURRENCY, targets.length),
    );
    // A poll may outlast the TTL (a long backfill): the leases are renewed while it runs.
    const stopRenewing = this.leased?.keepRenewed();
    try {
      await Promise.all(Array.from({ length: workers }, worker));
    } finally {
      stopRenewing?.();
    }
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
    const elsewhere = summary.elsewhere ? ` (${summary.elsewhere} more on other replicas)` : '';
    const health: ConnectorHealth = {
      message: nothingRead
        ? `failing: no ${source.unit.one} could be read; ${summary.failures[0]}`
        : `polling ${plural(targets.length, source.unit)}${elsewhere}` +
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

  /** Without leases, every target; with them, the ones this replica holds after a claim. */
  private async heldTargets(listed: PollTarget<T>[]): Promise<PollTarget<T>[]> {
    const leased = this.leased;
    if (!leased) return listed;
    this.listedKeys = listed.map((target) => target.key);
    await this.claim(leased);
    return listed.filter((target) => leased.has(target.key));
  }

  /** A claim round; nothing is being polled, so a surplus is given up at once. */
  private async claim(leased: LeasedSources): Promise<string[]> {
    const { gained, surplus } = await leased.claim(this.listedKeys);
    if (surplus.length > 0) await leased.release(surplus);
    return gained;
  }

  /**
   * The interval until the next cycle. With leases, a claim every renewal period meanwhile keeps
   * them, and a target gained (a replica stopped or died) ends the wait: it is polled at once.
   */
  private async waitForNextCycle(): Promise<void> {
    const { intervalMs, ctx } = this.options;
    const leased = this.leased;
    if (!leased) return this.sleep(intervalMs, ctx.signal);
    let waited = 0;
    while (!ctx.signal.aborted) {
      const step = Math.min(leased.renewEveryMs, intervalMs - waited);
      await this.sleep(step, ctx.signal);
      waited += step;
      if (waited >= intervalMs || ctx.signal.aborted) return;
      if ((await this.claim(leased)).length > 0) return;
    }
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
    const lost = () => this.leased !== undefined && !this.leased.has(target.key);
    for (let pauses = 0; !signal.aborted && !lost(); pauses += 1) {
      try {
        const outcome = await source.poll(target.value, await this.pollContext(target, summary));
        // Parts refused after the loss are not problems of the source.
        if (lost()) return this.stoppedByLoss(target);
        for (const problem of outcome?.problems ?? []) {
          summary.failures.push(`${target.label} ${problem}`);
          logger.warn({ target: target.label, problem }, 'a resource could not be read');
        }
        this.failing.delete(target.key);
        return true;
      } catch (error) {
        if (isStop(signal)) return true;
        if (lost()) return this.stoppedByLoss(target);
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

  /** Nothing after the loss was emitted or saved: the new holder reads on from the cursor. */
  private stoppedByLoss(target: PollTarget<T>): boolean {
    this.options.ctx.logger.warn(
      { target: target.label },
      'lease lost during the poll: another replica polls it now',
    );
    return true;
  }

  private async pollContext(target: PollTarget<T>, summary: CycleSummary): Promise<PollContext<C>> {
    const { ctx, mapping } = this.options;
    const key = `cursor:${target.key}`;
    // With leases, a lost lease stops the poll like a stop does: its signal aborts, and it emits
    // and saves nothing more (the replica that took over reads on from the cursor).
    const lease = this.leased?.signalOf(target.key);
    const stored = await ctx.state.get<C>(key);
    let saved = JSON.stringify(stored);
    return {
      cursor: stored,
      signal: lease ? AbortSignal.any([ctx.signal, lease]) : ctx.signal,
      emit: async (events) => {
        const mapped = mapping ? mapping.apply(events) : events;
        for (let i = 0; i < mapped.length; i += EMIT_CHUNK) {
          // An answer that arrived just before stop is dropped, not emitted: its cursor is not
          // saved either, so the next start reads it again.
          ctx.signal.throwIfAborted();
          lease?.throwIfAborted();
          await ctx.emit(mapped.slice(i, i + EMIT_CHUNK));
        }
        summary.events += mapped.length;
      },
      checkpoint: async (cursor) => {
        // An idle poll writes nothing.
        const text = JSON.stringify(cursor);
        if (text === saved) return;
        lease?.throwIfAborted();
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
      ...(summary.elsewhere === undefined ? {} : { onOtherReplicas: summary.elsewhere }),
      ...this.options.source.details?.(),
    };
  }
}
