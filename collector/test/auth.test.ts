// Bearer tokens with scopes, each bound to a tenant: a request without the right token is refused
// and changes nothing, public routes stay open, and tenants never see each other's events.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.js';
import { createConfig } from '../src/config/load-config.js';
import {
  createTestDatabase,
  startApp,
  anEvent,
  STORE_KINDS,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const token = (name: string, tenant: string, scopes: string[]) => ({
  name,
  tenant,
  scopes,
  token: `${name}-secret-0123456789abcdef`,
});
const ACME_INGEST = token('acme-ci', 'acme', ['ingest']);
const ACME_READ = token('acme-grafana', 'acme', ['read']);
const ACME_WRITER = token('acme-writer', 'acme', ['ingest', 'read']);
const ACME_ADMIN = token('acme-admin', 'acme', ['admin']);
const GLOBEX_INGEST = token('globex-ci', 'globex', ['ingest']);
const GLOBEX_READ = token('globex-grafana', 'globex', ['read']);
const GLOBEX_ADMIN = token('globex-admin', 'globex', ['admin']);
const TOKENS = [
  ACME_INGEST,
  ACME_READ,
  ACME_WRITER,
  ACME_ADMIN,
  GLOBEX_INGEST,
  GLOBEX_READ,
  GLOBEX_ADMIN,
];

interface ErrorAnswer {
  error: string;
  message: string;
}

const bearer = (t: { token: string }) => ({ authorization: `Bearer ${t.token}` });

describe.each(STORE_KINDS)('authentication and tenants on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;
  /** An acme event, there from the start: what refused requests must leave alone. */
  let acmeId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(database, { auth: { tokens: TOKENS } });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: bearer(ACME_INGEST),
      payload: anEvent({
        title: 'acme secret deploy',
        project: 'acme/secret',
        service: 'acme-billing',
        environment: 'acme-prod',
        author: 'wile.e',
        tags: ['acme-only'],
        externalId: 'acme-deploy-1',
      }),
    });
    expect(res.statusCode).toBe(201);
    acmeId = res.json().ids[0];
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  /** Every route that needs a token, with a request that would succeed with the right one. */
  const protectedRoutes = (): InjectOptions[] => [
    { method: 'POST', url: '/api/v1/events', payload: anEvent({ title: 'refused' }) },
    { method: 'POST', url: '/api/events', payload: anEvent({ title: 'refused (seed)' }) },
    { method: 'GET', url: '/api/v1/events' },
    { method: 'GET', url: `/api/v1/events/${acmeId}` },
    { method: 'GET', url: '/api/v1/facets/project' },
    { method: 'GET', url: '/api/v1/connectors' },
    { method: 'DELETE', url: `/api/v1/events/${acmeId}` },
  ];
  const describeRequest = (r: InjectOptions) => `${r.method} ${String(r.url)}`;

  /** Sends a request that must be refused; checks status, code, message and the store. */
  async function expectRefused(
    request: InjectOptions,
    status: number,
    error: string,
    app: FastifyInstance = t.app,
  ): Promise<LightMyRequestResponse> {
    const before = await t.count();
    const res = await app.inject(request);
    const body = res.json() as ErrorAnswer;
    expect({ request: describeRequest(request), status: res.statusCode, ...body }).toMatchObject({
      status,
      error,
    });
    expect(body.message.trim()).not.toBe('');
    expect(await t.count()).toBe(before);
    return res;
  }

  async function expectAcmeEventIntact() {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/events/${acmeId}`,
      headers: bearer(ACME_READ),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().title).toBe('acme secret deploy');
  }

  const ids = async (url: string, as: { token: string }) => {
    const res = await t.app.inject({ method: 'GET', url, headers: bearer(as) });
    expect(res.statusCode).toBe(200);
    return res.json().events.map((e: { id: string }) => e.id) as string[];
  };
  const facetValues = async (field: string, as: { token: string }) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/facets/${field}`,
      headers: bearer(as),
    });
    expect(res.statusCode).toBe(200);
    return res.json().values.map((v: { value: string }) => v.value) as string[];
  };

  test('a request without a token is refused with 401 and a Bearer challenge', async () => {
    for (const request of protectedRoutes()) {
      const res = await expectRefused(request, 401, 'unauthorized');
      expect([describeRequest(request), res.headers['www-authenticate']]).toEqual([
        describeRequest(request),
        expect.stringMatching(/^Bearer\b/),
      ]);
    }
    await expectAcmeEventIntact();
  });

  test('a wrong token is refused with 401 and is never echoed back', async () => {
    const wrong = 'not-a-configured-token-0123456789';
    for (const request of protectedRoutes()) {
      const res = await expectRefused(
        { ...request, headers: { authorization: `Bearer ${wrong}` } },
        401,
        'unauthorized',
      );
      expect(res.headers['www-authenticate']).toMatch(/^Bearer\b/);
      expect(res.body).not.toContain(wrong);
    }
    // A configured token with one character changed is just as wrong.
    await expectRefused(
      {
        method: 'GET',
        url: '/api/v1/events',
        headers: { authorization: `Bearer ${ACME_ADMIN.token.slice(0, -1)}X` },
      },
      401,
      'unauthorized',
    );
    await expectAcmeEventIntact();
  });

  test('a malformed Authorization header is refused with 401', async () => {
    const headers = [
      `Basic ${Buffer.from(`admin:${ACME_ADMIN.token}`).toString('base64')}`,
      'Bearer',
      'Bearer ',
      `Bearer ${ACME_ADMIN.token} extra`,
      `Token ${ACME_ADMIN.token}`,
      ACME_ADMIN.token,
      `Bearer"${ACME_ADMIN.token}"`,
    ];
    for (const authorization of headers) {
      const res = await expectRefused(
        {
          method: 'POST',
          url: '/api/v1/events',
          headers: { authorization },
          payload: anEvent({ title: 'malformed auth' }),
        },
        401,
        'unauthorized',
      );
      expect([authorization, res.headers['www-authenticate']]).toEqual([
        authorization,
        expect.stringMatching(/^Bearer\b/),
      ]);
    }
  });

  test('an unauthenticated request is refused before its body is read', async () => {
    await expectRefused(
      {
        method: 'POST',
        url: '/api/v1/events',
        headers: { 'content-type': 'application/json' },
        payload: '{"title": ',
      },
      401,
      'unauthorized',
    );
  });

  test('a token without the read scope cannot read', async () => {
    for (const url of [
      '/api/v1/events',
      '/api/v1/facets/project',
      '/api/v1/connectors',
      `/api/v1/events/${acmeId}`,
    ]) {
      const res = await expectRefused(
        { method: 'GET', url, headers: bearer(ACME_INGEST) },
        403,
        'forbidden',
      );
      expect(res.json().message).toContain('read');
    }
  });

  test('a token without the ingest scope cannot ingest, on either ingest route', async () => {
    for (const url of ['/api/v1/events', '/api/events']) {
      const res = await expectRefused(
        { method: 'POST', url, headers: bearer(ACME_READ), payload: anEvent({ title: 'nope' }) },
        403,
        'forbidden',
      );
      expect(res.json().message).toContain('ingest');
    }
  });

  test('only an admin token can delete', async () => {
    for (const as of [ACME_READ, ACME_INGEST, ACME_WRITER]) {
      const res = await expectRefused(
        { method: 'DELETE', url: `/api/v1/events/${acmeId}`, headers: bearer(as) },
        403,
        'forbidden',
      );
      expect(res.json().message).toContain('admin');
    }
    await expectAcmeEventIntact();
  });

  test('an admin token can do everything in its tenant', async () => {
    const headers = bearer(ACME_ADMIN);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers,
      payload: anEvent({ title: 'admin deploy', externalId: 'admin-1' }),
    });
    expect(created.statusCode).toBe(201);
    const id: string = created.json().ids[0];
    const seed = await t.app.inject({
      method: 'POST',
      url: '/api/events',
      headers,
      payload: anEvent({ title: 'admin seed deploy', externalId: 'admin-2' }),
    });
    expect(seed.statusCode).toBe(201);
    for (const url of [
      '/api/v1/events',
      `/api/v1/events/${id}`,
      '/api/v1/facets/project',
      '/api/v1/connectors',
    ]) {
      const res = await t.app.inject({ method: 'GET', url, headers });
      expect([url, res.statusCode]).toEqual([url, 200]);
    }
    for (const gone of [id, seed.json().event_id as string]) {
      const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/events/${gone}`, headers });
      expect(res.statusCode).toBe(204);
    }
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/events/${id}`, headers })).statusCode,
    ).toBe(404);
  });

  test('the Bearer scheme is case-insensitive', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events',
      headers: { authorization: `bearer ${ACME_READ.token}` },
    });
    expect(res.statusCode).toBe(200);
  });

  test('health, readiness, metrics and the OpenAPI document need no token', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/api/v1/openapi.json']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect([url, res.statusCode]).toEqual([url, 200]);
      for (const configured of TOKENS) expect(res.body).not.toContain(configured.token);
    }
  });

  test("a tenant's events never appear in another tenant's list, search or facets", async () => {
    const globex = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: bearer(GLOBEX_INGEST),
      payload: anEvent({ title: 'globex deploy', project: 'globex/site', tags: ['globex-only'] }),
    });
    expect(globex.statusCode).toBe(201);
    const globexId: string = globex.json().ids[0];

    expect(await ids('/api/v1/events', GLOBEX_READ)).toEqual([globexId]);
    expect(await ids('/api/v1/events?q=acme', GLOBEX_READ)).toEqual([]);
    expect(await ids('/api/v1/events?project=acme/secret', GLOBEX_READ)).toEqual([]);
    expect(await ids('/api/v1/events?tag=acme-only', GLOBEX_ADMIN)).toEqual([]);
    expect(await ids('/api/v1/events?project=acme/secret', ACME_READ)).toEqual([acmeId]);
    expect(await ids('/api/v1/events', ACME_READ)).not.toContain(globexId);

    for (const field of ['project', 'service', 'environment', 'author', 'tag', 'connector']) {
      const values = await facetValues(field, GLOBEX_READ);
      expect([field, values.filter((v) => /acme|wile/.test(v))]).toEqual([field, []]);
    }
    expect(await facetValues('project', GLOBEX_READ)).toEqual(['globex/site']);
    expect(await facetValues('project', ACME_READ)).not.toContain('globex/site');
  });

  test("another tenant's event is not found, even by an admin, and cannot be deleted", async () => {
    for (const as of [GLOBEX_READ, GLOBEX_ADMIN]) {
      await expectRefused(
        { method: 'GET', url: `/api/v1/events/${acmeId}`, headers: bearer(as) },
        404,
        'not_found',
      );
    }
    await expectRefused(
      { method: 'DELETE', url: `/api/v1/events/${acmeId}`, headers: bearer(GLOBEX_ADMIN) },
      404,
      'not_found',
    );
    await expectAcmeEventIntact();
  });

  test('a cursor issued to one tenant is refused for another', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: bearer(ACME_INGEST),
      payload: [anEvent({ title: 'acme page a' }), anEvent({ title: 'acme page b' })],
    });
    const page = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events?limit=1',
      headers: bearer(ACME_READ),
    });
    const cursor: string = page.json().nextCursor;
    expect(cursor).toEqual(expect.any(String));
    await expectRefused(
      {
        method: 'GET',
        url: `/api/v1/events?limit=1&cursor=${encodeURIComponent(cursor)}`,
        headers: bearer(GLOBEX_READ),
      },
      400,
      'invalid_cursor',
    );
  });

  test('the same externalId in two tenants makes two events', async () => {
    const before = await t.count();
    const send = (as: { token: string }, title: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: bearer(as),
        payload: anEvent({ title, externalId: 'shared-run-7', connector: 'github' }),
      });
    const acme = await send(ACME_INGEST, 'acme run 7');
    const globex = await send(GLOBEX_INGEST, 'globex run 7');
    expect([acme.statusCode, globex.statusCode]).toEqual([201, 201]);
    const acmeRun: string = acme.json().ids[0];
    const globexRun: string = globex.json().ids[0];
    expect(acmeRun).not.toBe(globexRun);
    expect(await t.count()).toBe(before + 2);

    const read = async (id: string, as: { token: string }) =>
      (
        await t.app.inject({ method: 'GET', url: `/api/v1/events/${id}`, headers: bearer(as) })
      ).json();
    expect(await read(acmeRun, ACME_READ)).toMatchObject({
      title: 'acme run 7',
      externalId: 'shared-run-7',
    });
    expect(await read(globexRun, GLOBEX_READ)).toMatchObject({
      title: 'globex run 7',
      externalId: 'shared-run-7',
    });
    // Within a tenant the key still deduplicates.
    const again = await send(GLOBEX_INGEST, 'globex run 7');
    expect(again.json()).toMatchObject({ ids: [globexRun], created: 0, duplicates: 1 });
    expect(await t.count()).toBe(before + 2);
  });

  describe('without any token configured (loopback mode)', () => {
    let open: FastifyInstance;

    beforeAll(async () => {
      open = await buildApp(createConfig({}, { env: {} }), { db: t.db, logger: false });
      await open.ready();
    });
    afterAll(async () => {
      await open?.close();
    });

    test('every route works without an Authorization header', async () => {
      const created = await open.inject({
        method: 'POST',
        url: '/api/v1/events',
        payload: anEvent({ title: 'loopback deploy', project: 'local/app' }),
      });
      expect(created.statusCode).toBe(201);
      const id: string = created.json().ids[0];
      const seed = await open.inject({
        method: 'POST',
        url: '/api/events',
        payload: anEvent({ title: 'loopback seed deploy', project: 'local/app' }),
      });
      expect(seed.statusCode).toBe(201);

      const list = await open.inject({ method: 'GET', url: '/api/v1/events' });
      expect(list.statusCode).toBe(200);
      // Anonymous callers use the default tenant: acme and globex events stay out of it.
      expect(
        list
          .json()
          .events.map((e: { title: string }) => e.title)
          .sort(),
      ).toEqual(['loopback deploy', 'loopback seed deploy']);
      for (const url of [
        `/api/v1/events/${id}`,
        '/api/v1/facets/project',
        '/api/v1/connectors',
        '/healthz',
        '/readyz',
        '/metrics',
        '/api/v1/openapi.json',
      ]) {
        const res = await open.inject({ method: 'GET', url });
        expect([url, res.statusCode]).toEqual([url, 200]);
      }
      for (const gone of [id, seed.json().event_id as string]) {
        const res = await open.inject({ method: 'DELETE', url: `/api/v1/events/${gone}` });
        expect(res.statusCode).toBe(204);
      }
    });
  });

  test('auth.disabled opens every route even when tokens are listed', async () => {
    const app = await buildApp(
      createConfig({ auth: { disabled: true, tokens: TOKENS } }, { env: {} }),
      { db: t.db, logger: false },
    );
    try {
      await app.ready();
      const list = await app.inject({ method: 'GET', url: '/api/v1/events' });
      expect(list.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
