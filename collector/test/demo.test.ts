// `npm run demo`: the sample week in a real collector on both stores (what it holds, the story's
// drilldown, replacing and removing it), and the built command as a user runs it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChangeEvent } from '@painchain/sdk';
import { DEFAULT_ALERT_LABELS, DEFAULT_TENANT } from '../src/config/config-schema.js';
import { fillDemoData, removeDemoData } from '../src/sample/demo-data.js';
import { EventStore } from '../src/store/event-store.js';
import { PGliteDb } from '../src/store/pglite-db.js';
import { DEMO_SPAN_MS, DEMO_TAG, DEMO_TITLE_PREFIX } from '../src/sample/demo-history.js';
import {
  anEvent,
  createTestDatabase,
  readEvents,
  STORE_KINDS,
  startApp,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const DAY = 86_400_000;

describe.each(STORE_KINDS)('the demo history on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;
  const now = new Date();
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(database);
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  test('fills a fresh store with a week of changes from several sources and kinds, each marked as demo data', async () => {
    const filled = await fillDemoData(t.app.painchain, DEFAULT_TENANT, DEFAULT_ALERT_LABELS, now);
    const events = await readEvents(t.app, { limit: 1000 });
    expect(events).toHaveLength(filled.stored);
    expect(filled.stored).toBeGreaterThan(1000);
    expect(filled.replaced).toBe(0);

    for (const event of events) {
      expect(event.title.startsWith(DEMO_TITLE_PREFIX)).toBe(true);
      expect(event.tags).toContain(DEMO_TAG);
    }
    const times = events.map((e) => Date.parse(e.timestamp));
    expect(Math.max(...times)).toBeLessThanOrEqual(now.getTime());
    expect(Math.min(...times)).toBeGreaterThanOrEqual(now.getTime() - DEMO_SPAN_MS);
    // Every day of the week has changes, not one burst.
    const days = new Set(times.map((time) => Math.floor((now.getTime() - time) / DAY)));
    expect(days.size).toBe(7);

    const connectors = new Set(events.map((e) => e.connector));
    for (const c of ['github', 'gitlab', 'kubernetes', 'argocd', 'ci', 'grafana']) {
      expect(connectors).toContain(c);
    }
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of ['push', 'merge', 'pipeline', 'deploy', 'rollback', 'config', 'alert']) {
      expect(kinds).toContain(k);
    }

    const rollout = events.find((e) => e.id === filled.rolloutId)!;
    expect(rollout).toMatchObject({
      kind: 'deploy',
      status: 'failed',
      service: 'payments',
      environment: 'production',
    });
    const alert = events.find((e) => e.id === filled.alertId)!;
    expect(alert).toMatchObject({
      kind: 'alert',
      status: 'started',
      connector: 'grafana',
      service: 'payments',
      environment: 'production',
    });
    expect(alert.title).toBe(
      '[demo] Firing: PaymentsHighErrorRate — payments 5xx rate above 5% for 5 minutes',
    );
    // Minutes after the rollout gave up, and recent enough for a dashboard's last hour.
    const gap = Date.parse(alert.timestamp) - Date.parse(rollout.endTimestamp!);
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThan(15 * 60_000);
    expect(now.getTime() - Date.parse(alert.timestamp)).toBeLessThan(3_600_000);
  });

  test("the alert's suspects rank the failed rollout first, with the code it shipped behind it; its chain runs from the push", async () => {
    const [alert] = await readEvents(t.app, { kind: 'alert', connector: 'grafana' });
    const answer = (await t.app.inject(`/api/v1/suspects?alert=${alert!.id}`)).json<{
      verdict: string;
      suspects: { event: ChangeEvent; reasons: string[]; via?: { id: string } }[];
    }>();
    expect(answer.verdict).toBe('suspects');
    const [first, ...rest] = answer.suspects;
    expect(first!.event).toMatchObject({ kind: 'deploy', status: 'failed', service: 'payments' });
    expect(first!.reasons).toEqual(expect.arrayContaining(['same service: payments', 'it failed']));
    const shipped = rest.filter((s) => s.via?.id === first!.event.id).map((s) => s.event.kind);
    expect(shipped).toEqual(expect.arrayContaining(['merge', 'pipeline', 'push']));

    const chain = (await t.app.inject(`/api/v1/events/${first!.event.id}/chain`)).json<{
      events: ChangeEvent[];
    }>();
    expect(chain.events.map((e) => `${e.connector} ${e.kind} ${e.environment ?? ''}`)).toEqual([
      'github push ',
      'github pull_request ',
      'github merge ',
      'github pipeline ',
      'argocd deploy staging',
      'kubernetes deploy production',
    ]);
  });

  test('running it again replaces the week without duplicates; removing deletes exactly the sample changes, twice over', async () => {
    const mine = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: [
        anEvent({ title: '[demo] my own change', tags: [DEMO_TAG], externalId: 'mine-1' }),
        anEvent({ title: 'a real deploy' }),
      ],
    });
    expect(mine.statusCode).toBe(201);
    const before = await t.count();

    const again = await fillDemoData(t.app.painchain, DEFAULT_TENANT, DEFAULT_ALERT_LABELS);
    expect(again.replaced).toBe(again.stored);
    expect(await t.count()).toBe(before);

    const removed = await removeDemoData(t.app.painchain.store, DEFAULT_TENANT);
    expect(removed).toBe(again.stored);
    // Changes that carry only some of the marks are someone's own: they stay.
    expect((await readEvents(t.app)).map((e) => e.title).sort()).toEqual([
      '[demo] my own change',
      'a real deploy',
    ]);
    expect(await removeDemoData(t.app.painchain.store, DEFAULT_TENANT)).toBe(0);
    expect(await t.count()).toBe(2);
  });
});

