// POST /webhooks/:type[/:name] with stand-in connectors: how a delivery reaches the running
// connector of its type, and every way a delivery can be refused (4xx with a code, 503 while the
// connector is down) — each storing nothing.
import { Type } from 'typebox';
import {
  WebhookSignatureError,
  type ConnectorDefinition,
  type WebhookRequest,
} from '@painchain/sdk';
import {
  createTestDatabase,
  RECENT,
  startApp,
  STORE_KINDS,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

/** Accepts deliveries signed `ok`, stores one event per delivery, remembers what it was given. */
const received: WebhookRequest[] = [];
const hooky: ConnectorDefinition = {
  type: 'hooky',
  description: 'test connector taking webhooks',
  kinds: ['other'],
  configSchema: Type.Object({ broken: Type.Optional(Type.Boolean()) }),
  defaultConfig: () => ({}),
  create: (ctx) => ({
    run: () =>
      new Promise<void>((resolve) =>
        ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
      ),
    async handleWebhook(request) {
      received.push(request);
      if (request.headers['x-signature'] !== 'ok') throw new WebhookSignatureError('bad signature');
      const body = request.body as { id?: string; ignore?: boolean };
      if (body.ignore) return { status: 'ignored', reason: 'not a change' };
      const broken = (ctx.config as { broken?: boolean }).broken;
      return {
        status: 'accepted',
        events: [
          {
            connector: 'hooky',
            externalId: String(body.id),
            title: broken ? '' : `delivery ${body.id}`,
            project: ctx.name,
            timestamp: RECENT.toISOString(),
          },
        ],
      };
    },
  }),
};
/** A type without webhooks, and one whose run fails at once (so it sits in backoff). */
const plain: ConnectorDefinition = {
  ...hooky,
  type: 'plain',
  create: (ctx) => ({ run: hooky.create(ctx).run }),
};
const failing: ConnectorDefinition = {
  ...hooky,
  type: 'failing',
  create: () => ({ run: async () => Promise.reject(new Error('cannot reach the source')) }),
};

describe.each(STORE_KINDS)('webhooks route on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(
      database,
      {
        server: { bodyLimitBytes: 4096 },
        connectors: [
          { name: 'one', type: 'hooky' },
          { name: 'two', type: 'hooky' },
          { name: 'solo', type: 'plain' },
          { name: 'down', type: 'failing' },
          { name: 'buggy', type: 'hooky', options: { broken: true } },
        ],
      },
      { connectorTypes: [hooky, plain, failing] },
    );
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'x-signature': 'ok', ...headers },
      payload,
    });

  test('a delivery reaches the named connector with its raw bytes, and its event is stored', async () => {
    const raw = '{ "id": "d-1" }';
    const res = await post('/webhooks/hooky/one', raw);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'accepted',
      connector: 'one',
      created: 1,
      ids: [expect.any(String)],
    });
    const last = received.at(-1)!;
    expect(last.rawBody.toString()).toBe(raw);
    expect(last.body).toEqual({ id: 'd-1' });
    const again = await post('/webhooks/hooky/one', raw);
    expect(again.json()).toMatchObject({ created: 0, ids: res.json().ids });
    const connectors = (await t.app.inject('/api/v1/connectors')).json().connectors;
    expect(connectors.find((c: { name: string }) => c.name === 'one')).toMatchObject({
      eventsEmitted: 2,
    });
  });

  test('a form post carries the JSON in its payload field', async () => {
    const form = `payload=${encodeURIComponent('{"id":"form-1"}')}`;
    const res = await post('/webhooks/hooky/two', form, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.statusCode).toBe(200);
    expect(received.at(-1)!.rawBody.toString()).toBe(form);
  });

  test('an ignored delivery is 202 with the reason, and stores nothing', async () => {
    const before = await t.count();
    const res = await post('/webhooks/hooky/one', '{"ignore":true}');
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      status: 'ignored',
      reason: 'not a change',
      connector: 'one',
      ids: [],
      created: 0,
      updated: 0,
      unchanged: 0,
    });
    expect(await t.count()).toBe(before);
  });

  test.each([
    ['an unknown type', '/webhooks/gitlab', {}, '{}', 404, 'webhook_target_not_found'],
    ['an unknown name', '/webhooks/hooky/three', {}, '{}', 404, 'webhook_target_not_found'],
    ['a type without webhooks', '/webhooks/plain', {}, '{}', 404, 'webhook_target_not_found'],
    [
      'a type with several connectors and no name',
      '/webhooks/hooky',
      {},
      '{}',
      400,
      'webhook_target_ambiguous',
    ],
    ['an invalid name', '/webhooks/hooky/Not%20A%20Name', {}, '{}', 400, 'invalid_query'],
    ['invalid JSON', '/webhooks/hooky/one', {}, '{"id":', 400, 'invalid_json'],
    ['an empty body', '/webhooks/hooky/one', {}, '', 400, 'invalid_json'],
    [
      'a form without payload',
      '/webhooks/hooky/one',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'x=1',
      400,
      'invalid_body',
    ],
    [
      'a form whose payload is not JSON',
      '/webhooks/hooky/one',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'payload=nope',
      400,
      'invalid_json',
    ],
    [
      'another content type',
      '/webhooks/hooky/one',
      { 'content-type': 'text/plain' },
      '{}',
      415,
      'unsupported_media_type',
    ],
    [
      'a body over the limit',
      '/webhooks/hooky/one',
      {},
      JSON.stringify({ id: 'x'.repeat(5000) }),
      413,
      'body_too_large',
    ],
    [
      'a signature the connector refuses',
      '/webhooks/hooky/one',
      { 'x-signature': 'forged' },
      '{"id":"f"}',
      401,
      'invalid_signature',
    ],
  ])('%s: %s is refused and stores nothing', async (_name, url, headers, body, status, code) => {
    const before = await t.count();
    const res = await post(url, body, headers as Record<string, string>);
    expect({ status: res.statusCode, error: res.json().error }).toEqual({ status, error: code });
    expect(res.json().message).toEqual(expect.any(String));
    expect(await t.count()).toBe(before);
  });

  test('a connector that is not running answers 503 connector_unavailable (the source retries)', async () => {
    const before = await t.count();
    const res = await post('/webhooks/failing', '{"id":"x"}');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      error: 'connector_unavailable',
      message: expect.stringContaining('down'),
    });
    expect(await t.count()).toBe(before);
  });

  test('a trusted delivery that makes events the store refuses is 422 with the reason, never 500; nothing stored', async () => {
    // A redelivery could never succeed: a 5xx would only make the sender retry in vain.
    const before = await t.count();
    const res = await post('/webhooks/hooky/buggy', '{"id":"b"}');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      error: 'webhook_untranslatable',
      message:
        'The hooky connector cannot translate this delivery (nothing was stored): it describes changes PainChain cannot store',
      details: [expect.objectContaining({ path: '/0/title' })],
    });
    expect(await t.count()).toBe(before);
  });
});

test('with API tokens configured, webhooks still need none: the source signs them instead', async () => {
  const secured = await startApp(
    await createTestDatabase('pglite'),
    {
      auth: { tokens: [{ name: 'reader', token: 'a-read-token-of-16+', scopes: ['read'] }] },
      connectors: [{ name: 'one', type: 'hooky' }],
    },
    { connectorTypes: [hooky] },
  );
  try {
    const res = await secured.app.inject({
      method: 'POST',
      url: '/webhooks/hooky',
      headers: { 'content-type': 'application/json', 'x-signature': 'ok' },
      payload: '{"id":"no-bearer"}',
    });
    expect(res.statusCode).toBe(200);
    expect((await secured.app.inject('/api/v1/events')).statusCode).toBe(401);
  } finally {
    await secured.close();
  }
});
