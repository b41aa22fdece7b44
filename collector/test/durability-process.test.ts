// kill -9 of the collector process while the database is away and changes wait in the spool:
// after a restart, every change it acknowledged is stored exactly once and the spool is empty.
// The real command on the real PostgreSQL server, through a TCP proxy the test cuts.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  anEvent,
  createTestDatabase,
  SKIPPED_KINDS,
  TcpProxy,
  type Db,
  type TestDatabase,
} from '../src/testing/index.js';
import { MAIN, start, type Running } from './collector-process.js';

const run = existsSync(MAIN) && !SKIPPED_KINDS.includes('postgres') ? describe : describe.skip;

run('kill -9 with a non-empty spool', () => {
  let dir: string;
  let database: TestDatabase;
  let direct: Db;
  let proxy: TcpProxy;
  const running: Running[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'painchain-kill-'));
    database = await createTestDatabase('postgres');
    direct = await database.open();
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(database.url!).port) });
    await writeFile(
      join(dir, 'painchain.yaml'),
      'store:\n  statementTimeoutMs: 1000\n  connectTimeoutMs: 500\n',
    );
  });
  afterAll(async () => {
    for (const r of running) r.child.kill('SIGKILL');
    await proxy?.close();
    await direct?.close();
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('every acknowledged change is stored once after the restart, and the spool drains', async () => {
    const env = {
      DATABASE_URL: proxy.url(database.url!),
      PAINCHAIN_DATA_DIR: join(dir, 'data'),
    };
    const first = await start(['--config', join(dir, 'painchain.yaml')], env);
    running.push(first);
    proxy.cut();

    // Senders keep posting; the collector is killed while they do.
    const acknowledged: string[] = [];
    let sent = 0;
    let killed = false;
    const sender = async (lane: number) => {
      for (let i = 0; !killed; i += 1) {
        const ids = Array.from({ length: 1 + (i % 5) }, (_, k) => `lane${lane}-${i}-${k}`);
        sent += ids.length;
        try {
          const res = await fetch(`${first.url}/api/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(ids.map((externalId) => anEvent({ externalId }))),
          });
          if (res.status >= 200 && res.status < 300) acknowledged.push(...ids);
        } catch {
          return; // the process is gone: this one was never acknowledged
        }
      }
    };
    const senders = Array.from({ length: 8 }, (_, lane) => sender(lane));
    while (acknowledged.length < 200) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill('SIGKILL');
    killed = true;
    await first.exited;
    await Promise.all(senders);
    expect(sent).toBeGreaterThanOrEqual(acknowledged.length);
    expect((await direct.query('SELECT 1 FROM events')).rows).toHaveLength(0);

    proxy.restore();
    const second = await start(['--config', join(dir, 'painchain.yaml')], env);
    running.push(second);
    const deadline = Date.now() + 25_000;
    let ready: { spool?: { records: number } } = {};
    while (Date.now() < deadline) {
      ready = (await (await fetch(`${second.url}/readyz`)).json()) as typeof ready;
      if (ready.spool?.records === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ready.spool?.records).toBe(0);

    const { rows } = await direct.query<{ external_id: string; n: number }>(
      'SELECT external_id, count(*)::int AS n FROM events GROUP BY external_id',
    );
    const counts = new Map(rows.map((r) => [r.external_id, r.n]));
    const missing = acknowledged.filter((id) => counts.get(id) !== 1);
    expect(missing).toEqual([]);
    expect(second.logs.some((l) => l.includes('spool drained'))).toBe(true);
    second.child.kill('SIGTERM');
    await second.exited;
  });
});
