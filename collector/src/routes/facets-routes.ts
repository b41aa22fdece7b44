// Distinct values of a field with counts: what Grafana template variables and filter pickers list.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Errors } from '../errors.js';
import { FACET_FIELDS, type EventStore, type FacetField } from '../store/event-store.js';
import { ErrorResponse } from './error-response.js';
import { FilterQuery, splitCommaFilters, toFilter } from './events-routes.js';

export const DEFAULT_FACET_LIMIT = 100;

export const facetsRoutes: FastifyPluginAsyncTypebox<{ store: EventStore }> = async (
  app,
  { store },
) => {
  app.get(
    '/api/v1/facets/:field',
    {
      config: { scope: 'read' },
      preValidation: splitCommaFilters,
      schema: {
        tags: ['events'],
        summary: 'Distinct values of a field, with counts',
        description: `field is one of ${FACET_FIELDS.join(', ')}. The field's own filter is ignored so that a multi-value variable keeps offering every value.`,
        params: Type.Object({ field: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object(
          {
            ...FilterQuery,
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_FACET_LIMIT }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            field: Type.String(),
            values: Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() })),
          }),
          '4xx': ErrorResponse,
        },
      },
    },
    async (request) => {
      const { field } = request.params;
      if (!(FACET_FIELDS as readonly string[]).includes(field))
        throw new Errors.UnknownFacet(JSON.stringify(field), FACET_FIELDS.join(', '));
      const values = await store.facet(
        request.principal.tenant,
        field as FacetField,
        toFilter(request.query),
        request.query.limit ?? DEFAULT_FACET_LIMIT,
      );
      return { field, values };
    },
  );
};
