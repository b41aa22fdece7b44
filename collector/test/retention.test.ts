// Retention: events that started longer ago than `store.retentionDays` are deleted, newer ones
// stay; on PGlite and PostgreSQL, with the job run at an injected time.
import {
  anEvent,
  createTestDatabase,
  readEvents,
  startApp,
  STORE_KINDS,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const DAY_MS = 86_400_000;

describe.each(STORE_KINDS)('retention on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // The events were stored back when they were recent: the collector refuses a change that is
    // already older than the window, so ingest runs on a clock a year back (later times allowed).
    t = await startApp(
      database,
      { store: { retentionDays: 30 }, ingest: { allowFutureTimestamps: true } },
      { now: () => new Date(Date.now() - 350 * DAY_MS) },
    );
    // The job's own run at start-up, on its own connection, must not overlap the runs this test
    // makes (on a busy machine it could delete the test's events first): wait for it, stop it.
    await t.app.painchain.retention.stop();
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  test('a run removes the events older than retentionDays and keeps the rest', async () => {
    const now = new Date();
    const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: [
        anEvent({ title: 'last year', timestamp: daysAgo(365) }),
        anEvent({ title: 'last month', timestamp: daysAgo(31) }),
        anEvent({ title: 'last week', timestamp: daysAgo(7) }),
      ],
    });
    expect(res.statusCode).toBe(201);

    expect(await t.app.painchain.retention.runOnce(now)).toBe(2);
    expect((await readEvents(t.app)).map((e) => e.title)).toEqual(['last week']);
    // Nothing more to remove until time passes.
    expect(await t.app.painchain.retention.runOnce(now)).toBe(0);
    expect(await t.app.painchain.retention.runOnce(new Date(now.getTime() + 30 * DAY_MS))).toBe(1);
    expect(await t.count()).toBe(0);
  });
});
