// Two replicas of the connector sharing one state and one lease table (the SDK test kit's, with
// the collector store's rules) over two fake clusters: each cluster is watched by the replica
// holding its lease, a replica that joins gets its share, one that stops hands its cluster over,
// and every change is recorded once, by whichever replica watched its cluster then.
import type { ChangeEventInput } from '@painchain/sdk';
import { createTestContext, MemoryLeases, type TestContext } from '@painchain/sdk/testkit';
import type { KubernetesConfig } from '../src/kubernetes-config.js';
import { FakeKubeApiServer } from './fake-kube-apiserver.js';
import { gameDemoConfigMap } from './kube-fixtures.js';
import { definition, waitFor } from './kube-test-helpers.js';

let prod: FakeKubeApiServer;
let stage: FakeKubeApiServer;
beforeEach(async () => {
  prod = await FakeKubeApiServer.start();
  stage = await FakeKubeApiServer.start();
  for (const fake of [prod, stage]) {
    fake.apply(gameDemoConfigMap(), { manager: 'kubectl-client-side-apply' });
  }
});
afterEach(async () => {
  await prod.close();
  await stage.close();
});

interface Replica {
  test: TestContext<KubernetesConfig>;
  stop(): Promise<void>;
}

function replica(name: string, leases: MemoryLeases, state: Map<string, unknown>): Replica {
  const options: KubernetesConfig = {
    clusters: [
      { name: 'prod', kubeconfigData: prod.kubeconfig() },
      { name: 'stage', kubeconfigData: stage.kubeconfig() },
    ],
    watch: ['configmaps'],
  };
  const test = createTestContext({ name, config: options, state, leases: leases.for(name) });
  const running = definition.create(test.ctx).run();
  return {
    test,
    stop: async () => {
      test.abort();
      await running;
    },
  };
}

/** Edits game-demo in a cluster: one `config` change. */
function edit(fake: FakeKubeApiServer, lives: string) {
  const configMap = gameDemoConfigMap();
  configMap.data = { ...configMap.data, player_initial_lives: lives };
  fake.apply(configMap, { manager: 'kubectl-edit' });
}

const lastMessage = (replica: Replica) => replica.test.health.at(-1)?.message;
const changesOf = (replica: Replica, cluster: string) =>
  replica.test.emitted.filter((event) => event.project.startsWith(`${cluster}/`));
const ids = (events: ChangeEventInput[]) => events.map((event) => event.externalId);

test('each cluster is watched by the replica holding its lease; a stopped replica hands its cluster over, and every change is recorded once', async () => {
  // Real time, short: renewals every 100 ms.
  const leases = new MemoryLeases({ ttlMs: 600, renewEveryMs: 100 });
  const state = new Map<string, unknown>();
  const a = replica('a', leases, state);
  let b: Replica | undefined;
  try {
    await waitFor('a watching both clusters', () =>
      lastMessage(a)?.startsWith('watching 2 collections in 2 clusters'),
    );
    expect([leases.holderOf('prod'), leases.holderOf('stage')]).toEqual(['a', 'a']);

    // b joins: a gives one cluster up once its watch stopped, b takes it.
    b = replica('b', leases, state);
    const joined = b;
    await waitFor('one cluster each', () =>
      [a, joined].every(
        (r) => lastMessage(r) === 'watching 1 collections in 1 cluster (1 more on other replicas)',
      ),
    );
    const holderOf = (cluster: string) => (leases.holderOf(cluster) === 'a' ? a : joined);
    expect(new Set([leases.holderOf('prod'), leases.holderOf('stage')])).toEqual(
      new Set(['a', 'b']),
    );

    edit(prod, '4');
    edit(stage, '4');
    await waitFor('both changes', () => a.test.emitted.length + joined.test.emitted.length === 2);
    expect(changesOf(holderOf('prod'), 'prod')).toHaveLength(1);
    expect(changesOf(holderOf('stage'), 'stage')).toHaveLength(1);

    // a stops: its cluster is free at once, and b watches both from the saved positions.
    await a.stop();
    expect([leases.holderOf('prod'), leases.holderOf('stage')]).not.toContain('a');
    await waitFor('b watching both clusters', () =>
      lastMessage(joined)?.startsWith('watching 2 collections in 2 clusters'),
    );
    const [ofA, ofB] = [a.test.emitted.length, joined.test.emitted.length];
    edit(prod, '5');
    edit(stage, '5');
    await waitFor('the two later changes, both by b', () => joined.test.emitted.length === ofB + 2);
    expect(a.test.emitted).toHaveLength(ofA);
    expect(changesOf(joined, 'prod').length).toBeGreaterThanOrEqual(1);
    expect(changesOf(joined, 'stage').length).toBeGreaterThanOrEqual(1);
    const all = ids([...a.test.emitted, ...joined.test.emitted]);
    expect(new Set(all).size).toBe(4);
    expect([...a.test.violations, ...joined.test.violations]).toEqual([]);
  } finally {
    await b?.stop();
    await a.stop();
  }
});
