// GET /api/v1/events/:id/chain: the changes linked to one through refs, commit to rollout.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ChangeEvent as ChangeEventSchema } from '@painchain/sdk';
import { Type } from 'typebox';
import { LINK_KEYS, type ChainFinder } from '../drilldown/change-chain.js';
import { Errors } from '../errors.js';
import { ErrorResponse } from './error-response.js';

/** The event schema without its $id: a response may hold it several times. */
const ChangeEvent = Type.Object(ChangeEventSchema.properties);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const ChainLinkSchema = Type.Object({
  from: Type.String({ description: 'The earlier change' }),
  to: Type.String(),
  key: Type.Enum(Object.values(LINK_KEYS), { description: 'What joined them' }),
  value: Type.String({ description: 'The shared value: a commit SHA, an image, a number' }),
});

export const ChainResponse = Type.Object({
  root: ChangeEvent,
  events: Type.Array(ChangeEvent, { description: 'The chain, the root included, oldest first' }),
  links: Type.Array(ChainLinkSchema),
  horizon: Type.Object({ from: Type.String(), to: Type.String() }),
  truncated: Type.Boolean({ description: 'More changes were linked than maxEvents' }),
  maxEvents: Type.Integer(),
});

export const chainRoutes: FastifyPluginAsyncTypebox<{
  chains: ChainFinder;
  maxEvents: number;
}> = async (app, { chains, maxEvents }) => {
  app.get(
    '/api/v1/events/:id/chain',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['drilldown'],
        summary: 'The chain of a change: commit → pull/merge request → pipeline → image → rollout',
        description:
          'Every change connected to this one through shared refs (commit SHA, pull request, pipeline, image or digest, tag), within the chain horizon around it; each link names the key that joined the two changes.',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object(
          {
            maxEvents: Type.Optional(
              Type.Integer({ minimum: 2, maximum: maxEvents, description: `at most ${maxEvents}` }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: ChainResponse, '4xx': ErrorResponse },
      },
    },
    async (request) => {
      const { id } = request.params;
      const chain = UUID.test(id)
        ? await chains.chainOf(request.principal.tenant, id, request.query.maxEvents ?? maxEvents)
        : undefined;
      if (!chain) throw new Errors.NotFound(`No event ${id}`);
      return chain;
    },
  );
};
