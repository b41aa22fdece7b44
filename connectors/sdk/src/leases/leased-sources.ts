// Work under leases, for the poll scheduler and for long-running watches alike: which sources
// this run holds, a signal per source that aborts when its lease is lost or given up, renewal in
// the background while work runs, and what a lease store that cannot be reached means: past the
// TTL nothing is held any more, since another replica may have taken over.
import type { ConnectorLogger } from '../connector.js';
import { errorMessage } from '../supervisor/connector-supervisor.js';
import type { SourceLeases } from './source-leases.js';

/** The work on a source stopped because its lease was lost (or given up). */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/** What a claim round changed for this run. */
export interface LeaseRound {
  /** Sources taken in this round, new to this run: start their work. */
  gained: string[];
  /** Sources held beyond this holder's share: stop their work, then release them. */
  surplus: string[];
}

export interface LeasedSourcesOptions {
  logger: ConnectorLogger;
  /** Milliseconds since the epoch: when the store last confirmed the leases. */
  now?: () => number;
}

export class LeasedSources {
  /** Held sources and the controller of the work on each. */
  private readonly held = new Map<string, AbortController>();
  /** When the store last confirmed what is held (a claim or a renewal that worked). */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(
    private readonly leases: SourceLeases,
    private readonly options: LeasedSourcesOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get renewEveryMs(): number {
    return this.leases.renewEveryMs;
  }

  has(source: string): boolean {
    return this.held.has(source);
  }

  /** The sources held now. */
  list(): string[] {
    return [...this.held.keys()];
  }

  /** Aborts when the lease on `source` is lost or released; already aborted when not held. */
  signalOf(source: string): AbortSignal {
    return (
      this.held.get(source)?.signal ?? AbortSignal.abort(new LeaseLostError(`${source}: not held`))
    );
  }

  /**
   * One claim round over the sources listed now. Never rejects: a store that cannot be reached
   * is logged, and what is held stays held until the TTL says otherwise.
   */
  async claim(sources: readonly string[]): Promise<LeaseRound> {
    let held: readonly string[];
    let share: number;
    try {
      ({ held, share } = await this.leases.claim(sources));
    } catch (error) {
      this.unconfirmed('claim', error);
      return { gained: [], surplus: [] };
    }
    this.confirmedAt = this.now();
    const now = new Set(held);
    for (const source of this.list()) {
      if (!now.has(source)) this.lose(source, 'taken by another replica');
    }
    const gained = held.filter((source) => !this.held.has(source));
    for (const source of gained) this.held.set(source, new AbortController());
    return { gained, surplus: held.slice(share) };
  }

  /** Renews what is held; the leases another replica took are lost (their work is aborted). */
  async renew(): Promise<void> {
    const sources = this.list();
    if (sources.length === 0) return;
    try {
      const still = new Set(await this.leases.renew(sources));
      this.confirmedAt = this.now();
      for (const source of sources) {
        if (!still.has(source)) this.lose(source, 'taken by another replica');
      }
    } catch (error) {
      this.unconfirmed('renew', error);
    }
  }

  /** Renews every `renewEveryMs` (real time) until the returned function is called. */
  keepRenewed(): () => void {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      timer = setTimeout(() => {
        void this.renew().then(() => {
          if (!stopped) schedule();
        });
      }, this.leases.renewEveryMs);
    };
    schedule();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  /**
   * Gives these up: their work is told to stop, `stopped` (when given) waits for it to end, then
   * the leases are released so that another replica may take them at once.
   */
  async release(sources: readonly string[], stopped?: () => Promise<unknown>): Promise<void> {
    const mine = sources.filter((source) => this.held.has(source));
    if (mine.length === 0) return;
    for (const source of mine) {
      this.held.get(source)?.abort(new LeaseLostError(`${source}: given up to another replica`));
    }
    await stopped?.();
    for (const source of mine) this.held.delete(source);
    this.options.logger.info({ sources: mine }, 'sources given up to other replicas');
    try {
      await this.leases.release(mine);
    } catch (error) {
      // They expire by themselves within the TTL.
      this.options.logger.warn({ err: { message: errorMessage(error) } }, 'lease release failed');
    }
  }

  /** Stops all work and gives every lease up (the run ends). Never rejects. */
  async leave(): Promise<void> {
    for (const [source, controller] of this.held) {
      controller.abort(new LeaseLostError(`${source}: the run stopped`));
    }
    this.held.clear();
    try {
      await this.leases.leave();
    } catch (error) {
      this.options.logger.warn(
        { err: { message: errorMessage(error) } },
        'leases not released; they expire by themselves',
      );
    }
  }

  private unconfirmed(what: string, error: unknown): void {
    const { logger } = this.options;
    logger.warn({ err: { message: errorMessage(error) } }, `lease ${what} failed`);
    if (this.held.size > 0 && this.now() - this.confirmedAt >= this.leases.ttlMs) {
      for (const source of this.list()) {
        this.lose(source, 'not renewed within the lease TTL: another replica may have it');
      }
    }
  }

  private lose(source: string, why: string): void {
    this.held.get(source)?.abort(new LeaseLostError(`${source}: lease lost, ${why}`));
    this.held.delete(source);
    this.options.logger.warn({ source, why }, 'lease lost');
  }
}
