// The built collector (`dist/src/main.js`, as a user runs it) with the standard OTEL_* variables
// pointing at an OTLP/HTTP receiver on loopback (http/json): change events, HTTP server spans
// named after their route, store spans and the collector's metrics all arrive; with no OTEL_*
// variable nothing is sent and nothing about OpenTelemetry is logged. Needs `npm run build`.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anEvent } from '../src/testing/index.js';
import { MAIN, run, start } from './collector-process.js';
import { attributesOf, OtlpReceiver, plain } from './otlp-receiver.js';

async function waitFor(what: string, ok: () => boolean, logs: string[], ms = 20_000) {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${logs.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts the built collector with `env`; resolves with its URL once it listens. */
async function startMain(env: Record<string, string>, dir: string) {
  const { child, url, logs, exited } = await start([], {
    PAINCHAIN_DATA_DIR: join(dir, 'data'),
    ...env,
  });
  const stop = async () => {
    child.kill('SIGTERM');
    return exited;
  };
  return { url, logs, stop };
}

const builtRun = existsSync(MAIN) ? describe : describe.skip;
if (!existsSync(MAIN)) console.warn(`*** ${MAIN} not built: run npm test (it builds first) ***`);

builtRun('the collector command with OpenTelemetry', () => {
  let dir: string;
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'painchain-otel-'));
    receiver = new OtlpReceiver();
    await receiver.start();
  });
  afterEach(async () => {
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('OTEL_EXPORTER_OTLP_ENDPOINT sends change events, route-named HTTP spans, store spans and metrics', async () => {
    const collector = await startMain(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'painchain-test',
        // Short intervals so that the test need not wait for the defaults (5 s, 60 s).
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_METRIC_EXPORT_INTERVAL: '300',
      },
      dir,
    );
    try {
      const res = await fetch(`${collector.url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          anEvent({ title: 'Deploy api v1.2.3', environment: 'production', status: 'succeeded' }),
        ),
      });
      expect(res.status).toBe(201);
      const { ids } = (await res.json()) as { ids: string[] };

      await waitFor(
        'the change event',
        () => receiver.changeRecords().length === 1,
        collector.logs,
      );
      const [record] = receiver.changeRecords();
      expect(plain(record!.body)).toBe('Deploy api v1.2.3');
      expect(attributesOf(record!.attributes)).toMatchObject({
        'painchain.change.id': ids[0],
        'deployment.environment.name': 'production',
        'deployment.status': 'succeeded',
      });
      expect(receiver.logs[0]!.resource['service.name']).toBe('painchain-test');

      await waitFor(
        'the ingest span',
        () => receiver.spans.some((s) => s.name === 'POST /api/v1/events'),
        collector.logs,
      );
      const server = receiver.spans.find((s) => s.name === 'POST /api/v1/events')!;
      expect(attributesOf(server.attributes)).toMatchObject({
        'http.route': '/api/v1/events',
        'http.response.status_code': 201,
      });
      // The ingest's statement (one call of the write function) in the same trace.
      const isUpsert = (s: (typeof receiver.spans)[number]) =>
        s.traceId === server.traceId &&
        String(attributesOf(s.attributes)['db.query.text'] ?? '').includes(
          'painchain_write_changes',
        );
      await waitFor(
        'store spans of that request',
        () => receiver.spans.some(isUpsert),
        collector.logs,
      );
      const insert = receiver.spans.find(isUpsert)!;
      expect(attributesOf(insert.attributes)).toMatchObject({
        'db.system.name': 'postgresql',
        'db.operation.name': 'SELECT',
        'painchain.store': 'pglite',
      });
      // Probes and scrapes are not traced.
      await fetch(`${collector.url}/healthz`);

      await waitFor(
        'the collector metrics',
        () =>
          receiver.metricNames.has('painchain_events_ingested') &&
          receiver.metricNames.has('http.server.request.duration'),
        collector.logs,
      );
      expect(receiver.spans.some((s) => s.name.includes('/healthz'))).toBe(false);
    } finally {
      expect(await collector.stop()).toBe(0);
    }
  });

  test('with no OTEL_* variable nothing is exported and nothing about OpenTelemetry is logged', async () => {
    const collector = await startMain({}, dir);
    try {
      const res = await fetch(`${collector.url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(anEvent({ title: 'quiet' })),
      });
      expect(res.status).toBe(201);
      const metrics = await (await fetch(`${collector.url}/metrics`)).text();
      expect(metrics).not.toContain(
        'painchain_exporter_exported_events_total{exporter="opentelemetry"}',
      );
      expect(metrics).toContain('painchain_otel_export_failures_total{signal="logs"} 0');
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      expect(await collector.stop()).toBe(0);
    }
    expect(receiver.requests).toEqual([]);
    // The OTLP default port as an address (`:4318`): bare digits match a response time too.
    const noisy = collector.logs.filter(
      (l) => /otlp|opentelemetry|:4318\b|ECONNREFUSED/i.test(l) || /"level":(40|50)/.test(l),
    );
    expect(noisy.filter((l) => !l.includes('no API tokens configured'))).toEqual([]);
  });

  test('an OTLP protocol the collector cannot send stops start-up with the fix', async () => {
    const refused = run([], {
      PAINCHAIN_DATA_DIR: join(dir, 'data'),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    const code = await refused.exited;
    const out = refused.logs.join('\n');
    expect(code).toBe(2);
    expect(out).toContain(
      'OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: use http/protobuf or http/json',
    );
  });
});
