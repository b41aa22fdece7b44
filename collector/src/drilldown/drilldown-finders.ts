// The chain finder and the suspect ranking wired from the `drilldown` config section, once: the
// routes and the benchmark use the same wiring, so a changed default reaches both.
import type { Config } from '../config/config-schema.js';
import type { LinkStore } from '../store/link-store.js';
import { ChainFinder } from './change-chain.js';
import { DEFAULT_SUSPECT_OPTIONS, SuspectFinder } from './suspect-finder.js';

export function drilldownFinders(
  links: LinkStore,
  config: Config['drilldown'],
): { chains: ChainFinder; suspects: SuspectFinder } {
  const chains = new ChainFinder(links, {
    horizonMs: config.chainHorizonDays * 86_400_000,
    maxEvents: config.chainMaxEvents,
  });
  const suspects = new SuspectFinder(links, chains, {
    ...DEFAULT_SUSPECT_OPTIONS,
    halfLifeMinutes: config.halfLifeMinutes,
    kinds: config.kindWeights,
    threshold: config.threshold,
    maxSuspects: config.maxSuspects,
    chainShare: config.chainShare,
  });
  return { chains, suspects };
}
