// The changes that may explain an incident at `at`, ranked: every change in the lookback window
// and every rollout still running at `at`, scored (suspect-score.ts); then the code behind the
// top rollouts — the merges, pipelines and pushes in their chains — inherits part of their
// score, so the commit that shipped with a bad deploy ranks beside it.
import type { ChangeEvent } from '@painchain/sdk';
import type { CandidateChange, LinkStore } from '../store/link-store.js';
import type { ChainFinder } from './change-chain.js';
import {
  SCOPE_FACTORS,
  STATUS_FACTORS,
  scoreChange,
  scoreSql,
  type IncidentScope,
  type Score,
  type ScoreFactors,
  type ScoreWeights,
} from './suspect-score.js';

export interface SuspectOptions extends ScoreWeights {
  /** Below this score a change is not reported. */
  threshold: number;
  maxSuspects: number;
  /** How far before `lookback` a rollout may have started and still be open at `at`. */
  openRolloutMaxAgeMs: number;
  /** Share of a rollout's score its chain members inherit. */
  chainShare: number;
  /** Changes read from the window at most (the newest). */
  maxCandidates: number;
}

export interface Suspect {
  event: ChangeEvent;
  score: number;
  factors: ScoreFactors & { chain?: number };
  reasons: string[];
  /** For a change ranked through a rollout's chain: that rollout and the key that joined them. */
  via?: { id: string; title: string; key: string; value: string };
}

export interface SuspectAnswer {
  at: string;
  window: { from: string; to: string };
  scope: { service: string | null; environment: string | null; project: string | null };
  /** `suspects` when at least one change scores at or above the threshold. */
  verdict: 'suspects' | 'no_change_correlated';
  message: string;
  threshold: number;
  suspects: Suspect[];
}

export const DEFAULT_SUSPECT_OPTIONS = {
  threshold: 10,
  maxSuspects: 10,
  openRolloutMaxAgeMs: 24 * 3600_000,
  chainShare: 0.6,
  maxCandidates: 5000,
} as const;
/** The rollouts whose chains are followed. */
const CHAIN_ROOTS = 3;
/** Members of one rollout's chain looked at. */
const CHAIN_MEMBERS = 50;
const CODE_KINDS = new Set(['merge', 'pull_request', 'push', 'pipeline', 'release', 'tag']);
/**
 * How far below the threshold the store's score (scoreSql) may be and the change still be read:
 * a score is rounded to 0.1 (0.05 either way), and the database's floating point may differ from
 * JavaScript's in the last digits. Reading a change too many costs nothing but its row.
 */
const CEILING_MARGIN = 0.1;

/** A change being ranked: read whole (`event`) only once it may be in the answer. */
interface Ranked extends Score {
  change: CandidateChange;
  links?: string[];
  event?: ChangeEvent;
  factors: Suspect['factors'];
  via?: Suspect['via'];
}

export class SuspectFinder {
  constructor(
    private readonly links: LinkStore,
    private readonly chains: ChainFinder,
    private readonly options: SuspectOptions,
  ) {}

