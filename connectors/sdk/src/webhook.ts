// Webhooks: how the collector hands one HTTP delivery from a source system to the in-process
// connector that owns it. The connector checks the signature and translates; the collector
// stores what it returns through the same pipeline as ctx.emit().
import type { ChangeEventInput } from './change-event.js';

/** One delivery as the collector received it. */
export interface WebhookRequest {
  /** Header names in lower case, as Node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body exactly as received: signatures are computed over these bytes, never over re-serialized JSON. */
  readonly rawBody: Buffer;
  /** The JSON payload: the body of `application/json`, or the `payload` field of a form post. */
  readonly body: unknown;
}

/** What the connector made of a delivery. */
export interface WebhookResult {
  /** `accepted`: understood (its events, if any, are stored); `ignored`: valid but not a change. */
  status: 'accepted' | 'ignored';
  /** Why it was ignored, or a note for the sender (`pong`); answered back to the source. */
  reason?: string;
  /** The changes this delivery describes; stored by the collector (idempotent by externalId). */
  events?: ChangeEventInput[];
}

/**
 * Thrown by `handleWebhook` when the delivery's signature (or token) is missing or wrong, or the
 * connector has no secret to check it with. The collector answers 401 and stores nothing.
 */
export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
}

/**
 * Thrown by `handleWebhook` for a trusted delivery it cannot translate (a payload missing what
 * its event always carries). The collector answers 422 `webhook_untranslatable` with the message
 * and stores nothing: the sender's redelivery cannot succeed either, so it is not a 5xx.
 */
export class WebhookPayloadError extends Error {
  override readonly name = 'WebhookPayloadError';
}

/** True for a WebhookPayloadError, from this or another copy of the package (by name). */
export function isWebhookPayloadError(error: unknown): error is WebhookPayloadError {
  return (
    error instanceof WebhookPayloadError ||
    (error instanceof Error && error.name === 'WebhookPayloadError')
  );
}

/**
 * True for a WebhookSignatureError, also when it comes from another copy of this package
 * (a standalone build next to the collector's): checked by name, not only by class.
 */
export function isWebhookSignatureError(error: unknown): error is WebhookSignatureError {
  return (
    error instanceof WebhookSignatureError ||
    (error instanceof Error && error.name === 'WebhookSignatureError')
  );
}
