// server.rateLimit: each token has its own budget, a caller over it gets 429 rate_limited with
// Retry-After and stores nothing, routes without a token count per client address, and health
// and metrics are never limited. Without the setting nothing is limited.
import type { InjectOptions } from 'fastify';
import { createConfig } from '../src/config/load-config.js';
import {
  anEvent,
  createTestDatabase,
  startApp,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const token = (name: string, tenant: string, scopes: string[]) => ({
  name,
  tenant,
  scopes,
  token: `${name}-secret-0123456789abcdef`,
});
const CI = token('acme-ci', 'acme', ['ingest', 'read']);
const GRAFANA = token('acme-grafana', 'acme', ['read']);
const GLOBEX = token('globex-ci', 'globex', ['ingest', 'read']);
const MAX = 3;
const WINDOW_SECONDS = 600;

const bearer = (t: { token: string }) => ({ authorization: `Bearer ${t.token}` });

describe('rate limits (PGlite)', () => {
  let database: TestDatabase;
  let limited: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    limited = await startApp(database, {
      auth: { tokens: [CI, GRAFANA, GLOBEX] },
      grafana: { url: 'http://grafana.example.com' },
      server: { rateLimit: { max: MAX, windowSeconds: WINDOW_SECONDS } },
    });
  });
  afterAll(async () => {
    await limited?.close();
    await database?.drop();
  });

  /** Sends `request` until the budget is spent; the answers, in order. */
  const spend = async (request: InjectOptions, times = MAX) => {
    const statuses: number[] = [];
    for (let i = 0; i < times; i++) statuses.push((await limited.app.inject(request)).statusCode);
    return statuses;
  };

  test('a token over its budget gets 429 rate_limited with Retry-After; other tokens, even of its tenant, do not', async () => {
    const list = (as: { token: string }): InjectOptions => ({
      method: 'GET',
      url: '/api/v1/events',
      headers: bearer(as),
    });
    const first = await limited.app.inject(list(GRAFANA));
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBe(String(MAX));
    expect(first.headers['x-ratelimit-remaining']).toBe(String(MAX - 1));
    expect(await spend(list(GRAFANA), MAX - 1)).toEqual([200, 200]);

    const refused = await limited.app.inject(list(GRAFANA));
    expect(refused.statusCode).toBe(429);
    const body = refused.json<{ error: string; message: string }>();
    expect(body).toEqual({
      error: 'rate_limited',
      message: expect.stringContaining('Retry-After'),
    });
    expect(body.message).toContain(`${MAX} in ${WINDOW_SECONDS} s`);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);

    // Another token of the same tenant, and another tenant's, still have their budgets.
    expect((await limited.app.inject(list(CI))).statusCode).toBe(200);
    expect((await limited.app.inject(list(GLOBEX))).statusCode).toBe(200);
    // Still throttled: the refusals count, and the other tokens' requests do not refill it.
    expect((await limited.app.inject(list(GRAFANA))).statusCode).toBe(429);
  });

  test('an ingest over the budget is refused and stores nothing', async () => {
    const post = (i: number): InjectOptions => ({
      method: 'POST',
      url: '/api/v1/events',
      headers: bearer(GLOBEX),
      payload: anEvent({ title: `limited ${i}`, externalId: `limited-${i}` }),
    });
    // GLOBEX spent one request in the test above.
    const accepted = [];
    for (let i = 0; i < MAX - 1; i++) accepted.push((await limited.app.inject(post(i))).statusCode);
    expect(accepted).toEqual([201, 201]);
    const before = await limited.count();
    const refused = await limited.app.inject(post(99));
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: 'rate_limited' });
    expect(await limited.count()).toBe(before);
  });

  test('routes without a token count per client address', async () => {
    const go = (remoteAddress: string): InjectOptions => ({
      method: 'GET',
      url: '/go/changes?service=api',
      remoteAddress,
    });
    expect(await spend(go('192.0.2.10'))).toEqual([302, 302, 302]);
    const refused = await limited.app.inject(go('192.0.2.10'));
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toEqual(expect.stringMatching(/^\d+$/));
    expect((await limited.app.inject(go('192.0.2.11'))).statusCode).toBe(302);
  });

  test('health, readiness and metrics are never limited', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      const statuses = await spend({ method: 'GET', url, remoteAddress: '192.0.2.20' }, MAX * 3);
      expect({ url, statuses }).toEqual({ url, statuses: Array(MAX * 3).fill(200) });
      const res = await limited.app.inject({ method: 'GET', url, remoteAddress: '192.0.2.20' });
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
    // They did not spend the address's budget for the other routes either.
    expect(
      await spend({ method: 'GET', url: '/go/changes?service=api', remoteAddress: '192.0.2.20' }),
    ).toEqual([302, 302, 302]);
  });

  test('without server.rateLimit nothing is limited', async () => {
    const open = await startApp(database, { auth: { tokens: [CI] } });
    try {
      const request = { method: 'GET', url: '/api/v1/events', headers: bearer(CI) } as const;
      const statuses = [];
      for (let i = 0; i < MAX * 10; i++) {
        const res = await open.app.inject(request);
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
        statuses.push(res.statusCode);
      }
      expect(statuses).toEqual(Array(MAX * 10).fill(200));
    } finally {
      await open.close();
    }
  });

  test('a rate limit of zero, or a window without max, is refused when the config is read', () => {
    expect(() => createConfig({ server: { rateLimit: { max: 0 } } })).toThrow(
      /server\.rateLimit\.max/,
    );
    expect(() => createConfig({ server: { rateLimit: { windowSeconds: 60 } } })).toThrow(
      /server\.rateLimit/,
    );
  });
});
