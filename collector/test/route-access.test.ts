// Who may call what, for every route the collector registers: one row per route, one column per
// caller (no token, a wrong token, each scope of tenant acme, each scope of tenant globex), and
// the status each cell must answer. The routes are read from the real app as it registers them,
// so a new route without a row fails here. Whatever globex (or a caller without a valid token)
// does, acme's events and connectors stay exactly as they were and none of acme's ids or text
// ever appears in the answer.
import { createHmac } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse, RouteOptions } from 'fastify';
import { CONNECTOR_TYPES } from '../src/runner/connector-registry.js';
import {
  anEvent,
  createTestDatabase,
  readEvents,
  RECENT,
  startApp,
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
const ACME_ADMIN = token('acme-admin', 'acme', ['admin']);
const GLOBEX_INGEST = token('globex-ci', 'globex', ['ingest']);
const GLOBEX_READ = token('globex-grafana', 'globex', ['read']);
const GLOBEX_ADMIN = token('globex-admin', 'globex', ['admin']);
const WEBHOOK_SECRET = 'route-access-webhook-secret';
/** Text only acme's own data carries: it must never reach another caller. */
const ACME_MARKER = 'acme-private-7f3e';

interface Caller {
  name: string;
  /** The Authorization header, if any. */
  authorization?: string;
  /** Callers that are not acme: what they do must leave acme's data alone. */
  acme: boolean;
}
const bearer = (t: { token: string }) => `Bearer ${t.token}`;
const CALLERS: readonly Caller[] = [
  { name: 'no token', acme: false },
  // A configured token with its last character changed: close is not enough.
  { name: 'wrong token', authorization: `${bearer(ACME_ADMIN).slice(0, -1)}X`, acme: false },
  { name: 'acme ingest', authorization: bearer(ACME_INGEST), acme: true },
  { name: 'acme read', authorization: bearer(ACME_READ), acme: true },
  { name: 'acme admin', authorization: bearer(ACME_ADMIN), acme: true },
  { name: 'globex ingest', authorization: bearer(GLOBEX_INGEST), acme: false },
  { name: 'globex read', authorization: bearer(GLOBEX_READ), acme: false },
  { name: 'globex admin', authorization: bearer(GLOBEX_ADMIN), acme: false },
];
type Expected = readonly [number, number, number, number, number, number, number, number];

/** What a cell's request may use: acme's data, and a value unique to the cell. */
interface CellContext {
  nonce: string;
  acmeEventId: string;
  acmeAlertId: string;
  /** A new acme event for this cell alone (what a DELETE may remove). */
  freshAcmeEvent(): Promise<string>;
}

interface Row {
  /** `METHOD /pattern`, exactly as the app registers it. */
  route: string;
  /** The URL and body of a request that succeeds for a caller allowed to make it. */
  request(ctx: CellContext): Promise<Omit<InjectOptions, 'method'>> | Omit<InjectOptions, 'method'>;
  expected: Expected;
}

const json = (payload: unknown) => ({
  headers: { 'content-type': 'application/json' },
  payload: JSON.stringify(payload),
});

const githubPush = (nonce: string) => {
  const sha = createHmac('sha1', 'sha').update(nonce).digest('hex');
  return {
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: sha,
    created: false,
    deleted: false,
    forced: false,
    compare: `https://github.com/initech/tps/compare/${sha}`,
    repository: {
      id: 1,
      name: 'tps',
      full_name: 'initech/tps',
      html_url: 'https://github.com/initech/tps',
      default_branch: 'main',
      owner: { login: 'initech' },
    },
    pusher: { name: 'peter' },
    sender: { login: 'peter' },
    head_commit: {
      id: sha,
      message: `route access ${nonce}`,
      timestamp: RECENT.toISOString(),
      url: `https://github.com/initech/tps/commit/${sha}`,
      author: { name: 'Peter', email: 'peter@initech.example', username: 'peter' },
    },
    commits: [],
  };
};
/** A GitHub delivery signed with the connector's secret: webhooks authenticate by signature. */
const signedPush = (nonce: string) => {
  const body = JSON.stringify(githubPush(nonce));
  return {
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': `delivery-${nonce}`,
      'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
    },
    payload: body,
  };
};

const grafanaAlert = (nonce: string) => {
  const body = JSON.parse(
    readFileSync(new URL('./testdata/grafana-webhook-firing.json', import.meta.url), 'utf8'),
  ) as { alerts: Record<string, unknown>[] };
  body.alerts[0]!.startsAt = RECENT.toISOString();
  body.alerts[0]!.fingerprint = `fp-${nonce}`;
  return body;
};

