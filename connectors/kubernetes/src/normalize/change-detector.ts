// What every object handler shares: the detector contract (the record remembered per object,
// the previous one in, the next one and the changes out; pure, no I/O) and the event basics.
import type { ChangeEventInput } from '@painchain/sdk';
import type { KubeObject } from '../kube-object.js';
import { labelsOf, namespaceOf } from '../kube-object.js';

export const CONNECTOR = 'kubernetes';

/** What a detector may know besides the object: options, clock, the cluster's name. */
export interface ChangeContext {
  readonly cluster: string;
  readonly now: () => Date;
  readonly serviceLabels: readonly string[];
  readonly ignoreAnnotations: readonly string[];
  readonly maxValueLength: number;
}

export interface Detected<R> {
  /** What to remember for the next comparison; undefined: nothing (the object is not followed). */
  record: R | undefined;
  events: ChangeEventInput[];
}

export interface ChangeDetector<R> {
  /**
   * `previous` is undefined the first time the object is seen. `baseline` is true while the
   * watch reads its collection for the very first time: what exists then is not a change.
   */
  observe(previous: R | undefined, object: KubeObject, baseline: boolean): Detected<R>;
  /**
   * The object `uid` is gone: `object` is its last state when the watch saw the deletion, and
   * undefined when a relist found it missing.
   */
  removed(previous: R, uid: string, object: KubeObject | undefined): ChangeEventInput[];
}

/** `prod/payments`: the cluster and namespace a change belongs to. */
export const projectOf = (cluster: string, namespace: string) =>
  namespace ? `${cluster}/${namespace}` : cluster;

/** The first service label found on any of the label sets, in the configured order. */
export function serviceFrom(
  labelSets: readonly (Record<string, string> | undefined)[],
  serviceLabels: readonly string[],
): string | undefined {
  for (const label of serviceLabels) {
    for (const labels of labelSets) {
      const value = labels?.[label];
      if (value) return value;
    }
  }
  return undefined;
}

/** The parts every event of an object shares. */
export function eventBasics(
  ctx: ChangeContext,
  object: KubeObject,
  extraLabels?: Record<string, string>,
): Pick<ChangeEventInput, 'connector' | 'project' | 'service'> {
  return {
    connector: CONNECTOR,
    project: projectOf(ctx.cluster, namespaceOf(object)),
    service: serviceFrom([labelsOf(object), extraLabels], ctx.serviceLabels),
  };
}

/** "a, b and 3 more": names in a title without letting it grow. */
export function listInWords(names: readonly string[], max = 3): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** The deletion of an object, as a config change. */
export function deletionEvent(
  ctx: ChangeContext,
  what: { kind: string; namespace: string; name: string; uid: string; service?: string },
  object: KubeObject | undefined,
): ChangeEventInput {
  const at = object?.metadata?.deletionTimestamp ?? ctx.now().toISOString();
  const label = what.namespace ? `${what.namespace}/${what.name}` : what.name;
  return {
    connector: CONNECTOR,
    externalId: `${ctx.cluster}/${what.uid}/deleted`,
    kind: 'config',
    title: `${what.kind} ${label} deleted`,
    project: projectOf(ctx.cluster, what.namespace),
    ...(what.service ? { service: what.service } : {}),
    timestamp: at,
    data: {
      cluster: ctx.cluster,
      namespace: what.namespace,
      object: `${what.kind}/${what.name}`,
      deleted: true,
    },
  };
}
