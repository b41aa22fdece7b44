// An ingest of a key whose stored change disappears under it: the upsert has found (and locked)
// the key, then — before it writes the change — the change's row is deleted by hand (a DELETE
// straight in the database, not through the collector, which takes the key first). The change
// is then stored as new under the key's id (as if it had come just after the delete): a normal
// outcome, never a 500. The delete is run on the real store at exactly that moment by a Db that
// passes every statement through and, before the update of existing keys, issues the DELETE.
import {
  anEvent,
  createTestDatabase,
  startCollector,
  STORE_KINDS,
  type Db,
  type Queryable,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

/**
 * The same Db; in an upsert's transaction, just before its update of existing keys, deletes the
 * rows of that key (in the same transaction: the embedded store has one connection).
 */
function deletingBeforeUpdate(db: Db, externalId: string): Db & { armed: boolean } {
  const racing = (q: Queryable): Queryable => ({
    async query<R>(sql: string, params?: unknown[]) {
      if (wrapper.armed && /^WITH v .*\bupd AS \(/s.test(sql)) {
        wrapper.armed = false;
        await q.query('DELETE FROM events WHERE external_id = $1', [externalId]);
      }
      return q.query<R>(sql, params);
    },
    exec: (sql: string) => q.exec(sql),
  });
  const wrapper = {
    armed: false,
    kind: db.kind,
    ...racing(db),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(racing(tx))),
    maintenance: <T>(fn: (tx: Queryable) => Promise<T>) => db.maintenance(fn),
    ping: () => db.ping(),
    close: () => db.close(),
  };
  return wrapper;
}

describe.each(STORE_KINDS)('an older update racing a delete of its key on %s', (kind) => {
  let database: TestDatabase;
  let raw: Db;
  let racing: Db & { armed: boolean };
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    raw = await database.open();
    racing = deletingBeforeUpdate(raw, 'run-7');
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
