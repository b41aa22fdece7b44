// Liveness and readiness for orchestrators: /healthz says the process answers, /readyz that the
// store is reachable and its migrations are applied.
import type {} from '@fastify/swagger'; // schema keys: tags, summary, hide
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../store/db.js';
import { migrationsApplied } from '../store/migrate.js';

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Db; version: string }> = async (
  app,
  { db, version },
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
        summary: 'Readiness: store reachable, migrations applied',
        response: {
          '2xx': Type.Object({
            status: Type.String(),
            version: Type.String(),
            store: Type.String(),
            migrations: Type.String(),
          }),
          503: Type.Object({
            status: Type.String(),
            version: Type.String(),
            store: Type.String(),
            migrations: Type.String(),
          }),
        },
      },
    },
    async (_request, reply) => {
      const reachable = await db.ping().then(
        () => true,
        () => false,
      );
      const migrated = reachable && (await migrationsApplied(db));
      const ready = reachable && migrated;
      reply.code(ready ? 200 : 503);
      return {
        status: ready ? 'ready' : 'not_ready',
        version,
        store: `${db.kind}${reachable ? '' : ' (unreachable)'}`,
        migrations: migrated ? 'applied' : 'pending',
      };
    },
  );
};
