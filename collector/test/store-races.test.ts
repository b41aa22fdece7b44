// An ingest racing a delete of the same key: the upsert's statement keeps the stored (newer)
// row, then — before it looks that row's id up — an admin DELETE or the retention job removes
// it. The change is then stored as new (as if it had come just after the delete): a normal
// outcome, never a 500. The delete is run on the real store at exactly that moment by a Db that
// passes every statement through and, before the id look-up, issues the DELETE.
import {
  anEvent,
  createTestDatabase,
  startCollector,
  STORE_KINDS,
  type Db,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

/** The same Db; before the stale-id look-up of an upsert, deletes the rows of that key. */
function deletingBeforeLookup(db: Db, externalId: string): Db & { armed: boolean } {
  const wrapper = {
    armed: false,
    kind: db.kind,
    async query<R>(sql: string, params?: unknown[]) {
      if (wrapper.armed && /SELECT e\.id, e\.tenant, e\.connector, e\.external_id/.test(sql)) {
        wrapper.armed = false;
        await db.query('DELETE FROM events WHERE external_id = $1', [externalId]);
      }
      return db.query<R>(sql, params);
    },
    exec: (sql: string) => db.exec(sql),
    transaction: <T>(fn: Parameters<Db['transaction']>[0]) => db.transaction(fn) as Promise<T>,
    maintenance: <T>(fn: Parameters<Db['maintenance']>[0]) => db.maintenance(fn) as Promise<T>,
    ping: () => db.ping(),
    close: () => db.close(),
  };
  return wrapper as Db & { armed: boolean };
}

describe.each(STORE_KINDS)('an older update racing a delete of its key on %s', (kind) => {
  let database: TestDatabase;
  let raw: Db;
  let racing: Db & { armed: boolean };
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    raw = await database.open();
    racing = deletingBeforeLookup(raw, 'run-7');
    t = await startCollector(racing);
  });
  afterAll(async () => {
    await t?.close();
    await raw?.close();
    await database?.drop();
  });

  test('is stored as a new change (201), not a 500', async () => {
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
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/v1/events', payload: newer })).statusCode,
    ).toBe(201);

    racing.armed = true;
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', payload: older });
    expect(racing.armed).toBe(false);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ created: 1, updated: 0, unchanged: 0 });
    const stored = await t.app.inject({
      method: 'GET',
      url: `/api/v1/events/${res.json().ids[0]}`,
    });
    expect(stored.json()).toMatchObject({ externalId: 'run-7', status: 'in_progress' });
  });
});
