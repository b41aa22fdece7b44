// Every error the API can answer, made once: a stable code, an HTTP status and a message.
// docs/errors.md lists each code (a test keeps the two in step).
import createError from '@fastify/error';

export const Errors = {
  InvalidEvent: createError('invalid_event', 'The request contains invalid events', 400),
  InvalidBody: createError('invalid_body', 'The request body is not valid: %s', 400),
  InvalidJson: createError('invalid_json', 'The request body is not valid JSON: %s', 400),
  UnsupportedMediaType: createError(
    'unsupported_media_type',
    'Send the body as application/json (got %s)',
    415,
  ),
  BodyTooLarge: createError('body_too_large', 'The request body is larger than %s bytes', 413),
  TooManyEvents: createError('too_many_events', 'At most %s events per request (got %s)', 413),
  InvalidQuery: createError('invalid_query', 'The query is not valid: %s', 400),
  InvalidTime: createError('invalid_time', '%s', 400),
  InvalidCursor: createError(
    'invalid_cursor',
    'The cursor is not one this server issued for this query; start again without it',
    400,
  ),
  UnknownFacet: createError('unknown_facet', 'Unknown facet field %s; use one of %s', 400),
  NotFound: createError('not_found', '%s', 404),
  RouteNotFound: createError('route_not_found', 'No route %s %s', 404),
  Unauthorized: createError('unauthorized', '%s', 401),
  Forbidden: createError('forbidden', 'This token lacks the %s scope', 403),
  RateLimited: createError('rate_limited', 'Too many requests', 429),
  StoreUnavailable: createError('store_unavailable', 'The store is not reachable', 503),
  Internal: createError('internal', 'Internal error; see the collector log (request id %s)', 500),
} as const;

export type ErrorCode = ReturnType<(typeof Errors)[keyof typeof Errors]>['code'];

/** One problem in a request, as `details` lists them. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** What every error response looks like. */
export interface ErrorBody {
  error: string;
  message: string;
  details?: ErrorDetail[];
}
