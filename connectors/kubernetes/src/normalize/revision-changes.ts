// Custom resources that deploy (Argo CD Applications, Flux HelmReleases and Kustomizations): a
// new value at the configured revision path is a deploy; the status path tells how it is going.
import { changeEvent, isSha, shortSha, type ChangeStatus } from '@painchain/sdk';
import { valueAt } from '../kube-object.js';
import { eventBasics, type ChangeContext, type ChangeDetector } from './change-detector.js';

export interface RevisionRecord {
  revision?: string;
  status?: string;
}

/** Health and phase words of Argo CD and Flux as change statuses. */
export function revisionStatus(value: string | undefined): ChangeStatus {
  switch ((value ?? '').toLowerCase()) {
    case 'healthy':
    case 'succeeded':
    case 'true':
    case 'ready':
      return 'succeeded';
    case 'degraded':
    case 'failed':
    case 'error':
    case 'false':
    case 'missing':
      return 'failed';
    case 'progressing':
    case 'running':
    case 'reconciling':
      return 'in_progress';
    default:
      return 'unknown';
  }
}

export function revisionDetector(
  kind: string,
  paths: { revisionPath: string; statusPath: string },
  ctx: ChangeContext,
): ChangeDetector<RevisionRecord> {
  return {
    observe(previous, object, baseline) {
      const record: RevisionRecord = {
        revision: valueAt(object, paths.revisionPath),
        status: paths.statusPath ? valueAt(object, paths.statusPath) : undefined,
      };
      if ((!previous && baseline) || !record.revision) return { record, events: [] };
      if (previous?.revision === record.revision && previous.status === record.status) {
        return { record, events: [] };
      }
      const namespace = object.metadata?.namespace ?? '';
      const name = object.metadata?.name ?? '';
      const basics = eventBasics(ctx, object);
      const revision = record.revision;
      const now = ctx.now().toISOString();
      const sha = isSha(revision);
      return {
        record,
        events: [
          changeEvent({
            ...basics,
            service: basics.service ?? name,
            externalId: `${ctx.cluster}/${object.metadata?.uid ?? ''}/revision/${revision}`,
            kind: 'deploy',
            status: paths.statusPath ? revisionStatus(record.status) : undefined,
            title: `${kind} ${namespace ? `${namespace}/` : ''}${name} deployed ${sha ? shortSha(revision) : revision}`,
            // First seen now: custom resources carry no standard time of their sync.
            timestamp: now,
            updatedAt: now,
            refs: sha ? { commit: revision } : { version: revision },
            data: {
              cluster: ctx.cluster,
              namespace,
              object: `${kind}/${name}`,
              revision,
              health: record.status,
            },
          }),
        ],
      };
    },
    removed() {
      return [];
    },
  };
}
