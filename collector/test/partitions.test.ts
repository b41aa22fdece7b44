// The change table partitioned by month (migration 006, decision 019), on PGlite and PostgreSQL:
// the storage job creates months ahead and for changes waiting in the default partition, drops
// whole months that every tenant's retention has passed, deletes the rest row by row per tenant;
// keys stay unique whichever partition a change is in, also when an update moves it to another
// month. Time is injected into the job (its own runs and its schedule), never waited for.
import { migrate, readMigrations } from '../src/store/migrate.js';
import { RetentionJob } from '../src/store/retention-job.js';
import type { EventStore } from '../src/store/event-store.js';
import {
  anEvent,
  createTestDatabase,
  readEvents,
  startApp,
  STORE_KINDS,
  type Db,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const DAY_MS = 86_400_000;
const ACME = {
  name: 'acme-ci',
  tenant: 'acme',
  scopes: ['ingest', 'read'],
  token: 'acme-ci-secret-0123456789abcdef',
};
const GLOBEX = {
  name: 'globex-ci',
  tenant: 'globex',
  scopes: ['ingest', 'read'],
  token: 'globex-ci-secret-0123456789abcdef',
};
const as = (t: { token: string }) => ({ authorization: `Bearer ${t.token}` });

/** An instant of a month, UTC: (2026, 1) is the first of January 2026. */
const utc = (year: number, month: number, day = 1, hour = 0) =>
  new Date(Date.UTC(year, month - 1, day, hour));

const partitionNames = async (store: EventStore) => (await store.partitions()).map((p) => p.name);
const inDefault = async (db: Db) =>
  (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events_default')).rows[0]!.n;
const keyCount = async (db: Db) =>
  (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM event_keys')).rows[0]!.n;
/** Which partition holds each stored change, by title. */
const placement = async (db: Db) =>
  Object.fromEntries(
    (
      await db.query<{ title: string; part: string }>(
        'SELECT title, tableoid::regclass::text AS part FROM events ORDER BY title',
      )
    ).rows.map((r) => [r.title, r.part]),
  );

describe.each(STORE_KINDS)('partitioned change table on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;
  // The collector's clock for ingest: 2026-06-15, far enough from the test machine's own now
  // that every partition below is made by the test, not by the job's start-up run.
  const NOW = utc(2026, 6, 15, 12);
  const silent = { debug: () => undefined, info: () => undefined, error: () => undefined };
  const job = (retentionDays: number, tenantRetentionDays: Record<string, number> = {}) =>
    new RetentionJob({
      store: t.app.painchain.store,
      retentionDays,
      tenantRetentionDays,
      logger: silent,
    });

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(
      database,
      {
        auth: { tokens: [ACME, GLOBEX] },
        store: { retentionDays: 400, tenantRetentionDays: { globex: 40 } },
        ingest: { allowFutureTimestamps: true },
      },
      { now: () => NOW },
    );
    // The start-up run (at the machine's real time) is over before the test begins.
    await t.app.painchain.retention.stop();
  });
  afterEach(async () => {
    await t?.close();
    await database?.drop();
  });

  const post = async (token: { token: string }, events: Record<string, unknown>[]) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: as(token),
      payload: events,
    });
    // 201 when something was created, 200 when all were updates or repeats.
    expect([200, 201]).toContain(res.statusCode);
    return res.json() as { ids: string[]; created: number; updated: number; unchanged: number };
  };

  test('a run creates this month and the next two, and the months waiting in the default partition', async () => {
    const { ids } = await post(ACME, [
      anEvent({ title: 'march', externalId: 'm', timestamp: utc(2026, 3, 10).toISOString() }),
      anEvent({ title: 'june', externalId: 'j', timestamp: utc(2026, 6, 14).toISOString() }),
      anEvent({ title: 'far future', externalId: 'f', timestamp: utc(2030, 1, 2).toISOString() }),
    ]);
    // No partition of those months yet: the default partition holds them, and they read back.
    expect(await inDefault(t.db)).toBe(3);
    expect(
      (
        await readEvents(
          t.app,
          { from: '2026-01-01T00:00:00Z', to: '2031-01-01T00:00:00Z' },
          as(ACME),
        )
      ).map((e) => e.title),
    ).toEqual(['far future', 'june', 'march']);

    const run = await job(400).run(NOW);
    expect(run.created).toEqual(
      expect.arrayContaining([
        'events_2026_06',
        'events_2026_07',
        'events_2026_08',
        'events_2026_03',
        'events_2030_01',
      ]),
    );
    expect(await partitionNames(t.app.painchain.store)).toEqual(
      expect.arrayContaining([
        'events_2026_03',
        'events_2026_06',
        'events_2026_07',
        'events_2026_08',
        'events_2030_01',
      ]),
    );
    expect(await placement(t.db)).toEqual({
      'far future': 'events_2030_01',
      june: 'events_2026_06',
      march: 'events_2026_03',
    });
    expect(await inDefault(t.db)).toBe(0);
    // Moved, not copied: the same ids, one row and one key each, and updates still find them.
    const read = await readEvents(
      t.app,
      { from: '2026-01-01T00:00:00Z', to: '2031-01-01T00:00:00Z' },
      as(ACME),
    );
    expect(read.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(await keyCount(t.db)).toBe(3);
    const again = await post(ACME, [
      anEvent({
        title: 'march',
        externalId: 'm',
        status: 'failed',
        timestamp: utc(2026, 3, 10).toISOString(),
      }),
    ]);
    expect(again).toMatchObject({ ids: [ids[0]], created: 0, updated: 1 });
    expect(await t.count()).toBe(3);

    // A second run at the same time finds nothing to do.
    expect(await job(400).run(NOW)).toEqual({ removed: 0, created: [], dropped: [] });
  });

  test('an update with an earlier start moves the change to its month; its key follows', async () => {
    /** One rollout's states: started and last updated at these instants. */
    const rollout = (fields: Record<string, unknown>, started: Date, updated: Date) =>
      anEvent({
        title: 'rollout',
        externalId: 'r',
        ...fields,
        timestamp: started.toISOString(),
        updatedAt: updated.toISOString(),
      });
    const first = await post(ACME, [
      rollout({ status: 'in_progress' }, utc(2026, 6, 1, 2), utc(2026, 6, 1, 2)),
    ]);
    await job(400).run(NOW);
    expect(await placement(t.db)).toEqual({ rollout: 'events_2026_06' });
    await job(400).run(utc(2026, 5, 20));
    // The same rollout, now known to have started in May.
    const moved = await post(ACME, [
      rollout({ status: 'succeeded' }, utc(2026, 5, 31, 23), utc(2026, 6, 1, 3)),
    ]);
    expect(moved).toMatchObject({ ids: first.ids, updated: 1 });
    expect(await placement(t.db)).toEqual({ rollout: 'events_2026_05' });
    const { rows } = await t.db.query<{ ts: Date }>(
      "SELECT ts FROM event_keys WHERE external_id = 'r'",
    );
    expect(rows.map((r) => r.ts.toISOString())).toEqual([utc(2026, 5, 31, 23).toISOString()]);
    // Later writes of the key find it where it went: an update, an unchanged repeat, no second row.
    const done = rollout(
      { status: 'succeeded', description: 'done' },
      utc(2026, 6, 1, 2),
      utc(2026, 6, 1, 4),
    );
    const later = await post(ACME, [done]);
    expect(later).toMatchObject({ ids: first.ids, updated: 1 });
    const repeat = await post(ACME, [done]);
    expect(repeat).toMatchObject({ ids: first.ids, unchanged: 1 });
    expect(await t.count()).toBe(1);
    const [stored] = await readEvents(
      t.app,
      { from: '2026-05-01T00:00:00Z', to: '2026-07-01T00:00:00Z' },
      as(ACME),
    );
    expect(stored).toMatchObject({
      id: first.ids[0],
      status: 'succeeded',
      description: 'done',
      timestamp: utc(2026, 5, 31, 23).toISOString(),
    });
  });

  test('retention drops the months every tenant is done with and deletes the rest per tenant', async () => {
    // acme keeps 400 days (store.retentionDays), globex 40 (its own).
    const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY_MS).toISOString();
    await post(ACME, [
      anEvent({ title: 'acme 370 days', externalId: 'a370', timestamp: daysAgo(370) }),
      anEvent({ title: 'acme 60 days', externalId: 'a60', timestamp: daysAgo(60) }),
      anEvent({ title: 'acme 1 day', externalId: 'a1', timestamp: daysAgo(1) }),
    ]);
    await post(GLOBEX, [
      anEvent({ title: 'globex 60 days', externalId: 'g60', timestamp: daysAgo(30) }),
      anEvent({ title: 'globex 1 day', externalId: 'g1', timestamp: daysAgo(1) }),
    ]);
    // Its own retention refuses what it would delete at once, naming the setting.
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: as(GLOBEX),
      payload: [anEvent({ externalId: 'g50', timestamp: daysAgo(50) })],
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('store.tenantRetentionDays.globex');
    const first = await job(400, { globex: 40 }).run(NOW);
    expect(first.removed).toBe(0);
    expect(first.dropped).toEqual([]);

    // Twenty days later: globex's 30-day-old change is past its 40 days; acme keeps all.
    const later = new Date(NOW.getTime() + 20 * DAY_MS);
    const second = await job(400, { globex: 40 }).run(later);
    expect(second).toMatchObject({ removed: 1, dropped: [] });
    expect(Object.keys(await placement(t.db))).toEqual([
      'acme 1 day',
      'acme 370 days',
      'acme 60 days',
      'globex 1 day',
    ]);

    // Sixty days after that, acme's oldest month is past 400 days for everyone: it is dropped
    // whole, with its keys — the same change sent again is a new one, not "unchanged".
    const muchLater = new Date(later.getTime() + 60 * DAY_MS);
    const oldMonth = `events_${daysAgo(370).slice(0, 4)}_${daysAgo(370).slice(5, 7)}`;
    const third = await job(400, { globex: 40 }).run(muchLater);
    expect(third.dropped).toContain(oldMonth);
    expect(third.removed).toBe(2); // acme 370 days (dropped with its month) and globex 1 day
    expect(await partitionNames(t.app.painchain.store)).not.toContain(oldMonth);
    expect(Object.keys(await placement(t.db))).toEqual(['acme 1 day', 'acme 60 days']);
    expect(await keyCount(t.db)).toBe(2);
    const resent = await post(ACME, [
      anEvent({ title: 'acme 370 days', externalId: 'a370', timestamp: daysAgo(370) }),
    ]);
    expect(resent).toMatchObject({ created: 1 });
  });

  test('the scheduled runs follow the injected clock: months appear ahead and old ones go', async () => {
    const clock = { now: utc(2026, 6, 15) };
    await post(ACME, [
      anEvent({ title: 'june', externalId: 'j', timestamp: utc(2026, 6, 14).toISOString() }),
    ]);
    const scheduled = new RetentionJob({
      store: t.app.painchain.store,
      retentionDays: 60,
      logger: silent,
      intervalMs: 20,
      now: () => clock.now,
    });
    const waitFor = async (ok: () => Promise<boolean>) => {
      for (let i = 0; i < 500 && !(await ok()); i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(await ok()).toBe(true);
    };
    scheduled.start();
    try {
      await waitFor(async () =>
        (await partitionNames(t.app.painchain.store)).includes('events_2026_08'),
      );
      clock.now = utc(2026, 10, 2);
      // October: December is ahead now; June ended more than 60 days ago and is gone with its change.
      await waitFor(async () => {
        const names = await partitionNames(t.app.painchain.store);
        return names.includes('events_2026_12') && !names.includes('events_2026_06');
      });
      expect(await t.count()).toBe(0);
    } finally {
      await scheduled.stop();
    }
  });
  if (kind === 'postgres')
    test('a change deleted while its month moves out of the default partition stays deleted', async () => {
      const { ids } = await post(ACME, [
        anEvent({ title: 'march', externalId: 'm', timestamp: utc(2026, 3, 10).toISOString() }),
      ]);
      expect(await inDefault(t.db)).toBe(1);
      // Another connection deletes it as the API does (key first) and holds its transaction
      // open while the storage job creates March's partition.
      const other = await database.open();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let deleted!: () => void;
      const hasDeleted = new Promise<void>((resolve) => (deleted = resolve));
      const deleting = other.transaction(async (tx) => {
        await tx.query("DELETE FROM event_keys WHERE tenant = 'acme' AND external_id = 'm'");
        await tx.query('DELETE FROM events WHERE id = $1', [ids[0]]);
        deleted();
        await held;
      });
      try {
        await hasDeleted;
        const moving = t.app.painchain.store.ensurePartition(utc(2026, 3, 10));
        await new Promise((resolve) => setTimeout(resolve, 300));
        release();
        await deleting;
        expect(await moving).toBe('events_2026_03');
      } finally {
        release();
        await deleting.catch(() => undefined);
        await other.close();
      }
      expect(await t.count()).toBe(0);
      expect(await keyCount(t.db)).toBe(0);
    });
});

