// Kubernetes objects as the API server sends them (JSON over list and watch), typed with
// client-node's models, whose date-time fields arrive as RFC 3339 text on the wire.
import type { KubernetesObject, V1ManagedFieldsEntry } from '@kubernetes/client-node';

/** A client-node model as JSON carries it: every Date is the RFC 3339 string the server sent. */
export type Wire<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** Any object of any resource: what list and watch hand over before a handler looks closer. */
export type KubeObject = Wire<KubernetesObject> & { [field: string]: unknown };

/** One page of a list answer. */
export interface KubeList {
  metadata?: { resourceVersion?: string; continue?: string };
  items: KubeObject[];
}

/** A watch frame's type, as the API server names it. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export const uidOf = (object: KubeObject): string => object.metadata?.uid ?? '';
export const nameOf = (object: KubeObject): string => object.metadata?.name ?? '';
export const namespaceOf = (object: KubeObject): string => object.metadata?.namespace ?? '';
export const labelsOf = (object: KubeObject): Record<string, string> =>
  object.metadata?.labels ?? {};

/**
 * When the object's spec or data last changed, from the server's own field-manager records:
 * the newest write that was not to the status subresource. Relisted changes that happened while
 * the collector was away keep their real time this way; undefined when the server kept none.
 */
export function lastWrite(object: KubeObject): { at: string; manager?: string } | undefined {
  let newest: Wire<V1ManagedFieldsEntry> | undefined;
  for (const entry of object.metadata?.managedFields ?? []) {
    if (!entry.time || entry.subresource === 'status') continue;
    if (!newest?.time || Date.parse(entry.time) >= Date.parse(newest.time)) newest = entry;
  }
  return newest?.time
    ? { at: new Date(newest.time).toISOString(), manager: newest.manager }
    : undefined;
}

/** The value at a dotted path (`status.sync.revision`), when it is a scalar. */
export function valueAt(object: unknown, path: string): string | undefined {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return typeof current === 'string' || typeof current === 'number' || typeof current === 'boolean'
    ? String(current)
    : undefined;
}
