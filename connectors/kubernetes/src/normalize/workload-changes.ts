// Deployments, StatefulSets and DaemonSets: a new pod template is a rollout (deploy, rollback or
// restart) that starts, then succeeds or fails; a replica-only change is a scale, collapsed per
// workload within a minimum interval so that an HPA's flapping is one event, not fifty.
import type {
  V1DaemonSet,
  V1Deployment,
  V1PodTemplateSpec,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { changeEvent, notBefore, type ChangeEventInput, type ChangeStatus } from '@painchain/sdk';
import { lastWrite, type Wire } from '../kube-object.js';
import {
  deletionEvent,
  eventBasics,
  listInWords,
  type ChangeContext,
  type ChangeDetector,
  type Detected,
} from './change-detector.js';
import { diffFields, flatten, formatChanges, type FlatFields } from './field-diff.js';
import { sha256 } from './fingerprint.js';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

/** `kubectl rollout restart` changes only this template annotation. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
/** Templates remembered per workload to recognise a return to one of them (a rollback). */
export const TEMPLATE_HISTORY = 20;

type Workload = Wire<V1Deployment> | Wire<V1StatefulSet> | Wire<V1DaemonSet>;

export interface WorkloadContext extends ChangeContext {
  readonly scaleMinIntervalMs: number;
}

/** What is remembered of one workload between events and across restarts. */
export interface WorkloadRecord {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  service?: string;
  /** Digest of the pod template, and of the template without the restart annotation. */
  template: string;
  base: string;
  /** The template flattened (env values as digests): the diff of the next rollout. */
  fields: FlatFields;
  images: Record<string, string>;
  replicas?: number;
  /** Earlier template digests (without restart annotation), oldest first. */
  history: string[];
  /** The rollout still running: re-emitted with its outcome. */
  rollout?: { generation: number; event: ChangeEventInput };
  /** The open scale event and when its collapse window began (epoch ms). */
  scale?: { since: number; changes: number; event: ChangeEventInput };
}

const templateOf = (workload: Workload): Wire<V1PodTemplateSpec> | undefined =>
  workload.spec?.template;

function withoutRestart(template: Wire<V1PodTemplateSpec> | undefined) {
  if (!template?.metadata?.annotations?.[RESTARTED_AT]) return template;
  const { [RESTARTED_AT]: _restart, ...annotations } = template.metadata.annotations;
  return { ...template, metadata: { ...template.metadata, annotations } };
}

function imagesOf(template: Wire<V1PodTemplateSpec> | undefined): Record<string, string> {
  const images: Record<string, string> = {};
  for (const container of [
    ...(template?.spec?.initContainers ?? []),
    ...(template?.spec?.containers ?? []),
  ]) {
    if (container.image) images[container.name] = container.image;
  }
  return images;
}

const replicasOf = (kind: WorkloadKind, workload: Workload): number | undefined =>
  kind === 'DaemonSet' ? undefined : ((workload.spec as { replicas?: number }).replicas ?? 1);

/** The rollout's outcome once the controller has seen its generation, with when it ended. */
function outcomeOf(
  kind: WorkloadKind,
  workload: Workload,
  generation: number,
): { status: ChangeStatus; at?: string; reason?: string } | undefined {
  const status = workload.status;
  if (!status || (status.observedGeneration ?? 0) < generation) return undefined;
  if (kind === 'Deployment') {
    const deployment = workload as Wire<V1Deployment>;
    const s = deployment.status!;
    const progressing = s.conditions?.find((c) => c.type === 'Progressing');
    if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
      return {
        status: 'failed',
        at: progressing.lastUpdateTime ?? progressing.lastTransitionTime,
        reason: progressing.message ?? progressing.reason,
      };
    }
    const desired = deployment.spec?.replicas ?? 1;
    const done =
      (s.updatedReplicas ?? 0) === desired &&
      (s.readyReplicas ?? 0) === desired &&
      (s.availableReplicas ?? 0) >= desired &&
      (s.replicas ?? 0) === desired;
    if (!done) return undefined;
    const at =
      progressing?.reason === 'NewReplicaSetAvailable' ? progressing.lastUpdateTime : undefined;
    return { status: 'succeeded', at };
  }
  if (kind === 'StatefulSet') {
    const set = workload as Wire<V1StatefulSet>;
    const s = set.status!;
    const desired = set.spec?.replicas ?? 1;
    const done =
      (s.updatedReplicas ?? 0) === desired &&
      (s.readyReplicas ?? 0) === desired &&
      (!s.updateRevision || s.currentRevision === s.updateRevision);
    return done ? { status: 'succeeded' } : undefined;
  }
  const s = (workload as Wire<V1DaemonSet>).status!;
  const done =
    s.updatedNumberScheduled === s.desiredNumberScheduled &&
    (s.numberAvailable ?? 0) === s.desiredNumberScheduled;
  return done ? { status: 'succeeded' } : undefined;
}

/** `nginx:1.14.2 → nginx:1.16.1` per changed container. */
function imageChanges(before: Record<string, string>, after: Record<string, string>) {
  return Object.keys(after)
    .filter((container) => before[container] !== after[container])
    .map((container) => ({ container, from: before[container], to: after[container]! }));
}

