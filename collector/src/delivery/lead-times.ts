// Lead time for changes, from the chains the drilldown already follows: for each deploy, the
// chain of GET /api/v1/events/{id}/chain (change-chain.ts, the same finder and settings), and in
// it the earliest code change — push, pull request, merge, pipeline, release or tag — that
// happened before the deploy started. A deploy whose chain holds none has no lead time: it is
// counted apart, never guessed.
import type { ChangeEvent } from '@painchain/sdk';
import type { ChainFinder } from '../drilldown/change-chain.js';

/** Kinds that stand for the code a deploy ships: where its lead time starts. */
export const CODE_KINDS: ReadonlySet<string> = new Set([
  'push',
  'pull_request',
  'merge',
  'pipeline',
  'release',
  'tag',
]);

/** Chains followed at once: each is a few indexed lookups, and the pool has other users. */
const CONCURRENCY = 4;

/** Where a deploy's lead time starts, or why it has none. */
export type LeadTimeStart =
  | {
      first: Pick<ChangeEvent, 'id' | 'kind' | 'title' | 'timestamp'>;
      /** Changes in the chain, the deploy included. */
      chainEvents: number;
      /** The chain had more changes than the finder's cap: an earlier one may be left out. */
      truncated: boolean;
    }
  | { first: null; unknown: 'no_chain' | 'no_code_change' };

export interface DeployRef {
  id: string;
  ts: Date;
}

export class LeadTimes {
  constructor(private readonly chains: ChainFinder) {}

  /** The start of each deploy's lead time, by deploy id. */
  async startsOf(
    tenant: string,
    deploys: readonly DeployRef[],
  ): Promise<Map<string, LeadTimeStart>> {
    const found = new Map<string, LeadTimeStart>();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < deploys.length; i = next++) {
        const deploy = deploys[i]!;
        found.set(deploy.id, await this.startOf(tenant, deploy));
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, deploys.length) }, worker));
    return found;
  }

  private async startOf(tenant: string, deploy: DeployRef): Promise<LeadTimeStart> {
    const chain = await this.chains.chainOf(tenant, deploy.id);
    if (!chain || chain.events.length <= 1) return { first: null, unknown: 'no_chain' };
    const started = deploy.ts.getTime();
    // Events are oldest first: the first code change that happened before the deploy started.
    const first = chain.events.find(
      (e) => CODE_KINDS.has(e.kind ?? 'other') && Date.parse(e.timestamp) <= started,
    );
    if (!first) return { first: null, unknown: 'no_code_change' };
    return {
      first: { id: first.id, kind: first.kind, title: first.title, timestamp: first.timestamp },
      chainEvents: chain.events.length,
      truncated: chain.truncated,
    };
  }
}
