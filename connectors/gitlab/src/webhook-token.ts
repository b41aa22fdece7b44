// X-Gitlab-Token: GitLab sends the webhook's secret token as it is (no signature over the body),
// so the check is an equality, done in constant time over digests of equal length.
import { createHash, timingSafeEqual } from 'node:crypto';
import { WebhookSignatureError } from '@painchain/sdk';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Throws WebhookSignatureError unless `header` is exactly `secret`. */
export function verifyWebhookToken(
  secret: string | undefined,
  header: string | string[] | undefined,
): void {
  if (!secret) {
    throw new WebhookSignatureError(
      'this connector has no webhookSecret configured, so it accepts no deliveries',
    );
  }
  const given = Array.isArray(header) ? header[0] : header;
  if (given === undefined || given === '') {
    throw new WebhookSignatureError('the X-Gitlab-Token header is missing');
  }
  // Hashing first gives equal lengths, so neither the comparison nor its length check leaks.
  if (!timingSafeEqual(digest(given), digest(secret))) {
    throw new WebhookSignatureError('the X-Gitlab-Token header is not the configured secret');
  }
}
