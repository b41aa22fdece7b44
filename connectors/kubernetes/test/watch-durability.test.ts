// The real client-node informer against the fake API server: what the connector records across
// restarts, dropped watches and expired resourceVersions (410 Gone), with zero duplicates and
// nothing missed, and how it asks for bookmarks and backs off from a refusing server.
import type { V1Deployment } from '@kubernetes/client-node';
import type { ChangeEventInput } from '@painchain/sdk';
import { checkConformance } from '@painchain/sdk/testkit';
import type { Wire } from '../src/kube-object.js';
import { FakeKubeApiServer } from './fake-kube-apiserver.js';
import {
  deploymentStatus,
  gameDemoConfigMap,
  nginxDeployment,
  withImage,
  withReplicas,
} from './kube-fixtures.js';
import {
  capturingLogger,
  clusterOptions,
  definition,
  runConnector,
  waitFor,
  watching,
} from './kube-test-helpers.js';

const WATCH = { watch: ['deployments', 'configmaps'] as ('deployments' | 'configmaps')[] };

let fake: FakeKubeApiServer;
beforeEach(async () => {
  fake = await FakeKubeApiServer.start();
});
afterEach(async () => {
  await fake.close();
});

/** Each stored change once: the externalIds, in the order the store would see them first. */
const ids = (events: readonly ChangeEventInput[]) => [...new Set(events.map((e) => e.externalId))];

function seed() {
  const deployment = fake.apply(nginxDeployment(), { manager: 'kubectl-client-side-apply' });
  fake.updateStatus(
    'Deployment',
    'default',
    'nginx-deployment',
    deploymentStatus(deployment, 'complete', new Date()),
  );
  fake.apply(gameDemoConfigMap(), { manager: 'kubectl-client-side-apply' });
  return fake.get<Wire<V1Deployment>>('Deployment', 'default', 'nginx-deployment')!;
}

/** A first run that records the baseline and one rollout, then stops: what a restart builds on. */
async function firstRunWithRollout(deployment: Wire<V1Deployment>, state: Map<string, unknown>) {
  const run = runConnector(clusterOptions(fake, WATCH), state);
  await watching(fake, 2);
  fake.apply(withImage(deployment, 'nginx:1.16.1'), { manager: 'kubectl-set' });
  await waitFor('the rollout', () => run.test.emitted.length === 1);
  await run.stop();
  return run.test.emitted;
}

const watchRequests = () => fake.requests.filter((r) => r.watch);
const listRequests = () => fake.requests.filter((r) => !r.watch);

test('the first start records what exists as the baseline, silently, and asks for bookmarks', async () => {
  seed();
  const state = new Map<string, unknown>();
  const run = runConnector(clusterOptions(fake, WATCH), state);
  try {
    await watching(fake, 2);
    expect(run.test.emitted).toEqual([]);
    expect(watchRequests().every((r) => r.query.allowWatchBookmarks === 'true')).toBe(true);
    // The list's resourceVersion is where the next start resumes.
    expect(state.get('resourceVersion:prod/deployments')).toBe(fake.resourceVersion);
    fake.apply({ ...nginxDeployment(), metadata: { name: 'other', namespace: 'elsewhere' } });
    fake.bookmark();
    await waitFor(
      'the bookmark saved as the position',
      () => state.get('resourceVersion:prod/configmaps') === fake.resourceVersion,
    );
  } finally {
    await run.stop();
  }
  expect(run.test.violations).toEqual([]);
});

test('a restart resumes from the saved resourceVersion and records what changed while away, once', async () => {
  const deployment = seed();
  const state = new Map<string, unknown>();
  const before = await firstRunWithRollout(deployment, state);

  // While the connector is away: the rollout completes, the ConfigMap is edited.
  const rolled = fake.get<Wire<V1Deployment>>('Deployment', 'default', 'nginx-deployment')!;
  fake.updateStatus(
    'Deployment',
    'default',
    'nginx-deployment',
    deploymentStatus(rolled, 'complete', new Date()),
  );
  const configMap = gameDemoConfigMap();
  configMap.data = { ...configMap.data, player_initial_lives: '5' };
  fake.apply(configMap, { manager: 'kubectl-edit' });

  const saved = state.get('resourceVersion:prod/deployments');
  const mark = fake.requests.length;
  const run = runConnector(clusterOptions(fake, WATCH), state);
  try {
    await waitFor('both changes', () => run.test.emitted.length === 2);
    await watching(fake, 2);
    // Resumed: no list, a watch from exactly where the last run stopped.
    const after = fake.requests.slice(mark);
    expect(after.filter((r) => !r.watch)).toEqual([]);
    expect(after.find((r) => r.path === '/apis/apps/v1/deployments')?.query.resourceVersion).toBe(
      saved,
    );
    expect(run.test.emitted).toEqual([
      expect.objectContaining({ externalId: before[0]!.externalId, status: 'succeeded' }),
      expect.objectContaining({
        kind: 'config',
        title: 'ConfigMap default/game-demo: changed player_initial_lives',
      }),
    ]);
  } finally {
    await run.stop();
  }
});

