// The connector inside the real collector (runner, pipeline, store: PGlite and PostgreSQL) watches
// the fake cluster: each kind of change the issue lists lands in the store as the event a user
// reads back, no secret value reaches the store, and a restart with a 410 relist after downtime
// adds exactly the changes made while away — zero duplicates.
import type { V1Deployment, V1ReplicaSet, V1Secret } from '@kubernetes/client-node';
import type { ChangeEvent } from '@painchain/sdk';
import {
  readEvents,
  startCollector,
  STORE_KINDS,
  type Db,
  type TestApp,
} from '@painchain/collector/testing';
import type { Wire } from '../src/kube-object.js';
import { collectorSuite } from './collector-suite.js';
import type { FakeKubeApiServer } from './fake-kube-apiserver.js';
import {
  backoffEvent,
  deploymentStatus,
  gameDemoConfigMap,
  helmReleaseSecret,
  minimalIngress,
  mySecret,
  nginxDeployment,
  phpApacheHpa,
  SECRET_VALUES,
  withImage,
  withReplicas,
} from './kube-fixtures.js';
import { definition, waitFor } from './kube-test-helpers.js';

const NEW_PASSWORD = 'n3w-Pa55w0rd-9Xq';
const HIDDEN = [...SECRET_VALUES, NEW_PASSWORD, Buffer.from(NEW_PASSWORD).toString('base64')];
const T0 = Date.now() - 2 * 60 * 60_000;
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

