// The change-event records the `opentelemetry` exporter emits, read back with the SDK's
// InMemoryLogRecordExporter from the real collector on both stores: the event name, the times,
// the body and the attributes; one record per stored change; none for a duplicate.
import { SeverityNumber } from '@opentelemetry/api';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { openTelemetryExporter } from '../src/exporters/opentelemetry/opentelemetry-exporter.js';
import {
  anEvent,
  createTestDatabase,
  readEvents,
  startApp,
  STORE_KINDS,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

/** The exporter type with the SDK's in-memory exporter behind it (closing the app stops it). */
function inMemory() {
  const memory = new InMemoryLogRecordExporter();
  const exporterTypes = [
    openTelemetryExporter({
      createPipeline: () => ({
        provider: new LoggerProvider({
          processors: [new SimpleLogRecordProcessor({ exporter: memory })],
        }),
        failures: () => 0,
      }),
    }),
  ];
  return { memory, exporterTypes };
}
const config = { exporters: [{ name: 'otel', type: 'opentelemetry' }] };
const waitFor = async (what: string, ok: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const millis = (hr: readonly [number, number]) => hr[0] * 1000 + Math.round(hr[1] / 1e6);

const deploy = anEvent({
  title: 'Deploy api v1.2.3 to production',
  connector: 'argocd',
  externalId: 'deploy-42',
  kind: 'deploy',
  status: 'succeeded',
  service: 'api',
  environment: 'production',
  author: 'alice',
  url: 'https://argocd.example/applications/api',
  timestamp: ago(30),
  tags: ['team:payments', 'canary'],
  data: { deploymentId: 42, cluster: 'prod-eu', namespace: 'payments', workload: 'Deployment/api' },
});
const merge = anEvent({
  title: 'Merged PR #2 into master: Update the README',
  connector: 'gitlab',
  externalId: 'merge:acme/platform/api:2',
  project: 'acme/platform/api',
  kind: 'merge',
  status: 'succeeded',
  url: 'https://gitlab.example.com/acme/platform/api/-/merge_requests/2',
  refs: { pullRequest: 2, branch: 'master', commit: '4d5a9d4b6d0e1d0a4d1c8e3a7b9f8e7d6c5b4a39' },
});
const rollout = anEvent({
  title: 'Rollout of web in shop',
  connector: 'kubernetes',
  externalId: 'prod-eu/uid-1/generation/7',
  project: 'prod-eu/shop',
  kind: 'deploy',
  status: 'in_progress',
  data: { cluster: 'prod-eu', namespace: 'shop', workload: 'StatefulSet/web' },
});

describe.each(STORE_KINDS)('change events as OpenTelemetry log records on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;
  const { memory, exporterTypes } = inMemory();
  const records = (): ReadableLogRecord[] => memory.getFinishedLogRecords();
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(database, config, { exporterTypes });
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    memory.reset();
    await t.db.query('TRUNCATE events, event_keys');
  });
  const post = (body: unknown) =>
    t.app.inject({ method: 'POST', url: '/api/v1/events', payload: body as object });

  test('one record per stored change, named painchain.change, with the change time, stored time, title and attributes', async () => {
    const res = await post([deploy, merge, rollout]);
    expect(res.statusCode).toBe(201);
    await waitFor('three records', () => records().length === 3);
    const stored = await readEvents(t.app);
    const byId = new Map(stored.map((e) => [e.id, e]));

    for (const record of records()) {
      const event = byId.get(String(record.attributes['painchain.change.id']))!;
      expect(record.eventName).toBe('painchain.change');
      expect(record.body).toBe(event.title);
      expect(millis(record.hrTime)).toBe(Date.parse(event.timestamp));
      expect(millis(record.hrTimeObserved)).toBe(Date.parse(event.receivedAt));
      expect(record.severityNumber).toBe(SeverityNumber.INFO);
      expect(record.instrumentationScope.name).toBe('painchain-collector');
    }
    const attributesOf = (title: string) => records().find((r) => r.body === title)!.attributes;

    expect(attributesOf(deploy.title as string)).toEqual({
      'painchain.change.id': stored.find((e) => e.externalId === 'deploy-42')!.id,
      'painchain.change.kind': 'deploy',
      'painchain.change.status': 'succeeded',
      'painchain.change.connector': 'argocd',
      'painchain.change.project': 'acme/api',
      'painchain.change.service': 'api',
      'painchain.change.environment': 'production',
      'painchain.change.external_id': 'deploy-42',
      'painchain.change.url': 'https://argocd.example/applications/api',
      'painchain.change.author': 'alice',
      'painchain.change.tags': ['team:payments', 'canary'],
      'painchain.tenant': 'default',
      'deployment.environment.name': 'production',
      'deployment.id': '42',
      'deployment.name': 'api',
      'deployment.status': 'succeeded',
      'k8s.cluster.name': 'prod-eu',
      'k8s.namespace.name': 'payments',
      'k8s.deployment.name': 'api',
    });
    expect(attributesOf(merge.title as string)).toMatchObject({
      'vcs.provider.name': 'gitlab',
      'vcs.owner.name': 'acme/platform',
      'vcs.repository.name': 'api',
      'vcs.repository.url.full': 'https://gitlab.example.com/acme/platform/api',
      'vcs.change.id': '2',
      'vcs.change.state': 'merged',
      'vcs.change.title': merge.title,
      'vcs.ref.head.name': 'master',
      'vcs.ref.head.type': 'branch',
      'vcs.ref.head.revision': '4d5a9d4b6d0e1d0a4d1c8e3a7b9f8e7d6c5b4a39',
    });
    const k8s = attributesOf(rollout.title as string);
    expect(k8s).toMatchObject({ 'k8s.statefulset.name': 'web', 'k8s.namespace.name': 'shop' });
    // A rollout still running has no outcome yet; a Kubernetes project is no repository.
    expect(k8s['deployment.status']).toBeUndefined();
    expect(k8s['vcs.repository.name']).toBeUndefined();
  });

  test('a duplicate or an update that moves no status is never emitted; a status change is, once', async () => {
    const started = anEvent({
      title: 'build',
      externalId: 'b-1',
      kind: 'pipeline',
      status: 'started',
    });
    expect((await post(started)).statusCode).toBe(201);
    await waitFor('the first record', () => records().length === 1);
    // The same content again, alone and inside a batch: nothing new, nobody is told.
    expect((await post(started)).json()).toMatchObject({ created: 0, duplicates: 1 });
    expect((await post([started, anEvent({ title: 'other', externalId: 'o-1' })])).statusCode).toBe(
      201,
    );
    await waitFor('the other change', () => records().some((r) => r.body === 'other'));
    // A retitled repeat is stored (the store answers `updated`), but its status did not move.
    expect((await post({ ...started, title: 'build (retitled)' })).json()).toMatchObject({
      updated: 1,
    });
    const succeeded = { ...started, status: 'succeeded', endTimestamp: ago(5) };
    await post(succeeded);
    await post(succeeded);
    await waitFor('the status change', () =>
      records().some((r) => r.attributes['painchain.change.status'] === 'succeeded'),
    );
    await post(anEvent({ title: 'last', externalId: 'l-1' }));
    await waitFor('the last change', () => records().some((r) => r.body === 'last'));

    expect(records().map((r) => [r.body, r.attributes['painchain.change.status'] ?? null])).toEqual(
      [
        ['build', 'started'],
        ['other', null],
        ['build', 'succeeded'],
        ['last', null],
      ],
    );
    const succeededRecord = records()[2]!;
    expect(succeededRecord.attributes['cicd.pipeline.result']).toBe('success');
  });
});
