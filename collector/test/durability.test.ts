// Nothing acknowledged is lost when the database goes away: the collector on the real
// PostgreSQL server, reached through a TCP proxy that the test cuts, blackholes and restores.
// Signed GitHub webhooks (the real connector, real example payloads) and batch ingests sent
// during the fault (a cut, a blackhole, a link slower than the statement timeout) are answered 202 from the durable spool, and each is stored exactly once
// when the store is back; reads answer 503 with Retry-After; the outage is logged once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { createGithubConnectorDefinition } from '@painchain/connector-github';
import { pino } from 'pino';
import {
  aGithubPush,
  anEvent,
  createTestDatabase,
  SKIPPED_KINDS,
  startCollector,
  TcpProxy,
  type Db,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';
import { PostgresDb } from '../src/store/postgres-db.js';

const SECRET = 'durability-webhook-secret';
const run = SKIPPED_KINDS.includes('postgres') ? describe.skip : describe;

async function sendWebhook(t: TestApp, payload: unknown) {
  const body = JSON.stringify(payload);
  return t.app.inject({
    method: 'POST',
    url: '/webhooks/github',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomBytes(8).toString('hex'),
      'x-hub-signature-256': await sign(SECRET, body),
    },
    payload: body,
  });
}

function batch(size: number, prefix: string) {
  return Array.from({ length: size }, (_, i) =>
    anEvent({ connector: 'ci', externalId: `${prefix}-${i}`, title: `${prefix} ${i}` }),
  );
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 25_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

run('the collector through a database outage (PostgreSQL behind a TCP proxy)', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let db: Db;
  let direct: Db;
  let spoolDir: string;
  let t: TestApp;
  const logs: string[] = [];

  /** externalId → times stored, read straight from the database (not through the collector). */
  async function storedCounts(): Promise<Map<string, number>> {
    const { rows } = await direct.query<{ external_id: string; n: number }>(
      'SELECT external_id, count(*)::int AS n FROM events GROUP BY external_id',
    );
    return new Map(rows.map((r) => [r.external_id, r.n]));
  }

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    direct = await database.open();
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(database.url!).port) });
    db = new PostgresDb(proxy.url(database.url!), 5, {
      statementTimeoutMs: 1000,
      connectTimeoutMs: 500,
    });
    spoolDir = await mkdtemp(join(tmpdir(), 'painchain-spool-'));
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    t = await startCollector(
      db,
      {
        store: { retentionDays: 36_500 },
        spool: { dir: spoolDir, apiLimitBytes: 512 * 1024 },
        connectors: [
          {
            name: 'github',
            type: 'github',
            options: { webhookSecret: '${GITHUB_WEBHOOK_SECRET}' },
          },
        ],
      },
      {
        connectorTypes: [createGithubConnectorDefinition()],
        env: { GITHUB_WEBHOOK_SECRET: SECRET },
        spool: true,
        spoolRetryMs: 50,
        logger: pino({ level: 'debug' }, sink),
      },
    );
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
    await proxy?.close();
    await direct?.close();
    await database?.drop();
    if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
  });

  test.each(['cut', 'blackhole', 'slow'] as const)(
    'a burst of signed webhooks and batch ingests during a %s: all acknowledged, each stored exactly once after the restore',
    async (fault) => {
      logs.length = 0;
      const before = await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        payload: batch(3, `${fault}-before`),
      });
      expect(before.statusCode).toBe(201);

      if (fault === 'cut') proxy.cut();
      else if (fault === 'blackhole') proxy.blackhole();
      // Every packet late by more than the statement timeout (1 s) plus pg's read margin (1 s).
      else proxy.slow(2500);

      const pushes = Array.from({ length: 25 }, () => aGithubPush());
      const batches = Array.from({ length: 8 }, (_, i) => batch(20, `${fault}-during-${i}`));
      const [hooks, ingests] = await Promise.all([
        Promise.all(pushes.map((push) => sendWebhook(t, push.payload))),
        Promise.all(
          batches.map((events) =>
            t.app.inject({ method: 'POST', url: '/api/v1/events', payload: { events } }),
          ),
        ),
      ]);
      const acknowledged: string[] = [];
      hooks.forEach((res, i) => {
        expect([res.statusCode, res.json()]).toEqual([
          202,
          expect.objectContaining({ status: 'spooled', spooled: 1 }),
        ]);
        acknowledged.push(pushes[i]!.externalId);
      });
      ingests.forEach((res, i) => {
        // A batch that reached the store before the fault showed is fine too: stored is stored.
        expect([201, 202]).toContain(res.statusCode);
        acknowledged.push(...batches[i]!.map((e) => String(e.externalId)));
      });
      expect(ingests.some((res) => res.statusCode === 202)).toBe(true);

      // The truth while it lasts: reads refused with Retry-After, readiness degraded (the spool
      // takes changes), the spool's depth on /readyz and /metrics.
      const read = await t.app.inject({ method: 'GET', url: '/api/v1/events' });
      expect(read.statusCode).toBe(503);
      expect(read.headers['retry-after']).toBe('5');
      expect(read.json()).toMatchObject({ error: 'store_unavailable' });
      const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({
        status: 'degraded',
        migrations: 'unknown',
        store: expect.stringContaining('postgres (unreachable'),
        spool: { records: expect.any(Number) },
      });
      expect(ready.json().spool.records).toBeGreaterThanOrEqual(25);
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/^painchain_store_up 0$/m);
      expect(metrics).toMatch(/^painchain_spool_records [1-9]\d*$/m);

      proxy.restore();
      await until(() => t.app.painchain.spool?.records === 0, 'the spool to drain');

      const counts = await storedCounts();
      for (const id of [...acknowledged, ...batch(3, `${fault}-before`).map((e) => e.externalId)])
        expect([id, counts.get(String(id))]).toEqual([id, 1]);
      expect(t.app.painchain.spool?.bytes).toBe(0);

      // One line when it went down, one when it came back; none per refused request.
      const said = (msg: string) => logs.filter((l) => l.includes(`"msg":"${msg}`));
      expect(said('store unreachable')).toHaveLength(1);
      expect(said('store reachable again')).toHaveLength(1);
      expect(logs.filter((l) => l.includes('"level":50'))).toEqual([]);
      const readyAfter = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(readyAfter.json()).toMatchObject({
        status: 'ready',
        migrations: 'applied',
        spool: { records: 0, bytes: 0 },
      });
    },
  );

  test('the ingest API spools up to spool.apiLimitBytes, then answers 503 with Retry-After; webhooks are still kept', async () => {
    proxy.cut();
    const small = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: batch(5, 'limit-small'),
    });
    expect(small.statusCode).toBe(202);
    const big = batch(1500, 'limit-big').map((e) => ({ ...e, description: 'x'.repeat(400) }));
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: { events: big },
    });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json()).toMatchObject({ error: 'store_unavailable' });
    const push = aGithubPush();
    expect((await sendWebhook(t, push.payload)).statusCode).toBe(202);

    proxy.restore();
    await until(() => t.app.painchain.spool?.records === 0, 'the spool to drain');
    const counts = await storedCounts();
    expect(counts.get(push.externalId)).toBe(1);
    expect(counts.get('limit-small-0')).toBe(1);
    expect(counts.has('limit-big-0')).toBe(false);
  });
});