describe.each(STORE_KINDS)('migration 006 on a store with changes, on %s', (kind) => {
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

  test('moves every stored change into its month, keys included; ingest goes on as before', async () => {
    const before = (await readMigrations()).filter((m) => m.version < 6);
    await migrate(db, before);
    await db.query(`
      INSERT INTO events (id, tenant, connector, external_id, kind, status, title, project, ts, updated_at, refs)
      SELECT gen_random_uuid(), 'default', 'ci', 'x' || i, 'deploy', 'succeeded', 'change ' || i,
             'acme/api', timestamptz '2026-01-20T00:00:00Z' + i * interval '9 days', NULL,
             jsonb_build_object('commit', md5(i::text))
        FROM generate_series(1, 20) AS i`);
    const old = (
      await db.query<{ id: string; ts: Date; links: string[] }>(
        'SELECT id, ts, links FROM events ORDER BY ts',
      )
    ).rows;

    expect(await migrate(db)).toEqual([
      '006_partitioned_events',
      '007_write_function',
      '008_facet_counts',
    ]);
    const now = (
      await db.query<{ id: string; ts: Date; links: string[]; part: string }>(
        'SELECT id, ts, links, tableoid::regclass::text AS part FROM events ORDER BY ts',
      )
    ).rows;
    expect(now.map(({ id, ts, links }) => ({ id, ts, links }))).toEqual(old);
    for (const row of now)
      expect(row.part).toBe(
        `events_${row.ts.toISOString().slice(0, 4)}_${row.ts.toISOString().slice(5, 7)}`,
      );
    expect(await keyCount(db)).toBe(20);

    const t = await import('../src/testing/index.js').then(({ startCollector }) =>
      startCollector(
        db,
        { ingest: { allowFutureTimestamps: true } },
        { now: () => utc(2026, 3, 1) },
      ),
    );
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        payload: [
          anEvent({
            externalId: 'x3',
            title: 'change 3',
            status: 'failed',
            timestamp: '2026-02-17T00:00:00Z',
          }),
        ],
      });
      expect(res.json()).toMatchObject({ created: 0, updated: 1, ids: [old[2]!.id] });
      expect(await t.count()).toBe(20);
    } finally {
      await t.close();
    }
  });
});
