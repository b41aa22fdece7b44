// buildApp(config, deps): the fastify instance with the store, the ingest pipeline, the
// connector runner and every route. main.ts listens on it; tests drive it with inject().
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ConnectorDefinition } from '@painchain/sdk';
import type { Logger } from 'pino';
import { auth } from './auth/auth-plugin.js';
import type { Config } from './config/config-schema.js';
import { Errors, type ErrorBody, type ErrorDetail } from './errors.js';
import { IngestPipeline } from './ingest/ingest-pipeline.js';
import { schemaProblems } from './ingest/schema-problems.js';
import { ConnectorRunner } from './runner/connector-runner.js';
import { connectorsRoutes } from './routes/connectors-routes.js';
import { eventsRoutes } from './routes/events-routes.js';
import { facetsRoutes } from './routes/facets-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { seedEventsRoutes } from './routes/seed-events-routes.js';
import { webhooksRoutes } from './routes/webhooks-routes.js';
import { CursorCodec } from './store/cursor-codec.js';
import type { Db } from './store/db.js';
import { EventStore } from './store/event-store.js';
import { HeartbeatStore } from './store/heartbeat-store.js';
import { migrate } from './store/migrate.js';
import { countErrors, openDb } from './store/open-db.js';
import { connectorState } from './store/state-store.js';
import { Metrics, metricsRoutes } from './telemetry/metrics.js';
import { VERSION } from './version.js';

export interface AppDeps {
  /** An open database (tests share one); by default the one the config names is opened and closed with the app. */
  db?: Db;
  /** The connector types the runner knows (the registry); empty until connectors are installed. */
  connectorTypes?: readonly ConnectorDefinition[];
  /** A pino logger; `false` silences the app (tests). Default: pino at config.log.level. */
  logger?: Logger | false;
  /** The clock used to judge "in the future" (tests). */
  now?: () => Date;
}

export interface PainChain {
  db: Db;
  store: EventStore;
  pipeline: IngestPipeline;
  runner: ConnectorRunner;
  metrics: Metrics;
}

declare module 'fastify' {
  interface FastifyInstance {
    painchain: PainChain;
  }
}

const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

function loggerOptions(config: Config, logger: AppDeps['logger']): Partial<FastifyServerOptions> {
  if (logger === false) return { logger: false };
  if (logger) return { loggerInstance: logger };
  return {
    logger: {
      level: config.log.level,
      // Secrets never reach the log, whatever a request carries.
      redact: ['req.headers.authorization', 'req.headers["x-gitlab-token"]', 'req.headers.cookie'],
    },
  };
}

type AnyError = FastifyError & { details?: ErrorDetail[] };

/** Socket errors and PostgreSQL's "connection exception" / "operator intervention" classes. */
const STORE_DOWN = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '08000',
  '08001',
  '08003',
  '08006',
  '57P01',
  '57P02',
  '57P03',
]);

/** Fastify's own errors, as ours: one set of codes for clients (docs/errors.md). */
function translate(err: AnyError, bodyLimitBytes: number): AnyError {
  return translateError(err, bodyLimitBytes) as AnyError;
}

