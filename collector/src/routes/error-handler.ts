// The one place where errors become HTTP answers: ours (errors.ts) as they are, the ingest
// pipeline's domain errors and fastify's own errors mapped to documented codes (docs/errors.md),
// a store outage to 503, anything else to an opaque 500. Unknown routes answer `route_not_found`.
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Errors, type ErrorBody, type ErrorDetail } from '../errors.js';
import { InvalidEventsError } from '../ingest/invalid-events-error.js';
import { schemaProblems } from '../ingest/schema-problems.js';
import { isStoreUnreachable } from '../store/store-health.js';

export interface ErrorHandlerOptions {
  /** The server's body limit, named in `body_too_large` answers. */
  bodyLimitBytes: number;
  /** Sent as Retry-After with every 503. */
  retryAfterSeconds: number;
}

type AnyError = FastifyError & { details?: ErrorDetail[] };

/** Domain errors and fastify's own errors, as ours: one set of codes for clients. */
export function translateError(
  err: AnyError,
  bodyLimitBytes: number,
  contentType?: string,
): AnyError {
  if (err instanceof InvalidEventsError) {
    return Object.assign(new Errors.InvalidEvent(), { details: [...err.details] });
  }
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
      return new Errors.UnsupportedMediaType(describeContentType(contentType));
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Errors.BodyTooLarge(bodyLimitBytes);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new Errors.InvalidJson('the body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new Errors.InvalidJson(err.message);
  }
  if (err instanceof SyntaxError && err.statusCode === 400)
    return new Errors.InvalidJson(err.message);
  if (isStoreUnreachable(err)) return new Errors.StoreUnavailable();
  return err;
}

/** What was sent instead of JSON; `curl -d` without `-H` sends a form, the usual mistake. */
function describeContentType(contentType: string | undefined): string {
  const type = contentType?.split(';')[0]?.trim();
  if (!type) return 'no Content-Type header';
  if (type === 'application/x-www-form-urlencoded') {
    return `${type}; with curl, add -H 'content-type: application/json'`;
  }
  return type;
}

/** Maps any error to the API's error body: ours as they are, anything unexpected to 500. */
export function toErrorBody(
  raw: AnyError,
  bodyLimitBytes: number,
  contentType?: string,
): { status: number; body: ErrorBody } {
  const err = translateError(raw, bodyLimitBytes, contentType);
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

const errorHandlerPlugin: FastifyPluginAsync<ErrorHandlerOptions> = async (
  app,
  { bodyLimitBytes, retryAfterSeconds },
) => {
  app.setErrorHandler((err: AnyError, request, reply) => {
    const { status, body } = toErrorBody(err, bodyLimitBytes, request.headers['content-type']);
    // Stack traces and SQL stay in the log; the client gets the opaque body. An unreachable
    // store is logged once per outage by StoreHealth, not once per request that met it.
    if (status === 503) request.log.debug({ err }, 'request refused: store unavailable');
    else if (status >= 500) request.log.error({ err }, 'request failed');
    reply.code(status).send(body);
  });
  // Every 503 says when to come back: ours, a connector not running, the server closing.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after'))
      reply.header('retry-after', String(retryAfterSeconds));
    return payload;
  });
  // fastify's own answer while closing has neither Retry-After nor our body: answered here.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    const err = new Errors.ShuttingDown();
    reply.header('connection', 'close');
    return reply.code(503).send({ error: err.code, message: err.message } satisfies ErrorBody);
  });
  app.setNotFoundHandler((request, reply) => {
    const err = new Errors.RouteNotFound(request.method, request.url.split('?')[0]);
    reply.code(404).send({ error: err.code, message: err.message } satisfies ErrorBody);
  });
};

/** Registered on the root instance (fastify-plugin), before the routes. */
export const errorHandler = fp(errorHandlerPlugin, { name: 'painchain-error-handler' });
