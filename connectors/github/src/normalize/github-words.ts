// What GitHub's normalizers share beyond the SDK's event helpers: the source name and GitHub's
// run status words.
import type { ChangeStatus } from '@painchain/sdk';

/** `connector` of every event this package produces (the source system, not the instance name). */
export const GITHUB = 'github';

/** Workflow runs and check suites: GitHub's status and conclusion → ours. */
export function runStatus(status: string | null, conclusion: string | null): ChangeStatus {
  if (status !== 'completed') return status === 'in_progress' ? 'in_progress' : 'started';
  switch (conclusion) {
    case 'success':
    case 'neutral':
      return 'succeeded';
    case 'failure':
    case 'timed_out':
    case 'startup_failure':
      return 'failed';
    case 'cancelled':
    case 'skipped':
      return 'cancelled';
    default:
      // stale, action_required, or none: finished, outcome unclear.
      return 'unknown';
  }
}
