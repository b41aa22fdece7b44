// release published / prereleased / released (and polled releases) → one `release` event per
// release, with its tag; drafts are not changes yet.
import type { ChangeEventInput } from '@painchain/sdk';
import type { GhRelease } from '../github-types.js';
import { changeEvent, isSha } from '@painchain/sdk';
import { GITHUB } from './github-words.js';

export const RELEASE_ACTIONS: ReadonlySet<string> = new Set([
  'published',
  'released',
  'prereleased',
]);

export function normalizeRelease(project: string, release: GhRelease): ChangeEventInput {
  const name = release.name?.trim() || release.tag_name;
  return changeEvent({
    connector: GITHUB,
    externalId: `release:${project}:${release.id}`,
    kind: 'release',
    status: 'succeeded',
    title: `Release ${name}${release.prerelease ? ' (pre-release)' : ''}`,
    project,
    timestamp: release.published_at ?? release.created_at,
    author: release.author?.login,
    url: release.html_url,
    refs: {
      tag: release.tag_name,
      version: release.tag_name,
      commit: isSha(release.target_commitish) ? release.target_commitish : undefined,
      branch: isSha(release.target_commitish) ? undefined : release.target_commitish,
    },
    data: { prerelease: release.prerelease || undefined },
  });
}