const cdevent = (nonce: string) => ({
  context: {
    specversion: '0.5.1',
    id: `cd-${nonce}`,
    source: 'https://ci.example.com',
    type: 'dev.cdevents.build.started.0.3.0',
    timestamp: RECENT.toISOString(),
  },
  subject: { id: `build-${nonce}`, source: 'https://ci.example.com/builds', content: {} },
});

// Columns: no token, wrong token | acme ingest, read, admin | globex ingest, read, admin.
// prettier-ignore
const ROWS: readonly Row[] = [
  // Public: no token needed, none looked at.
  { route: 'GET /healthz', request: () => ({ url: '/healthz' }), expected: [200, 200, 200, 200, 200, 200, 200, 200] },
  { route: 'GET /readyz', request: () => ({ url: '/readyz' }), expected: [200, 200, 200, 200, 200, 200, 200, 200] },
  { route: 'GET /metrics', request: () => ({ url: '/metrics' }), expected: [200, 200, 200, 200, 200, 200, 200, 200] },
  { route: 'GET /api/v1/openapi.json', request: () => ({ url: '/api/v1/openapi.json' }), expected: [200, 200, 200, 200, 200, 200, 200, 200] },
  { route: 'GET /docs', request: () => ({ url: '/docs' }), expected: [200, 200, 200, 200, 200, 200, 200, 200] },
  { route: 'GET /docs/json', request: () => ({ url: '/docs/json' }), expected: [200, 200, 200, 200, 200, 200, 200, 200] },
  { route: 'GET /docs/yaml', request: () => ({ url: '/docs/yaml' }), expected: [200, 200, 200, 200, 200, 200, 200, 200] },
  { route: 'GET /docs/static/index.html', request: () => ({ url: '/docs/static/index.html' }), expected: [302, 302, 302, 302, 302, 302, 302, 302] },
  { route: 'GET /docs/static/swagger-initializer.js', request: () => ({ url: '/docs/static/swagger-initializer.js' }), expected: [200, 200, 200, 200, 200, 200, 200, 200] },
  { route: 'GET /docs/static/*', request: () => ({ url: '/docs/static/swagger-ui.css' }), expected: [200, 200, 200, 200, 200, 200, 200, 200] },
  { route: 'GET /go/changes', request: () => ({ url: '/go/changes?service=api' }), expected: [302, 302, 302, 302, 302, 302, 302, 302] },
  // Signed by the source: a bearer token neither helps nor hurts.
  { route: 'POST /webhooks/:type', request: ({ nonce }) => ({ url: '/webhooks/github', ...signedPush(nonce) }), expected: [200, 200, 200, 200, 200, 200, 200, 200] },
  { route: 'POST /webhooks/:type/:name', request: ({ nonce }) => ({ url: '/webhooks/github/initech-github', ...signedPush(nonce) }), expected: [200, 200, 200, 200, 200, 200, 200, 200] },
  // Ingest: into the caller's own tenant.
  { route: 'POST /api/v1/events', request: ({ nonce }) => ({ url: '/api/v1/events', ...json(anEvent({ title: `access ${nonce}`, externalId: nonce })) }), expected: [401, 401, 201, 403, 201, 201, 403, 201] },
  { route: 'POST /api/events', request: ({ nonce }) => ({ url: '/api/events', ...json(anEvent({ title: `seed access ${nonce}`, externalId: nonce })) }), expected: [401, 401, 201, 403, 201, 201, 403, 201] },
  { route: 'POST /api/v1/cdevents', request: ({ nonce }) => ({ url: '/api/v1/cdevents', ...json(cdevent(nonce)) }), expected: [401, 401, 201, 403, 201, 201, 403, 201] },
  { route: 'POST /api/v1/alerts/grafana', request: ({ nonce }) => ({ url: '/api/v1/alerts/grafana', ...json(grafanaAlert(nonce)) }), expected: [401, 401, 200, 403, 200, 200, 403, 200] },
  { route: 'POST /api/v1/connectors/:name/heartbeat', request: ({ nonce }) => ({ url: `/api/v1/connectors/beat-${nonce}/heartbeat`, ...json({ type: 'ci', state: 'running' }) }), expected: [401, 401, 200, 403, 200, 200, 403, 200] },
  // Reads: lists answer the caller's own tenant; an acme id is "not found" for globex.
  { route: 'GET /api/v1/events', request: () => ({ url: '/api/v1/events' }), expected: [401, 401, 403, 200, 200, 403, 200, 200] },
  { route: 'GET /api/v1/events/:id', request: ({ acmeEventId }) => ({ url: `/api/v1/events/${acmeEventId}` }), expected: [401, 401, 403, 200, 200, 403, 404, 404] },
  { route: 'GET /api/v1/events/:id/chain', request: ({ acmeEventId }) => ({ url: `/api/v1/events/${acmeEventId}/chain` }), expected: [401, 401, 403, 200, 200, 403, 404, 404] },
  { route: 'GET /api/v1/facets/:field', request: () => ({ url: '/api/v1/facets/project' }), expected: [401, 401, 403, 200, 200, 403, 200, 200] },
  { route: 'GET /api/v1/suspects', request: ({ acmeAlertId }) => ({ url: `/api/v1/suspects?alert=${acmeAlertId}` }), expected: [401, 401, 403, 200, 200, 403, 404, 404] },
  { route: 'GET /api/v1/connectors', request: () => ({ url: '/api/v1/connectors' }), expected: [401, 401, 403, 200, 200, 403, 200, 200] },
  { route: 'GET /api/v1/delivery', request: () => ({ url: '/api/v1/delivery?explain=true' }), expected: [401, 401, 403, 200, 200, 403, 200, 200] },
  // Admin only, and only in its own tenant.
  { route: 'DELETE /api/v1/events/:id', request: async ({ freshAcmeEvent }) => ({ url: `/api/v1/events/${await freshAcmeEvent()}` }), expected: [401, 401, 403, 403, 204, 403, 403, 404] },
];

