// CDEvents (cdevents.dev, spec v0.5.1) on `POST /api/v1/cdevents`: a CDEvent as JSON, a
// CloudEvent in structured mode whose data is the CDEvent, or CloudEvents binary mode (ce-*
// headers, the CDEvent as body). Supported types become changes through the ingest pipeline;
// other types are answered 202 with the reason; a malformed event is a 400 with its path.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Errors } from '../errors.js';
import { mapCDEvent, SUPPORTED_TYPES } from '../ingest/cdevents/cdevent-mapping.js';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import { InvalidEventsError } from '../ingest/invalid-events-error.js';
import type { Problem } from '../ingest/normalize.js';
import { ErrorResponse } from './error-response.js';

export interface CDEventsRoutesOptions {
  pipeline: IngestPipeline;
}

const STRUCTURED = 'application/cloudevents+json';

const CDEventResponse = Type.Object({
  status: Type.Union([Type.Literal('accepted'), Type.Literal('ignored'), Type.Literal('spooled')]),
  type: Type.String({ description: 'The CDEvent type' }),
  reason: Type.Optional(Type.String({ description: 'Why an ignored event was not recorded' })),
  ids: Type.Array(Type.String(), { description: 'The stored change (one, or none when ignored)' }),
  created: Type.Integer(),
  updated: Type.Integer({ description: 'The change was known; this newer state was applied' }),
  unchanged: Type.Integer({ description: 'The change was known with the same or a newer state' }),
  spooled: Type.Optional(
    Type.Integer({ description: 'Kept on disk while the store is unreachable (202)' }),
  ),
});

/** Answers a problem list as invalid_cdevent, the first problems in the message. */
function invalid(problems: readonly Problem[]): Error {
  const summary = problems
    .slice(0, 3)
    .map((p) => `${p.path || '/'}: ${p.message}`)
    .join('; ');
  return Object.assign(new Errors.InvalidCDEvent(summary), { details: [...problems] });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The CDEvent in the request and its JSON pointer in the body, per CloudEvents mode. */
function unwrap(
  body: unknown,
  contentType: string,
  header: (name: string) => string | undefined,
): { cdevent: unknown; path: string; ceType: string | undefined; cePath: string } {
  if (contentType.startsWith(STRUCTURED)) {
    if (!isObject(body))
      throw invalid([{ path: '', message: 'a structured CloudEvent must be a JSON object' }]);
    const problems: Problem[] = [];
    if (body.specversion !== '1.0')
      problems.push({ path: '/specversion', message: 'CloudEvents specversion must be "1.0"' });
    for (const name of ['id', 'source', 'type'])
      if (typeof body[name] !== 'string' || body[name] === '')
        problems.push({ path: `/${name}`, message: `${name} is required` });
    if (!isObject(body.data))
      problems.push({ path: '/data', message: 'data must be the CDEvent (a JSON object)' });
    if (problems.length > 0) throw invalid(problems);
    return { cdevent: body.data, path: '/data', ceType: String(body.type), cePath: '/type' };
  }
  if (header('ce-specversion') !== undefined) {
    const problems: Problem[] = [];
    if (header('ce-specversion') !== '1.0')
      problems.push({ path: 'header ce-specversion', message: 'must be "1.0"' });
    for (const name of ['ce-id', 'ce-source', 'ce-type'])
      if (!header(name))
        problems.push({ path: `header ${name}`, message: `${name} is required in binary mode` });
    if (problems.length > 0) throw invalid(problems);
    return { cdevent: body, path: '', ceType: header('ce-type'), cePath: 'header ce-type' };
  }
  return { cdevent: body, path: '', ceType: undefined, cePath: '' };
}

/** The pipeline's problems (paths in the mapped change) at the CDEvent fields they came from. */
function fromChange(problems: readonly Problem[], path: string): Problem[] {
  const origin: Record<string, string> = {
    timestamp: '/context/timestamp',
    endTimestamp: '/context/timestamp',
    updatedAt: '/context/timestamp',
    title: '/subject/id',
    project: '/subject/source',
  };
  return problems.map((p) => {
    const field = p.path.split('/')[1] ?? '';
    return { path: `${path}${origin[field] ?? ''}`, message: p.message };
  });
}

export const cdeventsRoutes: FastifyPluginAsyncTypebox<CDEventsRoutesOptions> = async (
  app,
  { pipeline },
) => {
  // Structured CloudEvents carry their own media type; the body is JSON all the same.
  app.addContentTypeParser(STRUCTURED, { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(String(body)) as unknown);
    } catch (error) {
      done(
        new Errors.InvalidJson(error instanceof Error ? error.message : 'unparseable'),
        undefined,
      );
    }
  });

  app.post(
    '/api/v1/cdevents',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['events'],
        summary: 'Ingest one CDEvent (v0.5.1)',
        description:
          'A CDEvent as application/json, a structured CloudEvent (application/cloudevents+json) whose `data` is the CDEvent, or CloudEvents binary mode (ce-specversion, ce-id, ce-source, ce-type headers; the CDEvent as the JSON body). ' +
          `Recorded types: ${SUPPORTED_TYPES.map((t) => `dev.cdevents.${t}`).join(', ')}; others are answered 202 "ignored". ` +
          'Idempotent: a run, change or incident is one change whose status moves with its events; the same event twice stores nothing new. See docs/cdevents.md.',
        response: {
          200: CDEventResponse,
          201: CDEventResponse,
          202: CDEventResponse,
          '4xx': ErrorResponse,
          503: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const { cdevent, path, ceType, cePath } = unwrap(
        request.body,
        String(request.headers['content-type'] ?? ''),
        header,
      );
      const outcome = mapCDEvent(cdevent, path);
      if (outcome.status === 'invalid') throw invalid(outcome.problems);
      // The CloudEvents binding sets the CloudEvent's type to the CDEvent's: two types are a mistake.
      if (ceType !== undefined && ceType !== outcome.type)
        throw invalid([
          {
            path: cePath,
            message: `the CloudEvent type ${ceType} is not the CDEvent's context.type ${outcome.type}`,
          },
        ]);
      if (outcome.status === 'ignored') {
        reply.code(202);
        return {
          status: 'ignored' as const,
          type: outcome.type,
          reason: outcome.reason,
          ids: [],
          created: 0,
          updated: 0,
          unchanged: 0,
        };
      }
      let stored;
      try {
        stored = await pipeline.ingest(request.principal.tenant, [outcome.event], {
          pathOf: () => '',
          origin: 'api',
        });
      } catch (error) {
        if (error instanceof InvalidEventsError) throw invalid(fromChange(error.details, path));
        throw error;
      }
      const { spooled, ...counts } = stored;
      if (spooled > 0)
        return reply
          .code(202)
          .send({ status: 'spooled' as const, type: outcome.type, ...counts, spooled });
      reply.code(stored.created > 0 ? 201 : 200);
      return { status: 'accepted' as const, type: outcome.type, ...counts };
    },
  );
};
