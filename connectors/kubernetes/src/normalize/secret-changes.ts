// Secrets: which keys were added, removed or changed, with a keyed digest per value and never a
// value. Helm release Secrets are Helm's release history instead: each is a deploy (or rollback)
// with its chart, version, revision and status.
import type { V1Secret } from '@kubernetes/client-node';
import { changeEvent, isoTime, type ChangeEventInput, type ChangeStatus } from '@painchain/sdk';
import type { KubeObject, Wire } from '../kube-object.js';
import {
  deletionEvent,
  eventBasics,
  type ChangeContext,
  type ChangeDetector,
  type Detected,
} from './change-detector.js';
import { secretDigest } from './fingerprint.js';
import { decodeHelmRelease, HELM_RELEASE_TYPE, type HelmRelease } from './helm-release.js';
import { diffKeys, isEmptyDiff, keyChangeEvent } from './key-changes.js';

export interface SecretContext extends ChangeContext {
  /** Key of the value digests (kept in the connector's state, never shown). */
  readonly secretKey: string;
  /** Follow ordinary Secrets (key changes) and Helm release Secrets (deploys). */
  readonly plain: boolean;
  readonly helm: boolean;
}

export type SecretRecord =
  | {
      type: 'secret';
      namespace: string;
      name: string;
      service?: string;
      keys: Record<string, string>;
    }
  | { type: 'helm'; release: string; revision: number; status: ChangeStatus };

/** Helm's release states as change statuses; superseded was deployed once. */
export function helmStatus(status: string): ChangeStatus {
  switch (status) {
    case 'deployed':
    case 'superseded':
      return 'succeeded';
    case 'failed':
      return 'failed';
    case 'pending-install':
    case 'pending-upgrade':
    case 'pending-rollback':
      return 'in_progress';
    case 'uninstalling':
    case 'uninstalled':
      return 'cancelled';
    default:
      return 'unknown';
  }
}

const ROLLBACK = /^Rollback to (\d+)/;

export function helmReleaseEvent(
  ctx: ChangeContext,
  object: KubeObject,
  release: HelmRelease,
): ChangeEventInput {
  const namespace = release.namespace ?? object.metadata?.namespace ?? '';
  const rollbackTo = ROLLBACK.exec(release.description ?? '')?.[1];
  const chart = [release.chart, release.chartVersion].filter(Boolean).join('-');
  const action = rollbackTo
    ? `rollback to revision ${rollbackTo}`
    : release.revision === 1
      ? 'install'
      : 'upgrade';
  const at =
    isoTime(release.deployedAt) ?? object.metadata?.creationTimestamp ?? ctx.now().toISOString();
  return changeEvent({
    ...eventBasics(ctx, object),
    // Helm labels its Secrets with the release name: the service unless the chart says better.
    service: eventBasics(ctx, object).service ?? release.name,
    externalId: `${ctx.cluster}/${object.metadata?.uid ?? ''}/helm/${release.revision}`,
    kind: rollbackTo ? 'rollback' : 'deploy',
    status: helmStatus(release.status),
    title: `Helm ${action} ${namespace}/${release.name}${chart ? `: ${chart}` : ''} (revision ${release.revision})`,
    timestamp: at,
    updatedAt: at,
    refs: { version: release.appVersion ?? release.chartVersion },
    data: {
      cluster: ctx.cluster,
      namespace,
      release: release.name,
      revision: release.revision,
      chart: release.chart,
      chartVersion: release.chartVersion,
      appVersion: release.appVersion,
      helmStatus: release.status,
      description: release.description,
    },
  });
}

export function secretDetector(ctx: SecretContext): ChangeDetector<SecretRecord> {
  const helm = (
    previous: SecretRecord | undefined,
    object: KubeObject,
    secret: Wire<V1Secret>,
  ): Detected<SecretRecord> => {
    let release: HelmRelease;
    try {
      release = decodeHelmRelease(secret.data?.release ?? '');
    } catch {
      // Not readable as a release (another tool's Secret of that type): nothing to follow.
      return { record: undefined, events: [] };
    }
    const status = helmStatus(release.status);
    const record: SecretRecord = {
      type: 'helm',
      release: release.name,
      revision: release.revision,
      status,
    };
    // A revision is new (history too: it carries its own time) or its outcome moved on.
    if (previous?.type === 'helm' && previous.status === status) return { record, events: [] };
    return { record, events: [helmReleaseEvent(ctx, object, release)] };
  };

  return {
    observe(previous, object, baseline) {
      const secret = object as unknown as Wire<V1Secret>;
      if (secret.type === HELM_RELEASE_TYPE) {
        return ctx.helm ? helm(previous, object, secret) : { record: undefined, events: [] };
      }
      if (!ctx.plain) return { record: undefined, events: [] };
      const keys = Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([key, value]) => [
          key,
          secretDigest(ctx.secretKey, value),
        ]),
      );
      const record: SecretRecord = {
        type: 'secret',
        namespace: secret.metadata?.namespace ?? '',
        name: secret.metadata?.name ?? '',
        service: eventBasics(ctx, object).service,
        keys,
      };
      if (!previous && baseline) return { record, events: [] };
      const before = previous?.type === 'secret' ? previous.keys : {};
      const diff = diffKeys(before, keys);
      if (previous && isEmptyDiff(diff)) return { record, events: [] };
      const digests = Object.fromEntries(
        [...diff.added, ...diff.changed, ...diff.removed].map((key) => [
          key,
          { from: before[key], to: keys[key] },
        ]),
      );
      return {
        record,
        events: [
          keyChangeEvent(ctx, object, 'Secret', diff, !previous, { type: secret.type, digests }),
        ],
      };
    },
    removed(previous, uid, object) {
      // Helm prunes old revisions and uninstall removes them all: history, not a change.
      if (previous.type === 'helm') return [];
      return [deletionEvent(ctx, { kind: 'Secret', ...previous, uid }, object)];
    },
  };
}
