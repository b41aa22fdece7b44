// buildApp(config, deps): the fastify instance with the store, the ingest pipeline, the
// connector runner, the exporters and every route. main.ts listens on it; tests use inject().
import { mkdir } from 'node:fs/promises';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ConnectorDefinition } from '@painchain/sdk';
import type { Logger } from 'pino';
import { auth } from './auth/auth-plugin.js';
import { writesInProgress } from './auth/writes-in-progress-plugin.js';
import { rateLimits } from './auth/rate-limit-plugin.js';
import type { Config } from './config/config-schema.js';
import type { ExporterDefinition } from './exporters/exporter-definition.js';
import { ExporterHub } from './exporters/exporter-hub.js';
import { EXPORTER_TYPES } from './exporters/exporter-registry.js';
import { IngestPipeline } from './ingest/ingest-pipeline.js';
import { Spool } from './ingest/spool.js';
import { ConnectorRunner } from './runner/connector-runner.js';
import { connectorsRoutes } from './routes/connectors-routes.js';
import { deliveryRoutes } from './routes/delivery-routes.js';
import { drilldownRoutes } from './routes/drilldown-routes.js';
import { errorHandler } from './routes/error-handler.js';
import { finiteQueryNumbers } from './routes/finite-query-numbers.js';
import { jsonBodyParser } from './routes/json-body-parser.js';
import { eventsRoutes } from './routes/events-routes.js';
import { facetsRoutes } from './routes/facets-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { cdeventsRoutes } from './routes/cdevents-routes.js';
import { seedEventsRoutes } from './routes/seed-events-routes.js';
import { webhooksRoutes } from './routes/webhooks-routes.js';
import { CursorCodec } from './store/cursor-codec.js';
import type { Db } from './store/db.js';
import { EventStore, FACET_FOLD_INTERVAL_MS } from './store/event-store.js';
import { HeartbeatStore } from './store/heartbeat-store.js';
import { LeaseStore } from './store/lease-store.js';
import { migrate } from './store/migrate.js';
import { countErrors, openDb } from './store/open-db.js';
import { RetentionJob } from './store/retention-job.js';
import { PeriodicJob } from './store/periodic-job.js';
import { lockDataFolder, type FolderLock } from './store/folder-lock.js';
import { StoreHealth, watchHealth } from './store/store-health.js';
import { connectorState } from './store/state-store.js';
import { httpRouteSpans } from './telemetry/http-route-spans.js';
import { Metrics, metricsRoutes } from './telemetry/metrics.js';
import { bridgeMetrics } from './telemetry/metrics-bridge.js';
import { traceDb } from './telemetry/traced-db.js';
import { LOG_REDACT } from './startup/create-logger.js';
import { VERSION } from './version.js';

export interface AppDeps {
  /** An open database (tests share one); by default the one the config names is opened and closed with the app. */
  db?: Db;
  /** The connector types the runner knows (the registry); empty until connectors are installed. */
  connectorTypes?: readonly ConnectorDefinition[];
  /** The exporter types the config may name (the registry, EXPORTER_TYPES, by default). */
  exporterTypes?: readonly ExporterDefinition[];
  /** A pino logger; `false` silences the app (tests). Default: pino at config.log.level. */
  logger?: Logger | false;
  /** The clock used to judge "in the future" (tests). */
  now?: () => Date;
  /**
   * Keep changes in the durable spool (config.spool.dir) while the store is unreachable.
   * Default: on when the app opens its own store; tests that share a database opt in.
   */
  spool?: boolean;
  /** First pause of the spool drainer between pings of an unreachable store (tests). */
  spoolRetryMs?: number;
}

export interface PainChain {
  db: Db;
  store: EventStore;
  pipeline: IngestPipeline;
  runner: ConnectorRunner;
  exporters: ExporterHub;
  retention: RetentionJob;
  metrics: Metrics;
  health: StoreHealth;
  /** Undefined when the spool is off. */
  spool: Spool | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    painchain: PainChain;
  }
}

