// Requests a connector's tests make to a test collector: a webhook delivery with exactly the
// bytes that were signed, the stored events read back through the query API, and raw sockets to
// the listening collector.
import type { ChangeEvent } from '@painchain/sdk';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { connect, type Socket } from 'node:net';

export interface WebhookDelivery {
  /** The connector type: `/webhooks/<type>`. */
  type: string;
  /** The instance, when several of the type run: `/webhooks/<type>/<name>`. */
  name?: string;
  /** As the source sends them (signature, event name); content-type defaults to JSON. */
  headers?: Record<string, string>;
  /** Sent as JSON.stringify(body): sign that string. */
  body?: unknown;
  /** Sent byte for byte instead of `body` (what a source signed, a form post, broken JSON). */
  rawBody?: string | Buffer;
}

/** POSTs one delivery to the collector's webhook route; the answer as inject() gives it. */
export function postWebhook(
  app: FastifyInstance,
  delivery: WebhookDelivery,
): Promise<LightMyRequestResponse> {
  const { type, name, headers = {}, body, rawBody } = delivery;
  const url = `/webhooks/${encodeURIComponent(type)}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  return app.inject({
    method: 'POST',
    url,
    headers: hasType ? headers : { 'content-type': 'application/json', ...headers },
    payload: rawBody ?? JSON.stringify(body ?? null),
  });
}

export type EventQuery = Record<string, string | number | readonly (string | number)[] | undefined>;

/**
 * The events `GET /api/v1/events` answers for `query` (filters as in the API; a list repeats the
 * parameter), every page followed, newest first. Throws with the answer when it is not 200.
 */
export async function readEvents(
  app: FastifyInstance,
  query: EventQuery = {},
  headers: Record<string, string> = {},
): Promise<ChangeEvent[]> {
  const events: ChangeEvent[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      for (const item of [value].flat()) params.append(key, String(item));
    }
    if (cursor !== null) params.set('cursor', cursor);
    const res = await app.inject({ method: 'GET', url: `/api/v1/events?${params}`, headers });
    if (res.statusCode !== 200) {
      throw new Error(`GET /api/v1/events?${params} answered ${res.statusCode}: ${res.body}`);
    }
    const page = res.json<{ events: ChangeEvent[]; nextCursor: string | null }>();
    events.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return events;
}

/** A raw TCP connection to the listening collector, for requests sent byte by byte. */
export async function openSocket(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', resolve).once('error', reject),
  );
  // A socket the server closes or resets is what these tests look for, not a failure.
  socket.on('error', () => undefined);
  return socket;
}
