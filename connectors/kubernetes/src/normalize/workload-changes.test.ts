// The rollout and scale rules on Deployments shaped like the Kubernetes docs' nginx example.
import type { V1Deployment } from '@kubernetes/client-node';
import type { ChangeEventInput } from '@painchain/sdk';
import type { KubeObject, Wire } from '../kube-object.js';
import { workloadDetector, type WorkloadRecord } from './workload-changes.js';

const NOW = new Date('2026-03-02T10:00:00Z');
const ctx = {
  cluster: 'prod',
  now: () => NOW,
  serviceLabels: ['app.kubernetes.io/name', 'app'],
  ignoreAnnotations: [],
  maxValueLength: 80,
  scaleMinIntervalMs: 5 * 60_000,
};
const detector = workloadDetector('Deployment', ctx);

const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000).toISOString();

function deployment(
  image: string,
  options: {
    generation?: number;
    replicas?: number;
    at?: string;
    manager?: string;
    restartedAt?: string;
  } = {},
): KubeObject {
  const object: Wire<V1Deployment> = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'nginx-deployment',
      namespace: 'default',
      uid: 'd0c5a1e2-0000-4000-8000-000000000001',
      generation: options.generation ?? 1,
      resourceVersion: String(100 + (options.generation ?? 1)),
      labels: { app: 'nginx' },
      creationTimestamp: minutes(-60),
      managedFields: [
        {
          manager: options.manager ?? 'kubectl-client-side-apply',
          operation: 'Update',
          apiVersion: 'apps/v1',
          time: options.at ?? minutes(0),
          fieldsType: 'FieldsV1',
          fieldsV1: {},
        },
      ],
    },
    spec: {
      replicas: options.replicas ?? 3,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: {
          labels: { app: 'nginx' },
          ...(options.restartedAt
            ? { annotations: { 'kubectl.kubernetes.io/restartedAt': options.restartedAt } }
            : {}),
        },
        spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] },
      },
    },
  };
  return object as unknown as KubeObject;
}

function withStatus(object: KubeObject, status: Wire<V1Deployment>['status']): KubeObject {
  return { ...object, status } as KubeObject;
}

/** Runs the detector over a sequence of states, as a watch would. */
function run(states: KubeObject[], start?: WorkloadRecord) {
  let record = start;
  const events: ChangeEventInput[] = [];
  for (const state of states) {
    const detected = detector.observe(record, state, record === undefined);
    record = detected.record;
    events.push(...detected.events);
  }
  return { record: record!, events };
}

const complete = (generation: number, at: string) => ({
  observedGeneration: generation,
  replicas: 3,
  updatedReplicas: 3,
  readyReplicas: 3,
  availableReplicas: 3,
  conditions: [
    {
      type: 'Progressing',
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      lastUpdateTime: at,
      lastTransitionTime: at,
    },
  ],
});

