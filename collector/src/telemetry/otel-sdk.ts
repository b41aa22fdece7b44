// The OpenTelemetry SDK packages, each loaded on first use: a collector that exports nothing over
// OTLP (no OTEL_* endpoint, no `opentelemetry` exporter) never loads them, which keeps about 30 MB
// out of its memory (docs/benchmarks.md, "Memory"). They are CommonJS packages — what an
// `import` of them loads too — required synchronously, so that the SDK still starts before
// fastify loads (telemetry-bootstrap.ts) and exporters are still built in create().
// @opentelemetry/api and the semantic conventions stay ordinary imports: the store's and the
// routes' spans use them, and without an SDK they cost next to nothing.
import { createRequire } from 'node:module';
import type * as ExporterLogsHttp from '@opentelemetry/exporter-logs-otlp-http';
import type * as ExporterLogsProto from '@opentelemetry/exporter-logs-otlp-proto';
import type * as ExporterMetricsHttp from '@opentelemetry/exporter-metrics-otlp-http';
import type * as ExporterMetricsProto from '@opentelemetry/exporter-metrics-otlp-proto';
import type * as ExporterTraceHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as ExporterTraceProto from '@opentelemetry/exporter-trace-otlp-proto';
import type * as InstrumentationHttp from '@opentelemetry/instrumentation-http';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkLogs from '@opentelemetry/sdk-logs';
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';
import type * as SdkNode from '@opentelemetry/sdk-node';
import type * as SdkTrace from '@opentelemetry/sdk-trace';

const require = createRequire(import.meta.url);

/** `id` required the first time it is asked for. */
function lazy<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}

export const otel = {
  exporterLogsHttp: lazy<typeof ExporterLogsHttp>('@opentelemetry/exporter-logs-otlp-http'),
  exporterLogsProto: lazy<typeof ExporterLogsProto>('@opentelemetry/exporter-logs-otlp-proto'),
  exporterMetricsHttp: lazy<typeof ExporterMetricsHttp>(
    '@opentelemetry/exporter-metrics-otlp-http',
  ),
  exporterMetricsProto: lazy<typeof ExporterMetricsProto>(
    '@opentelemetry/exporter-metrics-otlp-proto',
  ),
  exporterTraceHttp: lazy<typeof ExporterTraceHttp>('@opentelemetry/exporter-trace-otlp-http'),
  exporterTraceProto: lazy<typeof ExporterTraceProto>('@opentelemetry/exporter-trace-otlp-proto'),
  instrumentationHttp: lazy<typeof InstrumentationHttp>('@opentelemetry/instrumentation-http'),
  resources: lazy<typeof Resources>('@opentelemetry/resources'),
  sdkLogs: lazy<typeof SdkLogs>('@opentelemetry/sdk-logs'),
  sdkMetrics: lazy<typeof SdkMetrics>('@opentelemetry/sdk-metrics'),
  sdkNode: lazy<typeof SdkNode>('@opentelemetry/sdk-node'),
  sdkTrace: lazy<typeof SdkTrace>('@opentelemetry/sdk-trace'),
};
