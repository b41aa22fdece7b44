// package published → a `release` event; for a container image with refs.image
// (`registry/name@digest`), which links the build to the rollout that runs it.
import type { ChangeEventInput } from '@painchain/sdk';
import type { GhPackage } from '../github-types.js';
import { changeEvent, isSha, isoTime } from '@painchain/sdk';
import { GITHUB } from './github-words.js';

const CONTAINER_TYPES = new Set(['container', 'docker']);
const DIGEST = /^sha256:[0-9a-f]{12,64}$/i;

/** `ghcr.io/owner/name` from the package URL GitHub gives (`ghcr.io/owner/name:tag`). */
function imageName(pkg: GhPackage, owner: string): string {
  const url = pkg.package_version?.package_url;
  const base = url
    ? url.replace(/^https?:\/\//, '').replace(/:[^/:]*$/, '')
    : `ghcr.io/${owner}/${pkg.name}`;
  // Registries name images in lower case; GitHub's URLs keep the owner's capitals.
  return base.toLowerCase();
}

export function normalizePackage(
  project: string,
  pkg: GhPackage,
  sender: string | undefined,
  receivedAt: Date,
): ChangeEventInput[] | string {
  const version = pkg.package_version;
  if (!version) return 'package event without a version';
  const meta = version.container_metadata ?? undefined;
  const container = meta !== undefined || CONTAINER_TYPES.has(pkg.package_type.toLowerCase());
  const at =
    isoTime(version.created_at) ??
    isoTime(version.updated_at) ??
    isoTime(pkg.updated_at) ??
    receivedAt.toISOString();
  const owner = project.split('/')[0] ?? '';
  if (!container) {
    return [
      changeEvent({
        connector: GITHUB,
        externalId: `package:${project}:${pkg.id}:${version.id}`,
        kind: 'release',
        status: 'succeeded',
        title: `Package ${pkg.name} ${version.version} published`,
        project,
        timestamp: at,
        author: version.author?.login ?? sender,
        url: version.html_url ?? pkg.html_url,
        refs: { version: version.version },
        data: { packageType: pkg.package_type.toLowerCase() },
      }),
    ];
  }
  const tag = meta?.tag?.name || undefined;
  const digest = [meta?.tag?.digest, meta?.manifest?.digest, version.name, version.version].find(
    (value): value is string => typeof value === 'string' && DIGEST.test(value),
  );
  const name = imageName(pkg, owner);
  const image = digest ? `${name}@${digest}` : `${name}:${tag ?? version.version}`;
  const revision = meta?.labels?.revision;
  return [
    changeEvent({
      connector: GITHUB,
      externalId: `package:${project}:${pkg.id}:${version.id}`,
      kind: 'release',
      status: 'succeeded',
      title: `Image ${name}${tag ? `:${tag}` : digest ? `@${digest.slice(0, 19)}` : ''} published`,
      project,
      timestamp: at,
      author: version.author?.login ?? sender,
      url: version.html_url ?? pkg.html_url,
      refs: {
        image,
        version: tag,
        commit: revision && isSha(revision) ? revision : undefined,
      },
      data: { packageType: 'container' },
    }),
  ];
}
