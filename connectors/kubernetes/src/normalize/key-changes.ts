// ConfigMap and Secret data compared key by key: which keys were added, removed or changed,
// from digests remembered per key. The title names the keys; values appear only where allowed.
import type { ChangeEventInput } from '@painchain/sdk';
import { changeEvent } from '@painchain/sdk';
import { lastWrite, type KubeObject } from '../kube-object.js';
import { eventBasics, listInWords, type ChangeContext } from './change-detector.js';

export interface KeyDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

export function diffKeys(before: Record<string, string>, after: Record<string, string>): KeyDiff {
  const keys = (record: Record<string, string>) => Object.keys(record).sort();
  return {
    added: keys(after).filter((key) => !(key in before)),
    removed: keys(before).filter((key) => !(key in after)),
    changed: keys(after).filter((key) => key in before && before[key] !== after[key]),
  };
}

export const isEmptyDiff = (diff: KeyDiff) =>
  diff.added.length + diff.removed.length + diff.changed.length === 0;

/** "changed log_level; added feature_x" for a title. */
export function describeKeyDiff(diff: KeyDiff): string {
  return [
    diff.changed.length > 0 ? `changed ${listInWords(diff.changed)}` : '',
    diff.added.length > 0 ? `added ${listInWords(diff.added)}` : '',
    diff.removed.length > 0 ? `removed ${listInWords(diff.removed)}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The config event of a data change (or of a creation when `created`). */
export function keyChangeEvent(
  ctx: ChangeContext,
  object: KubeObject,
  what: 'ConfigMap' | 'Secret',
  diff: KeyDiff,
  created: boolean,
  data: Record<string, unknown>,
): ChangeEventInput {
  const namespace = object.metadata?.namespace ?? '';
  const name = object.metadata?.name ?? '';
  const written = lastWrite(object);
  const at = written?.at ?? ctx.now().toISOString();
  const label = `${what} ${namespace}/${name}`;
  return changeEvent({
    ...eventBasics(ctx, object),
    // The resourceVersion names this exact state of the object: a replay stores nothing twice.
    externalId: `${ctx.cluster}/${object.metadata?.uid ?? ''}/data/${object.metadata?.resourceVersion ?? ''}`,
    kind: 'config',
    title: created
      ? `${label} created${diff.added.length > 0 ? ` (${listInWords(diff.added)})` : ''}`
      : `${label}: ${describeKeyDiff(diff)}`,
    timestamp: created ? (object.metadata?.creationTimestamp ?? at) : at,
    updatedAt: at,
    author: written?.manager,
    data: {
      cluster: ctx.cluster,
      namespace,
      object: `${what}/${name}`,
      added: diff.added,
      removed: diff.removed,
      changed: diff.changed,
      created: created || undefined,
      ...data,
    },
  });
}