export function workloadDetector(
  kind: WorkloadKind,
  ctx: WorkloadContext,
): ChangeDetector<WorkloadRecord> {
  return {
    observe(previous, object, baseline): Detected<WorkloadRecord> {
      const workload = object as unknown as Workload;
      const template = templateOf(workload);
      const basics = eventBasics(ctx, object, template?.metadata?.labels);
      const fields = flatten(template, 'template');
      const record: WorkloadRecord = {
        kind,
        namespace: workload.metadata?.namespace ?? '',
        name: workload.metadata?.name ?? '',
        service: basics.service,
        // Digests of the flattened template: an empty annotation map is no difference.
        template: sha256(fields),
        base: sha256(flatten(withoutRestart(template))),
        fields,
        images: imagesOf(template),
        replicas: replicasOf(kind, workload),
        history: previous?.history ?? [],
        rollout: previous?.rollout,
        scale: previous?.scale,
      };
      const events: ChangeEventInput[] = [];
      const label = `${kind} ${record.namespace}/${record.name}`;
      const uid = workload.metadata?.uid ?? '';
      const generation = workload.metadata?.generation ?? 0;
      const written = lastWrite(object);
      const at = written?.at ?? ctx.now().toISOString();

      if (!previous && baseline) return { record: { ...record, rollout: undefined }, events };

      if (!previous || previous.template !== record.template) {
        // A newer template supersedes a rollout that had not finished.
        if (record.rollout) {
          events.push(finish(record.rollout.event, 'cancelled', at));
          record.rollout = undefined;
        }
        const restart = previous !== undefined && previous.base === record.base;
        const rollback =
          previous !== undefined && !restart && previous.history.includes(record.base);
        const images = imageChanges(previous?.images ?? {}, record.images);
        const { lines, more } = formatChanges(
          diffFields(previous?.fields ?? {}, record.fields),
          ctx.maxValueLength,
        );
        const imageText = images.map((i) => (i.from ? `${i.from} → ${i.to}` : i.to)).join(', ');
        const title = !previous
          ? `${label} created${imageText ? `: ${imageText}` : ''}`
          : restart
            ? `${label} restarted (rollout restart)`
            : rollback
              ? `${label} rolled back${imageText ? `: ${imageText}` : ''}`
              : imageText
                ? `${label}: ${imageText}`
                : `${label} rolled out: ${listInWords(lines.map((l) => l.split(':')[0]!))}`;
        const event = changeEvent({
          ...basics,
          externalId: `${ctx.cluster}/${uid}/rollout/${generation}`,
          kind: rollback ? 'rollback' : 'deploy',
          status: 'started',
          title,
          timestamp: previous ? at : (workload.metadata?.creationTimestamp ?? at),
          updatedAt: at,
          author: written?.manager,
          refs: { image: images[0]?.to ?? Object.values(record.images)[0] },
          data: {
            cluster: ctx.cluster,
            namespace: record.namespace,
            workload: `${kind}/${record.name}`,
            generation,
            images: images.length > 0 ? images : undefined,
            changes: lines,
            moreChanges: more || undefined,
            restart: restart || undefined,
            rollback: rollback || undefined,
            created: previous ? undefined : true,
          },
        });
        events.push(event);
        record.rollout = { generation, event };
        if (previous && !restart) {
          record.history = [...previous.history.filter((h) => h !== previous.base), previous.base];
          record.history = record.history.slice(-TEMPLATE_HISTORY);
        }
        record.scale = undefined;
      } else if (previous.replicas !== record.replicas && record.replicas !== undefined) {
        const since = Date.parse(at);
        const open = previous.scale;
        if (open && since - open.since < ctx.scaleMinIntervalMs) {
          const from = open.event.data?.from as number | undefined;
          const changes = open.changes + 1;
          record.scale = {
            since: open.since,
            changes,
            event: {
              ...open.event,
              title: `${label} scaled ${from ?? '?'} → ${record.replicas} (${changes} changes)`,
              endTimestamp: notBefore(at, String(open.event.timestamp)),
              updatedAt: at,
              data: { ...open.event.data, to: record.replicas, changes },
            },
          };
        } else {
          record.scale = {
            since,
            changes: 1,
            event: changeEvent({
              ...basics,
              externalId: `${ctx.cluster}/${uid}/scale/${generation}`,
              kind: 'scale',
              title: `${label} scaled ${previous.replicas ?? '?'} → ${record.replicas}`,
              timestamp: at,
              updatedAt: at,
              author: written?.manager,
              data: {
                cluster: ctx.cluster,
                namespace: record.namespace,
                workload: `${kind}/${record.name}`,
                from: previous.replicas,
                to: record.replicas,
                changes: 1,
              },
            }),
          };
        }
        events.push(record.scale.event);
      }

      if (record.rollout) {
        const outcome = outcomeOf(kind, workload, record.rollout.generation);
        if (outcome) {
          const revision = workload.metadata?.annotations?.['deployment.kubernetes.io/revision'];
          const done = finish(
            record.rollout.event,
            outcome.status,
            outcome.at ?? ctx.now().toISOString(),
          );
          done.data = {
            ...done.data,
            revision: revision ? Number(revision) : undefined,
            reason: outcome.reason,
          };
          events.push(changeEvent(done));
          record.rollout = undefined;
        }
      }
      return { record, events };
    },

    removed(previous, uid, object) {
      return [deletionEvent(ctx, { ...previous, uid }, object)];
    },
  };
}

/** The rollout event with its outcome: the same externalId, so the store updates it. */
function finish(event: ChangeEventInput, status: ChangeStatus, at: string): ChangeEventInput {
  return {
    ...event,
    status,
    endTimestamp: notBefore(at, String(event.timestamp)),
    updatedAt: notBefore(at, String(event.updatedAt ?? event.timestamp)),
  };
}
