// Push Hook → one `push` per branch update; Tag Push Hook → one `tag` per tag created or deleted.
// Polled commits and tags get the same keys, so a change seen both ways is stored once.
import type { ChangeEventInput } from '@painchain/sdk';
import { changeEvent, description, firstLine, isNullSha, isoTime, shortSha } from '@painchain/sdk';
import type {
  PolledCommit,
  PolledTag,
  ProjectInfo,
  PushHook,
  TagPushHook,
} from './gitlab-payloads.js';
import { GITLAB, splitRef } from './gitlab-words.js';

/** refs.commits holds at most this many (the contract's limit). */
const MAX_COMMITS = 1000;

/** A branch push, keyed by the commit it moved the branch to: the polled head commit meets it. */
export const pushKey = (project: string, branch: string, sha: string) =>
  `push:${project}:${branch}:${sha}`;
/** A tag, keyed by what it points to (`after` in the hook, `target` in the REST API). */
export const tagKey = (project: string, tag: string, target: string) =>
  `tag:${project}:${tag}:${target}`;

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * GitLab's push payload has no push time: the delivery's arrival is the closest to it (commit
 * times can be days older). `receivedAt` is that arrival.
 */
export function normalizePushHook(hook: PushHook, receivedAt: Date): ChangeEventInput[] {
  const project = hook.project.path_with_namespace;
  const { branch = hook.ref } = splitRef(hook.ref);
  const author = hook.user_username || hook.user_name;
  const at = receivedAt.toISOString();
  if (isNullSha(hook.after)) {
    return [
      changeEvent({
        connector: GITLAB,
        project,
        externalId: `push:${project}:${branch}:deleted:${hook.before}`,
        kind: 'push',
        status: 'succeeded',
        title: `Branch ${branch} deleted`,
        timestamp: at,
        author,
        url: `${hook.project.web_url}/-/branches`,
        refs: { branch },
        data: { deleted: true, before: hook.before },
      }),
    ];
  }
  const commits = hook.commits ?? [];
  // GitLab lists at most 20 commits; total_commits_count says how many the push really had.
  const total = Math.max(hook.total_commits_count ?? commits.length, commits.length);
  const head = commits.find((commit) => commit.id === hook.after) ?? commits.at(-1);
  const created = isNullSha(hook.before);
  const what = created ? `New branch ${branch}` : `${plural(total, 'commit')} to ${branch}`;
  const message = firstLine(head?.title ?? head?.message);
  return [
    changeEvent({
      connector: GITLAB,
      project,
      externalId: pushKey(project, branch, hook.after),
      kind: 'push',
      status: 'succeeded',
      title: message ? `${what}: ${message}` : what,
      description: description(head?.message),
      timestamp: at,
      author,
      url: created
        ? `${hook.project.web_url}/-/commit/${hook.after}`
        : `${hook.project.web_url}/-/compare/${hook.before}...${hook.after}`,
      refs: {
        commit: hook.after,
        commits: commits.length > 0 ? commits.map((c) => c.id).slice(-MAX_COMMITS) : [hook.after],
        branch,
      },
      data: {
        before: created ? undefined : hook.before,
        created: created || undefined,
        commits: total,
        // Only the newest 20 are in the payload: say so instead of implying there were no more.
        commitsListed: total > commits.length ? commits.length : undefined,
        protected: hook.ref_protected || undefined,
      },
    }),
  ];
}

export function normalizeTagPushHook(hook: TagPushHook, receivedAt: Date): ChangeEventInput[] {
  const project = hook.project.path_with_namespace;
  const { tag = hook.ref } = splitRef(hook.ref);
  const author = hook.user_username || hook.user_name;
  const deleted = isNullSha(hook.after);
  return [
    changeEvent({
      connector: GITLAB,
      project,
      externalId: deleted
        ? `tag:${project}:${tag}:deleted:${hook.before}`
        : tagKey(project, tag, hook.after),
      kind: 'tag',
      status: 'succeeded',
      title: deleted ? `Tag ${tag} deleted` : `Tag ${tag} created`,
      timestamp: receivedAt.toISOString(),
      author,
      url: deleted
        ? `${hook.project.web_url}/-/tags`
        : `${hook.project.web_url}/-/tags/${encodeURIComponent(tag)}`,
      refs: { tag, commit: deleted ? undefined : hook.checkout_sha || undefined, version: tag },
      data: { deleted: deleted || undefined, before: deleted ? hook.before : undefined },
    }),
  ];
}

/** A commit found on a polled branch, as the push that made it the branch head. */
export function normalizeCommit(
  project: ProjectInfo,
  branch: string,
  commit: PolledCommit,
): ChangeEventInput {
  const message = firstLine(commit.title || commit.message);
  const at = isoTime(commit.committed_date) ?? commit.created_at;
  return changeEvent({
    connector: GITLAB,
    project: project.path,
    externalId: pushKey(project.path, branch, commit.id),
    kind: 'push',
    status: 'succeeded',
    title: `Commit ${shortSha(commit.id)} to ${branch}: ${message || '(no message)'}`,
    description: description(commit.message),
    timestamp: at,
    author: commit.author_name,
    url: commit.web_url,
    refs: { commit: commit.id, commits: [commit.id], branch },
    data: {
      merge: (commit.parent_ids?.length ?? 0) > 1 || undefined,
    },
  });
}

/**
 * A tag found by polling. Its time: the annotated tag's own, else its commit's (a lightweight
 * tag has no time of its own).
 */
export function normalizeTag(project: ProjectInfo, tag: PolledTag): ChangeEventInput {
  const at = isoTime(tag.created_at) ?? isoTime(tag.commit.committed_date) ?? tag.commit.created_at;
  return changeEvent({
    connector: GITLAB,
    project: project.path,
    externalId: tagKey(project.path, tag.name, tag.target),
    kind: 'tag',
    status: 'succeeded',
    title: `Tag ${tag.name} created`,
    description: description(tag.message),
    timestamp: at,
    author: tag.commit.author_name,
    url: `${project.webUrl}/-/tags/${encodeURIComponent(tag.name)}`,
    refs: { tag: tag.name, commit: tag.commit.id, version: tag.name },
  });
}
