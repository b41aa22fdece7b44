// Release Hook and polled releases → one `release` change per tag; Feature Flag Hook → a
// `feature_flag` change per toggle.
import type { ChangeEventInput } from '@painchain/sdk';
import { changeEvent, description, isoTime } from '@painchain/sdk';
import type {
  FeatureFlagHook,
  PolledRelease,
  ProjectInfo,
  ReleaseHook,
} from './gitlab-payloads.js';
import { GITLAB } from './gitlab-words.js';

export const releaseKey = (project: string, tag: string) => `release:${project}:${tag}`;

const releaseTitle = (name: string | null | undefined, tag: string) =>
  name && name !== tag ? `Release ${name} (${tag})` : `Release ${tag}`;

/** Release Hook `create` and `update`; a `delete` is not a change to what runs (see webhook). */
export function normalizeReleaseHook(hook: ReleaseHook): ChangeEventInput {
  const project = hook.project.path_with_namespace;
  const created = isoTime(hook.created_at) ?? hook.created_at;
  return changeEvent({
    connector: GITLAB,
    project,
    externalId: releaseKey(project, hook.tag),
    kind: 'release',
    status: 'succeeded',
    title: releaseTitle(hook.name, hook.tag),
    description: description(hook.description),
    timestamp: isoTime(hook.released_at) ?? created,
    url: hook.url || `${hook.project.web_url}/-/releases/${encodeURIComponent(hook.tag)}`,
    refs: { tag: hook.tag, version: hook.tag, commit: hook.commit?.id },
    data: { releaseId: hook.id, action: hook.action, assets: hook.assets?.count },
  });
}

export function normalizeRelease(project: ProjectInfo, release: PolledRelease): ChangeEventInput {
  const created = isoTime(release.created_at) ?? release.created_at;
  return changeEvent({
    connector: GITLAB,
    project: project.path,
    externalId: releaseKey(project.path, release.tag_name),
    kind: 'release',
    status: 'succeeded',
    title: releaseTitle(release.name, release.tag_name),
    description: description(release.description),
    timestamp: isoTime(release.released_at) ?? created,
    author: release.author?.username,
    url: `${project.webUrl}/-/releases/${encodeURIComponent(release.tag_name)}`,
    refs: { tag: release.tag_name, version: release.tag_name, commit: release.commit?.id },
    data: { upcoming: release.upcoming_release || undefined },
  });
}

/**
 * A flag toggle carries no time and no id of its own, and on → off → on are three changes with
 * the same body: `delivery` (the X-Gitlab-Event-UUID, else Idempotency-Key, else a hash of the
 * body) keeps them apart while a redelivery of one stays one.
 */
export function normalizeFeatureFlagHook(
  hook: FeatureFlagHook,
  delivery: string,
  receivedAt: Date,
): ChangeEventInput {
  const project = hook.project.path_with_namespace;
  const flag = hook.object_attributes;
  return changeEvent({
    connector: GITLAB,
    project,
    externalId: `feature_flag:${project}:${flag.id}:${delivery}`,
    kind: 'feature_flag',
    status: 'succeeded',
    title: `Feature flag ${flag.name} turned ${flag.active ? 'on' : 'off'}`,
    description: description(flag.description),
    timestamp: receivedAt.toISOString(),
    author: hook.user?.username,
    url: `${hook.project.web_url}/-/feature_flags`,
    data: { flag: flag.name, flagId: flag.id, active: flag.active },
  });
}
