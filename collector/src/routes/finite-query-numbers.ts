// Numbers in a query string must be finite. The schema validator coerces `1e400` to Infinity and
// then skips the parameter's minimum and maximum (ajv 8 with coercion and a default), so without
// this a `limit` or `maxEvents` of 1e400 or -1e400 reached the store and answered 500. Checked
// once for every route, after validation (a preHandler), rather than route by route.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Errors } from '../errors.js';

const finiteQueryNumbersPlugin: FastifyPluginAsync = async (app) => {
  app.addHook('preHandler', async (request) => {
    const query = request.query as Record<string, unknown> | undefined;
    if (!query || typeof query !== 'object') return;
    for (const [name, value] of Object.entries(query))
      for (const item of [value].flat())
        if (typeof item === 'number' && !Number.isFinite(item))
          throw new Errors.InvalidQuery(`${name} must be a finite number`);
  });
};

export const finiteQueryNumbers = fp(finiteQueryNumbersPlugin, {
  name: 'painchain-finite-query-numbers',
});
