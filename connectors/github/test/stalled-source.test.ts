// A GitHub API that accepts connections and never answers (a hung proxy, a partition) must not
// hold the poller: its requests are cut by the request timeout, the connector reports the
// failure, and another connector in the same collector keeps polling its own GitHub meanwhile.
import { createServer, type Server, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import {
  createTestDatabase,
  startCollector,
  type Db,
  type TestDatabase,
} from '@painchain/collector/testing';
import { createGithubConnectorDefinition } from '../src/github-connector.js';
import { FakeGithub } from './fake-github.js';
import { SEEDED_KINDS, seedApi, seedWeb, TOKEN } from './github-seed.js';

const definition = createGithubConnectorDefinition({
  retryAfterBaseValueMs: 5,
  requestTimeoutMs: 300,
  retries: 1,
});
const seeded = Object.values(SEEDED_KINDS).reduce((a, b) => a + b, 0);

type Status = { name: string; health: { lastSyncAt: string | null; message: string | null } };

describe('a GitHub that never answers, beside one that does', () => {
  let database: TestDatabase;
  let db: Db;
  let fake: FakeGithub;
  let silent: Server;
  let silentUrl: string;
  const held: Socket[] = [];
  let app: FastifyInstance | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    db = await database.open();
    fake = await FakeGithub.start({ token: TOKEN });
    seedApi(fake);
    seedWeb(fake);
    // Accepts every connection and reads the request, but never writes a byte back.
    silent = createServer((socket) => {
      held.push(socket);
      socket.on('error', () => undefined);
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => silent?.close(() => resolve()));
    await fake?.close();
    await db?.close();
    await database?.drop();
  });

  test('the stalled one reports a timeout; the other stores its whole backfill meanwhile', async () => {
    const repositories = [{ repo: 'api', service: 'api' }, { repo: 'web' }];
    const t = await startCollector(
      db,
      {
        connectors: [
          {
            name: 'github-hung',
            type: 'github',
            options: { baseUrl: silentUrl, token: '${GITHUB_TOKEN}', owner: 'acme', repositories },
          },
          {
            name: 'github-ok',
            type: 'github',
            options: { baseUrl: fake.url, token: '${GITHUB_TOKEN}', owner: 'acme', repositories },
          },
        ],
      },
      { env: { GITHUB_TOKEN: TOKEN }, connectorTypes: [definition] },
    );
    app = t.app;

    const statuses = async () =>
      (await t.app.inject('/api/v1/connectors')).json().connectors as Status[];
    const deadline = Date.now() + 25_000;
    let hung: Status | undefined;
    let ok: Status | undefined;
    while (Date.now() < deadline) {
      const all = await statuses();
      hung = all.find((s) => s.name === 'github-hung');
      ok = all.find((s) => s.name === 'github-ok');
      // The hung one reports backfill progress first ("backfill: 1 of 2 repositories"): the
      // cycle's end is its failure line.
      if (ok?.health.lastSyncAt && hung?.health.message?.startsWith('failing')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(ok?.health.lastSyncAt).not.toBeNull();
    expect(await t.count()).toBe(seeded);
    // Held connections were given up: the hung GitHub saw requests and answered none.
    expect(held.length).toBeGreaterThan(0);
    expect(hung?.health.lastSyncAt).toBeNull();
    expect(hung?.health.message).toMatch(/cannot reach GitHub at .*: no answer within 300 ms/);
  });
});