describe.each(STORE_KINDS)('the Kubernetes connector in the collector on %s', (kind) => {
  const suite = collectorSuite(kind);
  let db: Db;
  let fake: FakeKubeApiServer;
  beforeAll(() => ({ db, fake } = suite));

  const start = (): Promise<TestApp> =>
    startCollector(
      db,
      {
        connectors: [
          {
            name: 'k8s-prod',
            type: 'kubernetes',
            options: {
              clusters: [
                { name: 'prod', kubeconfigData: '${KUBECONFIG_PROD}', environment: 'production' },
              ],
              projects: [{ project: 'prod/shop', service: 'payments' }],
            },
          },
        ],
      },
      { env: { KUBECONFIG_PROD: fake.kubeconfig() }, connectorTypes: [definition] },
    );

  /** Waits until the connector says every collection is read. */
  const synced = (t: TestApp) =>
    waitFor('every collection listed', async () => {
      const { connectors } = (await t.app.inject('/api/v1/connectors')).json() as {
        connectors: { name: string; health: { message: string | null } }[];
      };
      return connectors.find((c) => c.name === 'k8s-prod')?.health.message?.startsWith('watching');
    });

  const events = (t: TestApp, query: Record<string, string> = {}) =>
    readEvents(t.app, { connector: 'kubernetes', from: at(-24 * 60).toISOString(), ...query });
  const eventWhere = (t: TestApp, what: string, test: (e: ChangeEvent) => boolean) =>
    waitFor(what, async () => (await events(t)).find(test));
  const deployment = () =>
    fake.get<Wire<V1Deployment>>('Deployment', 'default', 'nginx-deployment')!;
  const controllerReports = (phase: 'progressing' | 'complete' | 'deadline', minute: number) =>
    fake.updateStatus(
      'Deployment',
      'default',
      'nginx-deployment',
      deploymentStatus(deployment(), phase, at(minute)),
      at(minute),
    );

  test('each kind of change is stored once, as a user reads it; restarts and relists add nothing twice', async () => {
    // The cluster before the connector ever ran: the baseline, not changes.
    fake.apply(nginxDeployment(), { manager: 'kubectl-client-side-apply', time: at(0) });
    controllerReports('complete', 1);
    fake.apply(gameDemoConfigMap(), { manager: 'kubectl-client-side-apply', time: at(0) });
    fake.apply(mySecret(), { manager: 'kubectl-client-side-apply', time: at(0) });
    fake.apply(phpApacheHpa(), { manager: 'kubectl-client-side-apply', time: at(0) });
    fake.apply(minimalIngress(), { manager: 'kubectl-client-side-apply', time: at(0) });

    let stored: ChangeEvent[] = [];
    let t = await start();
    try {
      await synced(t);
      expect(await events(t)).toEqual([]);

      // A rollout that succeeds: image and env change; the controller reports it complete.
      const next = withImage(deployment(), 'nginx:1.16.1');
      next.spec!.template.spec!.containers[0]!.env = [{ name: 'LOG_LEVEL', value: 'debug' }];
      fake.apply(next, { manager: 'kubectl-client-side-apply', time: at(10) });
      controllerReports('progressing', 11);
      controllerReports('complete', 13);
      const succeeded = await eventWhere(
        t,
        'the rollout succeeded',
        (e) => e.status === 'succeeded' && e.kind === 'deploy',
      );
      expect(succeeded).toMatchObject({
        title: 'Deployment default/nginx-deployment: nginx:1.14.2 → nginx:1.16.1',
        project: 'prod/default',
        service: 'nginx',
        environment: 'production',
        timestamp: at(10).toISOString(),
        endTimestamp: at(13).toISOString(),
        refs: { image: 'nginx:1.16.1' },
        author: 'kubectl-client-side-apply',
      });
      expect(succeeded.data.changes).toEqual([
        'template.spec.containers[nginx].env[LOG_LEVEL].value: added',
        'template.spec.containers[nginx].image: nginx:1.14.2 → nginx:1.16.1',
      ]);

      // A rollout that fails on its progress deadline.
      fake.apply(withImage(deployment(), 'nginx:1.161'), { manager: 'kubectl-set', time: at(20) });
      controllerReports('deadline', 30);
      const failed = await eventWhere(t, 'the failed rollout', (e) => e.status === 'failed');
      expect(failed).toMatchObject({
        kind: 'deploy',
        title: 'Deployment default/nginx-deployment: nginx:1.16.1 → nginx:1.161',
        endTimestamp: at(30).toISOString(),
      });

      // The rollback to the template that worked.
      fake.apply(withImage(deployment(), 'nginx:1.16.1'), {
        manager: 'kubectl-rollout',
        time: at(32),
      });
      controllerReports('complete', 34);
      const rollback = await eventWhere(
        t,
        'the rollback',
        (e) => e.kind === 'rollback' && e.status === 'succeeded',
      );
      expect(rollback.title).toBe(
        'Deployment default/nginx-deployment rolled back: nginx:1.161 → nginx:1.16.1',
      );

      // An image-only change: the title and the diff say the image, nothing else.
      fake.apply(withImage(deployment(), 'nginx:1.17.0'), { manager: 'kubectl-set', time: at(40) });
      const imageOnly = await eventWhere(
        t,
        'the image change',
        (e) => e.refs.image === 'nginx:1.17.0',
      );
      expect(imageOnly.data.changes).toEqual([
        'template.spec.containers[nginx].image: nginx:1.16.1 → nginx:1.17.0',
      ]);
      controllerReports('complete', 41);

      // HPA flapping within five minutes: one scale event.
      for (const [replicas, minute] of [
        [5, 50],
        [4, 51],
        [7, 52],
        [6, 53],
      ] as const) {
        fake.apply(withReplicas(deployment(), replicas), {
          manager: 'kube-controller-manager',
          subresource: 'scale',
          time: at(minute),
        });
      }
      await waitFor('the scale collapsed', async () =>
        (await events(t, { kind: 'scale' })).find((e) => (e.data.changes as number) === 4),
      );
      expect(await events(t, { kind: 'scale' })).toEqual([
        expect.objectContaining({
          title: 'Deployment default/nginx-deployment scaled 3 → 6 (4 changes)',
          timestamp: at(50).toISOString(),
          endTimestamp: at(53).toISOString(),
          author: 'kube-controller-manager',
        }),
      ]);

      // A ConfigMap edit: the keys, not the values (values are off by default).
      const configMap = gameDemoConfigMap();
      configMap.data = { ...configMap.data, player_initial_lives: '5', difficulty: 'hard' };
      fake.apply(configMap, { manager: 'kubectl-edit', time: at(60) });
      const config = await eventWhere(t, 'the ConfigMap edit', (e) =>
        e.title.startsWith('ConfigMap'),
      );
      expect(config).toMatchObject({
        kind: 'config',
        title: 'ConfigMap default/game-demo: changed player_initial_lives; added difficulty',
        author: 'kubectl-edit',
        data: expect.objectContaining({ changed: ['player_initial_lives'], added: ['difficulty'] }),
      });
      expect(JSON.stringify(config)).not.toContain('hard');

      // A Secret edit: key names and digests only.
      const secret = mySecret();
      secret.data = { ...secret.data, password: Buffer.from(NEW_PASSWORD).toString('base64') };
      fake.apply(secret, { manager: 'kubectl-edit', time: at(61) });
      const secretEvent = await eventWhere(t, 'the Secret edit', (e) =>
        e.title.startsWith('Secret'),
      );
      expect(secretEvent).toMatchObject({
        title: 'Secret default/mysecret: changed password',
        data: expect.objectContaining({
          digests: {
            password: {
              from: expect.stringMatching(/^hmac:/),
              to: expect.stringMatching(/^hmac:/),
            },
          },
        }),
      });

      // A Helm upgrade in another namespace: pending, then deployed; the project mapping names the service.
      const pending = fake.apply<Wire<V1Secret>>(
        helmReleaseSecret({ revision: 7, status: 'pending-upgrade', deployedAt: at(70) }),
        { manager: 'helm', time: at(70) },
      );
      const helmDone = helmReleaseSecret({ revision: 7, status: 'deployed', deployedAt: at(70) });
      fake.apply(
        { ...helmDone, metadata: { ...helmDone.metadata, uid: pending.metadata!.uid } },
        { manager: 'helm', time: at(71) },
      );
      const helm = await eventWhere(
        t,
        'the Helm release',
        (e) => e.title.startsWith('Helm') && e.status === 'succeeded',
      );
      expect(helm).toMatchObject({
        kind: 'deploy',
        title: 'Helm upgrade shop/payments: payments-1.4.2 (revision 7)',
        project: 'prod/shop',
        service: 'payments',
        refs: { version: '2.3.0' },
        data: expect.objectContaining({
          release: 'payments',
          revision: 7,
          chartVersion: '1.4.2',
          helmStatus: 'deployed',
        }),
      });

      // Pods of the Deployment crash-looping: one alert on the workload's lane.
      fake.apply(backoffEvent('nginx-deployment-66b6c48dd5-4jw2p', 1, at(80)));
      fake.apply(backoffEvent('nginx-deployment-66b6c48dd5-4jw2p', 3, at(82)));
      fake.apply(backoffEvent('nginx-deployment-66b6c48dd5-x8kzq', 2, at(83)));
      const alert = await eventWhere(
        t,
        'the alert',
        (e) => e.kind === 'alert' && e.data.count === 5,
      );
      expect(alert).toMatchObject({
        title:
          'BackOff ×5 on default/Deployment/nginx-deployment: Back-off restarting failed container',
        service: 'nginx',
        timestamp: at(80).toISOString(),
        endTimestamp: at(83).toISOString(),
      });

      // A spec change of an Ingress: the field diff.
      const ingress = minimalIngress();
      ingress.spec!.rules![0]!.host = 'shop.example.com';
      fake.apply(ingress, { manager: 'kubectl-edit', time: at(90) });
      const ingressEvent = await eventWhere(t, 'the Ingress change', (e) =>
        e.title.startsWith('Ingress'),
      );
      expect(ingressEvent.title).toBe(
        'Ingress default/minimal-ingress: spec.rules[0].host: added shop.example.com',
      );

      // A watch cut mid-stream: the change made meanwhile arrives once.
      fake.dropWatches();
      fake.apply(withReplicas(deployment(), 2), { manager: 'kubectl-scale', time: at(100) });
      await eventWhere(t, 'the scale after the drop', (e) => e.kind === 'scale' && e.data.to === 2);
      stored = await events(t);
    } finally {
      await t.close();
    }

    // Downtime long enough for the saved resourceVersions to expire (410), with two changes.
    const configMap = fake.get<Wire<V1Deployment>>(
      'ConfigMap',
      'default',
      'game-demo',
    )! as unknown as ReturnType<typeof gameDemoConfigMap>;
    fake.apply(
      { ...configMap, data: { ...configMap.data, player_initial_lives: '7' } },
      { manager: 'kubectl-edit', time: at(110) },
    );
    fake.apply(withImage(deployment(), 'nginx:1.18.0'), { manager: 'kubectl-set', time: at(111) });
    fake.compact();
    t = await start();
    try {
      await synced(t);
      await waitFor(
        'the two changes made while away',
        async () => (await events(t)).length === stored.length + 2,
      );
      const all = await events(t);
      expect(new Set(all.map((e) => e.externalId)).size).toBe(all.length);
      expect(
        all
          .filter((e) => !stored.some((s) => s.externalId === e.externalId))
          .map((e) => e.title)
          .sort(),
      ).toEqual([
        'ConfigMap default/game-demo: changed player_initial_lives',
        'Deployment default/nginx-deployment: nginx:1.17.0 → nginx:1.18.0',
      ]);

      // Nothing stored anywhere holds a secret value: not the events, not the connector's state.
      const everything =
        JSON.stringify(all) +
        JSON.stringify((await db.query('SELECT key, value FROM connector_state')).rows);
      for (const value of HIDDEN) expect(everything).not.toContain(value);
    } finally {
      await t.close();
    }

    // Once more after a compaction with nothing changed that the connector watches (the
    // ReplicaSet the Deployment controller writes is not watched): every collection is
    // relisted, and not one event more.
    fake.apply({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'nginx-deployment-66b6c48dd5', namespace: 'default' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'nginx' } } },
    } satisfies Wire<V1ReplicaSet>);
    fake.compact();
    const lists = fake.requests.filter((r) => !r.watch).length;
    t = await start();
    try {
      await synced(t);
      await waitFor(
        'the relists',
        () => fake.requests.filter((r) => !r.watch).length >= lists + 12,
      );
      expect(await events(t)).toHaveLength(stored.length + 2);
    } finally {
      await t.close();
    }
  });
});
