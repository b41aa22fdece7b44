// push → a `push` event per branch push (or branch deletion), a `tag` event per tag push or
// deletion; and polled commits → the same `push` events, keyed so that both paths meet.
import type { ChangeEventInput } from '@painchain/sdk';
import type { GhCommit, GhPushPayload } from '../github-types.js';
import { changeEvent, description, firstLine, isNullSha, isoTime, shortSha } from '@painchain/sdk';
import { GITHUB } from './github-words.js';
import { tagEvent } from './normalize-tag.js';

const BRANCH_PREFIX = 'refs/heads/';
const TAG_PREFIX = 'refs/tags/';
/** The contract's limit on refs.commits. */
const MAX_COMMITS = 1000;

/**
 * The key of a push: repository, ref and the commit it moved the ref to. A polled commit that
 * is the head of a push gets the same key, so webhook and poller never store one push twice.
 */
export const pushExternalId = (project: string, ref: string, sha: string) =>
  `push:${project}:${ref}:${sha}`;

export function normalizePush(payload: GhPushPayload, receivedAt: Date): ChangeEventInput[] {
  const project = payload.repository.full_name;
  const author = payload.sender?.login ?? payload.pusher.name;
  // pushed_at is when this push reached GitHub; commit times can be days older.
  const at =
    isoTime(payload.repository.pushed_at) ??
    isoTime(payload.head_commit?.timestamp) ??
    receivedAt.toISOString();

  if (payload.ref.startsWith(TAG_PREFIX)) {
    const tag = payload.ref.slice(TAG_PREFIX.length);
    return [
      tagEvent({
        project,
        url: `${payload.repository.html_url}/releases/tag/${encodeURIComponent(tag)}`,
        tag,
        sha: payload.deleted ? payload.before : payload.after,
        deleted: payload.deleted,
        author,
        timestamp: at,
      }),
    ];
  }

  const branch = payload.ref.startsWith(BRANCH_PREFIX)
    ? payload.ref.slice(BRANCH_PREFIX.length)
    : payload.ref;
  if (payload.deleted) {
    return [
      changeEvent({
        connector: GITHUB,
        externalId: `push:${project}:${payload.ref}:deleted:${payload.before}`,
        kind: 'push',
        status: 'succeeded',
        title: `Branch ${branch} deleted`,
        project,
        timestamp: at,
        author,
        url: `${payload.repository.html_url}/branches`,
        refs: { branch },
        data: { deleted: true, before: payload.before },
      }),
    ];
  }

  const shas = payload.commits.map((commit) => commit.id).slice(-MAX_COMMITS);
  const head = payload.head_commit;
  const message = firstLine(head?.message);
  const count = payload.commits.length;
  const what = payload.created
    ? `New branch ${branch}`
    : payload.forced
      ? `Force-push to ${branch}`
      : `${count} commit${count === 1 ? '' : 's'} to ${branch}`;
  return [
    changeEvent({
      connector: GITHUB,
      externalId: pushExternalId(project, payload.ref, payload.after),
      kind: 'push',
      status: 'succeeded',
      title: message ? `${what}: ${message}` : what,
      description: description(head?.message),
      project,
      timestamp: at,
      author,
      url: payload.created || !payload.compare ? head?.url : payload.compare,
      refs: {
        commit: payload.after,
        commits: shas.length > 0 ? shas : [payload.after],
        branch,
      },
      data: {
        before: isNullSha(payload.before) ? undefined : payload.before,
        created: payload.created || undefined,
        forced: payload.forced || undefined,
        size: count,
      },
    }),
  ];
}

/**
 * A commit found by polling a branch, as the push that made it the branch's head. Polling sees
 * first-parent commits, so a merge of a pull request is one event, as a pushed merge is.
 */
export function normalizeCommit(
  project: string,
  branch: string,
  commit: GhCommit,
): ChangeEventInput {
  const message = firstLine(commit.commit.message);
  const login = commit.author && 'login' in commit.author ? commit.author.login : undefined;
  const at =
    isoTime(commit.commit.committer?.date) ?? isoTime(commit.commit.author?.date) ?? undefined;
  return changeEvent({
    connector: GITHUB,
    externalId: pushExternalId(project, `${BRANCH_PREFIX}${branch}`, commit.sha),
    kind: 'push',
    status: 'succeeded',
    title: `Commit ${shortSha(commit.sha)} to ${branch}: ${message || '(no message)'}`,
    description: description(commit.commit.message),
    project,
    // A commit without any date is not something GitHub returns; epoch 0 would be refused.
    timestamp: at ?? new Date().toISOString(),
    author: login ?? commit.commit.author?.name,
    url: commit.html_url,
    refs: { commit: commit.sha, commits: [commit.sha], branch },
    data: { parents: commit.parents.length > 1 ? commit.parents.length : undefined },
  });
}
