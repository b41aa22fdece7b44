// The change-event resource: ingest (POST), list with filters and cursor, get, delete.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { CHANGE_KINDS, CHANGE_STATUSES, ChangeEvent, ChangeEventInput } from '@painchain/sdk';
import { Errors } from '../errors.js';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import { parseInstant, unstorableText } from '../ingest/normalize.js';
import type { CursorCodec } from '../store/cursor-codec.js';
import type { EventFilter, EventStore } from '../store/event-store.js';
import { ErrorResponse } from './error-response.js';

export interface EventsRoutesOptions {
  store: EventStore;
  pipeline: IngestPipeline;
  codec: CursorCodec;
  maxBatchEvents: number;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

const Many = <T extends TSchema>(item: T, what: string) =>
  Type.Optional(
    Type.Array(item, {
      maxItems: 100,
      description: `${what}; repeat the parameter or separate values by commas for several (OR)`,
    }),
  );

/** The filters shared by the events list and the facets route. */
export const FilterQuery = {
  from: Type.Optional(Type.String({ description: 'RFC 3339 or epoch ms; inclusive' })),
  to: Type.Optional(Type.String({ description: 'RFC 3339 or epoch ms; inclusive' })),
  connector: Many(Type.String({ maxLength: 64 }), 'source system'),
  project: Many(Type.String({ maxLength: 512 }), 'project'),
  service: Many(Type.String({ maxLength: 256 }), 'service'),
  environment: Many(Type.String({ maxLength: 128 }), 'environment'),
  kind: Many(Type.Enum(CHANGE_KINDS), 'kind'),
  status: Many(Type.Enum(CHANGE_STATUSES), 'status'),
  tag: Many(Type.String({ maxLength: 128 }), 'tag (events with any of them)'),
  q: Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'text contained in title, description, project, service or author',
    }),
  ),
};

type FilterParams = { [K in keyof typeof FilterQuery]?: unknown };

/** The list filters: repeated (`kind=a&kind=b`) or comma-separated, as Grafana's csv format writes them. */
const LIST_FILTERS = ['connector', 'project', 'service', 'environment', 'kind', 'status', 'tag'];

/**
 * A preValidation hook for routes that take FilterQuery: `kind=deploy,rollback` becomes two
 * values before the schema checks them.
 */
export async function splitCommaFilters(request: { query: unknown }): Promise<void> {
  const query = request.query as Record<string, unknown>;
  for (const name of LIST_FILTERS) {
    const value = query[name];
    if (value === undefined) continue;
    const split = [value]
      .flat()
      .flatMap((item) => (typeof item === 'string' ? item.split(',') : [item]))
      .map((item) => (typeof item === 'string' ? item.trim() : item))
      .filter((item) => item !== '');
    query[name] = split;
  }
}

/** Parses from/to and collects the filters; throws invalid_time. */
export function toFilter(query: FilterParams): EventFilter {
  // Text the store cannot hold (a NUL) would fail inside Postgres: refuse it as a bad query.
  for (const [name, raw] of Object.entries(query))
    for (const value of [raw].flat())
      if (typeof value === 'string' && unstorableText(value))
        throw new Errors.InvalidQuery(`${name} ${unstorableText(value)}`);
  const time = (name: 'from' | 'to'): Date | undefined => {
    const raw = query[name];
    if (typeof raw !== 'string') return undefined;
    const parsed = parseInstant(raw);
    if (typeof parsed === 'string') throw new Errors.InvalidTime(`${name} ${parsed}`);
    return parsed;
  };
  const from = time('from');
  const to = time('to');
  if (from && to && from > to) throw new Errors.InvalidTime('from is after to');
  const list = (k: keyof FilterParams) => query[k] as string[] | undefined;
  return {
    from,
    to,
    connector: list('connector')?.map((c) => c.toLowerCase()),
    project: list('project'),
    service: list('service'),
    environment: list('environment'),
    kind: list('kind'),
    status: list('status'),
    tag: list('tag'),
    q: typeof query.q === 'string' && query.q.trim() ? query.q.trim() : undefined,
  };
}

const fingerprint = (tenant: string, f: EventFilter) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        tenant,
        f.from?.getTime(),
        f.to?.getTime(),
        f.connector,
        f.project,
        f.service,
        f.environment,
        f.kind,
        f.status,
        f.tag,
        f.q,
      ]),
    )
    .digest('base64url')
    .slice(0, 16);

const IngestBody = Type.Union(
  [
    ChangeEventInput,
    Type.Array(ChangeEventInput),
    Type.Object({ events: Type.Array(ChangeEventInput) }, { additionalProperties: false }),
  ],
  { description: 'One event, an array of events, or {"events": [...]}' },
);

