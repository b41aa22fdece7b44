// The events API end to end: ingest in every shape, idempotency and out-of-order updates,
// listing with filters and cursors, lookup, facets and the seed contract; on PGlite and Postgres.
import {
  createTestDatabase,
  startApp,
  anEvent,
  RECENT,
  STORE_KINDS,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const at = (minutesAgo: number) => new Date(RECENT.getTime() - minutesAgo * 60_000).toISOString();

describe.each(STORE_KINDS)('events API on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(database);
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    await t.db.query('TRUNCATE events, event_keys');
  });

  const post = (body: unknown, url = '/api/v1/events') =>
    t.app.inject({ method: 'POST', url, payload: body as object });
  const get = (url: string) => t.app.inject({ method: 'GET', url });

  test('a single event is stored and answered with its id', async () => {
    const res = await post(anEvent());
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ created: 1, updated: 0, unchanged: 0, duplicates: 0 });
    const stored = (await get(`/api/v1/events/${body.ids[0]}`)).json();
    expect(stored).toMatchObject({
      id: body.ids[0],
      title: 'Deploy api v1.2.3',
      connector: 'ci',
      project: 'acme/api',
      kind: 'deploy',
      status: null,
      timestamp: RECENT.toISOString(),
      refs: {},
      tags: [],
      data: {},
    });
    expect(stored.externalId).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('an array and {events} are accepted and stored together', async () => {
    const a = await post([anEvent({ title: 'one' }), anEvent({ title: 'two' })]);
    const b = await post({ events: [anEvent({ title: 'three' })] });
    expect(a.statusCode).toBe(201);
    expect(a.json().ids).toHaveLength(2);
    expect(b.json().created).toBe(1);
    expect(await t.count()).toBe(3);
  });

  test('the same content posted twice stores one event (retries are safe)', async () => {
    const first = (await post(anEvent())).json();
    const second = await post(anEvent());
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ ids: first.ids, created: 0, duplicates: 1 });
    expect(await t.count()).toBe(1);
  });

  test('re-posting identical content is counted as unchanged, with or without externalId and updatedAt', async () => {
    const keyed = anEvent({ externalId: 'deploy-9', status: 'succeeded', tags: ['b', 'a'] });
    const dated = anEvent({ externalId: 'run-9', kind: 'pipeline', updatedAt: at(2) });
    for (const event of [anEvent({ title: 'no key' }), keyed, dated]) {
      await post(event);
      const again = await post(event);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ created: 0, updated: 0, unchanged: 1, duplicates: 1 });
    }
    // Different content under the same key is an update, with the same or no updatedAt.
    const changed = await post({ ...keyed, status: 'failed' });
    expect(changed.json()).toMatchObject({ updated: 1, unchanged: 0 });
  });

  test('the same content twice in one batch among others: each distinct change counted once', async () => {
    const one = anEvent({ title: 'one' });
    const two = anEvent({ title: 'two' });
    const res = await post([one, two, one]);
    expect(res.json()).toMatchObject({ created: 2, updated: 0, unchanged: 1, duplicates: 1 });
    expect(res.json().ids[0]).toBe(res.json().ids[2]);
    expect(await t.count()).toBe(2);
  });

  test('a change moving through states is one event whose status and end are updated', async () => {
    const started = anEvent({
      externalId: 'run-42',
      kind: 'pipeline',
      status: 'started',
      updatedAt: at(10),
    });
    const done = { ...started, status: 'succeeded', endTimestamp: at(-5), updatedAt: at(-5) };
    const id = (await post(started)).json().ids[0];
    const res = await post(done);
    expect(res.json()).toMatchObject({ ids: [id], created: 0, updated: 1 });
    const stored = (await get(`/api/v1/events/${id}`)).json();
    expect(stored).toMatchObject({ status: 'succeeded', endTimestamp: at(-5), updatedAt: at(-5) });
    expect(await t.count()).toBe(1);
  });

  test('an older state arriving late never overwrites a newer one', async () => {
    const base = anEvent({ externalId: 'deploy-7', status: 'succeeded', updatedAt: at(1) });
    const id = (await post(base)).json().ids[0];
    const late = await post({ ...base, status: 'in_progress', updatedAt: at(5) });
    expect(late.json()).toMatchObject({ ids: [id], unchanged: 1, updated: 0 });
    expect((await get(`/api/v1/events/${id}`)).json().status).toBe('succeeded');
  });

  test('in one batch, two states of the same change keep the newest', async () => {
    const e = anEvent({ externalId: 'wf-1', kind: 'pipeline' });
    const res = await post([
      { ...e, status: 'succeeded', updatedAt: at(1) },
      { ...e, status: 'in_progress', updatedAt: at(3) },
    ]);
    const body = res.json();
    expect(body.ids[0]).toBe(body.ids[1]);
    expect(body).toMatchObject({ created: 1, unchanged: 1 });
    expect((await get(`/api/v1/events/${body.ids[0]}`)).json().status).toBe('succeeded');
  });

  test('normalization: trimmed one-line title clamped to 300 characters, times in UTC', async () => {
    const long = `  first line\n second   line ${'x'.repeat(400)}  `;
    const id = (
      await post(anEvent({ title: long, timestamp: '2026-11-25T12:00:00+02:00', allow: undefined }))
    ).json().ids[0];
    const stored = (await get(`/api/v1/events/${id}`)).json();
    expect(stored.title.startsWith('first line second line x')).toBe(true);
    expect(Array.from(stored.title as string)).toHaveLength(300);
    expect(stored.timestamp).toBe('2026-11-25T10:00:00.000Z');
  });

  test('the list filters by every field, newest first', async () => {
    await post([
      anEvent({
        title: 'api deploy',
        service: 'api',
        environment: 'production',
        tags: ['team-a'],
        timestamp: at(1),
      }),
      anEvent({
        title: 'web deploy',
        project: 'acme/web',
        service: 'web',
        environment: 'staging',
        timestamp: at(2),
      }),
      anEvent({
        title: 'api pipeline',
        kind: 'pipeline',
        status: 'failed',
        connector: 'github',
        service: 'api',
        timestamp: at(3),
        author: 'Zoë',
      }),
    ]);
    const titles = async (qs: string) =>
      (await get(`/api/v1/events?${qs}`)).json().events.map((e: { title: string }) => e.title);
    expect(await titles('')).toEqual(['api deploy', 'web deploy', 'api pipeline']);
    expect(await titles('service=api')).toEqual(['api deploy', 'api pipeline']);
    expect(await titles('project=acme/web')).toEqual(['web deploy']);
    expect(await titles('environment=production&environment=staging')).toEqual([
      'api deploy',
      'web deploy',
    ]);
    expect(await titles('kind=pipeline')).toEqual(['api pipeline']);
    expect(await titles('status=failed')).toEqual(['api pipeline']);
    expect(await titles('connector=github')).toEqual(['api pipeline']);
    expect(await titles('tag=team-a')).toEqual(['api deploy']);
    expect(await titles('q=WEB')).toEqual(['web deploy']);
    expect(await titles(`q=${encodeURIComponent('zoë')}`)).toEqual(['api pipeline']);
    expect(
      await titles(`from=${encodeURIComponent(at(2))}&to=${encodeURIComponent(at(1))}`),
    ).toEqual(['api deploy', 'web deploy']);
    expect(await titles(`from=${new Date(at(2)).getTime()}`)).toEqual(['api deploy', 'web deploy']);
  });

  test('text search treats % and _ literally', async () => {
    await post([anEvent({ title: '100% rollout' }), anEvent({ title: '100 rollouts' })]);
    const res = (await get(`/api/v1/events?q=${encodeURIComponent('100%')}`)).json();
    expect(res.events.map((e: { title: string }) => e.title)).toEqual(['100% rollout']);
  });

  test('cursor pagination walks every event exactly once', async () => {
    const events = Array.from({ length: 25 }, (_, i) =>
      anEvent({ title: `e${i}`, timestamp: at(i % 7) }),
    );
    await post(events);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/api/v1/events?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      seen.push(...body.events.map((e: { title: string }) => e.title));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
  });

  test('facets list distinct values with counts', async () => {
    await post([
      anEvent({ service: 'api', tags: ['a', 'b'] }),
      anEvent({ service: 'api', title: 'x', tags: ['a'] }),
      anEvent({ service: 'web', title: 'y' }),
    ]);
    expect((await get('/api/v1/facets/service')).json()).toEqual({
      field: 'service',
      values: [
        { value: 'api', count: 2 },
        { value: 'web', count: 1 },
      ],
    });
    expect((await get('/api/v1/facets/tag')).json().values).toEqual([
      { value: 'a', count: 2 },
      { value: 'b', count: 1 },
    ]);
    expect((await get('/api/v1/facets/project?service=web')).json().values).toEqual([
      { value: 'acme/api', count: 1 },
    ]);
  });

  test('the seed contract answers {event_id, stored_at}', async () => {
    const res = await post(
      {
        title: 'Deployed',
        connector: 'GitHub',
        project: 'acme/api',
        timestamp: RECENT.toISOString(),
        data: { sha: 'abc' },
      },
      '/api/events',
    );
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['event_id', 'stored_at']);
    const stored = (await get(`/api/v1/events/${body.event_id}`)).json();
    expect(stored).toMatchObject({
      connector: 'github',
      data: { sha: 'abc' },
      receivedAt: body.stored_at,
    });
  });

  test('concurrent requests are all stored (PGlite queues them)', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => post(anEvent({ title: `c${i}` }))),
    );
    expect(results.every((r) => r.statusCode === 201)).toBe(true);
    expect(await t.count()).toBe(40);
  });
});
