// Liveness and readiness for orchestrators: /healthz says the process answers; /readyz whether
// it can take changes durably — into the store (reachable, migrations applied), or, while the
// store is unreachable, into the spool (`degraded`, still 200: a load balancer that took the
// collector out would turn a database blip into lost webhooks).
import type {} from '@fastify/swagger'; // schema keys: tags, summary, hide
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Spool } from '../ingest/spool.js';
import type { Db } from '../store/db.js';
import { migrationsApplied } from '../store/migrate.js';
import type { StoreHealth } from '../store/store-health.js';

export interface HealthRoutesOptions {
  db: Db;
  version: string;
  health: StoreHealth;
  /** Undefined when the spool is off. */
  spool?: { spool: Spool; limitBytes: number };
}

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('degraded'), Type.Literal('not_ready')]),
  version: Type.String(),
  store: Type.String({ description: 'postgres or pglite, and why it is unreachable when it is' }),
  migrations: Type.Union([
    Type.Literal('applied'),
    Type.Literal('pending'),
    Type.Literal('unknown'),
  ]),
  spool: Type.Union([
    Type.Literal('off'),
    Type.Object({
      records: Type.Integer({ description: 'requests waiting for the store' }),
      bytes: Type.Integer(),
      limitBytes: Type.Integer(),
    }),
  ]),
});

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (
  app,
  { db, version, health, spool },
) => {
  app.get(
    '/healthz',
    { logLevel: 'warn', schema: { tags: ['health'], summary: 'Liveness' } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Readiness: changes can be taken durably (store, or spool while it is down)',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const reachable = await db.ping().then(
        () => true,
        () => false,
      );
      // Unknown, not "pending", when the store cannot be asked.
      const migrations = reachable
        ? (await migrationsApplied(db).catch(() => undefined)) === true
          ? 'applied'
          : 'pending'
        : 'unknown';
      const spoolRoom = spool && spool.spool.bytes < spool.limitBytes;
      const status =
        reachable && migrations === 'applied'
          ? 'ready'
          : !reachable && spoolRoom
            ? 'degraded'
            : 'not_ready';
      reply.code(status === 'not_ready' ? 503 : 200);
      return {
        status,
        version,
        store: reachable ? db.kind : `${db.kind} (unreachable: ${health.reason ?? 'no answer'})`,
        migrations,
        spool: spool
          ? { records: spool.spool.records, bytes: spool.spool.bytes, limitBytes: spool.limitBytes }
          : 'off',
      } as const;
    },
  );
};
