// The seed's ingest contract, kept for clients written against it:
// POST /api/events {title, connector, project, timestamp, data} → {event_id, stored_at}.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ChangeEventInput } from '@painchain/sdk';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import type { EventStore } from '../store/event-store.js';
import { ErrorResponse } from './error-response.js';

export const seedEventsRoutes: FastifyPluginAsyncTypebox<{
  store: EventStore;
  pipeline: IngestPipeline;
}> = async (app, { store, pipeline }) => {
  app.post(
    '/api/events',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['events'],
        summary: 'Ingest one event (seed contract)',
        description:
          'Kept compatible with the first PainChain API. New clients use POST /api/v1/events.',
        body: ChangeEventInput,
        response: {
          201: Type.Object({ event_id: Type.String(), stored_at: Type.String() }),
          '4xx': ErrorResponse,
        },
      },
      validatorCompiler: () => (value) => ({ value }),
    },
    async (request, reply) => {
      const { tenant } = request.principal;
      const { ids } = await pipeline.ingest(tenant, [request.body], { pathOf: () => '' });
      const stored = await store.get(tenant, ids[0]!);
      reply.code(201);
      return { event_id: ids[0]!, stored_at: stored?.receivedAt ?? new Date().toISOString() };
    },
  );
};
