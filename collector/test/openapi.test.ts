// The OpenAPI document is generated from the same route schemas that validate requests, and the
// browsable reference is served; a route added without a schema would show up here.
import {
  createTestDatabase,
  startApp,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

describe('OpenAPI document and reference', () => {
  let database: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    t = await startApp(database);
  });
  afterAll(async () => {
    await t?.close();
  });

  test('lists every API route with its parameters and the bearer scheme', async () => {
    const res = await t.app.inject('/api/v1/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/events',
      '/api/v1/alerts/grafana',
      '/api/v1/cdevents',
      '/api/v1/connectors',
      '/api/v1/connectors/{name}/heartbeat',
      '/api/v1/delivery',
      '/api/v1/events',
      '/api/v1/events/{id}',
      '/api/v1/events/{id}/chain',
      '/api/v1/facets/{field}',
      '/api/v1/suspects',
      '/go/changes',
      '/healthz',
      '/readyz',
      '/webhooks/{type}',
      '/webhooks/{type}/{name}',
    ]);
    const list = doc.paths['/api/v1/events'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        'from',
        'to',
        'connector',
        'project',
        'service',
        'environment',
        'kind',
        'status',
        'tag',
        'q',
        'limit',
        'cursor',
      ]),
    );
    const ingest = doc.paths['/api/v1/events'].post;
    expect(JSON.stringify(ingest.requestBody)).toContain('#/components/schemas/ChangeEventInput');
    expect(doc.components.schemas.ChangeEventInput.required).toEqual([
      'connector',
      'title',
      'project',
      'timestamp',
    ]);
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
  });

  test('serves a browsable reference at /docs', async () => {
    const res = await t.app.inject('/docs/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('swagger');
  });
});