test('a watch cut mid-stream reconnects from its last resourceVersion: nothing missed, nothing twice', async () => {
  const deployment = seed();
  const state = new Map<string, unknown>();
  const run = runConnector(clusterOptions(fake, WATCH), state);
  try {
    await watching(fake, 2);
    fake.apply(withReplicas(deployment, 5), {
      manager: 'kube-controller-manager',
      subresource: 'scale',
    });
    await waitFor('the scale', () => run.test.emitted.length === 1);
    const watchesBefore = watchRequests().length;
    fake.dropWatches();
    // Changes while the connection is down are replayed from the history.
    fake.apply(withImage(withReplicas(deployment, 5), 'nginx:1.16.1'), { manager: 'kubectl-set' });
    await waitFor('the rollout after the reconnect', () => run.test.emitted.length === 2);
    await watching(fake, 2);
    const resumed = watchRequests().slice(watchesBefore);
    expect(resumed.length).toBeGreaterThanOrEqual(2);
    expect(resumed.every((r) => Number(r.query.resourceVersion) > 0)).toBe(true);
    expect(listRequests()).toHaveLength(2);
    expect(ids(run.test.emitted)).toHaveLength(2);
    expect(run.test.emitted.map((e) => e.kind)).toEqual(['scale', 'deploy']);
  } finally {
    await run.stop();
  }
});

describe.each(['frame', 'status'] as const)('410 Gone answered as %s', (expiredAs) => {
  test('after downtime the connector relists and records exactly what changed, deletions included, with zero duplicates', async () => {
    fake.expiredAs = expiredAs;
    const deployment = seed();
    const other = fake.apply({
      ...gameDemoConfigMap(),
      metadata: { name: 'feature-flags', namespace: 'default' },
      data: { beta: 'off' },
    });
    const state = new Map<string, unknown>();
    const first = await firstRunWithRollout(deployment, state);

    // Away long enough for etcd to compact the history the saved position points into.
    const configMap = gameDemoConfigMap();
    configMap.data = { ...configMap.data, 'game.properties': 'enemy.types=aliens\n' };
    delete configMap.data.ui_properties_file_name;
    fake.apply(configMap, { manager: 'kubectl-edit' });
    fake.delete('ConfigMap', 'default', other.metadata!.name!);
    fake.compact();

    const { logger, lines } = capturingLogger();
    const run = runConnector(clusterOptions(fake, WATCH), state, logger);
    try {
      await waitFor('the changes found by the relist', () => run.test.emitted.length === 2);
      await watching(fake, 2);
      expect(run.test.emitted).toEqual([
        expect.objectContaining({
          kind: 'config',
          title:
            'ConfigMap default/game-demo: changed game.properties; removed ui_properties_file_name',
        }),
        expect.objectContaining({
          kind: 'config',
          title: 'ConfigMap default/feature-flags deleted',
        }),
      ]);
      // The rollout recorded before the downtime is not recorded again.
      expect(ids([...first, ...run.test.emitted])).toHaveLength(3);
      expect(lines.some((line) => line.includes('410 Gone'))).toBe(true);

      // And while running: an expired watch relists with nothing new to record.
      const emitted = run.test.emitted.length;
      const lists = listRequests().length;
      fake.expireWatches();
      await waitFor('the relist', () => listRequests().length >= lists + 2);
      await watching(fake, 2);
      expect(run.test.emitted).toHaveLength(emitted);
    } finally {
      await run.stop();
    }
  });
});

test('a server that refuses (403) is retried with backoff and shown as failing until it answers', async () => {
  seed();
  fake.failWith = 403;
  const { logger, lines } = capturingLogger();
  const run = runConnector(clusterOptions(fake, WATCH), new Map(), logger);
  try {
    await waitFor('a few retries', () => fake.requests.length >= 6);
    const health = run.test.health.at(-1);
    expect(health).toMatchObject({ message: 'listing: 0 of 2 collections read, 2 failing' });
    expect(lines.some((line) => line.includes('answered 403 (Forbidden)'))).toBe(true);
    fake.failWith = undefined;
    await watching(fake, 2);
    await waitFor('healthy', () =>
      run.test.health.at(-1)?.message === 'watching 2 collections in 1 cluster' ? true : undefined,
    );
  } finally {
    await run.stop();
  }
});

test('conformance: idle, and watching the fake cluster', async () => {
  await checkConformance(definition);
  seed();
  await checkConformance(definition, { config: clusterOptions(fake), settleMs: 150 });
});
