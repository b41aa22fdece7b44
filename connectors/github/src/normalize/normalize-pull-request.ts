// Pull requests → a `pull_request` event per PR (open: in progress; closed: cancelled; merged:
// succeeded), and for a merged one also a `merge` event at the merge, with the merge commit.
// The same function serves webhooks and the REST list, whose objects have the same fields.
import type { ChangeEventInput, ChangeStatus } from '@painchain/sdk';
import type { GhPullRequest } from '../github-types.js';
import { changeEvent, description, notBefore } from '@painchain/sdk';
import { GITHUB } from './github-words.js';

/** Webhook actions that change what the timeline shows; the others (labels, reviews…) do not. */
export const PULL_REQUEST_ACTIONS: ReadonlySet<string> = new Set([
  'opened',
  'reopened',
  'ready_for_review',
  'closed',
]);

export function normalizePullRequest(
  project: string,
  pr: GhPullRequest & { body?: string | null },
): ChangeEventInput[] {
  const merged = pr.merged_at !== null;
  const status: ChangeStatus =
    pr.state === 'open' ? 'in_progress' : merged ? 'succeeded' : 'cancelled';
  const word = pr.state === 'open' ? 'open' : merged ? 'merged' : 'closed';
  const events: ChangeEventInput[] = [
    changeEvent({
      connector: GITHUB,
      externalId: `pr:${project}:${pr.number}`,
      kind: 'pull_request',
      status,
      title: `PR #${pr.number} ${word}: ${pr.title}`,
      description: description(pr.body),
      project,
      timestamp: pr.created_at,
      endTimestamp: pr.closed_at ? notBefore(pr.closed_at, pr.created_at) : undefined,
      // Deliveries come out of order: an older snapshot of the PR must not win.
      updatedAt: pr.updated_at,
      author: pr.user?.login,
      url: pr.html_url,
      refs: { pullRequest: pr.number, commit: pr.head.sha, branch: pr.head.ref },
      data: { base: pr.base.ref, draft: pr.draft || undefined },
    }),
  ];
  if (merged && pr.merged_at) {
    const commits = [pr.merge_commit_sha, pr.head.sha].filter(
      (sha, index, all): sha is string => typeof sha === 'string' && all.indexOf(sha) === index,
    );
    events.push(
      changeEvent({
        connector: GITHUB,
        externalId: `merge:${project}:${pr.number}`,
        kind: 'merge',
        status: 'succeeded',
        title: `Merged PR #${pr.number} into ${pr.base.ref}: ${pr.title}`,
        project,
        timestamp: pr.merged_at,
        updatedAt: pr.updated_at,
        author: pr.merged_by?.login ?? pr.user?.login,
        url: pr.html_url,
        refs: {
          pullRequest: pr.number,
          commit: pr.merge_commit_sha ?? pr.head.sha,
          commits,
          branch: pr.base.ref,
          headSha: pr.head.sha,
          headBranch: pr.head.ref,
        },
        data: { openedBy: pr.user?.login },
      }),
    );
  }
  return events;
}
