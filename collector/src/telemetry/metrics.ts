// Prometheus metrics (prom-client): HTTP requests and latencies, events ingested, store errors,
// what each exporter sent, dropped and failed.
// One registry per app, so that several apps in one process (tests) never share counters.
import type {} from '@fastify/swagger'; // schema keys: tags, summary, hide
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyPluginAsync } from 'fastify';

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
  });

  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};

export const metricsRoutes = fp(metricsPlugin, { name: 'painchain-metrics' });
