// Prometheus metrics (prom-client): HTTP requests and latencies, events ingested, store errors,
// what each exporter sent, dropped and failed, OTLP export failures, webhook verification failures.
// One registry per app, so that several apps in one process (tests) never share counters.
import type {} from '@fastify/swagger'; // schema keys: tags, summary, hide
import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyPluginAsync } from 'fastify';
import { Errors } from '../errors.js';
import { otelExportFailures } from './otel-export-failures.js';

/** The label for connectors that are neither configured nor named in `metrics.connectorLabels`. */
export const OTHER_LABEL = 'other';

export interface MetricsOptions {
  /**
   * Connector names that may appear as label values (configured instances and types, and the
   * names CI systems post under); anything else counts as `other`, so that callers cannot grow
   * the page or read each other's connector names.
   */
  connectorLabels?: Iterable<string>;
}

export class Metrics {
  readonly registry = new Registry();
  readonly #connectorLabels: ReadonlySet<string>;
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
  readonly eventsSpooled = new Counter({
    name: 'painchain_events_spooled_total',
    help: 'Change events appended to the durable spool because the store could not take them then, by origin (api: the ingest and CDEvents APIs; webhook: Grafana alerts; connector: webhooks and polls of in-process connectors)',
    labelNames: ['origin'] as const,
    registers: [this.registry],
  });
  readonly ingestGroupRequests = new Histogram({
    name: 'painchain_ingest_group_requests',
    help: 'Requests whose events were written together in one group commit (1: a request written alone)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly writesWaiting = new Gauge({
    name: 'painchain_http_writes_waiting',
    help: 'Requests with a body waiting for a slot (server.maxWritesInProgress) before being read',
    registers: [this.registry],
  });
  readonly spoolRecords = new Gauge({
    name: 'painchain_spool_records',
    help: 'Requests waiting in the durable spool for the store',
    registers: [this.registry],
  });
  readonly spoolBytes = new Gauge({
    name: 'painchain_spool_bytes',
    help: 'Bytes waiting in the durable spool for the store',
    registers: [this.registry],
  });
  readonly storeUp = new Gauge({
    name: 'painchain_store_up',
    help: '1 when the last statement reached the store, 0 while it is unreachable',
    registers: [this.registry],
  });
  readonly exporterQueued = new Gauge({
    name: 'painchain_exporter_queued_events',
    help: 'Change events waiting in an exporter queue',
    labelNames: ['exporter'] as const,
    registers: [this.registry],
  });

  constructor(options: MetricsOptions = {}) {
    this.#connectorLabels = new Set(options.connectorLabels ?? []);
    collectDefaultMetrics({ register: this.registry, prefix: 'painchain_' });
  }

  readonly #beforeScrape: (() => void)[] = [];

  /** fn runs before each scrape: gauges read off live objects (spool depth, store state). */
  beforeScrape(fn: () => void): void {
    this.#beforeScrape.push(fn);
  }

  /** The exposition text, gauges refreshed first. */
  async scrape(): Promise<string> {
    for (const fn of this.#beforeScrape) fn();
    return this.registry.metrics();
  }

  /** A connector name as a label value: itself when known, `other` otherwise. */
  connectorLabel(name: string): string {
    return this.#connectorLabels.has(name) ? name : OTHER_LABEL;
  }
}

export interface MetricsRoutesOptions {
  metrics: Metrics;
  /** When set, GET /metrics needs `Authorization: Bearer <token>` (Prometheus' authorization). */
  token?: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

const metricsPlugin: FastifyPluginAsync<MetricsRoutesOptions> = async (app, { metrics, token }) => {
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
      metrics.webhookVerificationFailures.inc({ type: metrics.connectorLabel(type ?? '') });
    }
  });

  const expected = token === undefined ? undefined : digest(token);
  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (request, reply) => {
    if (expected) {
      const presented = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
      // Fixed-length digests: a constant-time comparison whatever was sent.
      if (presented === undefined || !timingSafeEqual(digest(presented), expected))
        throw new Errors.Unauthorized(
          'GET /metrics needs Authorization: Bearer <metrics.token> (in Prometheus: authorization.credentials)',
        );
    }
    reply.type(metrics.registry.contentType);
    return metrics.scrape();
  });
};

export const metricsRoutes = fp(metricsPlugin, { name: 'painchain-metrics' });
