// The connector inside the real collector (runner, pipeline, store: PGlite and PostgreSQL) polls
// the fake GitHub: the backfill lands in the store, /api/v1/connectors shows the budget, and a
// restart of the collector resumes from the stored cursors with no missed and no duplicate
// change. Then the same connector as a standalone process, POSTing to the collector over HTTP.
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectorLogger } from '@painchain/sdk';
import { CollectorClient, fileState, runStandalone } from '@painchain/sdk/standalone';
import type { FastifyInstance } from 'fastify';
import {
  createTestDatabase,
  startCollector,
  STORE_KINDS,
  type Db,
  type TestDatabase,
} from '@painchain/collector/testing';
import { createGithubConnectorDefinition } from '../src/github-connector.js';
import { FakeGithub } from './fake-github.js';
import { ago, SEEDED_KINDS, seedApi, seedWeb, sha, TOKEN } from './github-seed.js';
import * as rest from './rest-fixtures.js';

const definition = createGithubConnectorDefinition({ retryAfterBaseValueMs: 5 });
const seeded = Object.values(SEEDED_KINDS).reduce((a, b) => a + b, 0);

const waitFor = async <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 20_000,
): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

type Status = {
  name: string;
  state: string;
  mode: string;
  health: {
    lastSyncAt: string | null;
    progress: unknown;
    details: Record<string, unknown>;
    message: string | null;
  };
};

const silent: ConnectorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

// The store's behaviour is the collector suites' subject (on both stores); here one store is
// enough: PostgreSQL when it runs, else PGlite. It stays open across collector restarts.
const kind = STORE_KINDS.at(-1)!;

interface Running {
  app: FastifyInstance;
  count(): Promise<number>;
  close(): Promise<void>;
}

