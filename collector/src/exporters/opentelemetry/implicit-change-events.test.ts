// When painchain.yaml and the OTEL_* variables give change events an exporter without an
// `exporters:` entry, read through the collector's own config loader.
import { createConfig } from '../../config/load-config.js';
import { OPENTELEMETRY_EXPORTER } from './opentelemetry-exporter.js';

const otel = (config: Record<string, unknown>, env: Record<string, string>) =>
  createConfig(config, { env, exporterTypes: [OPENTELEMETRY_EXPORTER] }).exporters.filter(
    (e) => e.type === 'opentelemetry',
  );

test('default off: no variable, no exporter', () => {
  expect(otel({}, {})).toEqual([]);
});

test('OTEL_EXPORTER_OTLP_ENDPOINT adds the `opentelemetry` exporter with the endpoint and protocol it names', () => {
  const [exporter] = otel(
    {},
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
  );
  expect(exporter).toEqual({
    name: 'opentelemetry',
    type: 'opentelemetry',
    enabled: true,
    queueSize: 10_000,
    batchSize: 512,
    timeoutSeconds: 30,
    options: {
      endpoint: 'http://otel:4318/v1/logs',
      protocol: 'http/json',
      rememberChanges: 100_000,
    },
  });
});

test('changeEvents: false wins over the endpoint; OTEL_SDK_DISABLED wins over changeEvents: true', () => {
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318' };
  expect(otel({ opentelemetry: { changeEvents: false } }, env)).toEqual([]);
  expect(otel({ opentelemetry: { changeEvents: true } }, { OTEL_SDK_DISABLED: 'true' })).toEqual(
    [],
  );
  expect(otel({}, { ...env, OTEL_LOGS_EXPORTER: 'none' })).toEqual([]);
});

test('changeEvents: true turns change events on without any variable (the OTLP default endpoint)', () => {
  expect(otel({ opentelemetry: { changeEvents: true } }, {})).toMatchObject([
    { name: 'opentelemetry', options: { endpoint: 'http://localhost:4318/v1/logs' } },
  ]);
});

test('an `exporters:` entry of that type is used instead of adding one', () => {
  const declared = { exporters: [{ name: 'otel', type: 'opentelemetry', queueSize: 50_000 }] };
  const found = otel(declared, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318' });
  expect(found.map((e) => [e.name, e.queueSize])).toEqual([['otel', 50_000]]);
});