const IngestResponse = Type.Object({
  ids: Type.Array(Type.String(), { description: 'Stored ids, in the order sent' }),
  created: Type.Integer(),
  updated: Type.Integer({ description: 'Known externalId; the newer state was applied' }),
  unchanged: Type.Integer({
    description: 'Known externalId with an older or equal state: nothing changed',
  }),
  duplicates: Type.Integer({ description: 'updated + unchanged' }),
  spooled: Type.Optional(
    Type.Integer({
      description:
        'Events kept in the durable spool (answer 202) because the store is unreachable; stored, and given ids, once it is back',
    }),
  ),
});

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const eventsRoutes: FastifyPluginAsyncTypebox<EventsRoutesOptions> = async (app, opts) => {
  const { store, pipeline, codec, maxBatchEvents } = opts;

  app.post(
    '/api/v1/events',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['events'],
        summary: 'Ingest change events',
        description: `One event, an array, or {"events": [...]}; at most ${maxBatchEvents} per request. A batch is all-or-nothing. The same externalId twice stores one event.`,
        body: IngestBody,
        response: {
          200: IngestResponse,
          201: IngestResponse,
          202: IngestResponse,
          '4xx': ErrorResponse,
          503: ErrorResponse,
        },
      },
      // The ingest pipeline checks each event against the same ChangeEventInput schema, so that
      // errors point at `/events/3/timestamp` rather than at branches of a union.
      validatorCompiler: () => (value) => ({ value }),
    },
    async (request, reply) => {
      const body: unknown = request.body;
      let events: unknown[];
      let pathOf: (i: number) => string;
      if (Array.isArray(body)) {
        events = body;
        pathOf = (i) => `/${i}`;
      } else if (body && typeof body === 'object' && 'events' in body) {
        const inner = (body as { events: unknown }).events;
        if (!Array.isArray(inner)) throw new Errors.InvalidBody('"events" must be an array');
        if (Object.keys(body).length > 1)
          throw new Errors.InvalidBody('only "events" is allowed beside the list');
        events = inner;
        pathOf = (i) => `/events/${i}`;
      } else if (body && typeof body === 'object') {
        events = [body];
        pathOf = () => '';
      } else {
        throw new Errors.InvalidBody('send a JSON object, an array, or {"events": [...]}');
      }
      if (events.length === 0) throw new Errors.InvalidBody('no events');
      if (events.length > maxBatchEvents)
        throw new Errors.TooManyEvents(maxBatchEvents, events.length);

      const { spooled, ...result } = await pipeline.ingest(request.principal.tenant, events, {
        pathOf,
        origin: 'api',
      });
      const duplicates = result.updated + result.unchanged;
      if (spooled > 0) return reply.code(202).send({ ...result, duplicates, spooled });
      reply.code(result.created > 0 ? 201 : 200);
      return { ...result, duplicates };
    },
  );

  app.get(
    '/api/v1/events',
    {
      config: { scope: 'read' },
      preValidation: splitCommaFilters,
      schema: {
        tags: ['events'],
        summary: 'List change events, newest first',
        description:
          'Every filter is optional; pages are chained by `nextCursor`, which is null on the last page.',
        querystring: Type.Object(
          {
            ...FilterQuery,
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
            ),
            cursor: Type.Optional(Type.String({ maxLength: 512 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            events: Type.Array(ChangeEvent),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          '4xx': ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const { tenant } = request.principal;
      const filter = toFilter(request.query);
      const print = fingerprint(tenant, filter);
      let after;
      if (request.query.cursor !== undefined) {
        after = codec.decode(request.query.cursor, print);
        if (!after) throw new Errors.InvalidCursor();
      }
      const page = await store.listJson(
        tenant,
        filter,
        request.query.limit ?? DEFAULT_PAGE_SIZE,
        after,
      );
      // The database wrote each event's JSON (the ChangeEvent schema above): sent as it is. A
      // string with a JSON content type is not serialized again (hence the cast: the type
      // provider knows only the object form of the schema).
      const nextCursor = page.next ? codec.encode(page.next, print) : null;
      const body = `{"events":[${page.json.join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;
      return reply.type('application/json; charset=utf-8').send(body as never);
    },
  );

  app.get(
    '/api/v1/events/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['events'],
        summary: 'One change event',
        params: IdParams,
        response: { 200: ChangeEvent, '4xx': ErrorResponse },
      },
    },
    async (request) => {
      const { id } = request.params;
      const event = UUID.test(id) ? await store.get(request.principal.tenant, id) : undefined;
      if (!event) throw new Errors.NotFound(`No event ${id}`);
      return event;
    },
  );

  app.delete(
    '/api/v1/events/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['events'],
        summary: 'Delete one change event (admin)',
        params: IdParams,
        response: { 204: Type.Null(), '4xx': ErrorResponse },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const deleted = UUID.test(id) && (await store.delete(request.principal.tenant, id));
      if (!deleted) throw new Errors.NotFound(`No event ${id}`);
      reply.code(204);
      return null;
    },
  );
};
