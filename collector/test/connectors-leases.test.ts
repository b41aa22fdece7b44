// Leases seen from the API, on both stores: two collectors (the real app, in this process) on one
// database run a polling connector; each polls its share of the targets, GET /api/v1/connectors
// on either shows the same holders, and a collector that stops hands its targets to the other.
import {
  PollScheduler,
  type ConnectorDefinition,
  type PollSource,
  type PollTarget,
} from '@painchain/sdk';
import { Type } from 'typebox';
import { ConfigError } from '../src/config/config-error.js';
import { createConfig } from '../src/config/load-config.js';
import {
  createTestDatabase,
  startCollector,
  STORE_KINDS,
  type Db,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const TARGETS = ['acme/api', 'acme/web'];

/** A stand-in for a polling connector package: it polls two targets and notes who polled what. */
const polls: string[] = [];
const poller: ConnectorDefinition = {
  type: 'poller',
  description: 'test connector that polls two targets',
  kinds: ['other'],
  configSchema: Type.Object({}),
  defaultConfig: () => ({}),
  create: (ctx) => {
    const source: PollSource<string, number> = {
      unit: { one: 'target', other: 'targets' },
      targets: async (): Promise<PollTarget<string>[]> =>
        TARGETS.map((key) => ({ key, label: key, value: key })),
      poll: async (target, poll) => {
        polls.push(`${ctx.leases?.holder} ${target}`);
        await poll.checkpoint((poll.cursor ?? 0) + 1);
      },
    };
    return { run: () => new PollScheduler({ source, ctx, intervalMs: 200 }).run() };
  },
};

interface Lease {
  source: string;
  replica: string | null;
  acquiredAt: string | null;
  expiresAt: string | null;
}
interface Listed {
  replica: string;
  connectors: { name: string; leases?: Lease[]; health: { message: string | null } }[];
}

const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000) => {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe.each(STORE_KINDS)('leases on /api/v1/connectors on %s', (kind) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await database.open();
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const start = (replicaId: string) =>
    startCollector(
      db,
      {
        // Renewals and claims every ~0.7 s.
        server: { replicaId, leaseTtlSeconds: 2 },
        connectors: [{ name: 'poll-1', type: 'poller' }],
      },
      { connectorTypes: [poller] },
    );
  const listed = async (t: TestApp) => (await t.app.inject('/api/v1/connectors')).json() as Listed;
  const leasesOf = async (t: TestApp) =>
    (await listed(t)).connectors.find((c) => c.name === 'poll-1')?.leases ?? [];

  test('each collector polls its share, both show the same holders, and a stopped one hands its targets over', async () => {
    const x = await start('replica-x');
    let xClosed = false;
    let y: TestApp | undefined;
    try {
      const alone = await waitFor('replica-x holding both targets', async () => {
        const leases = await leasesOf(x);
        return leases.length === 2 && leases.every((l) => l.replica === 'replica-x')
          ? leases
          : undefined;
      });
      expect((await listed(x)).replica).toBe('replica-x');
      expect(alone.map((l) => l.source)).toEqual(TARGETS);
      for (const lease of alone) {
        expect(Date.parse(lease.expiresAt!)).toBeGreaterThan(Date.parse(lease.acquiredAt!));
      }

      y = await start('replica-y');
      const other = y;
      const shared = await waitFor('one target each', async () => {
        const leases = await leasesOf(x);
        const holders = leases.map((l) => l.replica).sort();
        return holders.join() === 'replica-x,replica-y' ? leases : undefined;
      });
      // Read from the store: the other collector shows the same.
      expect((await leasesOf(other)).map((l) => [l.source, l.replica])).toEqual(
        shared.map((l) => [l.source, l.replica]),
      );
      const ofY = shared.find((l) => l.replica === 'replica-y')!.source;
      await waitFor('replica-y polling its target', async () =>
        polls.includes(`replica-y ${ofY}`) ? true : undefined,
      );
      const status = (await listed(other)).connectors.find((c) => c.name === 'poll-1')!;
      expect(status.health.message).toBe('polling 1 target (1 more on other replicas)');

      // x stops: its target is free at once, and y takes it at its next claim.
      await x.close();
      xClosed = true;
      await waitFor('replica-y holding both', async () => {
        const leases = await leasesOf(other);
        return leases.every((l) => l.replica === 'replica-y') ? true : undefined;
      });
    } finally {
      await y?.close();
      if (!xClosed) await x.close();
    }
    // Both stopped: nobody holds anything.
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM source_leases WHERE holder IS NOT NULL AND expires_at > now()`,
    );
    expect(rows[0]!.n).toBe(0);
  });
});

describe('replica settings in painchain.yaml', () => {
  test('a replica id and a lease TTL are taken as given; a bad one stops start-up with its path', () => {
    expect(
      createConfig({ server: { replicaId: 'pod-a', leaseTtlSeconds: 5 } }).server,
    ).toMatchObject({ replicaId: 'pod-a', leaseTtlSeconds: 5 });
    let error: unknown;
    try {
      createConfig({ server: { replicaId: '', leaseTtlSeconds: 1 } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.path).sort()).toEqual([
      'server.leaseTtlSeconds',
      'server.replicaId',
    ]);
  });
});
