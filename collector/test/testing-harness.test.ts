// The harness connector packages test through (`@painchain/collector/testing`): a webhook
// reaches the connector with exactly the bytes given, and readEvents reads every page back.
import type { ConnectorDefinition, WebhookRequest } from '@painchain/sdk';
import { Type } from 'typebox';
import {
  anEvent,
  createTestDatabase,
  postWebhook,
  readEvents,
  RECENT,
  startApp,
  type TestApp,
} from '../src/testing/index.js';

const received: WebhookRequest[] = [];
/** Takes every delivery, stores one event named after its `id`. */
const echo: ConnectorDefinition = {
  type: 'echo',
  description: 'test connector taking webhooks',
  kinds: ['other'],
  configSchema: Type.Object({}),
  defaultConfig: () => ({}),
  create: (ctx) => ({
    run: () =>
      new Promise<void>((resolve) =>
        ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
      ),
    async handleWebhook(request) {
      received.push(request);
      const { id } = request.body as { id: string };
      return {
        status: 'accepted',
        events: [
          {
            connector: 'echo',
            externalId: id,
            title: `delivery ${id}`,
            project: 'acme/api',
            timestamp: RECENT.toISOString(),
          },
        ],
      };
    },
  }),
};

let t: TestApp;
beforeAll(async () => {
  t = await startApp(
    await createTestDatabase('pglite'),
    { connectors: [{ name: 'one', type: 'echo' }] },
    { connectorTypes: [echo] },
  );
});
afterAll(async () => {
  await t?.close();
});

test('postWebhook hands the connector the raw bytes as given, and its headers', async () => {
  const raw = '{ "id":"a",\n  "note": "é" }';
  const res = await postWebhook(t.app, {
    type: 'echo',
    name: 'one',
    headers: { 'x-signature': 'sig' },
    rawBody: raw,
  });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ status: 'accepted', connector: 'one', created: 1 });
  const last = received.at(-1)!;
  expect(last.rawBody.equals(Buffer.from(raw))).toBe(true);
  expect(last.headers['x-signature']).toBe('sig');

  const body = { id: 'b', list: [1, 2] };
  const res2 = await postWebhook(t.app, { type: 'echo', body });
  expect(res2.statusCode).toBe(200);
  expect(received.at(-1)!.rawBody.toString('utf8')).toBe(JSON.stringify(body));
});

test('readEvents follows every page and takes the API filters', async () => {
  const events = Array.from({ length: 120 }, (_, i) =>
    anEvent({ title: `bulk ${i}`, externalId: `bulk-${i}`, service: i % 2 ? 'odd' : 'even' }),
  );
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', payload: events });
  expect(res.statusCode).toBe(201);
  expect(await readEvents(t.app, { connector: 'ci', limit: 50 })).toHaveLength(120);
  expect(await readEvents(t.app, { service: ['odd'] })).toHaveLength(60);
  expect((await readEvents(t.app, { q: 'delivery' })).map((e) => e.title).sort()).toEqual([
    'delivery a',
    'delivery b',
  ]);
  await expect(readEvents(t.app, { kind: 'nonsense' })).rejects.toThrow(/answered 400/);
});