  async rank(tenant: string, scope: IncidentScope, lookbackMs: number): Promise<SuspectAnswer> {
    const { options } = this;
    const at = scope.at;
    const from = new Date(at.getTime() - lookbackMs);
    // Every candidate that may reach the threshold is scored, from the few columns a score needs.
    // Below it, a change can still rank through a rollout's chain: of the kinds that can, the
    // store answers the place (a tie between equal scores keeps the order they came in).
    const candidates = await this.links.candidates(tenant, {
      from,
      at,
      openSince: new Date(from.getTime() - options.openRolloutMaxAgeMs),
      limit: options.maxCandidates,
      unless: prunablePlace(scope, options),
      ceiling: {
        score: (bind) => scoreSql(scope, options, bind),
        min: options.threshold - CEILING_MARGIN,
        placeKinds: [...CODE_KINDS],
      },
    });
    /** Undefined: the place of a change that scores below the threshold. */
    const scored = new Map<string, Ranked | undefined>();
    for (const { id, change, links } of candidates) {
      if (scored.has(id)) continue;
      scored.set(id, change && { change, links, ...scoreChange(change, scope, options) });
    }
    const ranked = () => [...scored.values()].filter((s): s is Ranked => s !== undefined);

    const rollouts = ranked()
      .filter(
        (s) =>
          (s.change.kind === 'deploy' || s.change.kind === 'rollback') &&
          s.score >= options.threshold,
      )
      .sort(bySuspicion)
      .slice(0, CHAIN_ROOTS);
    // Chains only ever raise a score, so the answer holds nothing but the best of these and the
    // code of those chains: these are read whole, with the first level of the chains.
    const leaders = ranked()
      .filter((s) => s.score >= options.threshold)
      .sort(bySuspicion)
      .slice(0, options.maxSuspects);
    const { chains, read } = await this.chains.chainsFrom(
      tenant,
      rollouts.map((rollout) => ({
        id: rollout.change.id,
        timestamp: rollout.change.timestamp,
        links: rollout.links ?? [],
      })),
      CHAIN_MEMBERS,
      leaders.map((leader) => leader.change.id),
    );
    for (const s of [...rollouts, ...leaders]) s.event = read.get(s.change.id)?.event;

    // The code that reached the environment with the top rollouts shares their score.
    rollouts.forEach((rollout, i) => {
      const chain = chains[i];
      // A rollout deleted meanwhile has no chain, and is no suspect.
      if (!chain) return;
      const shipped = chain.root;
      for (const member of chain.events) {
        if (member.id === shipped.id || !CODE_KINDS.has(member.kind ?? 'other')) continue;
        if (Date.parse(member.timestamp) > at.getTime()) continue;
        const inherited = Math.round(rollout.score * options.chainShare * 10) / 10;
        const current = scored.get(member.id);
        if (current && current.score >= inherited) continue;
        const link = chain.links.find((l) => l.to === member.id || l.from === member.id);
        const where = shipped.environment ? ` to ${shipped.environment}` : '';
        const base = current
          ? { ...current, event: current.event ?? member }
          : { change: member, event: member, ...scoreChange(member, scope, options) };
        scored.set(member.id, {
          ...base,
          score: inherited,
          factors: { ...base.factors, chain: options.chainShare },
          reasons: [
            `shipped${where} with "${shipped.title}"` +
              (link ? ` (same ${link.key}: ${link.value})` : ''),
            ...base.reasons,
          ],
          via: {
            id: shipped.id,
            title: shipped.title,
            key: link?.key ?? 'chain',
            value: link?.value ?? '',
          },
        });
      }
    });

    // Every change that can rank here was read whole above; one missing was deleted meanwhile.
    const suspects = ranked()
      .filter((s) => s.score >= options.threshold)
      .sort(bySuspicion)
      .slice(0, options.maxSuspects)
      .flatMap(({ event, score, factors, reasons, via }): Suspect[] =>
        event ? [{ event, score, factors, reasons, ...(via ? { via } : {}) }] : [],
      );
    const described = [scope.service, scope.environment, scope.project].filter(Boolean).join(', ');
    return {
      at: at.toISOString(),
      window: { from: from.toISOString(), to: at.toISOString() },
      scope: {
        service: scope.service ?? null,
        environment: scope.environment ?? null,
        project: scope.project ?? null,
      },
      verdict: suspects.length > 0 ? 'suspects' : 'no_change_correlated',
      message:
        suspects.length > 0
          ? `${suspects.length} change${suspects.length === 1 ? '' : 's'} may explain it; the first is the most likely`
          : `No change correlated: nothing${described ? ` for ${described}` : ''} scores ${options.threshold} or more in the ${Math.round(lookbackMs / 60_000)} minutes before, and no rollout was still running`,
      threshold: options.threshold,
      suspects,
    };
  }
}

/**
 * When a change of another service in another environment cannot reach the threshold even at
 * its best (now, the heaviest kind, failed), the store need not read it: that place.
 */
function prunablePlace(scope: IncidentScope, options: SuspectOptions) {
  if (!scope.service || !scope.environment) return undefined;
  const heaviest = Math.max(...Object.values(options.kinds));
  const best =
    100 *
    heaviest *
    SCOPE_FACTORS.otherService *
    SCOPE_FACTORS.otherEnvironment *
    STATUS_FACTORS.failed;
  return best < options.threshold
    ? { service: scope.service, environment: scope.environment }
    : undefined;
}

/** Highest score first; on a tie the later change (closer to the alert). */
function bySuspicion(a: Ranked, b: Ranked): number {
  return b.score - a.score || b.change.timestamp.localeCompare(a.change.timestamp);
}
