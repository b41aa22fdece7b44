// Merge requests → one `pull_request` change per MR whose status follows it (open, merged,
// closed), and on merge a `merge` change carrying the merge commit, so a chain can go from the
// MR to the pipeline that ran on the merge commit and on to a rollout of what it built.
import type { ChangeEventInput, ChangeStatus } from '@painchain/sdk';
import { changeEvent, description, isoTime, notBefore } from '@painchain/sdk';
import type { MergeRequestHook, PolledMergeRequest, ProjectInfo } from './gitlab-payloads.js';
import { GITLAB } from './gitlab-words.js';

export const mergeRequestKey = (project: string, iid: number) => `mr:${project}:${iid}`;
export const mergeKey = (project: string, iid: number) => `merge:${project}:${iid}`;

/** Hook actions in the words of a title. */
const ACTION_WORDS: Readonly<Record<string, string>> = {
  open: 'opened',
  reopen: 'reopened',
  update: 'updated',
  close: 'closed',
  merge: 'merged',
  approved: 'approved',
  approval: 'approved',
  unapproved: 'unapproved',
  unapproval: 'unapproved',
};

function stateStatus(state: string): ChangeStatus {
  switch (state) {
    case 'merged':
      return 'succeeded';
    case 'closed':
      return 'cancelled';
    default:
      // opened, locked (being merged): the review is under way.
      return 'in_progress';
  }
}

/** What both paths (hook and REST) know of one merge request. */
interface MergeRequestFacts {
  project: string;
  iid: number;
  title: string;
  body: string | null | undefined;
  state: string;
  verb: string;
  createdAt: string;
  updatedAt: string;
  /** When it was merged or closed, if it was. */
  endedAt: string | undefined;
  sourceBranch: string;
  targetBranch: string;
  head: string | undefined;
  /** The commit the merge left on the target branch (merge, squash, or fast-forwarded head). */
  mergeCommit: string | undefined;
  author: string | undefined;
  merger: string | undefined;
  url: string;
  draft: boolean;
  action?: string;
}

function mergeRequestEvents(mr: MergeRequestFacts): ChangeEventInput[] {
  const status = stateStatus(mr.state);
  const events = [
    changeEvent({
      connector: GITLAB,
      project: mr.project,
      externalId: mergeRequestKey(mr.project, mr.iid),
      kind: 'pull_request',
      status,
      title: `MR !${mr.iid} ${mr.verb}: ${mr.title}`,
      description: description(mr.body),
      timestamp: mr.createdAt,
      endTimestamp: mr.endedAt ? notBefore(mr.endedAt, mr.createdAt) : undefined,
      updatedAt: mr.updatedAt,
      author: mr.author,
      url: mr.url,
      refs: { pullRequest: mr.iid, branch: mr.sourceBranch, commit: mr.head, headSha: mr.head },
      data: {
        state: mr.state,
        action: mr.action,
        targetBranch: mr.targetBranch,
        draft: mr.draft || undefined,
      },
    }),
  ];
  if (mr.state === 'merged') {
    const at = mr.endedAt ?? mr.updatedAt;
    events.push(
      changeEvent({
        connector: GITLAB,
        project: mr.project,
        externalId: mergeKey(mr.project, mr.iid),
        kind: 'merge',
        status: 'succeeded',
        title: `Merged !${mr.iid} into ${mr.targetBranch}: ${mr.title}`,
        timestamp: at,
        updatedAt: mr.updatedAt,
        author: mr.merger ?? mr.author,
        url: mr.url,
        refs: {
          pullRequest: mr.iid,
          branch: mr.targetBranch,
          commit: mr.mergeCommit ?? mr.head,
          mergeCommitSha: mr.mergeCommit,
          headSha: mr.head,
        },
        data: { sourceBranch: mr.sourceBranch },
      }),
    );
  }
  return events;
}

export const MERGE_REQUEST_ACTIONS = new Set(Object.keys(ACTION_WORDS));

export function normalizeMergeRequestHook(hook: MergeRequestHook): ChangeEventInput[] {
  const mr = hook.object_attributes;
  const action = mr.action ?? 'update';
  const updatedAt = isoTime(mr.updated_at) ?? isoTime(mr.created_at) ?? mr.created_at;
  const merged = mr.state === 'merged';
  return mergeRequestEvents({
    project: hook.project.path_with_namespace,
    iid: mr.iid,
    title: mr.title,
    body: typeof mr.description === 'string' ? mr.description : undefined,
    state: mr.state,
    verb: ACTION_WORDS[action] ?? action,
    action,
    createdAt: isoTime(mr.created_at) ?? updatedAt,
    updatedAt,
    // The hook has no merged_at or closed_at: the update that merged or closed it is the time.
    endedAt: merged || mr.state === 'closed' ? updatedAt : undefined,
    sourceBranch: mr.source_branch,
    targetBranch: mr.target_branch,
    head: mr.last_commit?.id ?? undefined,
    mergeCommit: mr.merge_commit_sha ?? undefined,
    author: hook.user?.username,
    merger: merged ? hook.user?.username : undefined,
    url: mr.url ?? `${hook.project.web_url}/-/merge_requests/${mr.iid}`,
    draft: mr.draft === true,
  });
}

export function normalizeMergeRequest(
  project: ProjectInfo,
  mr: PolledMergeRequest,
): ChangeEventInput[] {
  const updatedAt = isoTime(mr.updated_at) ?? mr.created_at;
  return mergeRequestEvents({
    project: project.path,
    iid: mr.iid,
    title: mr.title,
    body: mr.description,
    state: mr.state,
    verb: mr.state,
    createdAt: isoTime(mr.created_at) ?? updatedAt,
    updatedAt,
    endedAt: isoTime(mr.merged_at) ?? isoTime(mr.closed_at),
    sourceBranch: mr.source_branch,
    targetBranch: mr.target_branch,
    head: mr.sha || undefined,
    mergeCommit: mr.merge_commit_sha ?? mr.squash_commit_sha ?? undefined,
    author: mr.author?.username,
    merger: mr.merged_by?.username,
    url: mr.web_url,
    draft: mr.draft === true,
  });
}
