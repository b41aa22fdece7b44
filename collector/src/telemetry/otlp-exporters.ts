// The SDK exporter of each signal for the settings read from OTEL_*: OTLP over HTTP in protobuf
// or JSON, or the console. Every one counts its failures (otel-export-failures.ts).
import type { ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { countingFailures } from './otel-export-failures.js';
import { otel } from './otel-sdk.js';
import type { Signal, SignalSettings } from './otel-settings.js';

// Headers (OTEL_EXPORTER_OTLP_HEADERS, often an API key), timeout and compression are read from
// the environment by the exporters themselves; only the URL is given, so that it is the one the
// settings decided (and a test can point it at its receiver).

type OtlpExporterClass<E> = new (config: { url: string }) => E;

/** The console exporter, or the OTLP one of the protocol, counting its failures. */
function choose<T, E extends { export(items: T, done: (result: ExportResult) => void): void }>(
  signal: Signal,
  settings: SignalSettings,
  classes: {
    json: () => OtlpExporterClass<E>;
    protobuf: () => OtlpExporterClass<E>;
    console: () => E;
  },
  onFailure?: (result: ExportResult) => void,
): E {
  if (settings.exporter === 'console') return classes.console();
  // Only the package of the protocol in use is loaded.
  const Exporter = settings.protocol === 'http/json' ? classes.json() : classes.protobuf();
  return countingFailures<T, E>(signal, new Exporter({ url: settings.url }), onFailure);
}

/** `onFailure` hears of each failed export (the change-event exporter fails its batch on it). */
export function logRecordExporter(
  settings: SignalSettings,
  onFailure?: (result: ExportResult) => void,
): LogRecordExporter {
  return choose<ReadableLogRecord[], LogRecordExporter>(
    'logs',
    settings,
    {
      json: () => otel.exporterLogsHttp().OTLPLogExporter,
      protobuf: () => otel.exporterLogsProto().OTLPLogExporter,
      console: () => new (otel.sdkLogs().ConsoleLogRecordExporter)(),
    },
    onFailure,
  );
}

export function spanExporter(settings: SignalSettings): SpanExporter {
  return choose<ReadableSpan[], SpanExporter>('traces', settings, {
    json: () => otel.exporterTraceHttp().OTLPTraceExporter,
    protobuf: () => otel.exporterTraceProto().OTLPTraceExporter,
    console: () => new (otel.sdkTrace().ConsoleSpanExporter)(),
  });
}

export function metricExporter(settings: SignalSettings): PushMetricExporter {
  return choose<ResourceMetrics, PushMetricExporter>('metrics', settings, {
    json: () => otel.exporterMetricsHttp().OTLPMetricExporter,
    protobuf: () => otel.exporterMetricsProto().OTLPMetricExporter,
    console: () => new (otel.sdkMetrics().ConsoleMetricExporter)(),
  });
}