const DEMO = fileURLToPath(new URL('../dist/src/demo.js', import.meta.url));
const MAIN = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
const builtRun = existsSync(DEMO) ? describe : describe.skip;
if (!existsSync(DEMO)) console.warn(`*** ${DEMO} not built: run npm test (it builds first) ***`);

/** A built command on `dataDir` with JSON logs (its output is a pipe), on a free port. */
function runCommand(script: string, args: string[], dataDir: string) {
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH ?? '', PAINCHAIN_PORT: '0', PAINCHAIN_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const take = (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean));
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  /** The URL it listens on, once it does. */
  const listening = async (): Promise<string> => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null) {
      const line = lines.find((l) => l.includes('"url"') && l.includes('listening on'));
      if (line) return (JSON.parse(line) as { url: string }).url;
      await new Promise((res) => setTimeout(res, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`did not start listening:\n${lines.join('\n')}`);
  };
  return { child, lines, exited, listening };
}

const getJson = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>;

/** What `npm start` on `dataDir` shows: how many sample changes, and the titles of the others. */
async function whatStartShows(dataDir: string) {
  const run = runCommand(MAIN, [], dataDir);
  const url = await run.listening();
  const tags = await getJson<{ values: { value: string; count: number }[] }>(
    `${url}/api/v1/facets/tag?limit=1000`,
  );
  const all = await getJson<{ events: ChangeEvent[] }>(`${url}/api/v1/events?limit=1000`);
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
  return {
    sample: tags.values.find((v) => v.value === DEMO_TAG)?.count ?? 0,
    others: all.events.filter((e) => !e.tags?.includes(DEMO_TAG)).map((e) => e.title),
  };
}

builtRun('the npm run demo command', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'painchain-demo-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('fills the embedded store and starts the collector; npm start shows the sample afterwards; --remove takes out only the sample', async () => {
    const data = join(dir, 'data');
    const demo = runCommand(DEMO, [], data);
    const url = await demo.listening();
    const filled = JSON.parse(demo.lines.find((l) => l.includes('sample changes'))!) as {
      stored: number;
      alertId: string;
    };
    expect(filled.stored).toBeGreaterThan(1000);
    const suspects = await getJson<{ suspects: { event: ChangeEvent }[] }>(
      `${url}/api/v1/suspects?alert=${filled.alertId}`,
    );
    expect(suspects.suspects[0]!.event.title).toBe('[demo] Deploy payments 2.14.1 to production');
    const posted = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(anEvent({ title: 'posted while the demo ran' })),
    });
    expect(posted.status).toBe(201);
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);

    expect(await whatStartShows(data)).toEqual({
      sample: filled.stored,
      others: ['posted while the demo ran'],
    });

    const removal = runCommand(DEMO, ['--remove'], data);
    expect(await removal.exited).toBe(0);
    const said = removal.lines.join('\n');
    expect(said).toContain(`removed ${filled.stored} sample changes`);
    expect(said).not.toContain('listening on');
    // What is left in the folder, read straight from the store (one process start less).
    const db = await PGliteDb.open(data);
    try {
      const left = await new EventStore(db).list(DEFAULT_TENANT, {}, 100);
      expect(left.events.map((e) => e.title)).toEqual(['posted while the demo ran']);
    } finally {
      await db.close();
    }
    // Three starts of the embedded store (about 12 s here): room for a busy 2-core CI machine.
  }, 120_000);
});
