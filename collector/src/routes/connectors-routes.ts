// Status of every connector: state, last sync and lag, progress of long work, errors.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ConnectorRunner } from '../runner/connector-runner.js';
import { ErrorResponse } from './error-response.js';

export const connectorsRoutes: FastifyPluginAsyncTypebox<{ runner: ConnectorRunner }> = async (
  app,
  { runner },
) => {
  app.get(
    '/api/v1/connectors',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['connectors'],
        summary: 'Every connector of this tenant and its state',
        response: {
          200: Type.Object({
            connectors: Type.Array(Type.Record(Type.String(), Type.Unknown())),
          }),
          '4xx': ErrorResponse,
        },
      },
    },
    async (request) => ({ connectors: runner.status(request.principal.tenant) }),
  );
};
