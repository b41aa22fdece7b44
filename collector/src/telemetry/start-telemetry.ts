// Starts the OpenTelemetry SDK (sdk-node) for the collector's own traces and metrics, as the
// OTEL_* environment variables ask: HTTP server spans from the `http` instrumentation, store
// spans (traced-db.ts) and the collector's metrics through the global providers. Change events
// have their own log pipeline (exporters/opentelemetry). With no endpoint set, nothing starts,
// and the SDK's packages are not even loaded (otel-sdk.ts).
import { getNumberFromEnv } from '@opentelemetry/core';
import { metricExporter, spanExporter } from './otlp-exporters.js';
import { otel } from './otel-sdk.js';
import { readOtelSettings, type Env, type OtelSettings } from './otel-settings.js';
import { baseResource } from './telemetry-resource.js';

/** Requests not worth a span: scrapes and probes, every few seconds. */
const UNTRACED_PATHS = new Set(['/metrics', '/healthz', '/readyz']);
/** OTEL_METRIC_EXPORT_INTERVAL's default in the specification. */
const DEFAULT_METRIC_EXPORT_INTERVAL_MS = 60_000;

export interface Telemetry {
  readonly settings: OtelSettings;
  /** True when the SDK runs (traces or metrics are exported). */
  readonly started: boolean;
  /** Sends what is buffered and stops the SDK; resolves even when the endpoint is down. */
  shutdown(): Promise<void>;
}

/**
 * Starts the SDK when traces or metrics are asked for. It must run before `fastify` (and so
 * `node:http`) is first loaded: the http instrumentation patches the module as it is required.
 */
export function startTelemetry(env: Env = process.env): Telemetry {
  const settings = readOtelSettings(env);
  const { traces, metrics } = settings;
  if (settings.problems.length > 0 || (!traces.enabled && !metrics.enabled)) {
    return { settings, started: false, shutdown: async () => undefined };
  }
  const { NodeSDK } = otel.sdkNode();
  const { PeriodicExportingMetricReader } = otel.sdkMetrics();
  const { HttpInstrumentation } = otel.instrumentationHttp();
  const sdk = new NodeSDK({
    // Ours first; NodeSDK merges OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES over it.
    resource: baseResource(),
    ...(traces.enabled ? { traceExporter: spanExporter(traces) } : { spanProcessors: [] }),
    metricReaders: metrics.enabled
      ? [
          new PeriodicExportingMetricReader({
            exporter: metricExporter(metrics),
            exportIntervalMillis:
              getNumberFromEnv('OTEL_METRIC_EXPORT_INTERVAL') ?? DEFAULT_METRIC_EXPORT_INTERVAL_MS,
          }),
        ]
      : [],
    // Change events have their own pipeline; nothing else in the collector logs through OTel.
    logRecordProcessors: [],
    instrumentations: traces.enabled
      ? [
          new HttpInstrumentation({
            ignoreIncomingRequestHook: (request) =>
              UNTRACED_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
            // Outgoing calls of the collector are the OTLP exporters' own (not traced anyway)
            // and connectors' fetch() calls, which do not go through node:http.
            disableOutgoingRequestInstrumentation: true,
          }),
        ]
      : [],
  });
  sdk.start();
  return {
    settings,
    started: true,
    shutdown: () => sdk.shutdown().catch(() => undefined),
  };
}