describe('workload rollouts', () => {
  it('records what exists at the first list without calling it a change', () => {
    expect(run([deployment('nginx:1.14.2')]).events).toEqual([]);
  });

  it('turns an image change into a deploy that starts, then succeeds when the controller reports it complete', () => {
    const { events } = run([
      deployment('nginx:1.14.2'),
      deployment('nginx:1.16.1', { generation: 2, at: minutes(1), manager: 'kubectl-set' }),
      withStatus(
        deployment('nginx:1.16.1', { generation: 2, at: minutes(1) }),
        complete(2, minutes(3)),
      ),
    ]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      kind: 'deploy',
      status: 'started',
      title: 'Deployment default/nginx-deployment: nginx:1.14.2 → nginx:1.16.1',
      project: 'prod/default',
      service: 'nginx',
      timestamp: minutes(1),
      author: 'kubectl-set',
      refs: { image: 'nginx:1.16.1' },
      externalId: 'prod/d0c5a1e2-0000-4000-8000-000000000001/rollout/2',
    });
    expect(events[1]).toMatchObject({
      externalId: events[0]!.externalId,
      status: 'succeeded',
      timestamp: minutes(1),
      endTimestamp: minutes(3),
    });
  });

  it('fails the rollout on ProgressDeadlineExceeded, with the controller message', () => {
    const { events } = run([
      deployment('nginx:1.14.2'),
      deployment('nginx:1.161', { generation: 2, at: minutes(1) }),
      withStatus(deployment('nginx:1.161', { generation: 2, at: minutes(1) }), {
        observedGeneration: 2,
        replicas: 4,
        updatedReplicas: 1,
        readyReplicas: 3,
        availableReplicas: 3,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "nginx-deployment-4262182780" has timed out progressing.',
            lastUpdateTime: minutes(11),
            lastTransitionTime: minutes(11),
          },
        ],
      }),
    ]);
    expect(events.at(-1)).toMatchObject({
      status: 'failed',
      endTimestamp: minutes(11),
      data: expect.objectContaining({
        reason: 'ReplicaSet "nginx-deployment-4262182780" has timed out progressing.',
      }),
    });
  });

  it('calls a return to an earlier template a rollback', () => {
    const { events } = run([
      deployment('nginx:1.14.2'),
      deployment('nginx:1.161', { generation: 2, at: minutes(1) }),
      deployment('nginx:1.14.2', { generation: 3, at: minutes(5), manager: 'kubectl-rollout' }),
    ]);
    const rollback = events.at(-1)!;
    expect(rollback).toMatchObject({
      kind: 'rollback',
      title: 'Deployment default/nginx-deployment rolled back: nginx:1.161 → nginx:1.14.2',
      data: expect.objectContaining({ rollback: true }),
    });
    // The unfinished rollout it replaced is closed as cancelled.
    expect(
      events.find((e) => e.externalId?.endsWith('/rollout/2') && e.status === 'cancelled'),
    ).toBeDefined();
  });

  it('recognises kubectl rollout restart as a restart, not a new version', () => {
    const { events } = run([
      deployment('nginx:1.14.2'),
      deployment('nginx:1.14.2', { generation: 2, restartedAt: minutes(2), at: minutes(2) }),
    ]);
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'deploy',
        title: 'Deployment default/nginx-deployment restarted (rollout restart)',
        data: expect.objectContaining({ restart: true }),
      }),
    ]);
  });

  it('lists other template changes as a field diff, never showing env values', () => {
    const before = deployment('nginx:1.14.2');
    const after = deployment('nginx:1.14.2', { generation: 2 }) as unknown as Wire<V1Deployment>;
    after.spec!.template.spec!.containers[0]!.env = [{ name: 'DB_PASSWORD', value: 'hunter2' }];
    const { events } = run([before, after as unknown as KubeObject]);
    expect(events[0]!.data!.changes).toEqual([
      'template.spec.containers[nginx].env[DB_PASSWORD].value: added',
    ]);
    expect(JSON.stringify(events)).not.toContain('hunter2');
  });
});

describe('workload scaling', () => {
  it('collapses HPA flapping within the minimum interval into one scale event, and opens a new one after it', () => {
    const hpa = (replicas: number, generation: number, minute: number) =>
      deployment('nginx:1.14.2', {
        replicas,
        generation,
        at: minutes(minute),
        manager: 'kube-controller-manager',
      });
    const { events } = run([
      deployment('nginx:1.14.2'),
      hpa(5, 2, 1),
      hpa(4, 3, 2),
      hpa(6, 4, 3),
      hpa(2, 5, 9),
    ]);
    const byId = new Map(events.map((e) => [e.externalId, e]));
    expect([...byId.values()]).toEqual([
      expect.objectContaining({
        kind: 'scale',
        title: 'Deployment default/nginx-deployment scaled 3 → 6 (3 changes)',
        timestamp: minutes(1),
        endTimestamp: minutes(3),
        author: 'kube-controller-manager',
        data: expect.objectContaining({ from: 3, to: 6, changes: 3 }),
      }),
      expect.objectContaining({
        kind: 'scale',
        title: 'Deployment default/nginx-deployment scaled 6 → 2',
        timestamp: minutes(9),
      }),
    ]);
  });
});
