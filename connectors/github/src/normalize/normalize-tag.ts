// Tags: `create`/`delete` of a tag, a tag push, or a tag found by polling → one `tag` event per
// tag (and one per deletion), keyed by name so that the three paths meet.
import type { ChangeEventInput } from '@painchain/sdk';
import { changeEvent, isNullSha, isoTime, shortSha } from '@painchain/sdk';
import { GITHUB } from './github-words.js';

export interface TagFacts {
  project: string;
  url: string;
  tag: string;
  /** The tagged commit, when the source says (push, polling; not create/delete). */
  sha?: string;
  deleted: boolean;
  author?: string;
  timestamp: string;
}

export const tagExternalId = (project: string, tag: string, deleted: boolean) =>
  `tag:${project}:${tag}${deleted ? ':deleted' : ''}`;

export function tagEvent(facts: TagFacts): ChangeEventInput {
  const sha = facts.sha && !isNullSha(facts.sha) ? facts.sha : undefined;
  return changeEvent({
    connector: GITHUB,
    externalId: tagExternalId(facts.project, facts.tag, facts.deleted),
    kind: 'tag',
    status: 'succeeded',
    title: facts.deleted
      ? `Tag ${facts.tag} deleted`
      : `Tag ${facts.tag}${sha ? ` on ${shortSha(sha)}` : ''}`,
    project: facts.project,
    timestamp: facts.timestamp,
    author: facts.author,
    url: facts.url,
    refs: { tag: facts.tag, commit: facts.deleted ? undefined : sha },
    data: { deleted: facts.deleted || undefined, commit: facts.deleted ? sha : undefined },
  });
}

export interface GhRefPayload {
  ref: string;
  ref_type: string;
  repository: { full_name: string; html_url: string; pushed_at?: number | string | null };
  sender?: { login: string } | null;
}

/** `create` / `delete` webhooks: tags only; branches show up as pushes. */
export function normalizeRefChange(
  payload: GhRefPayload,
  deleted: boolean,
  receivedAt: Date,
): ChangeEventInput[] | string {
  if (payload.ref_type !== 'tag') {
    return `${deleted ? 'delete' : 'create'} of a ${payload.ref_type} is recorded by its push`;
  }
  const project = payload.repository.full_name;
  return [
    tagEvent({
      project,
      url: `${payload.repository.html_url}/releases/tag/${encodeURIComponent(payload.ref)}`,
      tag: payload.ref,
      deleted,
      author: payload.sender?.login,
      // The payload has no time of its own; the repository's last push is this one.
      timestamp: isoTime(payload.repository.pushed_at) ?? receivedAt.toISOString(),
    }),
  ];
}
