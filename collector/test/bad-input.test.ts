// Bad input gets a clear error and changes nothing: every malformed request is refused with the
// right status, a stable error code and a message a person can act on, and no event is written.
// Hostile but valid text (SQL metacharacters, unicode) is stored and read back exactly.
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../src/app.js';
import { createConfig } from '../src/config/load-config.js';
import { DEFAULT_BODY_LIMIT_BYTES } from '../src/config/config-schema.js';
import {
  createTestDatabase,
  startApp,
  anEvent,
  RECENT,
  STORE_KINDS,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const DAY_MS = 86_400_000;
const json = { 'content-type': 'application/json' };
const SEEDED = 5;

/** Over the default 10 MB limit; built once for both stores. */
const OVERSIZED_BODY = `{"title":"${'x'.repeat(DEFAULT_BODY_LIMIT_BYTES)}"}`;

interface ErrorAnswer {
  error: string;
  message: string;
  details?: { path: string; message: string }[];
}

/** A request the API must refuse, and how. */
interface Refusal {
  behaviour: string;
  request: InjectOptions;
  status: number;
  error: string;
  /** A `details` entry must have this path (JSON pointer in the body). */
  path?: string;
  /** The message (or a detail's message) must contain this, so the caller knows what to fix. */
  mentions?: string;
}

const postEvent = (payload: unknown, url = '/api/v1/events'): InjectOptions => ({
  method: 'POST',
  url,
  payload: payload as object,
});
const raw = (payload: string, headers: Record<string, string> = json): InjectOptions => ({
  method: 'POST',
  url: '/api/v1/events',
  payload,
  headers,
});
const without = (field: string) => {
  const e = anEvent();
  delete e[field];
  return e;
};

const INGEST_REFUSALS: Refusal[] = [
  {
    behaviour: 'malformed JSON is refused with invalid_json',
    request: raw('{"title": "Deploy", "connector": '),
    status: 400,
    error: 'invalid_json',
  },
  {
    behaviour: 'an empty JSON body is refused with invalid_json',
    request: raw(''),
    status: 400,
    error: 'invalid_json',
  },
  {
    behaviour: 'a text/plain body is refused with 415',
    request: raw(JSON.stringify(anEvent()), { 'content-type': 'text/plain' }),
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    behaviour: 'a form-urlencoded body is refused with 415',
    request: raw('title=Deploy&connector=ci&project=acme', {
      'content-type': 'application/x-www-form-urlencoded',
    }),
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    behaviour: 'a body without a content type is refused with 415',
    request: raw(JSON.stringify(anEvent()), {}),
    status: 415,
    error: 'unsupported_media_type',
  },
  ...['title', 'connector', 'project', 'timestamp'].map((field): Refusal => ({
    behaviour: `an event without ${field} is refused, naming the field`,
    request: postEvent(without(field)),
    status: 400,
    error: 'invalid_event',
    mentions: field,
  })),
  {
    behaviour: 'a number as title is refused',
    request: postEvent(anEvent({ title: 42 })),
    status: 400,
    error: 'invalid_event',
    path: '/title',
  },
  {
    behaviour: 'tags that are not an array are refused',
    request: postEvent(anEvent({ tags: 'team-a' })),
    status: 400,
    error: 'invalid_event',
    path: '/tags',
  },
  {
    behaviour: 'refs.commits that is not an array is refused',
    request: postEvent(anEvent({ refs: { commits: 'abc123' } })),
    status: 400,
    error: 'invalid_event',
    path: '/refs/commits',
  },
  {
    behaviour: 'data that is a string is refused',
    request: postEvent(anEvent({ data: 'sha=abc' })),
    status: 400,
    error: 'invalid_event',
    path: '/data',
  },
  {
    behaviour: 'a kind outside the enum is refused',
    request: postEvent(anEvent({ kind: 'bogus' })),
    status: 400,
    error: 'invalid_event',
    path: '/kind',
  },
  {
    behaviour: 'a status outside the enum is refused',
    request: postEvent(anEvent({ status: 'bogus' })),
    status: 400,
    error: 'invalid_event',
    path: '/status',
  },
  {
    behaviour: 'an unknown top-level field is refused, naming it',
    request: postEvent(anEvent({ colour: 'red' })),
    status: 400,
    error: 'invalid_event',
    path: '/colour',
  },
  {
    behaviour: 'an unparseable timestamp is refused',
    request: postEvent(anEvent({ timestamp: 'yesterday at noon' })),
    status: 400,
    error: 'invalid_event',
    path: '/timestamp',
    mentions: 'RFC 3339',
  },
  {
    behaviour: 'a timestamp without a zone offset is refused rather than guessed',
    request: postEvent(anEvent({ timestamp: '2026-11-25T10:00:00' })),
    status: 400,
    error: 'invalid_event',
    path: '/timestamp',
    mentions: 'offset',
  },
  {
    behaviour: 'an impossible calendar date is refused, not rolled over into the next month',
    request: postEvent(anEvent({ timestamp: '2026-02-30T10:00:00Z' })),
    status: 400,
    error: 'invalid_event',
    path: '/timestamp',
  },
  {
    behaviour: 'hour 24 is refused, not read as the next day',
    request: postEvent(anEvent({ timestamp: '2026-01-01T24:00:00Z' })),
    status: 400,
    error: 'invalid_event',
    path: '/timestamp',
  },
  {
    behaviour: 'a timestamp before 1970 is refused (RFC 3339)',
    request: postEvent(anEvent({ timestamp: '1969-12-31T23:59:59Z' })),
    status: 400,
    error: 'invalid_event',
    path: '/timestamp',
    mentions: '1970',
  },
  {
    behaviour: 'a negative epoch is refused',
    request: postEvent(anEvent({ timestamp: -1000 })),
    status: 400,
    error: 'invalid_event',
    path: '/timestamp',
    mentions: '1970',
  },
  {
    behaviour: 'epoch seconds instead of milliseconds are refused with a hint',
    request: postEvent(anEvent({ timestamp: Math.floor(RECENT.getTime() / 1000) })),
    status: 400,
    error: 'invalid_event',
    path: '/timestamp',
    mentions: 'epoch seconds',
  },
  {
    behaviour: 'a timestamp more than a day in the future is refused',
    request: postEvent(anEvent({ timestamp: new Date(Date.now() + 2 * DAY_MS).toISOString() })),
    status: 400,
    error: 'invalid_event',
    path: '/timestamp',
    mentions: 'future',
  },
  {
    behaviour: 'an endTimestamp before the timestamp is refused',
    request: postEvent(
      anEvent({ endTimestamp: new Date(RECENT.getTime() - 60_000).toISOString() }),
    ),
    status: 400,
    error: 'invalid_event',
    path: '/endTimestamp',
  },
  {
    behaviour: 'an unparseable updatedAt is refused',
    request: postEvent(anEvent({ updatedAt: 'later' })),
    status: 400,
    error: 'invalid_event',
    path: '/updatedAt',
  },
  {
    behaviour: 'a body over the default 10 MB limit is refused with 413',
    request: raw(OVERSIZED_BODY),
    status: 413,
    error: 'body_too_large',
  },
  {
    behaviour: 'more than 5,000 events in one request are refused with 413',
    request: postEvent(Array.from({ length: 5001 }, (_, i) => anEvent({ title: `bulk ${i}` }))),
    status: 413,
    error: 'too_many_events',
    mentions: '5000',
  },
  {
    behaviour: 'an empty array is refused',
    request: postEvent([]),
    status: 400,
    error: 'invalid_body',
  },
  {
    behaviour: 'an empty {events} list is refused',
    request: postEvent({ events: [] }),
    status: 400,
    error: 'invalid_body',
  },
  {
    behaviour: '{events} that is not a list is refused',
    request: postEvent({ events: anEvent() }),
    status: 400,
    error: 'invalid_body',
  },
  {
    behaviour: 'a field beside {events} is refused',
    request: postEvent({ events: [anEvent()], dryRun: true }),
    status: 400,
    error: 'invalid_body',
  },
  {
    behaviour: 'a JSON string as body is refused',
    request: raw('"Deploy api"'),
    status: 400,
    error: 'invalid_body',
  },
  {
    behaviour: 'JSON null as body is refused',
    request: raw('null'),
    status: 400,
    error: 'invalid_body',
  },
  {
    behaviour: 'a NUL character in the title is refused, naming the field',
    request: postEvent(anEvent({ title: 'Deploy\u0000api' })),
    status: 400,
    error: 'invalid_event',
    path: '/title',
    mentions: 'NUL',
  },
  {
    behaviour: 'a NUL character in a data value is refused, naming the field',
    request: postEvent(anEvent({ data: { build: { note: 'a\u0000b' } } })),
    status: 400,
    error: 'invalid_event',
    path: '/data/build/note',
    mentions: 'NUL',
  },
  {
    behaviour: 'a NUL character in a data key is refused',
    request: postEvent(anEvent({ data: { 'a\u0000b': 1 } })),
    status: 400,
    error: 'invalid_event',
    path: '/data/a\u0000b',
    mentions: 'NUL',
  },
  {
    behaviour: 'a NUL character in a tag is refused, naming the field',
    request: postEvent(anEvent({ tags: ['ok', 'x\u0000'] })),
    status: 400,
    error: 'invalid_event',
    path: '/tags/1',
  },
  {
    behaviour: 'a NUL character in refs.commits is refused, naming the field',
    request: postEvent(anEvent({ refs: { commits: ['\u0000'] } })),
    status: 400,
    error: 'invalid_event',
    path: '/refs/commits/0',
  },
  {
    behaviour: 'an unpaired surrogate in text is refused instead of being altered',
    request: postEvent(anEvent({ author: 'Zo\ud800' })),
    status: 400,
    error: 'invalid_event',
    path: '/author',
    mentions: 'surrogate',
  },
  {
    behaviour: 'an unpaired surrogate in data is refused',
    request: postEvent(anEvent({ data: { note: '\udc00' } })),
    status: 400,
    error: 'invalid_event',
    path: '/data/note',
  },
  {
    behaviour: 'data nested hundreds of levels deep is refused',
    request: raw(
      JSON.stringify(anEvent()).replace(
        /}$/,
        `,"data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
      ),
    ),
    status: 400,
    error: 'invalid_event',
    mentions: 'nested deeper',
  },
  {
    behaviour: 'the seed route refuses an event without its required fields',
    request: postEvent({ title: 'Deployed', data: {} }, '/api/events'),
    status: 400,
    error: 'invalid_event',
    mentions: 'connector',
  },
  {
    behaviour: 'the seed route refuses malformed JSON',
    request: { ...raw('{"title":'), url: '/api/events' },
    status: 400,
    error: 'invalid_json',
  },
  {
    behaviour: 'the seed route refuses a NUL character',
    request: postEvent(anEvent({ project: 'acme/\u0000' }), '/api/events'),
    status: 400,
    error: 'invalid_event',
    path: '/project',
  },
];

const get = (url: string): InjectOptions => ({ method: 'GET', url });

const QUERY_REFUSALS: Refusal[] = [
  {
    behaviour: 'an unknown kind filter is refused',
    request: get('/api/v1/events?kind=bogus'),
    status: 400,
    error: 'invalid_query',
    mentions: 'kind',
  },
  {
    behaviour: 'an unknown status filter is refused',
    request: get('/api/v1/events?status=bogus'),
    status: 400,
    error: 'invalid_query',
    mentions: 'status',
  },
  {
    behaviour: 'limit=0 is refused',
    request: get('/api/v1/events?limit=0'),
    status: 400,
    error: 'invalid_query',
    mentions: 'limit',
  },
  {
    behaviour: 'limit above the maximum is refused, not silently clamped',
    request: get('/api/v1/events?limit=100000'),
    status: 400,
    error: 'invalid_query',
    mentions: 'limit',
  },
  {
    behaviour:
      'a limit too large for a number (1e400, Infinity after coercion) is refused, not a 500',
    request: get('/api/v1/events?limit=1e400'),
    status: 400,
    error: 'invalid_query',
    mentions: 'limit',
  },
  {
    behaviour: 'a facet limit of 1e400 is refused, not a 500',
    request: get('/api/v1/facets/connector?limit=1e400'),
    status: 400,
    error: 'invalid_query',
    mentions: 'limit',
  },
  {
    behaviour: 'a chain maxEvents of -1e400 (minus Infinity after coercion) is refused, not a 500',
    request: get('/api/v1/events/00000000-0000-7000-8000-000000000000/chain?maxEvents=-1e400'),
    status: 400,
    error: 'invalid_query',
    mentions: 'maxEvents',
  },
  {
    behaviour: 'a non-numeric limit is refused',
    request: get('/api/v1/events?limit=abc'),
    status: 400,
    error: 'invalid_query',
    mentions: 'limit',
  },
  {
    behaviour: 'an unknown query parameter is refused, naming it',
    request: get('/api/v1/events?servce=api'),
    status: 400,
    error: 'invalid_query',
    mentions: 'servce',
  },
  {
    behaviour: 'an unparseable from is refused',
    request: get('/api/v1/events?from=garbage'),
    status: 400,
    error: 'invalid_time',
    mentions: 'from',
  },
  {
    behaviour: 'an unparseable to is refused',
    request: get('/api/v1/events?to=2026-13-01'),
    status: 400,
    error: 'invalid_time',
    mentions: 'to',
  },
  {
    behaviour: 'from after to is refused',
    request: get(`/api/v1/events?from=${RECENT.getTime()}&to=${RECENT.getTime() - DAY_MS}`),
    status: 400,
    error: 'invalid_time',
  },
  {
    behaviour: 'a NUL character in a filter is refused',
    request: get('/api/v1/events?project=acme%00api'),
    status: 400,
    error: 'invalid_query',
    mentions: 'NUL',
  },
  {
    behaviour: 'a NUL character in the text search is refused',
    request: get('/api/v1/events?q=%00'),
    status: 400,
    error: 'invalid_query',
    mentions: 'NUL',
  },
  {
    behaviour: 'an unknown facet field is refused',
    request: get('/api/v1/facets/colour'),
    status: 400,
    error: 'unknown_facet',
    mentions: 'colour',
  },
  {
    behaviour: 'an unknown filter on facets is refused',
    request: get('/api/v1/facets/service?kind=bogus'),
    status: 400,
    error: 'invalid_query',
  },
  {
    behaviour: 'a NUL character in a facets filter is refused',
    request: get('/api/v1/facets/service?tag=%00'),
    status: 400,
    error: 'invalid_query',
  },
  {
    behaviour: 'an id that is not a UUID is not found',
    request: get('/api/v1/events/not-a-uuid'),
    status: 404,
    error: 'not_found',
  },
  {
    behaviour: 'an unknown UUID is not found',
    request: get('/api/v1/events/0191a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b'),
    status: 404,
    error: 'not_found',
  },
  {
    behaviour: 'deleting an id that is not a UUID is not found',
    request: { method: 'DELETE', url: '/api/v1/events/not-a-uuid' },
    status: 404,
    error: 'not_found',
  },
  {
    behaviour: 'an unknown route is not found',
    request: get('/api/v2/events'),
    status: 404,
    error: 'route_not_found',
  },
  {
    behaviour: 'a POST to an unknown route is not found',
    request: postEvent(anEvent(), '/api/v1/event'),
    status: 404,
    error: 'route_not_found',
  },
];

describe.each(STORE_KINDS)('bad input gets a clear error and changes nothing, on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;
  let cursor: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(database);
    const seeded = await t.app.inject(
      postEvent(
        Array.from({ length: SEEDED }, (_, i) =>
          anEvent({
            title: `seed ${i}`,
            timestamp: new Date(RECENT.getTime() - i * 60_000).toISOString(),
          }),
        ),
      ),
    );
    expect(seeded.statusCode).toBe(201);
    const page = await t.app.inject(get('/api/v1/events?limit=2'));
    cursor = page.json().nextCursor;
    expect(cursor).toEqual(expect.any(String));
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  /** Sends a request that must be refused; checks status, code, message and the store. */
  async function expectRefused(
    request: InjectOptions,
    status: number,
    error: string,
    app: FastifyInstance = t.app,
  ): Promise<ErrorAnswer> {
    const before = await t.count();
    const res = await app.inject(request);
    const body = res.json() as ErrorAnswer;
    const sent = `${request.method} ${String(request.url)}`;
    expect({ sent, status: res.statusCode, ...body }).toMatchObject({ status, error });
    expect(body.message.trim()).not.toBe('');
    expect(await t.count()).toBe(before);
    return body;
  }

  /** The same app and config language on the same database, with other settings. */
  async function withConfig(
    file: Record<string, unknown>,
    use: (app: FastifyInstance) => Promise<void>,
  ) {
    const app = await buildApp(createConfig(file, { env: {} }), { db: t.db, logger: false });
    try {
      await app.ready();
      await use(app);
    } finally {
      await app.close();
    }
  }

  test.each([...INGEST_REFUSALS, ...QUERY_REFUSALS])(
    '$behaviour',
    async ({ request, status, error, path, mentions }) => {
      const body = await expectRefused(request, status, error);
      if (path !== undefined) expect(body.details?.map((d) => d.path)).toContain(path);
      if (mentions !== undefined) {
        const text = [body.message, ...(body.details ?? []).map((d) => d.message)].join('\n');
        expect(text).toContain(mentions);
      }
    },
  );

  describe('errors carry the hint the sender needs', () => {
    const hint = async (request: InjectOptions, status: number, error: string) =>
      (await expectRefused(request, status, error)).message;

    test('a body without the JSON content type names what was received and how to send it', async () => {
      const body = JSON.stringify(anEvent());
      expect(await hint(raw(body, { 'content-type': '' }), 415, 'unsupported_media_type')).toBe(
        'Send the body as application/json (got no Content-Type header)',
      );
      // What `curl -d` sends without -H.
      expect(
        await hint(
          raw(body, { 'content-type': 'application/x-www-form-urlencoded' }),
          415,
          'unsupported_media_type',
        ),
      ).toBe(
        "Send the body as application/json (got application/x-www-form-urlencoded; with curl, add -H 'content-type: application/json')",
      );
    });

    test('malformed JSON names the position, once', async () => {
      const message = await hint(raw('{"title": "x",}'), 400, 'invalid_json');
      expect(message).toMatch(
        /^The request body is not valid JSON: .*position 14 \(line 1 column 15\)$/,
      );
      expect(message.match(/position/g)).toHaveLength(1);
    });

    test('a + left unencoded in a time says how to encode it', async () => {
      const message = await hint(
        get('/api/v1/events?from=2026-11-25T10:00:00+01:00'),
        400,
        'invalid_time',
      );
      expect(message).toContain('a + in a URL means a space: write it as %2B');
    });
  });

  test("a comma-separated filter, as Grafana's csv format writes it, means several values", async () => {
    const res = await t.app.inject(get('/api/v1/events?kind=deploy,rollback&connector=ci,github'));
    expect(res.statusCode).toBe(200);
    expect((res.json() as { events: unknown[] }).events).toHaveLength(SEEDED);
    const facet = await t.app.inject(get('/api/v1/facets/project?kind=deploy,rollback'));
    expect(facet.statusCode).toBe(200);
  });

  test('the store still holds exactly the seeded events after every refusal', async () => {
    expect(await t.count()).toBe(SEEDED);
  });

  test('a batch with one bad event stores nothing and names the bad one', async () => {
    const batch = [
      anEvent({ title: 'good 0' }),
      anEvent({ title: 'good 1' }),
      anEvent({ title: 'bad 2', timestamp: 'not a time' }),
      anEvent({ title: 'good 3' }),
    ];
    const wrapped = await expectRefused(postEvent({ events: batch }), 400, 'invalid_event');
    expect(wrapped.details).toEqual([
      { path: '/events/2/timestamp', message: expect.stringContaining('timestamp') },
    ]);
    const bare = await expectRefused(postEvent(batch), 400, 'invalid_event');
    expect(bare.details?.map((d) => d.path)).toEqual(['/2/timestamp']);
    const found = await t.app.inject(get('/api/v1/events?q=good'));
    expect(found.json().events).toEqual([]);
  });

  test('a batch with several bad events names each of them', async () => {
    const body = await expectRefused(
      postEvent({
        events: [
          anEvent({ kind: 'deployment' }),
          anEvent(),
          anEvent({ title: '   ' }),
          without('project'),
        ],
      }),
      400,
      'invalid_event',
    );
    const paths = body.details?.map((d) => d.path) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['/events/0/kind', '/events/2/title']));
    expect(paths.some((p) => p.startsWith('/events/3'))).toBe(true);
    expect(paths.some((p) => p.startsWith('/events/1'))).toBe(false);
  });

  test('a tampered or foreign cursor is refused with invalid_cursor', async () => {
    const [payload = '', signature = ''] = cursor.split('.');
    const flip = (s: string, i: number) =>
      s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const tampered = {
      'a character of the payload flipped': `${flip(payload, 5)}.${signature}`,
      // The first character: the last one of a base64 signature can carry unused bits.
      'a character of the signature flipped': `${payload}.${flip(signature, 0)}`,
      'the signature truncated': `${payload}.${signature.slice(0, -4)}`,
      'the signature removed': payload,
      garbage: 'not-a-cursor',
      'an extra segment': `${cursor}.x`,
    };
    for (const bad of Object.values(tampered)) {
      await expectRefused(
        get(`/api/v1/events?limit=2&cursor=${encodeURIComponent(bad)}`),
        400,
        'invalid_cursor',
      );
    }
    // A valid cursor only continues the query it was issued for.
    await expectRefused(
      get(`/api/v1/events?limit=2&kind=deploy&cursor=${encodeURIComponent(cursor)}`),
      400,
      'invalid_cursor',
    );
    const next = await t.app.inject(
      get(`/api/v1/events?limit=2&cursor=${encodeURIComponent(cursor)}`),
    );
    expect(next.statusCode).toBe(200);
    expect(next.json().events.map((e: { title: string }) => e.title)).toEqual(['seed 2', 'seed 3']);
  });

  test('a timestamp just under a day ahead is accepted (clock skew)', async () => {
    const res = await t.app.inject(
      postEvent(
        anEvent({
          title: 'skewed clock',
          timestamp: new Date(Date.now() + DAY_MS - 60_000).toISOString(),
        }),
      ),
    );
    expect(res.statusCode).toBe(201);
    await t.app.inject({ method: 'DELETE', url: `/api/v1/events/${res.json().ids[0]}` });
  });

  test('ingest.allowFutureTimestamps accepts times far in the future', async () => {
    await withConfig({ ingest: { allowFutureTimestamps: true } }, async (app) => {
      const future = new Date(Date.now() + 365 * DAY_MS).toISOString();
      const res = await app.inject(postEvent(anEvent({ title: 'planned', timestamp: future })));
      expect(res.statusCode).toBe(201);
      const id: string = res.json().ids[0];
      expect((await app.inject(get(`/api/v1/events/${id}`))).json().timestamp).toBe(future);
      await app.inject({ method: 'DELETE', url: `/api/v1/events/${id}` });
    });
  });

  test('a larger ingest.maxFutureSeconds accepts times within it and refuses beyond', async () => {
    await withConfig({ ingest: { maxFutureSeconds: 7 * 86_400 } }, async (app) => {
      const inTwoDays = new Date(Date.now() + 2 * DAY_MS).toISOString();
      const res = await app.inject(postEvent(anEvent({ title: 'soon', timestamp: inTwoDays })));
      expect(res.statusCode).toBe(201);
      await app.inject({ method: 'DELETE', url: `/api/v1/events/${res.json().ids[0]}` });
      const inTenDays = new Date(Date.now() + 10 * DAY_MS).toISOString();
      const body = await expectRefused(
        postEvent(anEvent({ timestamp: inTenDays })),
        400,
        'invalid_event',
        app,
      );
      expect(body.details?.[0]?.message).toContain('604800 s in the future');
    });
  });

  test('a change older than the retention window is refused, not stored to be deleted by the next sweep', async () => {
    await withConfig({ store: { retentionDays: 30 } }, async (app) => {
      const fortyDaysAgo = new Date(Date.now() - 40 * DAY_MS).toISOString();
      const body = await expectRefused(
        postEvent(anEvent({ title: 'ancient', timestamp: fortyDaysAgo })),
        400,
        'invalid_event',
        app,
      );
      expect(body.details?.[0]).toMatchObject({
        path: '/timestamp',
        message: expect.stringContaining(
          'older than the retention window of 30 days (store.retentionDays)',
        ),
      });
      const twentyDaysAgo = new Date(Date.now() - 20 * DAY_MS).toISOString();
      const kept = await app.inject(
        postEvent(anEvent({ title: 'recent', timestamp: twentyDaysAgo })),
      );
      expect(kept.statusCode).toBe(201);
      await app.inject({ method: 'DELETE', url: `/api/v1/events/${kept.json().ids[0]}` });
    });
  });

  test('a configured server.bodyLimitBytes refuses bodies over it with 413', async () => {
    await withConfig({ server: { bodyLimitBytes: 2048 } }, async (app) => {
      const big = anEvent({ description: 'x'.repeat(4096) });
      await expectRefused(postEvent(big), 413, 'body_too_large', app);
      const small = await app.inject(postEvent(anEvent({ title: 'small enough' })));
      expect(small.statusCode).toBe(201);
      await app.inject({ method: 'DELETE', url: `/api/v1/events/${small.json().ids[0]}` });
    });
  });

  describe('SQL metacharacters and unicode in every string field', () => {
    const HOSTILE = {
      sql: "'; DROP TABLE events; --",
      like: '%_\\',
      placeholder: '$1 $$ ${x}',
      nullish: 'null NULL undefined',
      emoji: '🚀 deploy 👩‍💻 🇪🇺',
      rtl: 'שלום עולם مرحبا',
      combining: 'e\u0301 a\u0308 n\u0303',
      cjk: '変更の時系列 변경',
      quotes: '"\'`',
    };
    const all = Object.values(HOSTILE).join(' | ');
    const event = anEvent({
      title: `  ${all}  `,
      description: `# ${all}\n\n${HOSTILE.sql}\n`,
      project: `acme/${HOSTILE.sql}${HOSTILE.like}`,
      service: `api ${HOSTILE.combining}`,
      environment: `prod ${HOSTILE.rtl}`,
      author: `${HOSTILE.cjk} ${HOSTILE.emoji}`,
      url: `https://example.com/?q=${HOSTILE.sql}&x=${HOSTILE.placeholder}`,
      externalId: `run-${all}`,
      connector: 'Ci.Drop_Table-x',
      refs: {
        commit: HOSTILE.sql,
        commits: [HOSTILE.like, HOSTILE.placeholder],
        branch: `feature/${HOSTILE.emoji}`,
        tag: HOSTILE.cjk,
        pullRequest: HOSTILE.nullish,
        image: `registry/${HOSTILE.rtl}:1`,
        pipeline: 42,
        version: HOSTILE.combining,
        [HOSTILE.sql]: HOSTILE.quotes,
      },
      tags: [HOSTILE.sql, HOSTILE.like, HOSTILE.emoji, HOSTILE.nullish],
      data: {
        ...HOSTILE,
        [HOSTILE.sql]: { [HOSTILE.placeholder]: [HOSTILE.rtl, null, 0] },
      },
    });
    let id: string;

    beforeAll(async () => {
      const res = await t.app.inject(postEvent(event));
      expect(res.statusCode).toBe(201);
      id = res.json().ids[0];
    });

    test('the event is stored and read back exactly (title trimmed to one line)', async () => {
      const stored = (await t.app.inject(get(`/api/v1/events/${id}`))).json();
      expect(stored).toMatchObject({
        title: all,
        description: (event.description as string).trim(),
        project: event.project,
        service: event.service,
        environment: event.environment,
        author: event.author,
        url: event.url,
        externalId: event.externalId,
        connector: 'ci.drop_table-x',
      });
      expect(stored.refs).toEqual(event.refs);
      expect(stored.tags).toEqual(event.tags);
      expect(stored.data).toEqual(event.data);
      // The listing answers the same bytes as the lookup.
      const listed = (await t.app.inject(get('/api/v1/events?connector=ci.drop_table-x'))).json();
      expect(listed.events).toEqual([stored]);
    });

    test('the events table is still there and intact', async () => {
      const { rows } = await t.db.query<{ name: string | null }>(
        "SELECT to_regclass('events')::text AS name",
      );
      expect(rows[0]?.name).toBe('events');
      expect(await t.count()).toBe(SEEDED + 1);
    });

    test('filtering by those values finds exactly that event', async () => {
      const ids = async (query: Record<string, string>) => {
        const res = await t.app.inject(get(`/api/v1/events?${new URLSearchParams(query)}`));
        expect(res.statusCode).toBe(200);
        return res.json().events.map((e: { id: string }) => e.id);
      };
      expect(await ids({ project: event.project as string })).toEqual([id]);
      expect(await ids({ service: event.service as string })).toEqual([id]);
      expect(await ids({ environment: event.environment as string })).toEqual([id]);
      for (const value of Object.values(HOSTILE)) {
        expect([value, await ids({ q: value })]).toEqual([value, [id]]);
      }
      for (const tag of event.tags as string[]) {
        expect([tag, await ids({ tag })]).toEqual([tag, [id]]);
      }
      expect(await ids({ q: '%' })).toEqual([id]);
      expect(await ids({ q: '_' })).toEqual([id]);
      expect(await ids({ tag: '%' })).toEqual([]);
      expect(await ids({ project: 'acme/%' })).toEqual([]);
    });

    test('facets list those values unchanged', async () => {
      const values = async (field: string) =>
        (await t.app.inject(get(`/api/v1/facets/${field}`)))
          .json()
          .values.map((v: { value: string }) => v.value);
      expect(await values('project')).toContain(event.project);
      expect(await values('author')).toContain(event.author);
      expect(await values('tag')).toEqual(expect.arrayContaining(event.tags as string[]));
    });

    test('posting it again is a duplicate, not a second event', async () => {
      const res = await t.app.inject(postEvent(event));
      expect(res.json()).toMatchObject({ ids: [id], created: 0, duplicates: 1 });
      expect(await t.count()).toBe(SEEDED + 1);
    });
  });
});
