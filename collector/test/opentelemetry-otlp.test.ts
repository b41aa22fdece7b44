// Change events over real OTLP/HTTP (http/json) from the real collector, on both stores: turned
// on by OTEL_EXPORTER_OTLP_ENDPOINT alone, one record per new or status-changed change with its
// attributes; an endpoint that goes down never fails or slows an ingest, loses no stored change,
// and shows on /metrics; without an endpoint nothing is exported at all.
import {
  anEvent,
  createTestDatabase,
  readEvents,
  startApp,
  STORE_KINDS,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';
import { attributesOf, OtlpReceiver, plain } from './otlp-receiver.js';

const waitFor = async (what: string, ok: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** One metric's value on /metrics, as Prometheus reads it. */
async function metric(t: TestApp, series: string): Promise<number | undefined> {
  const text = (await t.app.inject('/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

// The OTLP exporter reads its timeout from the environment: a refused connection must fail fast
// here rather than after the default 10 s.
const savedTimeout = process.env.OTEL_EXPORTER_OTLP_TIMEOUT;
beforeAll(() => {
  process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '2000';
});
afterAll(() => {
  if (savedTimeout === undefined) delete process.env.OTEL_EXPORTER_OTLP_TIMEOUT;
  else process.env.OTEL_EXPORTER_OTLP_TIMEOUT = savedTimeout;
});

describe.each(STORE_KINDS)('change events over OTLP on %s', (kind) => {
  let database: TestDatabase;
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });
  beforeEach(async () => {
    receiver = new OtlpReceiver();
    await receiver.start();
  });
  afterEach(async () => {
    await receiver.stop();
  });

  const otelEnv = () => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  });
  const post = (t: TestApp, body: unknown) =>
    t.app.inject({ method: 'POST', url: '/api/v1/events', payload: body as object });

  test('OTEL_EXPORTER_OTLP_ENDPOINT alone sends each new or status-changed change once, with its attributes', async () => {
    const t = await startApp(database, {}, { env: otelEnv() });
    try {
      await t.db.query('TRUNCATE events, event_keys');
      const started = anEvent({
        title: 'test #163 on master',
        connector: 'github',
        project: 'octo-org/octo-repo',
        kind: 'pipeline',
        status: 'started',
        externalId: 'run:octo-org/octo-repo:289782451:1',
        url: 'https://github.com/octo-org/octo-repo/actions/runs/289782451',
        updatedAt: new Date(Date.now() - 50 * 60_000).toISOString(),
        refs: {
          commit: '3484a3fb816e0859fd6e1cea078d76385ff50625',
          branch: 'master',
          pipeline: 289782451,
        },
        data: { workflow: 'test' },
      });
      expect((await post(t, started)).statusCode).toBe(201);
      // The identical repeat (a retried POST) and a retitled one: told to nobody.
      expect((await post(t, started)).json()).toMatchObject({ created: 0, duplicates: 1 });
      expect((await post(t, { ...started, description: 'rerun' })).json()).toMatchObject({
        updated: 1,
      });
      const failed = {
        ...started,
        status: 'failed',
        title: 'test #163 failed on master',
        updatedAt: new Date(Date.now() - 40 * 60_000).toISOString(),
        endTimestamp: new Date(Date.now() - 40 * 60_000).toISOString(),
        data: { workflow: 'test', conclusion: 'timed_out' },
      };
      expect((await post(t, failed)).json()).toMatchObject({ updated: 1 });
      await waitFor('two change records', () => receiver.changeRecords().length >= 2);
      // Nothing more is on its way: the repeat was not sent.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const records = receiver.changeRecords();
      expect(records).toHaveLength(2);

      const [stored] = await readEvents(t.app);
      const [first, second] = records.map((r) => ({
        ...r,
        attributes: attributesOf(r.attributes),
      }));
      expect(plain(first!.body)).toBe('test #163 on master');
      expect(first!.attributes).toMatchObject({
        'painchain.change.id': stored!.id,
        'painchain.change.status': 'started',
        'cicd.pipeline.name': 'test',
        'cicd.pipeline.run.id': '289782451',
      });
      expect(first!.attributes['cicd.pipeline.result']).toBeUndefined();
      expect(plain(second!.body)).toBe('test #163 failed on master');
      expect(second).toMatchObject({ eventName: 'painchain.change', severityText: 'WARN' });
      expect(second!.attributes).toMatchObject({
        'painchain.change.id': stored!.id,
        'painchain.change.kind': 'pipeline',
        'painchain.change.status': 'failed',
        'painchain.change.connector': 'github',
        'painchain.change.project': 'octo-org/octo-repo',
        'painchain.change.external_id': 'run:octo-org/octo-repo:289782451:1',
        'vcs.provider.name': 'github',
        'vcs.repository.name': 'octo-repo',
        'vcs.owner.name': 'octo-org',
        'vcs.repository.url.full': 'https://github.com/octo-org/octo-repo',
        'vcs.ref.head.name': 'master',
        'vcs.ref.head.type': 'branch',
        'vcs.ref.head.revision': '3484a3fb816e0859fd6e1cea078d76385ff50625',
        'cicd.pipeline.run.url.full':
          'https://github.com/octo-org/octo-repo/actions/runs/289782451',
        'cicd.pipeline.result': 'timeout',
      });
      // timestamp is the change's time, observedTimestamp when PainChain stored it.
      const nanos = (iso: string) => String(BigInt(Date.parse(iso)) * 1_000_000n);
      expect(second!.timeUnixNano).toBe(nanos(stored!.timestamp));
      expect(second!.observedTimeUnixNano).toBe(nanos(stored!.receivedAt));
      const resource = receiver.logs[0]!.resource;
      expect(resource['service.name']).toBe('painchain-collector');
      expect(receiver.requests.every((r) => r.path === '/v1/logs')).toBe(true);
      expect(
        await metric(t, 'painchain_exporter_exported_events_total{exporter="opentelemetry"}'),
      ).toBe(3);
    } finally {
      await t.close();
    }
  });

  test('an endpoint that goes down fails no ingest, loses no stored change, and shows on /metrics', async () => {
    const t = await startApp(database, {}, { env: otelEnv() });
    try {
      await t.db.query('TRUNCATE events, event_keys');
      expect((await post(t, anEvent({ title: 'before' }))).statusCode).toBe(201);
      await waitFor('the first record', () => receiver.changeRecords().length === 1);

      await receiver.stop();
      for (const title of ['down 1', 'down 2', 'down 3']) {
        const began = Date.now();
        const res = await post(t, anEvent({ title }));
        expect(res.statusCode).toBe(201);
        // Answered from the store's commit, not from the endpoint's timeout.
        expect(Date.now() - began).toBeLessThan(1000);
      }
      await waitFor(
        'a counted failure',
        async () =>
          ((await metric(t, 'painchain_exporter_failures_total{exporter="opentelemetry"}')) ?? 0) >=
          1,
      );
      expect(
        await metric(t, 'painchain_otel_export_failures_total{signal="logs"}'),
      ).toBeGreaterThanOrEqual(1);
      expect((await readEvents(t.app)).map((e) => e.title).sort()).toEqual(
        ['before', 'down 1', 'down 2', 'down 3'].sort(),
      );

      await receiver.start();
      expect((await post(t, anEvent({ title: 'after' }))).statusCode).toBe(201);
      await waitFor('the change after the outage', () =>
        receiver.changeRecords().some((r) => plain(r.body) === 'after'),
      );
    } finally {
      await t.close();
    }
  });

  test('without an endpoint nothing is exported: no exporter runs, no request is made', async () => {
    const t = await startApp(database, {}, { env: {} });
    try {
      expect(t.app.painchain.exporters.size).toBe(0);
      expect((await post(t, anEvent({ title: 'quiet' }))).statusCode).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.requests).toEqual([]);
      expect(
        await metric(t, 'painchain_exporter_exported_events_total{exporter="opentelemetry"}'),
      ).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  test('opentelemetry.changeEvents: false keeps change events off even with an endpoint', async () => {
    const t = await startApp(
      database,
      { opentelemetry: { changeEvents: false } },
      { env: otelEnv() },
    );
    try {
      expect(t.app.painchain.exporters.size).toBe(0);
      expect((await post(t, anEvent({ title: 'not sent' }))).statusCode).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.requests).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
