// What a slow, stalled or greedy client can hold, on the real listening server: a request whose
// body stops half-way and headers that never end are cut by the request and headers timeouts, an
// idle keep-alive connection is closed, connections beyond the cap are refused; a 503 says
// Retry-After (here: a connector that is not running, and a request arriving while the collector
// closes; the store's in durability.test.ts); /metrics labels are
// bounded to known connectors and can require a token.
import type { Socket } from 'node:net';
import { Type } from 'typebox';
import type { ConnectorDefinition } from '@painchain/sdk';
import {
  anEvent,
  createTestDatabase,
  openSocket,
  startApp,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

/** Resolves with what the server sent once it closes the socket (or rejects after ms). */
function closed(socket: Socket, ms = 15_000): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server kept the socket open')), ms);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('error', () => undefined);
  });
}

const failing: ConnectorDefinition = {
  type: 'failing',
  description: 'a connector whose run fails at once (it sits in backoff)',
  kinds: ['other'],
  configSchema: Type.Object({}),
  defaultConfig: () => ({}),
  create: () => ({
    run: async () => Promise.reject(new Error('cannot reach the source')),
    handleWebhook: async () => ({ status: 'ignored', reason: 'never reached' }),
  }),
};

describe('server limits on the listening collector', () => {
  let database: TestDatabase;
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    t = await startApp(
      database,
      {
        server: {
          requestTimeoutMs: 500,
          headersTimeoutMs: 300,
          idleTimeoutMs: 300,
          maxConnections: 5,
          retryAfterSeconds: 7,
        },
        connectors: [{ name: 'down', type: 'failing' }],
        metrics: { token: 'metrics-token-0123456789', connectorLabels: ['jenkins'] },
      },
      { connectorTypes: [failing] },
    );
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  test('a body that stops half-way is cut by the request timeout (408), and nothing is stored', async () => {
    const before = await t.count();
    const socket = await openSocket(port);
    const body = JSON.stringify(anEvent({ title: 'never finished' }));
    socket.write(
      `POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    const answer = await closed(socket);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(await t.count()).toBe(before);
  });

  test('headers that never end are cut by the headers timeout', async () => {
    const socket = await openSocket(port);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(await closed(socket)).toMatch(/^HTTP\/1\.1 408/);
  });

  test('an idle keep-alive connection is closed after idleTimeoutMs', async () => {
    const socket = await openSocket(port);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const answer = await closed(socket);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
  });

  test('connections beyond maxConnections are closed at once; the first ones still answer', async () => {
    const sockets = await Promise.all(Array.from({ length: 5 }, () => openSocket(port)));
    const extra = await openSocket(port);
    expect(await closed(extra, 5000)).toBe('');
    sockets[0]!.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await closed(sockets[0]!)).toMatch(/^HTTP\/1\.1 200/);
    for (const s of sockets) s.destroy();
  });

  test('a webhook for a connector that is not running: 503 with Retry-After', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/webhooks/failing`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toMatchObject({ error: 'connector_unavailable' });
  });

  test('/metrics needs its token; labels are the configured connectors plus other, however many names callers send', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    const wrong = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { authorization: 'Bearer not-the-token-at-all' },
    });
    expect(wrong.status).toBe(401);

    const names = Array.from({ length: 300 }, (_, i) => `tenant-b-secret-${i}`);
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        ...names.map((connector, i) => anEvent({ connector, externalId: `m-${i}` })),
        anEvent({ connector: 'jenkins', externalId: 'j-1' }),
      ]),
    });
    expect(res.status).toBe(201);
    const page = await (
      await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { authorization: 'Bearer metrics-token-0123456789' },
      })
    ).text();
    expect(page).not.toContain('tenant-b-secret');
    expect(page).toMatch(
      /painchain_events_ingested_total\{connector="other",outcome="created"\} 300/,
    );
    expect(page).toMatch(
      /painchain_events_ingested_total\{connector="jenkins",outcome="created"\} 1/,
    );
    const labels = new Set([...page.matchAll(/connector="([^"]*)"/g)].map((m) => m[1]));
    expect([...labels].sort()).toEqual(['jenkins', 'other']);
  });
});

describe('a collector that is closing', () => {
  test('answers a request that still arrives 503 shutting_down with Retry-After, and finishes the one in progress', async () => {
    const database = await createTestDatabase('pglite');
    const t = await startApp(database, { server: { retryAfterSeconds: 9, idleTimeoutMs: 300 } });
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as { port: number };
      const post = (externalId: string) => {
        const body = JSON.stringify(anEvent({ externalId }));
        return `POST /api/v1/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
      };
      // A write in progress when the close begins (its body not complete yet), and a request
      // whose headers are still arriving: neither connection is idle, so both stay open.
      const inProgress = post('in-progress');
      const first = await openSocket(port);
      const firstAnswer = closed(first);
      first.write(inProgress.slice(0, -3));
      const late = post('late');
      const second = await openSocket(port);
      const secondAnswer = closed(second);
      second.write(late.slice(0, 20));
      await new Promise((resolve) => setTimeout(resolve, 100));

      const closing = t.app.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      second.write(late.slice(20));
      const refused = await secondAnswer;
      expect(refused.split('\r\n')[0]).toBe('HTTP/1.1 503 Service Unavailable');
      expect(refused).toMatch(/^retry-after: 9$/im);
      expect(refused).toContain('"error":"shutting_down"');

      // The one in progress is finished and answered before the collector is gone.
      first.write(inProgress.slice(-3));
      expect((await firstAnswer).split('\r\n')[0]).toBe('HTTP/1.1 201 Created');
      await closing;
    } finally {
      await t.close().catch(() => undefined);
      await database.drop();
    }
  });
});
