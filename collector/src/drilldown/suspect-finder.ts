// The changes that may explain an incident at `at`, ranked: every change in the lookback window
// and every rollout still running at `at`, scored (suspect-score.ts); then the code behind the
// top rollouts — the merges, pipelines and pushes in their chains — inherits part of their
// score, so the commit that shipped with a bad deploy ranks beside it.
import type { ChangeEvent } from '@painchain/sdk';
import type { LinkStore } from '../store/link-store.js';
import type { ChainFinder } from './change-chain.js';
import {
  SCOPE_FACTORS,
  STATUS_FACTORS,
  scoreChange,
  type IncidentScope,
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
    const [recent, open] = await Promise.all([
      this.links.between(tenant, from, at, options.maxCandidates, prunablePlace(scope, options)),
      this.links.openAt(
        tenant,
        at,
        new Date(from.getTime() - options.openRolloutMaxAgeMs),
        from,
        options.maxCandidates,
      ),
    ]);
    const scored = new Map<string, Suspect>();
    for (const { event } of [...recent, ...open]) {
      if (scored.has(event.id)) continue;
      const { score, factors, reasons } = scoreChange(event, scope, options);
      scored.set(event.id, { event, score, factors, reasons });
    }

    // The code that reached the environment with the top rollouts shares their score.
    const rollouts = [...scored.values()]
      .filter(
        (s) =>
          (s.event.kind === 'deploy' || s.event.kind === 'rollback') &&
          s.score >= options.threshold,
      )
      .sort(bySuspicion)
      .slice(0, CHAIN_ROOTS);
    for (const rollout of rollouts) {
      const chain = await this.chains.chainOf(tenant, rollout.event.id, CHAIN_MEMBERS);
      if (!chain) continue;
      for (const member of chain.events) {
        if (member.id === rollout.event.id || !CODE_KINDS.has(member.kind ?? 'other')) continue;
        if (Date.parse(member.timestamp) > at.getTime()) continue;
        const inherited = Math.round(rollout.score * options.chainShare * 10) / 10;
        const current = scored.get(member.id);
        if (current && current.score >= inherited) continue;
        const link = chain.links.find((l) => l.to === member.id || l.from === member.id);
        const where = rollout.event.environment ? ` to ${rollout.event.environment}` : '';
        const base = current ?? { event: member, ...scoreChange(member, scope, options) };
        scored.set(member.id, {
          ...base,
          score: inherited,
          factors: { ...base.factors, chain: options.chainShare },
          reasons: [
            `shipped${where} with "${rollout.event.title}"` +
              (link ? ` (same ${link.key}: ${link.value})` : ''),
            ...base.reasons,
          ],
          via: {
            id: rollout.event.id,
            title: rollout.event.title,
            key: link?.key ?? 'chain',
            value: link?.value ?? '',
          },
        });
      }
    }

    const suspects = [...scored.values()]
      .filter((s) => s.score >= options.threshold)
      .sort(bySuspicion)
      .slice(0, options.maxSuspects);
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
function bySuspicion(a: Suspect, b: Suspect): number {
  return b.score - a.score || b.event.timestamp.localeCompare(a.event.timestamp);
}