function translateError(err: AnyError, bodyLimitBytes: number): FastifyError {
  if (err.validation) {
    const where = err.validationContext ?? 'body';
    const details = schemaProblems(err.validation, where);
    const summary = details.map((d) => d.message).join('; ');
    const mapped =
      where === 'body' ? new Errors.InvalidBody(summary) : new Errors.InvalidQuery(summary);
    return Object.assign(mapped, { details });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new Errors.UnsupportedMediaType(
        String(err.message.split(': ').pop() ?? 'another type'),
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Errors.BodyTooLarge(bodyLimitBytes);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new Errors.InvalidJson('the body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new Errors.InvalidJson(err.message);
  }
  if (err instanceof SyntaxError && err.statusCode === 400)
    return new Errors.InvalidJson(err.message);
  if (
    STORE_DOWN.has(String(err.code)) ||
    /Connection terminated|trying to connect/.test(err.message)
  )
    return new Errors.StoreUnavailable();
  return err;
}

/** Maps any error to the API's error body: ours as they are, anything unexpected to 500. */
function toErrorBody(raw: AnyError, bodyLimitBytes: number): { status: number; body: ErrorBody } {
  const err = translate(raw, bodyLimitBytes);
  const ours = Object.values(Errors).some((E) => err instanceof E);
  const status = err.statusCode ?? 500;
  const { details } = err;
  if (ours && (status < 500 || err instanceof Errors.StoreUnavailable)) {
    return {
      status,
      body: { error: err.code, message: err.message, ...(details ? { details } : {}) },
    };
  }
  if (status >= 400 && status < 500) {
    // A client error from a plugin we did not map: keep its status, give it our shape.
    return {
      status,
      body: { error: new Errors.BadRequest(err.message).code, message: err.message },
    };
  }
  const internal = new Errors.Internal();
  return { status: 500, body: { error: internal.code, message: internal.message } };
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...loggerOptions(config, deps.logger),
    bodyLimit: config.server.bodyLimitBytes,
    trustProxy: config.server.trustProxy,
    return503OnClosing: true,
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

  const metrics = new Metrics();
  const ownsDb = !deps.db;
  const db = countErrors(deps.db ?? (await openDb(config.store)), metrics.storeErrors);
  try {
    await migrate(db);
  } catch (err) {
    if (ownsDb) await db.close().catch(() => undefined);
    throw err;
  }
  const store = new EventStore(db);
  const codec = await CursorCodec.fromStore(db);
  const pipeline = new IngestPipeline(
    store,
    {
      maxFutureSeconds: config.ingest.maxFutureSeconds,
      allowFutureTimestamps: config.ingest.allowFutureTimestamps,
      now: deps.now,
    },
    metrics,
    app.log,
  );
  const runner = new ConnectorRunner({
    definitions: deps.connectorTypes ?? [],
    instances: config.connectors,
    logger: app.log as unknown as Logger,
    emit: (target, events) => pipeline.ingest(target.tenant, events),
    stateFor: (tenant, name) => connectorState(db, tenant, name),
  });
  app.decorate('painchain', { db, store, pipeline, runner, metrics });

  // Only JSON is accepted: a text/plain body is refused with 415 rather than parsed as a string.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((err: FastifyError & { details?: ErrorDetail[] }, request, reply) => {
    const { status, body } = toErrorBody(err, config.server.bodyLimitBytes);
    if (status >= 500) request.log.error({ err }, 'request failed');
    reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const err = new Errors.RouteNotFound(request.method, request.url.split('?')[0]);
    reply.code(404).send({ error: err.code, message: err.message } satisfies ErrorBody);
  });

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

  await app.register(auth, { tokens: config.auth.disabled ? [] : config.auth.tokens });
  await app.register(metricsRoutes, { metrics });
  await app.register(healthRoutes, { db, version: VERSION });
  await app.register(eventsRoutes, {
    store,
    pipeline,
    codec,
    maxBatchEvents: config.ingest.maxBatchEvents,
  });
  await app.register(seedEventsRoutes, { store, pipeline });
  await app.register(facetsRoutes, { store });
  await app.register(webhooksRoutes, { runner });
  await app.register(connectorsRoutes, {
    runner,
    heartbeats: new HeartbeatStore(db),
    now: deps.now ?? (() => new Date()),
  });

  let retentionTimer: NodeJS.Timeout | undefined;
  const applyRetention = async () => {
    const cutoff = new Date(Date.now() - config.store.retentionDays * 86_400_000);
    const removed = await store.deleteOlderThan(cutoff);
    if (removed > 0) app.log.info({ removed, cutoff }, 'retention: removed old events');
  };
  app.addHook('onReady', async () => {
    await runner.start();
    retentionTimer = setInterval(
      () =>
        void applyRetention().catch((err: unknown) => app.log.error({ err }, 'retention failed')),
      RETENTION_INTERVAL_MS,
    );
    retentionTimer.unref();
    void applyRetention().catch((err: unknown) => app.log.error({ err }, 'retention failed'));
  });
  // Order on close: stop connectors (no new events), then the store (after in-flight requests).
  app.addHook('onClose', async () => {
    clearInterval(retentionTimer);
    await runner.stop();
    if (ownsDb) await db.close();
  });

  return app;
}
