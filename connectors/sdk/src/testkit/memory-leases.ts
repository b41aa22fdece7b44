// Leases in memory for connector tests: one table that several holders (replicas in one test)
// share, on a clock the test moves, with the rules of the collector's lease store: a lease lasts
// `ttlMs` unless renewed, an expired one is free, and each holder takes at most its share
// (the sources divided by the holders taking part, rounded up).
import type { LeaseClaim, SourceLeases } from '../leases/source-leases.js';

export interface MemoryLeasesOptions {
  /** Default 30 s, like the collector's. */
  ttlMs?: number;
  /** Default a third of the TTL. */
  renewEveryMs?: number;
  /** Milliseconds since the epoch; Date.now by default. */
  now?: () => number;
}

interface Lease {
  holder: string;
  expiresAt: number;
}

export class MemoryLeases {
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  private readonly now: () => number;
  private readonly leases = new Map<string, Lease>();
  /** Holders taking part and when that expires. */
  private readonly claimants = new Map<string, number>();
  /** Every lease taken, in order: `holder takes source`. */
  readonly history: string[] = [];

  constructor(options: MemoryLeasesOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.renewEveryMs = options.renewEveryMs ?? Math.floor(this.ttlMs / 3);
    this.now = options.now ?? Date.now;
  }

  /** Who holds `source` now; undefined when free or expired. */
  holderOf(source: string): string | undefined {
    const lease = this.leases.get(source);
    return lease && lease.expiresAt > this.now() ? lease.holder : undefined;
  }

  /** The leases of one holder (a replica). */
  for(holder: string): SourceLeases {
    return {
      holder,
      ttlMs: this.ttlMs,
      renewEveryMs: this.renewEveryMs,
      claim: async (sources) => this.claim(holder, sources),
      renew: async (sources) => this.renew(holder, sources),
      release: async (sources) => this.release(holder, sources),
      leave: async () => {
        this.release(holder, [...this.leases.keys()]);
        this.claimants.delete(holder);
      },
    };
  }

  private claim(holder: string, listed: readonly string[]): LeaseClaim {
    const now = this.now();
    const sources = [...new Set(listed)].sort();
    this.claimants.set(holder, now + this.ttlMs);
    for (const [claimant, until] of this.claimants) {
      if (until <= now) this.claimants.delete(claimant);
    }
    const share = Math.ceil(sources.length / Math.max(1, this.claimants.size));
    for (const [source, lease] of this.leases) {
      if (lease.holder === holder && !sources.includes(source)) this.leases.delete(source);
    }
    const held = this.renew(holder, sources);
    for (const source of sources) {
      if (held.length >= share) break;
      if (this.holderOf(source) !== undefined) continue;
      this.leases.set(source, { holder, expiresAt: now + this.ttlMs });
      this.history.push(`${holder} takes ${source}`);
      held.push(source);
    }
    return { held: held.sort(), share };
  }

  private renew(holder: string, sources: readonly string[]): string[] {
    const now = this.now();
    if (this.claimants.has(holder)) this.claimants.set(holder, now + this.ttlMs);
    return sources.filter((source) => {
      const lease = this.leases.get(source);
      if (lease?.holder !== holder) return false;
      lease.expiresAt = now + this.ttlMs;
      return true;
    });
  }

  private release(holder: string, sources: readonly string[]): void {
    for (const source of sources) {
      if (this.leases.get(source)?.holder === holder) this.leases.delete(source);
    }
  }
}
