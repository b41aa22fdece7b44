// The events list is written by the database (json_build_object per row, sent as it is), the
// single event by the collector (rowToEvent, then the route's serializer). Both must say the same
// about every event, for every kind of value: times (the database keeps microseconds, the API
// shows milliseconds), absent fields, text that JSON must escape, numbers, nested data.
import { ChangeEvent } from '@painchain/sdk';
import { Compile } from 'typebox/compile';
import {
  anEvent,
  createTestDatabase,
  startCollector,
  STORE_KINDS,
  type Db,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const checkEvent = Compile(ChangeEvent);
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

const EVENTS = [
  anEvent({ externalId: 'plain' }),
  anEvent({
    externalId: 'everything',
    kind: 'pipeline',
    status: 'failed',
    title: 'Quotes " and \\ backslashes, tabs\tand ünïcødé 🚀 and </script>',
    description: 'line one\nline two\r\n\u2028 separator \u0001 control',
    service: 'checkout',
    environment: 'production',
    timestamp: '2026-11-26T10:15:30.123Z',
    endTimestamp: '2026-11-26T10:20:00.999Z',
    updatedAt: '2026-11-26T10:20:01.000Z',
    author: 'Zoë <zoe@example.com>',
    url: 'https://ci.example.com/runs/1?a=1&b=2',
    refs: { commit: 'a'.repeat(40), image: 'registry/app@sha256:abc', pr: 42 },
    tags: ['team:payments', 'zeta', 'alpha'],
    data: {
      nested: { list: [1, 2.5, -3e-7, 1e21, true, false, null], empty: {}, none: [] },
      text: 'emoji 🚀 and "quotes"',
      big: 9007199254740991,
      '': 'empty key',
      'key with spaces': 'v',
    },
  }),
  anEvent({ externalId: 'old-times', timestamp: ago(30 * 24 * HOUR) }),
];

describe.each(STORE_KINDS)('the events list written by %s', (kind) => {
  let database: TestDatabase;
  let db: Db;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await database.open();
    t = await startCollector(db);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS });
    expect(res.json()).toMatchObject({ created: EVENTS.length });
    // The database's own clock writes receivedAt with microseconds; make sure some have them.
    await db.query(
      `UPDATE events SET received_at = received_at + interval '456 microseconds' WHERE external_id = 'plain'`,
    );
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
    await database?.drop();
  });

  test('says about each event exactly what the single-event route says', async () => {
    const res = await t.app.inject('/api/v1/events?limit=10');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(res.body) as { events: ChangeEvent[]; nextCursor: string | null };
    expect(body.nextCursor).toBeNull();
    expect(body.events).toHaveLength(EVENTS.length);
    for (const listed of body.events) {
      expect(checkEvent.Check(listed)).toBe(true);
      const single = (await t.app.inject(`/api/v1/events/${listed.id}`)).json();
      expect(listed).toStrictEqual(single);
    }
    const everything = body.events.find((e) => e.externalId === 'everything')!;
    expect(everything).toMatchObject({
      title: 'Quotes " and \\ backslashes, tabs and ünïcødé 🚀 and </script>',
      timestamp: '2026-11-26T10:15:30.123Z',
      endTimestamp: '2026-11-26T10:20:00.999Z',
      tags: ['team:payments', 'zeta', 'alpha'],
      data: EVENTS[1]!.data,
    });
    const plain = body.events.find((e) => e.externalId === 'plain')!;
    expect(plain.receivedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(plain).toMatchObject({ status: null, description: null, endTimestamp: null, refs: {} });
  });

  test('pages chain by cursor, newest first, each page written the same way', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/v1/events?limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const body = JSON.parse((await t.app.inject(query)).body) as {
        events: ChangeEvent[];
        nextCursor: string | null;
      };
      expect(body.events).toHaveLength(1);
      seen.push(body.events[0]!.timestamp);
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(EVENTS.length);
    expect([...seen].sort().reverse()).toEqual(seen);
  });
});
