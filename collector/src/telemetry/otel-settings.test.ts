// How the standard OTEL_* variables turn the collector's signals on: off without an endpoint,
// on with one, per signal, and the settings the collector refuses.
import { readOtelSettings } from './otel-settings.js';

const enabled = (env: Record<string, string>) => {
  const s = readOtelSettings(env);
  return { traces: s.traces.enabled, metrics: s.metrics.enabled, logs: s.logs.enabled };
};

test('with no variable nothing is on and nothing is refused', () => {
  expect(enabled({})).toEqual({ traces: false, metrics: false, logs: false });
  expect(readOtelSettings({}).problems).toEqual([]);
  expect(readOtelSettings({}).serviceName).toBe('painchain-collector');
});

test('OTEL_EXPORTER_OTLP_ENDPOINT turns every signal on, each at <endpoint>/v1/<signal>', () => {
  const s = readOtelSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318/' });
  expect([s.traces.url, s.metrics.url, s.logs.url]).toEqual([
    'http://otel:4318/v1/traces',
    'http://otel:4318/v1/metrics',
    'http://otel:4318/v1/logs',
  ]);
  expect(s.logs).toMatchObject({ enabled: true, exporter: 'otlp', protocol: 'http/protobuf' });
});

test('a signal endpoint is used as it is and turns on that signal only', () => {
  const s = readOtelSettings({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'https://logs.example/ingest' });
  expect(enabled({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'https://logs.example/ingest' })).toEqual({
    traces: false,
    metrics: false,
    logs: true,
  });
  expect(s.logs.url).toBe('https://logs.example/ingest');
});

test('OTEL_<SIGNAL>_EXPORTER: none switches a signal off, otlp or console on', () => {
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318', OTEL_TRACES_EXPORTER: 'none' };
  expect(enabled(env)).toEqual({ traces: false, metrics: true, logs: true });
  const named = readOtelSettings({ OTEL_METRICS_EXPORTER: 'console', OTEL_LOGS_EXPORTER: 'otlp' });
  expect(named.metrics).toMatchObject({ enabled: true, exporter: 'console' });
  expect(named.logs).toMatchObject({ enabled: true, url: 'http://localhost:4318/v1/logs' });
});

test('OTEL_SDK_DISABLED=true wins over everything', () => {
  const env = {
    OTEL_SDK_DISABLED: 'TRUE',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318',
    OTEL_LOGS_EXPORTER: 'otlp',
  };
  expect(enabled(env)).toEqual({ traces: false, metrics: false, logs: false });
  expect(readOtelSettings(env).disabled).toBe(true);
});

test('protocols: http/json is taken per signal; grpc and unknown exporters are refused with the fix', () => {
  const s = readOtelSettings({
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json',
    OTEL_TRACES_EXPORTER: 'zipkin',
  });
  expect(s.logs.protocol).toBe('http/json');
  expect(s.problems).toEqual([
    'OTEL_TRACES_EXPORTER=zipkin is not supported: use otlp, console or none',
    'OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: use http/protobuf or http/json (OTLP over HTTP, port 4318)',
  ]);
});
