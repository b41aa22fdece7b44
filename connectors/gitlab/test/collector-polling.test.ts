// The connector inside the real collector (runner, pipeline, store) polling the fake GitLab: the
// backfill lands in the store and /api/v1/connectors shows the sync and the rate-limit budget;
// the collector restarts on the same store and resumes from its cursors — the news arrive,
// nothing arrives twice.
import {
  createTestDatabase,
  readEvents,
  startCollector,
  STORE_KINDS,
  type Db,
  type TestApp,
  type TestDatabase,
} from '@painchain/collector/testing';
import { createGitlabConnectorDefinition } from '../src/gitlab-connector.js';
import { FakeGitlab } from './fake-gitlab.js';
import { ago, commit, MINUTE, pipeline, push, seed, TOKEN } from './gitlab-seed.js';

// The store itself is the webhook suite's subject on both stores; one is enough here.
const kind = STORE_KINDS.at(-1)!;

interface ConnectorStatus {
  name: string;
  health: { lastSyncAt: string | null; details: Record<string, unknown>; message: string | null };
}

/** Asks until `probe` answers something, for at most `seconds`. */
async function eventually<T>(seconds: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let answer = await probe();
  while (answer === undefined) {
    if (Date.now() > deadline) throw new Error(`nothing after ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 40));
    answer = await probe();
  }
  return answer;
}

describe(`GitLab polling inside the collector on ${kind}`, () => {
  let database: TestDatabase;
  let db: Db;
  let fake: FakeGitlab;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await database.open();
    fake = await FakeGitlab.start({ token: TOKEN });
  });
  afterAll(async () => {
    await fake?.close();
    await db?.close();
    await database?.drop();
  });

  const boot = (): Promise<TestApp> =>
    startCollector(
      db,
      {
        connectors: [
          {
            name: 'gitlab-acme',
            type: 'gitlab',
            options: {
              host: fake.url,
              token: '${GITLAB_TOKEN}',
              projects: [{ path: 'acme/platform/api', service: 'api' }, { path: 'acme/web' }],
              pollIntervalSeconds: 3600,
            },
          },
        ],
      },
      {
        env: { GITLAB_TOKEN: TOKEN },
        connectorTypes: [createGitlabConnectorDefinition({ retryBaseMs: 5 })],
      },
    );

  /** The connector's status once a poll finished after `previous`. */
  const syncedAfter = (t: TestApp, previous: string | null) =>
    eventually(20, async () => {
      const { connectors } = (await t.app.inject('/api/v1/connectors')).json() as {
        connectors: ConnectorStatus[];
      };
      const mine = connectors.find((c) => c.name === 'gitlab-acme');
      const at = mine?.health.lastSyncAt ?? null;
      return at !== null && at !== previous ? mine : undefined;
    });

  test('backfill, restart, resume: every change stored once', async () => {
    const { api, web } = seed(fake);
    const first = await boot();
    const status = await syncedAfter(first, null);
    expect(status.health.message).toBe('polling 2 projects');
    expect(status.health.details).toMatchObject({
      rateLimitLimit: 2000,
      requests: expect.any(Number),
    });
    const backfilled = await first.count();
    // acme/platform/api: 130 commits, 105 MRs and 35 merges, 3 pipelines, 2 deployments,
    // 2 releases, 2 tags; acme/web: a commit and a pipeline.
    expect(backfilled).toBe(281);
    await first.close();

    push(api, 'main', commit(api, 'while the collector was down', ago(3 * MINUTE)));
    web.pipelines.push(pipeline(web, 3005, 'running', ago(2 * MINUTE), ago(MINUTE)));

    const second = await boot();
    try {
      await syncedAfter(second, null);
      expect(await second.count()).toBe(backfilled + 2);
      const news = await readEvents(second.app, {
        connector: 'gitlab',
        q: 'while the collector was down',
      });
      expect(news).toHaveLength(1);
      expect(news[0]).toMatchObject({ kind: 'push', service: 'api', refs: { branch: 'main' } });
      const [running] = await readEvents(second.app, {
        connector: 'gitlab',
        project: 'acme/web',
        kind: 'pipeline',
        status: 'in_progress',
      });
      expect(running).toMatchObject({ externalId: 'pipeline:acme/web:3005' });
    } finally {
      await second.close();
    }
  });
});