function loggerOptions(config: Config, logger: AppDeps['logger']): Partial<FastifyServerOptions> {
  if (logger === false) return { logger: false };
  if (logger) return { loggerInstance: logger };
  return {
    logger: {
      level: config.log.level,
      // Secrets never reach the log, whatever a request carries.
      redact: LOG_REDACT,
    },
  };
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...loggerOptions(config, deps.logger),
    bodyLimit: config.server.bodyLimitBytes,
    trustProxy: config.server.trustProxy,
    // A slow or stalled client cannot hold a socket: the whole request (headers and body) must
    // arrive in time, idle keep-alive connections close, and Node checks every second (its
    // default, 30 s, let a half-sent body live far past the timeout).
    requestTimeout: config.server.requestTimeoutMs,
    // A socket with no traffic at all; longer, so that a stalled body gets its 408 first.
    connectionTimeout: config.server.requestTimeoutMs * 2,
    keepAliveTimeout: config.server.idleTimeoutMs,
    http: {
      headersTimeout: config.server.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, config.server.requestTimeoutMs),
    },
    // Answered by our error handler instead, with Retry-After and our error body.
    return503OnClosing: false,
    ajv: {
      customOptions: {
        allErrors: true,
        // Unknown query parameters are mistakes to report, not to drop silently.
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Beyond the configured count, connections are refused by the kernel's backlog, not by us.
  app.server.maxConnections = config.server.maxConnections;

  const metrics = new Metrics({ connectorLabels: config.metrics.connectorLabels });
  const ownsDb = !deps.db;
  const opened = deps.db ?? (await openDb(config.store));
  const health = new StoreHealth(opened.kind, app.log);
  // Store spans (a no-op until the OpenTelemetry SDK runs), the /metrics error count, and the
  // store's reachability learned from every statement.
  const db = watchHealth(countErrors(traceDb(opened), metrics.storeErrors), health);
  let spool: Spool | undefined;
  let spoolLock: FolderLock | undefined;
  try {
    await migrate(db);
    if (deps.spool ?? ownsDb) {
      // Two collectors appending to one spool would each drain the other's records twice.
      await mkdir(config.spool.dir, { recursive: true });
      spoolLock = await lockDataFolder(config.spool.dir, 'spool');
      spool = await Spool.open(config.spool.dir);
    }
  } catch (err) {
    await spool?.close().catch(() => undefined);
    await spoolLock?.release().catch(() => undefined);
    if (ownsDb) await db.close().catch(() => undefined);
    throw err;
  }
  metrics.beforeScrape(() => {
    metrics.storeUp.set(health.up ? 1 : 0);
    metrics.spoolRecords.set(spool?.records ?? 0);
    metrics.spoolBytes.set(spool?.bytes ?? 0);
  });
  const store = new EventStore(db);
  const codec = await CursorCodec.fromStore(db);
  const pipeline = new IngestPipeline(
    store,
    {
      maxFutureSeconds: config.ingest.maxFutureSeconds,
      allowFutureTimestamps: config.ingest.allowFutureTimestamps,
      retentionDays: config.store.retentionDays,
      tenantRetentionDays: config.store.tenantRetentionDays,
      now: deps.now,
      // Groups written at once: one on the embedded store (one connection); on PostgreSQL up to
      // half the pool, so that reads keep connections of their own (docs/operations.md).
      writeLanes: db.kind === 'pglite' ? 1 : Math.min(4, Math.ceil(config.store.poolSize / 2)),
    },
    metrics,
    app.log,
    spool && {
      spool,
      health,
      ping: () => db.ping(),
      limitBytes: {
        api: config.spool.apiLimitBytes,
        webhook: config.spool.limitBytes,
        connector: config.spool.limitBytes,
      },
      retryMs: deps.spoolRetryMs,
    },
  );
  // Replicas on one database poll and watch each source from one of them (docs/scaling.md).
  const leases = new LeaseStore(db, {
    holder: config.server.replicaId,
    ttlMs: config.server.leaseTtlSeconds * 1000,
  });
  const runner = new ConnectorRunner({
    definitions: deps.connectorTypes ?? [],
    instances: config.connectors,
    logger: app.log as unknown as Logger,
    emit: (target, events) => pipeline.ingest(target.tenant, events),
    stateFor: (tenant, name) => connectorState(db, tenant, name),
    leasesFor: (tenant, name) => leases.forConnector(tenant, name),
  });
  const exporters = new ExporterHub({
    definitions: deps.exporterTypes ?? EXPORTER_TYPES,
    instances: config.exporters,
    metrics,
    logger: app.log as unknown as Logger,
  });
  // Without exporters the pipeline has no listener and skips returning the changed rows.
  if (exporters.size > 0) pipeline.onChange(exporters.onChange);
  const retention = new RetentionJob({
    store,
    retentionDays: config.store.retentionDays,
    tenantRetentionDays: config.store.tenantRetentionDays,
    logger: app.log,
  });
  const facetFold = new PeriodicJob({
    what: 'facet count fold',
    intervalMs: FACET_FOLD_INTERVAL_MS,
    run: () => store.foldFacetCounts(),
    logger: app.log,
  });
  app.decorate('painchain', {
    db,
    store,
    pipeline,
    runner,
    exporters,
    retention,
    metrics,
    health,
    spool,
  });
  // The same counters and gauges through the OpenTelemetry SDK's meter, when it runs.
  const stopMetricsBridge = bridgeMetrics(metrics.registry);

  // Only JSON is accepted: a text/plain body is refused with 415 rather than parsed as a string.
  app.removeContentTypeParser('text/plain');

  await app.register(errorHandler, {
    bodyLimitBytes: config.server.bodyLimitBytes,
    retryAfterSeconds: config.server.retryAfterSeconds,
  });
  await app.register(jsonBodyParser);
  await app.register(finiteQueryNumbers);

  await app.register(swagger, {
    // Shared schemas keep their $id as their name in components (ChangeEventInput, …).
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'PainChain collector API',
        version: VERSION,
        description:
          'Every change to your platform, on one timeline. Times are RFC 3339; `from`/`to` also take epoch milliseconds.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(httpRouteSpans);
  await app.register(auth, { tokens: config.auth.disabled ? [] : config.auth.tokens });
  await app.register(rateLimits, { settings: config.server.rateLimit });
  await app.register(writesInProgress, { max: config.server.maxWritesInProgress, metrics });
  await app.register(metricsRoutes, { metrics, token: config.metrics.token });
  await app.register(healthRoutes, {
    db,
    version: VERSION,
    health,
    spool: spool && { spool, limitBytes: config.spool.limitBytes },
  });
  await app.register(eventsRoutes, {
    store,
    pipeline,
    codec,
    maxBatchEvents: config.ingest.maxBatchEvents,
  });
  await app.register(seedEventsRoutes, { store, pipeline });
  await app.register(cdeventsRoutes, { pipeline });
  await app.register(facetsRoutes, { store });
  await app.register(webhooksRoutes, { runner });
  await app.register(connectorsRoutes, {
    runner,
    heartbeats: new HeartbeatStore(db),
    leases,
    now: deps.now ?? (() => new Date()),
  });
  await app.register(drilldownRoutes, {
    config: config.drilldown,
    alerts: config.alerts,
    grafana: config.grafana,
    db,
    pipeline,
  });
  await app.register(deliveryRoutes, {
    db,
    drilldown: config.drilldown,
    delivery: config.delivery,
    now: deps.now,
  });

  app.addHook('onReady', async () => {
    // Exporters first: the connectors' first changes already have somewhere to go.
    exporters.start();
    // What an earlier run left in the spool goes in before new changes (they queue behind it).
    pipeline.start();
    await runner.start();
    retention.start();
    facetFold.start();
  });
  // Order on close: stop connectors (no new events), send what exporters still hold, then the
  // store (after in-flight requests).
  app.addHook('onClose', async () => {
    await retention.stop();
    await facetFold.stop();
    await runner.stop();
    await pipeline.stop();
    await exporters.close();
    stopMetricsBridge();
    await spool?.close();
    await spoolLock?.release();
    if (ownsDb) await db.close();
  });

  return app;
}