describe(`GitHub polling inside the collector on ${kind}`, () => {
  let database: TestDatabase;
  let db: Db;
  let fake: FakeGithub;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await database.open();
    fake = await FakeGithub.start({ token: TOKEN });
    seedApi(fake);
    seedWeb(fake);
  });
  afterAll(async () => {
    await fake?.close();
    await db?.close();
    await database?.drop();
  });

  /** The collector on the shared store: `file` is painchain.yaml as an object. */
  const collector = async (
    file: Record<string, unknown>,
    env: Record<string, string> = {},
  ): Promise<Running> => startCollector(db, file, { env, connectorTypes: [definition] });

  const start = () =>
    collector(
      {
        connectors: [
          {
            name: 'github-acme',
            type: 'github',
            options: {
              baseUrl: fake.url,
              token: '${GITHUB_TOKEN}',
              owner: 'acme',
              repositories: [{ repo: 'api', service: 'api' }, { repo: 'web' }],
              pollIntervalSeconds: 3600,
            },
          },
        ],
      },
      { GITHUB_TOKEN: TOKEN },
    );

  const synced = (t: Running, after: string | null) =>
    waitFor('a finished poll', async () => {
      const connectors = (await t.app.inject('/api/v1/connectors')).json().connectors as Status[];
      const github = connectors.find((c) => c.name === 'github-acme');
      const at = github?.health.lastSyncAt ?? null;
      return at !== null && at !== after ? github : undefined;
    });

  test('backfill, then a restart that resumes from the stored cursors', async () => {
    let t = await start();
    let status: Status;
    try {
      status = await synced(t, null);
      expect(await t.count()).toBe(seeded);
      expect(status).toMatchObject({
        state: 'running',
        mode: 'in-process',
        health: {
          progress: null,
          message: 'polling 2 repositories',
          details: expect.objectContaining({ rateLimitRemaining: fake.remaining, failing: 0 }),
        },
      });
      const services = (await t.app.inject('/api/v1/facets/service')).json();
      expect(JSON.stringify(services)).toContain('"api"');
    } finally {
      await t.close();
    }

    const api = fake.repository('acme', 'api');
    const main = api.branches.get('main')!;
    main.unshift(
      rest.commit('acme', 'api', {
        sha: sha(4242),
        parents: [main[0]!.sha],
        message: 'after restart',
        date: ago(1000),
      }),
    );
    api.runs.find((r) => r.id === 5119)!.status = 'completed';
    api.tags.unshift(rest.tag('acme', 'api', 'v2.0.0', sha(4242)));

    const mark = fake.requests.length;
    t = await start();
    try {
      await synced(t, status.health.lastSyncAt);
      // Exactly the two new changes (the run's completion updates its event).
      expect(await t.count()).toBe(seeded + 2);
      const run = (await t.app.inject('/api/v1/events?kind=pipeline&q=%23120')).json().events;
      expect(run[0]).toMatchObject({ externalId: 'run:acme/api:5119:1', status: 'unknown' });
      // Resumed, not re-read: far fewer requests than the backfill needed.
      expect(fake.requests.length - mark).toBeLessThan(40);
    } finally {
      await t.close();
    }
  });

  test('a GitHub that cannot be reached shows as error with the cause: no lastSyncAt, no backfill done', async () => {
    // A port nothing listens on: every request fails before any answer (as DNS failures do).
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const t = await startCollector(
      db,
      {
        connectors: [
          {
            name: 'github-down',
            type: 'github',
            options: {
              baseUrl: `http://127.0.0.1:${closed}`,
              token: TOKEN,
              repositories: [{ owner: 'acme', repo: 'api' }],
              pollIntervalSeconds: 3600,
            },
          },
        ],
      },
      {
        connectorTypes: [createGithubConnectorDefinition({ retryAfterBaseValueMs: 1, retries: 0 })],
      },
    );
    try {
      const status = await waitFor('the failed poll', async () => {
        const connectors = (await t.app.inject('/api/v1/connectors')).json().connectors as Status[];
        const down = connectors.find((c) => c.name === 'github-down');
        return down?.state === 'error' ? down : undefined;
      });
      expect(status.health.lastSyncAt).toBeNull();
      expect(status.health.message).toMatch(
        new RegExp(
          `^failing: no repository could be read; acme/api: cannot reach GitHub at http://127\\.0\\.0\\.1:${closed}: `,
        ),
      );
      expect(status.health.message).not.toContain('UNKNOWN');
      // The backfill is not marked done: the next poll reads the window again.
      const { rows } = await db.query<{ key: string }>(
        "SELECT key FROM connector_state WHERE connector = 'github-down'",
      );
      expect(rows.map((r) => r.key)).not.toContain('backfill');
    } finally {
      await t.close();
    }
  });

  test('as a standalone process: events POSTed to the collector, registered by heartbeat', async () => {
    const t = await collector({});
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.server.address() as AddressInfo).port;
    expect(address).toContain(String(port));
    const controller = new AbortController();
    const before = await t.count();
    const stateFile = join(await mkdtemp(join(tmpdir(), 'painchain-standalone-')), 'state.json');
    fake.repository('acme', 'solo');
    seedSolo(fake);
    const running = runStandalone({
      definition,
      name: 'github-solo',
      options: {
        baseUrl: fake.url,
        token: TOKEN,
        repositories: [{ owner: 'acme', repo: 'solo' }],
        events: ['push'],
      },
      collector: new CollectorClient({ url: `http://127.0.0.1:${port}` }),
      state: fileState(stateFile),
      logger: silent,
      signal: controller.signal,
      heartbeatSeconds: 5,
    });
    try {
      const solo = await waitFor('the standalone heartbeat with a finished poll', async () => {
        const connectors = (await t.app.inject('/api/v1/connectors')).json().connectors as Status[];
        const found = connectors.find((c) => c.name === 'github-solo');
        return found?.health.lastSyncAt ? found : undefined;
      });
      expect(solo).toMatchObject({ mode: 'standalone', state: 'running' });
      expect(await t.count()).toBe(before + 3);
    } finally {
      controller.abort();
      await running;
      await t.close();
    }
    const again = await collector({});
    const connectors = (await again.app.inject('/api/v1/connectors')).json().connectors as Status[];
    await again.close();
    expect(connectors.find((c) => c.name === 'github-solo')).toMatchObject({ state: 'stopped' });
  });
});

function seedSolo(fake: FakeGithub) {
  const solo = fake.repository('acme', 'solo');
  const commits = [0, 1, 2].map((n) =>
    rest.commit('acme', 'solo', {
      sha: sha(n, 's'),
      parents: n === 0 ? [] : [sha(n - 1, 's')],
      message: `solo ${n}`,
      date: ago((3 - n) * 60_000),
    }),
  );
  solo.branches.set('main', commits.reverse());
}
