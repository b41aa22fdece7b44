// The hourly and daily facet counts (migration 008, decision 021), on PGlite and PostgreSQL: whatever
// happens to the changes — ingest, updates that change a status, a start moved to another hour
// or month, tags merged, a backfill moved out of the default partition, months dropped and
// changes deleted by retention, deletes by id, the table emptied — every facet over every kind of
// time range answers what counting the listed changes gives, with the writes in the facet log
// and once it is folded into the counts. On PostgreSQL also while writers and folds run at once.
import type { ChangeEvent } from '@painchain/sdk';
import { migrate, readMigrations } from '../src/store/migrate.js';
import { RetentionJob } from '../src/store/retention-job.js';
import {
  EventStore,
  FACET_FIELDS,
  FACET_LOG_VACUUM_ROWS,
  type FacetField,
} from '../src/store/event-store.js';
import {
  anEvent,
  createTestDatabase,
  type Db,
  readEvents,
  startApp,
  STORE_KINDS,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

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
const HOUR_MS = 3_600_000;
const utc = (month: number, day: number, hour = 0, minute = 0, ms = 0) =>
  new Date(Date.UTC(2026, month - 1, day, hour, minute) + ms);
const NOW = utc(6, 15, 12);
const silent = { debug: () => undefined, info: () => undefined, error: () => undefined };

type Query = Record<string, string | undefined>;

/**
 * The changes of 30 May to 2 June: across a month's end, at whole hours, at a millisecond before
 * one, a few minutes into one; every field with and without a value.
 */
function changes(prefix: string): Record<string, unknown>[] {
  const services = ['api', 'web', 'worker', undefined];
  const environments = ['prod', 'staging', undefined];
  const statuses = ['in_progress', 'succeeded', 'failed', undefined];
  const kinds = ['deploy', 'pipeline', 'merge', 'push'];
  return Array.from({ length: 48 }, (_, i) => {
    const at = new Date(utc(5, 30, 20).getTime() + i * 1.5 * HOUR_MS + (i % 3 === 1 ? -1 : 0));
    return anEvent({
      externalId: `${prefix}-${i}`,
      title: `change ${i}`,
      connector: i % 5 === 0 ? 'github' : 'ci',
      project: `acme/${i % 4 === 0 ? 'api' : 'web'}`,
      kind: kinds[i % kinds.length],
      service: services[i % services.length],
      environment: environments[i % environments.length],
      status: statuses[i % statuses.length],
      author: i % 6 === 0 ? undefined : `dev${i % 3}`,
      tags: i % 4 === 3 ? [] : [`team:${i % 2 ? 'core' : 'edge'}`, `region:eu${i % 3}`],
      timestamp: new Date(at.getTime() + (i % 7) * 60_000).toISOString(),
      updatedAt: at.toISOString(),
    });
  });
}

/** Time ranges of every shape a facet read can get. */
const RANGES: Query[] = [
  {},
  { from: utc(5, 30, 21, 30).toISOString(), to: utc(6, 2, 3, 30).toISOString() },
  { from: utc(5, 31).toISOString(), to: utc(6, 1).toISOString() },
  { from: utc(5, 31, 2, 0, 1).toISOString(), to: utc(6, 1, 4, 0, -1).toISOString() },
  { from: utc(6, 1, 0, 10).toISOString(), to: utc(6, 1, 0, 50).toISOString() },
  { from: utc(6, 1, 5, 20).toISOString() },
  { to: utc(5, 31, 9, 45).toISOString() },
  { from: utc(6, 1, 7).toISOString(), to: utc(6, 1, 7).toISOString() },
  // Another field's filter: counted from the changes, not the hourly counts.
  { from: utc(5, 31, 1, 30).toISOString(), to: utc(6, 2).toISOString(), environment: 'prod' },
  { tag: 'team:core' },
];

describe.each(STORE_KINDS)('facet counts on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(
      database,
      {
        auth: { tokens: [ACME, GLOBEX] },
        store: { retentionDays: 400 },
        ingest: { allowFutureTimestamps: true },
      },
      { now: () => NOW },
    );
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
    expect([200, 201]).toContain(res.statusCode);
    return res.json<{ ids: string[] }>();
  };

  const facet = async (field: FacetField, query: Query) => {
    const params = new URLSearchParams(
      Object.entries({ ...query, limit: '1000' }).filter((e): e is [string, string] => !!e[1]),
    );
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/facets/${field}?${params}`,
      headers: as(ACME),
    });
    expect(res.statusCode).toBe(200);
    const { values } = res.json<{ values: { value: string; count: number }[] }>();
    // Most frequent first.
    for (let i = 1; i < values.length; i++)
      expect(values[i]!.count).toBeLessThanOrEqual(values[i - 1]!.count);
    return Object.fromEntries(values.map((v) => [v.value, v.count]));
  };

  /** The facet as counting the listed changes gives it (the field's own filter left out). */
  const counted = async (field: FacetField, query: Query) => {
    const { [field]: _own, ...rest } = query;
    const listed: ChangeEvent[] = await readEvents(t.app, rest, as(ACME));
    const counts: Record<string, number> = {};
    for (const e of listed) {
      const values = field === 'tag' ? e.tags : [e[field]];
      for (const v of values) if (v != null) counts[v] = (counts[v] ?? 0) + 1;
    }
    return counts;
  };

  const expectExact = async (what: string) => {
    for (const query of RANGES)
      for (const field of FACET_FIELDS) {
        const [got, want] = [await facet(field, query), await counted(field, query)];
        if (
          JSON.stringify(Object.entries(got).sort()) !== JSON.stringify(Object.entries(want).sort())
        )
          throw new Error(
            `${what}: facet ${field} over ${JSON.stringify(query)}: ${JSON.stringify(got)} where the changes give ${JSON.stringify(want)}`,
          );
      }
  };
  const countRows = async (sql: string) =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0]!.n;
  /**
   * Folds until the log is empty (the collector's own fold may hold the lock for a moment), in
   * calls of 7 changes: the log is taken a part at a time, as after a backlog.
   */
  const foldAll = async () => {
    while ((await countRows('event_facet_log')) > 0) await t.app.painchain.store.foldFacetCounts(7);
  };
  /** Exact with the writes in the log, and again once they are folded into the counts. */
  const expectExactFolded = async (what: string) => {
    await expectExact(`${what} (logged)`);
    await foldAll();
    await expectExact(`${what} (folded)`);
    expect(await countRows('event_facet_counts WHERE n < 0')).toBe(0);
    expect(await countRows('event_facet_daily_counts WHERE n < 0')).toBe(0);
  };

  test('every facet over every range equals the listed changes, through updates, moves, retention, deletes and truncation', async () => {
    const acme = changes('a');
    const { ids } = await post(ACME, acme);
    // Another tenant's changes at the same hours and values count for it only.
    await post(GLOBEX, changes('g'));
    await expectExactFolded('ingested into the default partition');

    // The storage job gives May and June partitions of their own: the changes move, counted once.
    await new RetentionJob({
      store: t.app.painchain.store,
      retentionDays: 400,
      logger: silent,
    }).run(NOW);
    expect(await countRows('events_2026_05')).toBeGreaterThan(0);
    await expectExactFolded('moved out of the default partition');

    // Updates: a status that moves on, tags merged, a start moved an hour earlier and one moved
    // back across the month's end (to another partition), and a repeat that changes nothing.
    const later = (e: Record<string, unknown>, fields: Record<string, unknown>) => ({
      ...e,
      ...fields,
      updatedAt: new Date(Date.parse(String(e.updatedAt)) + 60_000).toISOString(),
    });
    await post(ACME, [
      later(acme[0]!, { status: 'succeeded' }),
      later(acme[4]!, { status: 'failed', tags: ['team:late'] }),
      later(acme[9]!, {
        timestamp: new Date(Date.parse(String(acme[9]!.timestamp)) - HOUR_MS).toISOString(),
      }),
      later(acme[20]!, { timestamp: utc(5, 30, 23, 15).toISOString(), service: 'moved' }),
      acme[30]!,
    ]);
    await expectExactFolded('after updates');

    // Retention at 2 June noon with one day kept: May's partition goes whole, June's first
    // twelve hours change by change.
    const run = await new RetentionJob({
      store: t.app.painchain.store,
      retentionDays: 1,
      logger: silent,
    }).run(utc(6, 2, 12));
    expect(run.dropped).toContain('events_2026_05');
    expect(run.removed).toBeGreaterThan(0);
    await expectExactFolded('after retention');
    expect(await countRows(`event_facet_counts WHERE hour < '2026-06-01T00:00:00Z'`)).toBe(0);
    expect(await countRows(`event_facet_daily_counts WHERE day < '2026-06-01T00:00:00Z'`)).toBe(0);
    // The hourly pass removed the counts that fell to zero.
    expect(await countRows('event_facet_counts WHERE n = 0')).toBe(0);
    expect(await countRows('event_facet_daily_counts WHERE n = 0')).toBe(0);

    // Deletes by id.
    const left = (await readEvents(t.app, {}, as(ACME))).map((e) => e.id);
    expect(left.length).toBeGreaterThan(3);
    await t.app.painchain.store.deleteMany('acme', left.slice(0, 3));
    expect(ids).toEqual(expect.arrayContaining(left.slice(0, 3)));
    await expectExactFolded('after deletes');

    // Emptied by hand: no counts left.
    await t.db.query('TRUNCATE events, event_keys');
    for (const field of FACET_FIELDS) expect(await facet(field, {})).toEqual({});
    for (const table of ['event_facet_counts', 'event_facet_daily_counts', 'event_facet_log'])
      expect(await countRows(table)).toBe(0);
  });

  test('the ends of a range count at the millisecond, inside or outside whole hours and days', async () => {
    await post(ACME, [
      anEvent({ externalId: 'on-the-hour', service: 'api', timestamp: utc(6, 1, 3).toISOString() }),
      anEvent({
        externalId: 'a-ms-before',
        service: 'web',
        timestamp: utc(6, 1, 4, 0, -1).toISOString(),
      }),
      anEvent({ externalId: 'at-four', service: 'worker', timestamp: utc(6, 1, 4).toISOString() }),
    ]);
    await foldAll();
    const between = async (from: Date, to: Date) =>
      facet('service', { from: from.toISOString(), to: to.toISOString() });
    // `to` is inclusive, `from` too, at the millisecond, wherever the hour boundaries fall.
    expect(await between(utc(6, 1, 3), utc(6, 1, 4))).toEqual({ api: 1, web: 1, worker: 1 });
    expect(await between(utc(6, 1, 3), utc(6, 1, 4, 0, -1))).toEqual({ api: 1, web: 1 });
    expect(await between(utc(6, 1, 3, 0, 1), utc(6, 1, 4))).toEqual({ web: 1, worker: 1 });
    expect(await between(utc(6, 1, 4, 0, -1), utc(6, 1, 4, 0, -1))).toEqual({ web: 1 });
    expect(await between(utc(6, 1, 2), utc(6, 1, 5))).toEqual({ api: 1, web: 1, worker: 1 });
    expect(await between(utc(5, 31), utc(6, 2))).toEqual({ api: 1, web: 1, worker: 1 });
    expect(await between(utc(6, 1, 3, 0, 1), utc(6, 3, 0, 0, -1))).toEqual({ web: 1, worker: 1 });
    expect(await between(utc(5, 20, 7, 7), utc(6, 1, 3, 59))).toEqual({ api: 1 });
  });

  test('after a fold of many changes the log is vacuumed, and the counts are right', async () => {
    const batches = Math.ceil((FACET_LOG_VACUUM_ROWS + 1) / 1000);
    for (let b = 0; b < batches; b++)
      await post(
        ACME,
        Array.from({ length: 1000 }, (_, i) =>
          anEvent({
            externalId: `many-${b}-${i}`,
            service: `svc${i % 7}`,
            timestamp: new Date(utc(6, 1).getTime() + (b * 1000 + i) * 1000).toISOString(),
          }),
        ),
      );
    const vacuums = async () =>
      (
        await t.db.query<{ n: number }>(
          "SELECT vacuum_count::int AS n FROM pg_stat_user_tables WHERE relname = 'event_facet_log'",
        )
      ).rows[0]!.n;
    const before = await vacuums();
    while ((await countRows('event_facet_log')) > 0) await t.app.painchain.store.foldFacetCounts();
    // The counts of a day (whole) and its hours, against the changes.
    const day = { from: utc(6, 1).toISOString(), to: utc(6, 2).toISOString() };
    expect(await facet('service', day)).toEqual(await counted('service', day));
    if (kind === 'postgres') {
      // Statistics reach the view within a second or so of the vacuum.
      const until = Date.now() + 10_000;
      while ((await vacuums()) <= before && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await vacuums()).toBeGreaterThan(before);
    }
  });

  if (kind === 'postgres')
    test('writers and folds at once: no change left out or counted twice', async () => {
      const store = t.app.painchain.store;
      let writing = true;
      const folds = (async () => {
        let n = 0;
        while (writing) {
          await store.foldFacetCounts();
          n += 1;
        }
        return n;
      })();
      // Four writers, each creating changes and moving their statuses on, 20 rounds.
      await Promise.all(
        Array.from({ length: 4 }, async (_, w) => {
          for (let round = 0; round < 20; round++) {
            const at = utc(6, 1, round % 5, w * 7);
            await post(ACME, [
              anEvent({
                externalId: `w${w}-${round}`,
                service: `svc${w}`,
                status: 'in_progress',
                tags: [`round:${round % 3}`],
                timestamp: at.toISOString(),
                updatedAt: at.toISOString(),
              }),
              ...(round > 0
                ? [
                    anEvent({
                      externalId: `w${w}-${round - 1}`,
                      service: `svc${w}`,
                      status: round % 2 ? 'succeeded' : 'failed',
                      tags: [`round:${(round - 1) % 3}`],
                      timestamp: utc(6, 1, (round - 1) % 5, w * 7).toISOString(),
                      updatedAt: new Date(at.getTime() + 1000).toISOString(),
                    }),
                  ]
                : []),
            ]);
          }
        }),
      );
      writing = false;
      expect(await folds).toBeGreaterThan(1);
      await foldAll();
      for (const field of FACET_FIELDS)
        expect(await facet(field, {})).toEqual(await counted(field, {}));
      const { rows } = await t.db.query<{ n: string }>(
        "SELECT sum(n)::text AS n FROM event_facet_counts WHERE tenant = 'acme' AND field = 'kind'",
      );
      expect(Number(rows[0]!.n)).toBe(80);
    });
});

describe.each(STORE_KINDS)('migration 008 on a store with changes, on %s', (kind) => {
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

  test('counts the changes already stored', async () => {
    await migrate(
      db,
      (await readMigrations()).filter((m) => m.version < 8),
    );
    // 60 changes every 47 minutes from 30 May 20:00: three services, two tags each but one.
    await db.query(`
      INSERT INTO event_keys (tenant, connector, external_id, id, ts)
      SELECT 'default', 'ci', 'x' || i, gen_random_uuid(),
             timestamptz '2026-05-30T20:00:00Z' + i * interval '47 minutes'
        FROM generate_series(1, 60) AS i`);
    await db.query(`
      INSERT INTO events (id, tenant, connector, external_id, kind, status, title, project,
                          service, ts, tags)
      SELECT id, tenant, connector, external_id, 'deploy', 'succeeded', 'change', 'acme/api',
             (ARRAY['api', 'web', 'worker'])[1 + i % 3], ts,
             CASE WHEN i % 10 = 0 THEN '{}'::text[] ELSE ARRAY['team:' || i % 2, 'x'] END
        FROM event_keys, LATERAL (SELECT substr(external_id, 2)::int AS i) n`);
    expect(await migrate(db)).toEqual(['008_facet_counts']);

    const store = new EventStore(db);
    const range = { from: utc(5, 30, 21, 30), to: utc(6, 1, 22, 10) };
    const expected = async (column: string) =>
      Object.fromEntries(
        (
          await db.query<{ value: string; n: number }>(
            `SELECT ${column} AS value, count(*)::int AS n FROM events
              WHERE ts >= $1 AND ts <= $2 GROUP BY 1`,
            [range.from, range.to],
          )
        ).rows.map((r) => [r.value, r.n]),
      );
    const got = async (field: FacetField) =>
      Object.fromEntries(
        (await store.facet('default', field, range, 100)).map((v) => [v.value, v.count]),
      );
    // Counted, not waiting in the log.
    expect(
      (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM event_facet_log')).rows[0]!.n,
    ).toBe(0);
    expect(await got('service')).toEqual(await expected('service'));
    expect(await got('tag')).toEqual(await expected('unnest(tags)'));
    expect(Object.values(await got('service')).reduce((a, b) => a + b)).toBeGreaterThan(40);

    // Written afterwards: logged by the trigger, then folded 7 at a time.
    await db.query(`
      INSERT INTO events (id, tenant, connector, external_id, kind, title, project, service, ts)
      SELECT gen_random_uuid(), 'default', 'ci', 'y' || i, 'deploy', 'later', 'acme/api', 'late',
             timestamptz '2026-05-31T00:00:00Z' + i * interval '61 minutes'
        FROM generate_series(1, 20) AS i`);
    expect(await store.foldFacetCounts(7)).toBe(20);
    expect(
      (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM event_facet_log')).rows[0]!.n,
    ).toBe(0);
    expect(await got('service')).toEqual(await expected('service'));
    expect((await got('service')).late).toBeGreaterThan(15);
  });
});
