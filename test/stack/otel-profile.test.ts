// The optional `otel` profile of docker-compose.yml as Docker Compose would run it (no engine
// here): an OpenTelemetry Collector started only with the profile, its config in the repository
// receiving OTLP where the collector sends it, off unless .env says so; and the Loki example of
// docs/opentelemetry.md is a collector config whose pipelines only name components it defines.
import { parse } from 'yaml';
import { implicitChangeEventExporter } from '../../collector/src/exporters/opentelemetry/implicit-change-events.js';
import { readOtelSettings } from '../../collector/src/telemetry/otel-settings.js';
import { interpolate } from './compose-interpolation.js';
import { exampleEnv } from './env-file.js';
import { asObject, readText, readYaml, type Json, type JsonObject } from './stack-files.js';

const compose = asObject(
  interpolate(readYaml('docker-compose.yml') as Json, exampleEnv()),
  'compose',
);
const services = asObject(compose.services, 'services');
const otel = asObject(services['otel-collector'], 'services.otel-collector');
const collectorEnv = Object.fromEntries(
  Object.entries(
    asObject(asObject(services.collector, 'collector').environment, 'environment'),
  ).map(([k, v]) => [k, String(v)]),
);

/** Every pipeline names only receivers, processors and exporters the config defines. */
function undefinedComponents(config: JsonObject): string[] {
  const problems: string[] = [];
  const pipelines = asObject(asObject(config.service, 'service').pipelines, 'pipelines');
  for (const [name, value] of Object.entries(pipelines)) {
    const pipeline = asObject(value, name);
    for (const section of ['receivers', 'processors', 'exporters'] as const) {
      const defined = asObject(config[section] ?? {}, section);
      for (const id of (pipeline[section] ?? []) as string[])
        if (!(id in defined)) problems.push(`${name}.${section}: ${id}`);
    }
  }
  return problems;
}

describe('the otel profile', () => {
  test('runs a pinned contrib OpenTelemetry Collector only with --profile otel, its config mounted read-only', () => {
    expect(otel.profiles).toEqual(['otel']);
    expect(String(otel.image)).toMatch(/^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+$/);
    expect(otel.volumes).toContainEqual({
      type: 'bind',
      source: './otel/otel-collector.yaml',
      target: '/etc/otelcol-contrib/config.yaml',
      read_only: true,
    });
  });

  test('its config receives OTLP/HTTP on 4318 and has a logs, traces and metrics pipeline', () => {
    const config = asObject(readYaml('otel/otel-collector.yaml'), 'otel-collector.yaml');
    const otlp = asObject(asObject(config.receivers, 'receivers').otlp, 'otlp');
    expect(asObject(otlp.protocols, 'protocols').http).toEqual({ endpoint: '0.0.0.0:4318' });
    const pipelines = asObject(asObject(config.service, 'service').pipelines, 'pipelines');
    for (const signal of ['logs', 'traces', 'metrics'])
      expect(asObject(pipelines[signal], signal).receivers).toEqual(['otlp']);
    expect(undefinedComponents(config)).toEqual([]);
  });

  test('the collector sends there once .env sets OTEL_SDK_DISABLED=false, and nothing with the example .env', () => {
    expect(collectorEnv.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
    // As .env.example leaves it: off, and no change-event exporter.
    expect(collectorEnv.OTEL_SDK_DISABLED).toBe('true');
    const off = readOtelSettings(collectorEnv);
    expect([off.logs.enabled, off.traces.enabled, off.metrics.enabled]).toEqual([
      false,
      false,
      false,
    ]);
    expect(implicitChangeEventExporter(undefined, [], collectorEnv)).toBeUndefined();

    const on = readOtelSettings({ ...collectorEnv, OTEL_SDK_DISABLED: 'false' });
    expect(on.logs).toMatchObject({ enabled: true, url: 'http://otel-collector:4318/v1/logs' });
    expect(on.traces.enabled && on.metrics.enabled).toBe(true);
  });

  test("docs/opentelemetry.md's Loki example is a consistent collector config that exports logs to Loki's /otlp", () => {
    const doc = readText('docs/opentelemetry.md');
    const block = /<!-- loki-example[^>]*-->\s*```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const config = asObject(parse(block!) as Json, 'loki example');
    expect(undefinedComponents(config)).toEqual([]);
    const loki = asObject(
      asObject(config.exporters, 'exporters')['otlphttp/loki'],
      'otlphttp/loki',
    );
    expect(String(loki.endpoint)).toMatch(/\/otlp$/);
    const logs = asObject(
      asObject(asObject(config.service, 'service').pipelines, 'pipelines').logs,
      'logs',
    );
    expect(logs.exporters).toEqual(['otlphttp/loki']);
  });
});
