// What every GitLab normalizer shares: the connector name, GitLab's status words in the contract's
// terms, and the `updatedAt` of a change that moves through states.
import type { ChangeStatus } from '@painchain/sdk';
import { isoTime } from '@painchain/sdk';

export const GITLAB = 'gitlab';

/** Where a state sits in a pipeline's, job's or deployment's life: later never loses to earlier. */
export type Phase = 'waiting' | 'running' | 'finished';

/** GitLab's pipeline, job and deployment statuses (they share one vocabulary). */
export function gitlabStatus(status: string | null | undefined): {
  status: ChangeStatus;
  phase: Phase;
} {
  switch (status) {
    case 'running':
    case 'canceling':
      return { status: 'in_progress', phase: 'running' };
    case 'success':
      return { status: 'succeeded', phase: 'finished' };
    case 'failed':
      return { status: 'failed', phase: 'finished' };
    case 'canceled':
    case 'skipped':
      return { status: 'cancelled', phase: 'finished' };
    case 'created':
    case 'waiting_for_resource':
    case 'waiting_for_callback':
    case 'preparing':
    case 'pending':
    case 'scheduled':
    case 'manual':
    case 'blocked':
      return { status: 'started', phase: 'waiting' };
    default:
      return { status: 'unknown', phase: 'waiting' };
  }
}

export const isFinished = (status: string | null | undefined) =>
  gitlabStatus(status).phase === 'finished';

/** Added to the latest second a payload shows, by phase (see stateTime). */
const PHASE_OFFSET_MS: Record<Phase, number> = { waiting: 0, running: 1, finished: 999 };

/**
 * `updatedAt` for a pipeline, job or deployment hook, which carry no `updated_at`: the latest
 * time the payload shows, placed in its second by phase. GitLab's hook times have one-second
 * resolution, so a state and the next can share a second; a waiting or running state keeps the
 * start of that second and a finished one its end. A `running` delivery that arrives after
 * `success` is then always older and never overwrites it, and a success is newer than any
 * running snapshot a poll took within the same second (decision 011).
 */
export function stateTime(
  times: readonly (string | null | undefined)[],
  phase: Phase,
): string | undefined {
  let latest: number | undefined;
  for (const time of times) {
    const iso = isoTime(time);
    if (iso === undefined) continue;
    // Whole seconds: the hook's own resolution (REST times have milliseconds; hooks do not).
    const second = Math.floor(Date.parse(iso) / 1000) * 1000;
    latest = latest === undefined ? second : Math.max(latest, second);
  }
  return latest === undefined ? undefined : new Date(latest + PHASE_OFFSET_MS[phase]).toISOString();
}

/** The branch or tag a `refs/heads/…` or `refs/tags/…` names. */
export function splitRef(ref: string): { branch?: string; tag?: string } {
  if (ref.startsWith('refs/heads/')) return { branch: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { tag: ref.slice('refs/tags/'.length) };
  return { branch: ref };
}

/** `branch` or `tag` refs for a pipeline or job that ran for `ref`. */
export const refOf = (ref: string | null | undefined, isTag: boolean | null | undefined) =>
  !ref ? {} : isTag ? { tag: ref } : { branch: ref };

/** Seconds as GitLab gives them (sometimes fractional), as whole seconds; none when absent. */
export const seconds = (value: number | null | undefined) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : undefined;
