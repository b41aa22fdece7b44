// Writes of one key that meet something else: its stored change deleted by hand under its key,
// and (PostgreSQL) writers on two collectors sending the same key at the same moment.
//
// A change deleted straight in the database (not through the collector, which takes the key
// first) leaves its key row behind: the next ingest of that key finds the key, not the change,
// and stores the change as new under the key's id — a normal outcome, never a 500.
//
// Two collectors writing one key at once: the second writer waits on the key row the first
// inserted and, once the first commits, must see the first's change (an update, one row),
// which takes a fresh snapshot after the key is taken (migration 007; decision 019 on why one
// statement cannot do it). Every answer is a 2xx, each key ends as one change and one key row
// holding the newest state, and every answer names that change's id.
import {
  anEvent,
  createTestDatabase,
  startCollector,
  STORE_KINDS,
  type Db,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

describe.each(STORE_KINDS)(
  'an older update of a key whose change was deleted by hand on %s',
  (kind) => {
    let database: TestDatabase;
    let db: Db;
    let t: TestApp;

    beforeAll(async () => {
      database = await createTestDatabase(kind);
      db = await database.open();
      t = await startCollector(db);
    });
    afterAll(async () => {
      await t?.close();
      await db?.close();
      await database?.drop();
    });

    test('is stored as a new change under the key id (201), not a 500', async () => {
      const newer = anEvent({
        externalId: 'run-7',
        status: 'succeeded',
        updatedAt: new Date(Date.now() - 60_000).toISOString(),
      });
      const older = {
        ...newer,
        status: 'in_progress',
        updatedAt: new Date(Date.now() - 120_000).toISOString(),
      };
      const first = await t.app.inject({ method: 'POST', url: '/api/v1/events', payload: newer });
      expect(first.statusCode).toBe(201);
      const id = first.json().ids[0];

      const deleted = await db.query('DELETE FROM events WHERE external_id = $1', ['run-7']);
      expect(deleted.affected).toBe(1);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', payload: older });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ created: 1, updated: 0, unchanged: 0, ids: [id] });
      const stored = await t.app.inject({ method: 'GET', url: `/api/v1/events/${id}` });
      expect(stored.json()).toMatchObject({ externalId: 'run-7', status: 'in_progress' });

      // The key still leads to it: a newer update changes that change.
      const again = await t.app.inject({ method: 'POST', url: '/api/v1/events', payload: newer });
      expect(again.json()).toMatchObject({ updated: 1, ids: [id] });
    });
  },
);

describe('writers of one key on two collectors at once (PostgreSQL)', () => {
  let database: TestDatabase;
  let dbs: Db[];
  let apps: TestApp[];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    dbs = [await database.open(), await database.open()];
    apps = await Promise.all(dbs.map((db) => startCollector(db)));
  });
  afterAll(async () => {
    await Promise.all((apps ?? []).map((t) => t.close()));
    await Promise.all((dbs ?? []).map((db) => db.close()));
    await database?.drop();
  });

  test('each key ends as one change with the newest state; every answer is a 2xx naming it', async () => {
    const start = Date.parse('2026-11-20T10:00:00Z');
    const rounds = 40;
    const writers = 4;
    for (let round = 0; round < rounds; round += 1) {
      const externalId = `race-${round}`;
      // Writer w sends updatedAt start + w seconds, alternately through each collector; the
      // last writer's state is the newest and must be the one stored, whatever the order.
      const answers = await Promise.all(
        Array.from({ length: writers }, (_, w) =>
          apps[w % apps.length]!.app.inject({
            method: 'POST',
            url: '/api/v1/events',
            payload: anEvent({
              externalId,
              title: `writer ${w}`,
              status: w === writers - 1 ? 'succeeded' : 'in_progress',
              timestamp: new Date(start + round * 60_000).toISOString(),
              updatedAt: new Date(start + round * 60_000 + w * 1000).toISOString(),
              tags: [`w${w}`],
            }),
          }),
        ),
      );
      for (const answer of answers) expect([200, 201]).toContain(answer.statusCode);
      const ids = new Set(answers.map((a) => a.json().ids[0]));
      expect(ids.size).toBe(1);
      expect(answers.filter((a) => a.json().created === 1)).toHaveLength(1);
    }

    const rows = await dbs[0]!.query<{ external_id: string; n: number; title: string[] }>(
      `SELECT external_id, count(*)::int AS n, array_agg(title) AS title
         FROM events WHERE external_id LIKE 'race-%' GROUP BY external_id`,
    );
    expect(rows.rows).toHaveLength(rounds);
    for (const row of rows.rows)
      expect(row).toMatchObject({ n: 1, title: [`writer ${writers - 1}`] });
    const keys = await dbs[0]!.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM event_keys k
         JOIN events e ON e.id = k.id AND e.ts = k.ts
        WHERE k.external_id LIKE 'race-%'`,
    );
    expect(keys.rows[0]!.n).toBe(rounds);
  });
});
