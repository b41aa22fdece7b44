// The SDK exporter of each signal for the settings read from OTEL_*: OTLP over HTTP in protobuf
// or JSON, or the console. Every one counts its failures (otel-export-failures.ts).
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ExportResult } from '@opentelemetry/core';
import {
  ConsoleLogRecordExporter,
  type LogRecordExporter,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import {
  ConsoleMetricExporter,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  ConsoleSpanExporter,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { countingFailures } from './otel-export-failures.js';
import type { Signal, SignalSettings } from './otel-settings.js';

// Headers (OTEL_EXPORTER_OTLP_HEADERS, often an API key), timeout and compression are read from
// the environment by the exporters themselves; only the URL is given, so that it is the one the
// settings decided (and a test can point it at its receiver).

type OtlpExporterClass<E> = new (config: { url: string }) => E;

/** The console exporter, or the OTLP one of the protocol, counting its failures. */
function choose<T, E extends { export(items: T, done: (result: ExportResult) => void): void }>(
  signal: Signal,
  settings: SignalSettings,
  classes: { json: OtlpExporterClass<E>; protobuf: OtlpExporterClass<E>; console: () => E },
  onFailure?: (result: ExportResult) => void,
): E {
  if (settings.exporter === 'console') return classes.console();
  const Exporter = settings.protocol === 'http/json' ? classes.json : classes.protobuf;
  return countingFailures<T, E>(signal, new Exporter({ url: settings.url }), onFailure);
}

/** `onFailure` hears of each failed export (the change-event exporter fails its batch on it). */
export function logRecordExporter(
  settings: SignalSettings,
  onFailure?: (result: ExportResult) => void,
): LogRecordExporter {
  const console = () => new ConsoleLogRecordExporter();
  return choose<ReadableLogRecord[], LogRecordExporter>(
    'logs',
    settings,
    { json: JsonLogExporter, protobuf: ProtoLogExporter, console },
    onFailure,
  );
}

export function spanExporter(settings: SignalSettings): SpanExporter {
  const console = () => new ConsoleSpanExporter();
  return choose<ReadableSpan[], SpanExporter>('traces', settings, {
    json: JsonTraceExporter,
    protobuf: ProtoTraceExporter,
    console,
  });
}

export function metricExporter(settings: SignalSettings): PushMetricExporter {
  const console = () => new ConsoleMetricExporter();
  return choose<ResourceMetrics, PushMetricExporter>('metrics', settings, {
    json: JsonMetricExporter,
    protobuf: ProtoMetricExporter,
    console,
  });
}