/** The error code each refusal status must carry. */
const REFUSAL_CODES: Record<number, string> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
};

/** Every route the app registers, as `METHOD /pattern`, recorded through fastify's onRoute hook. */
async function startRecordingRoutes(
  start: () => Promise<TestApp>,
): Promise<{ t: TestApp; routes: string[] }> {
  const routes: string[] = [];
  // fastify publishes each new instance here before any plugin or route is added.
  const initialization = channel('fastify.initialization');
  const record = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRoute', (route: RouteOptions) => {
      for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
    });
  };
  initialization.subscribe(record);
  try {
    return { t: await start(), routes };
  } finally {
    initialization.unsubscribe(record);
  }
}

describe.each(STORE_KINDS)('every route × every caller on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;
  let registered: string[];
  let acmeEventId: string;
  let acmeAlertId: string;
  let cells = 0;

  const as = (caller: Caller | typeof ACME_ADMIN, request: InjectOptions) => {
    const authorization = 'token' in caller ? bearer(caller) : caller.authorization;
    return t.app.inject({
      ...request,
      headers: { ...request.headers, ...(authorization ? { authorization } : {}) },
    });
  };
  const ingestAcme = async (event: Record<string, unknown>): Promise<string> => {
    const res = await as(ACME_ADMIN, { method: 'POST', url: '/api/v1/events', payload: event });
    expect(res.statusCode).toBe(201);
    return res.json<{ ids: string[] }>().ids[0]!;
  };
  /** Everything acme has: its events in full and its connectors. */
  const acmeSnapshot = async () => {
    const headers = { authorization: bearer(ACME_READ) };
    const events = await readEvents(t.app, {}, headers);
    const connectors = await t.app.inject({ method: 'GET', url: '/api/v1/connectors', headers });
    expect(connectors.statusCode).toBe(200);
    return { events, connectors: connectors.json<{ connectors: unknown[] }>().connectors };
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    ({ t, routes: registered } = await startRecordingRoutes(() =>
      startApp(
        database,
        {
          auth: {
            tokens: [ACME_INGEST, ACME_READ, ACME_ADMIN, GLOBEX_INGEST, GLOBEX_READ, GLOBEX_ADMIN],
          },
          grafana: { url: 'http://grafana.example.com' },
          connectors: [
            // A third tenant: deliveries land there, whoever sends them.
            {
              name: 'initech-github',
              type: 'github',
              tenant: 'initech',
              options: { webhookSecret: '${WEBHOOK_SECRET}' },
            },
          ],
        },
        { connectorTypes: CONNECTOR_TYPES, env: { WEBHOOK_SECRET } },
      ),
    ));
    const marked = {
      project: `acme/${ACME_MARKER}`,
      service: `billing-${ACME_MARKER}`,
      tags: [ACME_MARKER],
      author: ACME_MARKER,
    };
    acmeEventId = await ingestAcme(
      anEvent({ ...marked, title: `deploy ${ACME_MARKER}`, refs: { commit: 'a'.repeat(40) } }),
    );
    await ingestAcme(
      anEvent({
        ...marked,
        title: `build ${ACME_MARKER}`,
        kind: 'pipeline',
        refs: { commit: 'a'.repeat(40) },
      }),
    );
    acmeAlertId = await ingestAcme(
      anEvent({
        ...marked,
        title: `alert ${ACME_MARKER}`,
        kind: 'alert',
        timestamp: new Date(RECENT.getTime() + 60_000).toISOString(),
      }),
    );
    const beat = await as(ACME_INGEST, {
      method: 'POST',
      url: `/api/v1/connectors/${ACME_MARKER}/heartbeat`,
      payload: { type: 'ci', state: 'running' },
    });
    expect(beat.statusCode).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  test('every registered route has a row, and every row a registered route', () => {
    // HEAD is registered beside each GET (a prefix's root also with a trailing slash) and
    // answered by the same handler: the GET rows try it.
    const routes = [...new Set(registered.filter((r) => !r.startsWith('HEAD ')))].sort();
    const rows = ROWS.map((r) => r.route);
    expect(routes).toEqual([...rows].sort());
    for (const head of registered.filter((r) => r.startsWith('HEAD ')))
      expect(rows).toContain(head.replace(/^HEAD /, 'GET ').replace(/(.)\/$/, '$1'));
  });

  test.each(ROWS.map((row) => [row.route, row] as const))('%s', async (_route, row) => {
    const [method] = row.route.split(' ') as [InjectOptions['method'] & string];
    const methods =
      method === 'GET' && registered.includes(row.route.replace(/^GET/, 'HEAD'))
        ? ['GET', 'HEAD']
        : [method];
    for (const [column, caller] of CALLERS.entries()) {
      for (const m of methods) {
        const nonce = `${kind}-${++cells}`;
        const context: CellContext = {
          nonce,
          acmeEventId,
          acmeAlertId,
          freshAcmeEvent: () =>
            ingestAcme(anEvent({ title: `doomed ${ACME_MARKER} ${nonce}`, tags: [ACME_MARKER] })),
        };
        const request = { ...(await row.request(context)), method: m } as InjectOptions;
        const before = caller.acme ? undefined : await acmeSnapshot();
        const res: LightMyRequestResponse = await as(caller, request);
        const cell = { route: row.route, method: m, caller: caller.name };
        const want = row.expected[column]!;
        expect({ ...cell, status: res.statusCode }).toEqual({ ...cell, status: want });
        if (m !== 'HEAD' && REFUSAL_CODES[want]) {
          expect({ ...cell, error: res.json<{ error: string }>().error }).toEqual({
            ...cell,
            error: REFUSAL_CODES[want],
          });
        }
        if (!before) continue;
        // Not acme: nothing of acme's in the answer (but the id it was asked for: "No event <id>"),
        // nothing of acme's changed.
        const leaked = [ACME_MARKER, ...before.events.map((e) => e.id)].filter(
          (secret) => res.body.includes(secret) && !String(request.url).includes(secret),
        );
        expect({ ...cell, leaked }).toEqual({ ...cell, leaked: [] });
        expect({ ...cell, acme: await acmeSnapshot() }).toEqual({ ...cell, acme: before });
      }
    }
  });

  test('a webhook delivery without a valid signature is refused whatever token comes with it, and stores nothing', async () => {
    const count = await t.count();
    for (const caller of CALLERS) {
      for (const signature of [undefined, 'sha256=' + '0'.repeat(64)]) {
        const { headers, payload } = signedPush(`unsigned-${caller.name}`);
        const { 'x-hub-signature-256': _, ...unsigned } = headers;
        const res = await as(caller, {
          method: 'POST',
          url: '/webhooks/github',
          headers: signature ? { ...unsigned, 'x-hub-signature-256': signature } : unsigned,
          payload,
        });
        const cell = { caller: caller.name, signature: signature ?? 'none' };
        expect({
          ...cell,
          status: res.statusCode,
          error: res.json<{ error: string }>().error,
        }).toEqual({
          ...cell,
          status: 401,
          error: 'invalid_signature',
        });
      }
    }
    expect(await t.count()).toBe(count);
  });

  test("globex's lists hold none of acme's changes; acme's ids used by globex find nothing and delete nothing", async () => {
    const globexIds = (await readEvents(t.app, {}, { authorization: bearer(GLOBEX_ADMIN) })).map(
      (e) => e.id,
    );
    const acme = await acmeSnapshot();
    expect(acme.events.length).toBeGreaterThan(0);
    expect(globexIds.filter((id) => acme.events.some((e) => e.id === id))).toEqual([]);
    for (const field of ['project', 'service', 'tag', 'author']) {
      const res = await as(GLOBEX_READ, { method: 'GET', url: `/api/v1/facets/${field}` });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(ACME_MARKER);
    }
    for (const { id } of acme.events) {
      for (const request of [
        { method: 'GET', url: `/api/v1/events/${id}` },
        { method: 'GET', url: `/api/v1/events/${id}/chain` },
        { method: 'GET', url: `/api/v1/suspects?alert=${id}` },
        { method: 'DELETE', url: `/api/v1/events/${id}` },
      ] as const) {
        const res = await as(GLOBEX_ADMIN, request);
        expect({ ...request, status: res.statusCode }).toEqual({ ...request, status: 404 });
      }
    }
    expect(await acmeSnapshot()).toEqual(acme);
  });
});
