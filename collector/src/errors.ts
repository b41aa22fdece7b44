// Every error the API can answer, made once: a stable code, an HTTP status and a message.
// docs/errors.md lists each code (a test keeps the two in step).
import createError from '@fastify/error';

/**
 * createError() keeping the code as written: @fastify/error upper-cases it, but the API's codes
 * are lower case, like the ones mapped from fastify's own errors (`invalid_json`).
 */
function define<C extends string, SC extends number>(code: C, message: string, statusCode: SC) {
  const E = createError(code, message, statusCode);
  // The constructor assigns `this.code`; an accessor on the prototype receives that assignment.
  Object.defineProperty(E.prototype, 'code', {
    get: () => code,
    set: () => undefined,
    enumerable: true,
  });
  return E;
}

export const Errors = {
  InvalidEvent: define('invalid_event', 'The request contains invalid events', 400),
  InvalidBody: define('invalid_body', 'The request body is not valid: %s', 400),
  InvalidJson: define('invalid_json', 'The request body is not valid JSON: %s', 400),
  InvalidCDEvent: define('invalid_cdevent', 'The CDEvent is not valid: %s', 400),
  UnsupportedMediaType: define(
    'unsupported_media_type',
    'Send the body as application/json (got %s)',
    415,
  ),
  BodyTooLarge: define('body_too_large', 'The request body is larger than %s bytes', 413),
  TooManyEvents: define('too_many_events', 'At most %s events per request (got %s)', 413),
  InvalidQuery: define('invalid_query', 'The query is not valid: %s', 400),
  InvalidTime: define('invalid_time', '%s', 400),
  InvalidCursor: define(
    'invalid_cursor',
    'The cursor is not one this server issued for this query; start again without it',
    400,
  ),
  UnknownFacet: define('unknown_facet', 'Unknown facet field %s; use one of %s', 400),
  NotFound: define('not_found', '%s', 404),
  RouteNotFound: define('route_not_found', 'No route %s %s', 404),
  ConnectorNameTaken: define(
    'connector_name_taken',
    'Connector %s runs inside the collector; a standalone connector needs another name',
    409,
  ),
  Unauthorized: define('unauthorized', '%s', 401),
  InvalidSignature: define('invalid_signature', 'The webhook delivery cannot be trusted: %s', 401),
  WebhookUntranslatable: define(
    'webhook_untranslatable',
    'The %s connector cannot translate this delivery (nothing was stored): %s',
    422,
  ),
  WebhookTargetNotFound: define('webhook_target_not_found', '%s', 404),
  WebhookTargetAmbiguous: define(
    'webhook_target_ambiguous',
    'Several %s connectors run here (%s): send to /webhooks/%s/<name>',
    400,
  ),
  ConnectorUnavailable: define(
    'connector_unavailable',
    'Connector %s is not running (starting over after a failure, or stopping); retry later',
    503,
  ),
  Forbidden: define('forbidden', 'This token lacks the %s scope', 403),
  RateLimited: define(
    'rate_limited',
    'Too many requests from this caller (%s in %s s); retry after the time in Retry-After',
    429,
  ),
  GrafanaNotConfigured: define(
    'grafana_not_configured',
    'Set grafana.url in painchain.yaml so that this link can lead to Grafana',
    404,
  ),
  StoreUnavailable: define(
    'store_unavailable',
    'The store is not reachable (and, for a change, the spool that keeps changes until it is back is full); retry after the time in Retry-After',
    503,
  ),
  ShuttingDown: define(
    'shutting_down',
    'The collector is shutting down; retry after the time in Retry-After (another replica may answer)',
    503,
  ),
  BadRequest: define('bad_request', '%s', 400),
  Internal: define('internal', 'Internal error; see the collector log', 500),
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
