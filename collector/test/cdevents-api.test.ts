// POST /api/v1/cdevents through the real collector on both stores, with CDEvents written from the
// spec v0.5.1 schemas (test/testdata/cdevents): every supported type becomes the change the
// mapping table in docs/cdevents.md promises; a run is one change whose status moves; structured
// and binary CloudEvents work; other types are ignored with a reason; malformed events are a 400
// that names the field and stores nothing.
import { readdirSync, readFileSync } from 'node:fs';
import type { ChangeEvent } from '@painchain/sdk';
import {
  createTestDatabase,
  readEvents,
  startApp,
  STORE_KINDS,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const DIR = new URL('./testdata/cdevents/', import.meta.url);
type CDEventJson = {
  context: Record<string, unknown> & { type: string; id: string; timestamp: string };
  subject: Record<string, unknown> & { id: string; content: Record<string, unknown> };
};
const example = (name: string): CDEventJson =>
  JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as CDEventJson;

const IMAGE =
  'registry.acme.example/acme/payments-api@sha256:5c2d8f0a9b7e6d1c4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b';

/** What each example must become (besides connector `cdevents` and the example's time). */
const EXPECTED: Record<string, Partial<ChangeEvent> & { refs?: Record<string, unknown> }> = {
  'change.created': {
    kind: 'pull_request',
    status: 'started',
    project: 'acme/payments-api',
    title: 'Change 417 opened in acme/payments-api',
    description: 'Retry card authorisations once on gateway timeouts',
    refs: { pullRequest: '417' },
  },
  'change.updated': { kind: 'pull_request', status: 'in_progress', project: 'acme/payments-api' },
  'change.reviewed': {
    kind: 'pull_request',
    status: 'in_progress',
    title: 'Change 417 reviewed in acme/payments-api',
  },
  'change.merged': {
    kind: 'pull_request',
    status: 'succeeded',
    title: 'Change 417 merged in acme/payments-api',
  },
  'change.abandoned': {
    kind: 'pull_request',
    status: 'cancelled',
    title: 'Change 418 abandoned in acme/payments-api',
  },
  'pipelinerun.queued': {
    kind: 'pipeline',
    status: 'started',
    project: '/tekton/ci',
    title: 'Pipeline payments-api-build queued',
  },
  'pipelinerun.started': {
    kind: 'pipeline',
    status: 'in_progress',
    url: 'https://tekton.acme.example/#/namespaces/ci/pipelineruns/payments-api-build-x7k2p',
  },
  'pipelinerun.finished': {
    kind: 'pipeline',
    status: 'failed',
    title: 'Pipeline payments-api-build failed',
    refs: { pipeline: 'payments-api-build-x7k2p' },
  },
  'build.queued': { kind: 'pipeline', status: 'started', title: 'Build payments-api-1482 queued' },
  'build.started': { kind: 'pipeline', status: 'in_progress' },
  'build.finished': {
    kind: 'pipeline',
    status: 'succeeded',
    refs: { pipeline: 'payments-api-1482', image: IMAGE },
  },
  'artifact.published': {
    kind: 'release',
    status: 'succeeded',
    author: 'release-bot',
    refs: { image: IMAGE },
  },
  'service.deployed': {
    kind: 'deploy',
    status: 'succeeded',
    service: 'payments-api',
    environment: 'production',
    title: `Deployed payments-api (${IMAGE}) to production`,
  },
  'service.upgraded': {
    kind: 'deploy',
    status: 'succeeded',
    service: 'payments-api',
    environment: 'production',
  },
  'service.rolledback': {
    kind: 'rollback',
    status: 'succeeded',
    title: `Rolled back payments-api to ${IMAGE} in production`,
  },
  'service.removed': {
    kind: 'deploy',
    status: 'succeeded',
    environment: 'staging',
    title: 'Removed legacy-billing from staging',
  },
  'environment.created': {
    kind: 'infra',
    status: 'succeeded',
    environment: 'pr-417-preview',
    url: 'https://pr-417.preview.acme.example',
  },
  'environment.modified': {
    kind: 'infra',
    status: 'succeeded',
    title: 'Environment pr-417-preview modified',
  },
  'environment.deleted': {
    kind: 'infra',
    status: 'succeeded',
    title: 'Environment pr-417-preview deleted',
  },
  'incident.detected': {
    kind: 'incident',
    status: 'started',
    service: 'payments-api',
    environment: 'production',
    title: 'Incident INC-2291 detected in production: Card authorisation error rate above 5%',
  },
  'incident.reported': {
    kind: 'incident',
    status: 'in_progress',
    url: 'https://tickets.acme.example/browse/INC-2291',
  },
  'incident.resolved': { kind: 'incident', status: 'succeeded' },
};

test('there is an example for every supported type, and nothing else', () => {
  const files = readdirSync(DIR).filter(
    (f) => f.endsWith('.json') && !f.startsWith('unsupported.'),
  );
  expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(Object.keys(EXPECTED).sort());
});

describe.each(STORE_KINDS)('POST /api/v1/cdevents on %s', (kind) => {
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

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/cdevents',
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
    });

  test.each(Object.keys(EXPECTED))('%s becomes the documented change', async (name) => {
    const event = example(name);
    const res = await post(event);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'accepted', type: event.context.type, created: 1 });
    const [stored, ...others] = await readEvents(t.app);
    expect(others).toEqual([]);
    const { refs, ...fields } = EXPECTED[name]!;
    expect(stored).toMatchObject({
      connector: 'cdevents',
      ...fields,
      updatedAt: new Date(event.context.timestamp).toISOString(),
    });
    if (refs) expect(stored!.refs).toMatchObject(refs);
    expect(stored!.data).toMatchObject({
      cdevent: { type: event.context.type, id: event.context.id },
    });
    // The same event again changes nothing new.
    const again = await post(event);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: 0, ids: [stored!.id] });
    expect(await t.count()).toBe(1);
  });

  test('a pipeline run queued, started, then finished is one change whose status moves; a late event does not move it back', async () => {
    const queued = example('pipelinerun.queued');
    const started = example('pipelinerun.started');
    const finished = example('pipelinerun.finished');
    const ids = [];
    for (const event of [queued, started, finished])
      ids.push((await post(event)).json<{ ids: string[] }>().ids[0]);
    expect(new Set(ids).size).toBe(1);
    expect((await post(started)).json()).toMatchObject({ unchanged: 1 });
    const events = await readEvents(t.app);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: 'failed',
      timestamp: new Date(queued.context.timestamp).toISOString(),
      endTimestamp: new Date(finished.context.timestamp).toISOString(),
      data: {
        outcome: 'failure',
        errors: 'step unit-tests exited with code 1\n3 tests failed',
        pipelineName: 'payments-api-build',
      },
    });
  });

  test('a structured CloudEvent carries the CDEvent as its data', async () => {
    const event = example('service.deployed');
    const res = await post(
      {
        specversion: '1.0',
        id: event.context.id,
        source: event.context.source,
        type: event.context.type,
        time: event.context.timestamp,
        datacontenttype: 'application/json',
        data: event,
      },
      { 'content-type': 'application/cloudevents+json; charset=utf-8' },
    );
    expect(res.statusCode).toBe(201);
    expect((await readEvents(t.app))[0]).toMatchObject({ kind: 'deploy', service: 'payments-api' });
  });

  test('CloudEvents binary mode: ce-* headers and the CDEvent as body', async () => {
    const event = example('incident.detected');
    const ce = {
      'ce-specversion': '1.0',
      'ce-id': event.context.id,
      'ce-source': String(event.context.source),
      'ce-type': event.context.type,
    };
    expect((await post(event, ce)).statusCode).toBe(201);
    expect((await readEvents(t.app))[0]).toMatchObject({ kind: 'incident', status: 'started' });

    const mismatch = await post(event, {
      ...ce,
      'ce-type': 'dev.cdevents.incident.resolved.0.3.0',
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json()).toMatchObject({
      error: 'invalid_cdevent',
      details: [{ path: 'header ce-type' }],
    });
    const noId = await post(event, { ...ce, 'ce-id': '' });
    expect(noId.json()).toMatchObject({
      error: 'invalid_cdevent',
      details: [{ path: 'header ce-id' }],
    });
  });

  test('a type PainChain does not record is answered 202 ignored, with the reason, and stores nothing', async () => {
    const event = example('unsupported.taskrun.started');
    const res = await post(event);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({
      status: 'ignored',
      type: 'dev.cdevents.taskrun.started.0.3.0',
      ids: [],
    });
    expect(res.json<{ reason: string }>().reason).toContain('not a change PainChain records');
    expect(await t.count()).toBe(0);
  });

  test.each([
    [
      'no context id',
      (e: CDEventJson) => {
        delete (e.context as Partial<CDEventJson['context']>).id;
      },
      '/context/id',
    ],
    [
      'a type that is not a CDEvent type',
      (e: CDEventJson) => {
        e.context.type = 'com.example.deployed';
      },
      '/context/type',
    ],
    [
      'a time without a zone',
      (e: CDEventJson) => {
        e.context.timestamp = '2026-03-02T13:00:00';
      },
      '/context/timestamp',
    ],
    [
      'a deploy without its environment',
      (e: CDEventJson) => {
        delete e.subject.content.environment;
      },
      '/subject/content/environment',
    ],
    [
      'an unknown content field',
      (e: CDEventJson) => {
        e.subject.content.replicas = 3;
      },
      '/subject/content/replicas',
    ],
    [
      'no subject',
      (e: CDEventJson) => {
        delete (e as Partial<CDEventJson>).subject;
      },
      '/subject',
    ],
  ])('%s is a 400 that names the field and stores nothing', async (_what, breakIt, path) => {
    const event = example('service.deployed');
    breakIt(event);
    const res = await post(event);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_cdevent' });
    expect(res.json<{ details: { path: string }[] }>().details.map((d) => d.path)).toContain(path);
    expect(await t.count()).toBe(0);
  });

  test('a structured CloudEvent without data, and broken JSON, are 400s', async () => {
    const noData = await post(
      { specversion: '1.0', id: '1', source: '/x', type: 'dev.cdevents.service.deployed.0.3.0' },
      { 'content-type': 'application/cloudevents+json' },
    );
    expect(noData.json()).toMatchObject({ error: 'invalid_cdevent', details: [{ path: '/data' }] });
    const broken = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cdevents',
      headers: { 'content-type': 'application/cloudevents+json' },
      payload: '{"context":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ error: 'invalid_json' });
    expect(await t.count()).toBe(0);
  });
});

test('the route needs a token with the ingest scope when tokens are configured', async () => {
  const database = await createTestDatabase('pglite');
  const tokens = [{ name: 'reader', token: 'reader-token-0123456789', scopes: ['read'] }];
  const t = await startApp(database, { auth: { tokens } });
  try {
    const send = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/cdevents',
        headers: { 'content-type': 'application/json', ...headers },
        payload: JSON.stringify(example('build.queued')),
      });
    expect((await send({})).statusCode).toBe(401);
    expect((await send({ authorization: 'Bearer reader-token-0123456789' })).statusCode).toBe(403);
    expect(await t.count()).toBe(0);
  } finally {
    await t.close();
  }
});
