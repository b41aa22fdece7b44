// X-Hub-Signature-256: HMAC-SHA256 of the raw body with the webhook secret, compared in
// constant time. Computed over the bytes received, never over re-serialized JSON.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookSignatureError } from '@painchain/sdk';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** Throws WebhookSignatureError unless `header` is the body's signature with `secret`. */
export function verifyWebhookSignature(
  secret: string | undefined,
  rawBody: Buffer,
  header: string | string[] | undefined,
): void {
  if (!secret) {
    throw new WebhookSignatureError(
      'this connector has no webhookSecret configured, so it accepts no deliveries',
    );
  }
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) throw new WebhookSignatureError('the X-Hub-Signature-256 header is missing');
  const match = SIGNATURE.exec(value.trim());
  if (!match?.[1]) {
    throw new WebhookSignatureError('the X-Hub-Signature-256 header is not sha256=<64 hex digits>');
  }
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(match[1], 'hex');
  if (!timingSafeEqual(expected, given)) {
    throw new WebhookSignatureError('the X-Hub-Signature-256 signature does not match the body');
  }
}
