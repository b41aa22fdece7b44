// Prometheus metrics (prom-client): HTTP requests and latencies, events ingested, store errors,
// what each exporter sent, dropped and failed, OTLP export failures, webhook verification failures.
// One registry per app, so that several apps in one process (tests) never share counters.
import type {} from '@fastify/swagger'; // schema keys: tags, summary, hide
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyPluginAsync } from 'fastify';
import { otelExportFailures } from './otel-export-failures.js';

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'painchain_http_requests_total',
    help: 'HTTP requests answered, by method, route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'painchain_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly eventsIngested = new Counter({
    name: 'painchain_events_ingested_total',
    help: 'Change events handed to the store, by connector and outcome (created, updated, unchanged)',
    labelNames: ['connector', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'painchain_store_errors_total',
    help: 'Store statements that failed',
    registers: [this.registry],
  });
  // Exporter metrics are labelled by the configured instance name only: a bounded label set.
  readonly exporterExported = new Counter({
    name: 'painchain_exporter_exported_events_total',
    help: 'Change events an exporter accepted, by exporter instance',
    labelNames: ['exporter'] as const,
    registers: [this.registry],
  });
  readonly exporterDropped = new Counter({
    name: 'painchain_exporter_dropped_events_total',
    help: 'Change events never handed to an exporter: its queue was full, or the collector closed before they were sent',
    labelNames: ['exporter'] as const,
    registers: [this.registry],
  });
  readonly exporterFailures = new Counter({
    name: 'painchain_exporter_failures_total',
    help: 'Export calls that failed or timed out (their events are not retried), and exporters that could not be created',
    labelNames: ['exporter'] as const,
    registers: [this.registry],
  });
  // The SDK's OTLP exporters live for the process; their failures are read at each scrape.
  readonly otelExportFailures = new Counter({
    name: 'painchain_otel_export_failures_total',
    help: 'OTLP exports (change events, traces, metrics) the endpoint did not accept, by signal',
    labelNames: ['signal'] as const,
    registers: [this.registry],
    collect() {
      this.reset();
      for (const [signal, failures] of Object.entries(otelExportFailures()))
        this.inc({ signal }, failures);
    },
  });
  readonly webhookVerificationFailures = new Counter({
    name: 'painchain_webhook_verification_failures_total',
    help: 'Webhook deliveries refused because their signature or token did not verify, by connector type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly exporterQueued = new Gauge({
    name: 'painchain_exporter_queued_events',
    help: 'Change events waiting in an exporter queue',
    labelNames: ['exporter'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'painchain_' });
  }
}

const metricsPlugin: FastifyPluginAsync<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: ids in paths would explode the label set.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({
      method: request.method,
      route,
      status_code: String(reply.statusCode),
    });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    // The webhook routes answer 401 only when the delivery's signature does not verify.
    if (route.startsWith('/webhooks/') && reply.statusCode === 401) {
      const { type } = request.params as { type?: string };
      metrics.webhookVerificationFailures.inc({ type: type ?? 'unknown' });
    }
  });

  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};

export const metricsRoutes = fp(metricsPlugin, { name: 'painchain-metrics' });
