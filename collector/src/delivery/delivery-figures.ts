// The four keys of one slice (a service in a day, all services over the range, …) from the
// deploys and restorations that fall in it: counts, medians and 90th percentiles, and with
// `explain` the ids of every change each figure counted.

/** What became of a deploy, for the figures. */
export const DEPLOY_OUTCOMES = [
  'deployment',
  'redeploy',
  'failed',
  'in_progress',
  'cancelled',
  'unknown',
] as const;
export type DeployOutcome = (typeof DEPLOY_OUTCOMES)[number];

export const FAILURE_REASONS = ['rollback', 'failed_rollout', 'alert', 'incident'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export interface ChangeRef {
  id: string;
  kind: string;
  title: string;
  timestamp: string;
}

export interface DeployFailure extends ChangeRef {
  reason: FailureReason;
}

export interface DeployDetail {
  id: string;
  title: string;
  service: string | null;
  environment: string;
  timestamp: string;
  endTimestamp: string | null;
  status: string | null;
  version: string | null;
  outcome: DeployOutcome;
  /** Counted deployments only: from the first code change of its chain to the deploy's end. */
  leadTime?:
    | { seconds: number; from: ChangeRef; truncated: boolean }
    | { seconds: null; unknown: 'no_chain' | 'no_code_change' };
  /** Counted deployments that failed: every signal that said so, the first one first. */
  failures?: DeployFailure[];
}

export interface RestorationDetail {
  /** The alert or incident, or the first failed deploy of a run of them. */
  failure: ChangeRef & { service: string | null; environment: string };
  /** Further failed deploys before the service was restored. */
  alsoFailed: string[];
  restoredAt: string | null;
  /** The successful deploy or rollback that ended a failed deploy's run. */
  restoredBy: ChangeRef | null;
  seconds: number | null;
}

export interface Figures {
  deployments: {
    count: number;
    perDay: number;
    redeploys: number;
    failedRollouts: number;
    inProgress: number;
    ids?: string[];
    redeployIds?: string[];
    failedRolloutIds?: string[];
    inProgressIds?: string[];
  };
  /** Absent when the request skipped lead time (`leadTime=false`): no chain was followed. */
  leadTime?: {
    count: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
    withoutChain: number;
    ids?: string[];
    withoutChainIds?: string[];
  };
  changeFailureRate: {
    rate: number | null;
    failed: number;
    deployments: number;
    ids?: string[];
  };
  timeToRestore: {
    count: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
    unrestored: number;
    ids?: string[];
    unrestoredIds?: string[];
  };
}

/** The changes of one slice. */
export interface Slice {
  deploys: DeployDetail[];
  restorations: RestorationDetail[];
}

export const emptySlice = (): Slice => ({ deploys: [], restorations: [] });

/**
 * The value below which a share `p` of the sorted values lie, interpolated between the two
 * nearest ranks (PostgreSQL's percentile_cont): the median of 1, 2, 3, 10 is 2.5.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * p;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return round(sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low));
}

/** Milliseconds of precision and no float noise in answers (0.1 + 0.2). */
const round = (n: number): number => Math.round(n * 1000) / 1000;

const ascending = (values: number[]) => values.sort((a, b) => a - b);

export function figuresOf(
  slice: Slice,
  days: number,
  options: { explain: boolean; leadTime: boolean },
): Figures {
  const { explain } = options;
  const of = (outcome: DeployOutcome) => slice.deploys.filter((d) => d.outcome === outcome);
  const counted = of('deployment');
  const redeploys = of('redeploy');
  const failedRollouts = of('failed');
  const inProgress = of('in_progress');
  const leadSecondsOf = (d: DeployDetail) => (d.leadTime ? d.leadTime.seconds : null);
  const timed = counted.filter((d) => leadSecondsOf(d) !== null);
  const untimed = counted.filter((d) => leadSecondsOf(d) === null);
  const leadSeconds = ascending(timed.map((d) => leadSecondsOf(d)!));
  const failed = counted.filter((d) => (d.failures?.length ?? 0) > 0);
  const restored = slice.restorations.filter((r) => r.seconds !== null);
  const unrestored = slice.restorations.filter((r) => r.seconds === null);
  const restoreSeconds = ascending(restored.map((r) => r.seconds!));
  const ids = (list: { id: string }[]) => (explain ? { ids: list.map((d) => d.id) } : {});
  const named = <K extends string>(key: K, list: { id: string }[]) =>
    (explain ? { [key]: list.map((d) => d.id) } : {}) as { [P in K]?: string[] };
  return {
    deployments: {
      count: counted.length,
      perDay: days > 0 ? round(counted.length / days) : 0,
      redeploys: redeploys.length,
      failedRollouts: failedRollouts.length,
      inProgress: inProgress.length,
      ...ids(counted),
      ...named('redeployIds', redeploys),
      ...named('failedRolloutIds', failedRollouts),
      ...named('inProgressIds', inProgress),
    },
    ...(options.leadTime
      ? {
          leadTime: {
            count: timed.length,
            medianSeconds: percentile(leadSeconds, 0.5),
            p90Seconds: percentile(leadSeconds, 0.9),
            withoutChain: untimed.length,
            ...ids(timed),
            ...named('withoutChainIds', untimed),
          },
        }
      : {}),
    changeFailureRate: {
      rate: counted.length > 0 ? failed.length / counted.length : null,
      failed: failed.length,
      deployments: counted.length,
      ...ids(failed),
    },
    timeToRestore: {
      count: restored.length,
      medianSeconds: percentile(restoreSeconds, 0.5),
      p90Seconds: percentile(restoreSeconds, 0.9),
      unrestored: unrestored.length,
      ...(explain ? { ids: restored.map((r) => r.failure.id) } : {}),
      ...(explain ? { unrestoredIds: unrestored.map((r) => r.failure.id) } : {}),
    },
  };
}
