// Source webhooks: `POST /webhooks/:type` and `/webhooks/:type/:name` hand the delivery, raw
// bytes included, to the running in-process connector of that type, which verifies and
// translates it; what it returns goes through the ingest pipeline like any other change.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  isWebhookPayloadError,
  isWebhookSignatureError,
  type WebhookRequest,
} from '@painchain/sdk';
import { Type, type Static } from 'typebox';
import { Errors, type ErrorBody } from '../errors.js';
import { InvalidEventsError } from '../ingest/invalid-events-error.js';
import type { ConnectorRunner } from '../runner/connector-runner.js';
import { ErrorResponse } from './error-response.js';
import { describeJsonError } from './json-body-parser.js';

const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_.-]*$' });

const WebhookResponse = Type.Object({
  status: Type.Union([Type.Literal('accepted'), Type.Literal('ignored'), Type.Literal('spooled')]),
  reason: Type.Optional(Type.String()),
  connector: Type.String({ description: 'The connector instance that took the delivery' }),
  ids: Type.Array(Type.String(), { description: 'Stored change events, in order' }),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer({ description: 'Already stored with the same or a newer state' }),
  spooled: Type.Optional(
    Type.Integer({
      description: 'Kept on disk while the store is unreachable; stored once it is back',
    }),
  ),
});

/** Sources post JSON, or (GitHub's other choice) a form whose `payload` field holds the JSON. */
export function parseWebhookBody(raw: Buffer, contentType: string | undefined): unknown {
  const form = /^application\/x-www-form-urlencoded\b/i.test(contentType ?? '');
  let text = raw.toString('utf8');
  if (form) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw new Errors.InvalidBody('a form post needs a `payload` field');
    text = payload;
  }
  if (text.trim() === '') throw new Errors.InvalidJson('the body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Errors.InvalidJson(describeJsonError(error, text));
  }
}

export const webhooksRoutes: FastifyPluginAsyncTypebox<{ runner: ConnectorRunner }> = async (
  app,
  { runner },
) => {
  // Signatures are computed over the exact bytes sent, so in this (encapsulated) context bodies
  // stay Buffers; parsing happens in the handler.
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(
    ['application/json', 'application/x-www-form-urlencoded'],
    { parseAs: 'buffer' },
    (_request, body, done) => done(null, body),
  );

  const common = {
    tags: ['webhooks'],
    description:
      'Authenticated by the source signature (e.g. X-Hub-Signature-256), not by a bearer token. ' +
      'Body: application/json, or application/x-www-form-urlencoded with a `payload` field. ' +
      '200 when the delivery was understood (its changes stored, idempotently), 202 when it was ' +
      'valid but is not a change PainChain records (`reason` says why), or when its changes were ' +
      'kept in the durable spool because the store is unreachable (status `spooled`).',
    response: {
      200: WebhookResponse,
      202: WebhookResponse,
      '4xx': ErrorResponse,
      503: ErrorResponse,
    },
  };

  /** The answer's status and body; 503 is answered here because the error handler keeps 5xx opaque. */
  const handle = async (
    type: string,
    name: string | undefined,
    raw: unknown,
    headers: WebhookRequest['headers'],
  ): Promise<{ code: number; payload: Static<typeof WebhookResponse> | ErrorBody }> => {
    const rawBody = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
    // Parsed only when the connector reads it, after it checked the signature over the raw
    // bytes: an unsigned body costs no parsing, however large or deep.
    let parsed: { value: unknown } | undefined;
    const request: WebhookRequest = {
      headers,
      rawBody,
      get body() {
        parsed ??= { value: parseWebhookBody(rawBody, String(headers['content-type'] ?? '')) };
        return parsed.value;
      },
    };
    let delivery;
    try {
      delivery = await runner.deliverWebhook(type, name, request);
    } catch (error) {
      if (isWebhookSignatureError(error)) throw new Errors.InvalidSignature(error.message);
      // The body itself was not JSON (or a form without payload): the sender's mistake, said so.
      if (error instanceof Errors.InvalidJson || error instanceof Errors.InvalidBody) throw error;
      // Trusted, but not something this connector can turn into changes: redelivering it will
      // not help, so it is no 5xx; the reason goes back to the sender (and to our log).
      if (error instanceof InvalidEventsError) {
        app.log.warn({ err: error, type, name }, 'webhook delivery made events the store refuses');
        throw Object.assign(
          new Errors.WebhookUntranslatable(type, 'it describes changes PainChain cannot store'),
          { details: [...error.details] },
        );
      }
      if (!isWebhookPayloadError(error)) {
        app.log.error({ err: error, type, name }, 'connector failed on a webhook delivery');
      }
      const message = error instanceof Error ? error.message : String(error);
      throw new Errors.WebhookUntranslatable(type, message.slice(0, 500));
    }
    if (!delivery.delivered) {
      switch (delivery.reason) {
        case 'none':
          throw new Errors.WebhookTargetNotFound(
            name === undefined
              ? `No ${type} connector is configured in this collector`
              : `No ${type} connector named ${name} is configured in this collector`,
          );
        case 'no_webhooks':
          throw new Errors.WebhookTargetNotFound(`Connectors of type ${type} do not take webhooks`);
        case 'ambiguous':
          throw new Errors.WebhookTargetAmbiguous(type, delivery.names.join(', '), type);
        case 'not_running': {
          // GitHub and GitLab show a failed delivery and let it be redelivered: say "later".
          const err = new Errors.ConnectorUnavailable(delivery.names[0] ?? type);
          return { code: 503, payload: { error: err.code, message: err.message } };
        }
      }
    }
    const { result, stored, connector } = delivery;
    const { spooled = 0, ...counts } = stored;
    if (spooled > 0)
      return {
        code: 202,
        payload: {
          status: 'spooled',
          reason:
            'the store is unreachable: the changes are kept on disk and stored when it is back',
          connector,
          ...counts,
          spooled,
        },
      };
    return {
      code: result.status === 'accepted' ? 200 : 202,
      payload: {
        status: result.status,
        ...(result.reason === undefined ? {} : { reason: result.reason }),
        connector,
        ...counts,
      },
    };
  };

  app.post(
    '/webhooks/:type',
    {
      schema: {
        ...common,
        summary: 'Webhook delivery for the one connector of this type',
        params: Type.Object({ type: Name }),
      },
    },
    async (request, reply) => {
      const { code, payload } = await handle(
        request.params.type,
        undefined,
        request.body,
        request.headers,
      );
      return reply.code(code).send(payload);
    },
  );
  app.post(
    '/webhooks/:type/:name',
    {
      schema: {
        ...common,
        summary: 'Webhook delivery for one named connector (when several share a type)',
        params: Type.Object({ type: Name, name: Name }),
      },
    },
    async (request, reply) => {
      const { type, name } = request.params;
      const { code, payload } = await handle(type, name, request.body, request.headers);
      return reply.code(code).send(payload);
    },
  );
};
