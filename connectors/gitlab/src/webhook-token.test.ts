// The X-Gitlab-Token check: only the exact configured secret passes; everything else is a
// WebhookSignatureError (the collector answers 401 and stores nothing).
import { isWebhookSignatureError } from '@painchain/sdk';
import { verifyWebhookToken } from './webhook-token.js';

const SECRET = 'glwt-s3cret';

const refusal = (secret: string | undefined, header: string | string[] | undefined) => {
  try {
    verifyWebhookToken(secret, header);
    return undefined;
  } catch (error) {
    expect(isWebhookSignatureError(error)).toBe(true);
    return (error as Error).message;
  }
};

describe('verifyWebhookToken', () => {
  test('the configured secret passes, also as the first of repeated headers', () => {
    expect(refusal(SECRET, SECRET)).toBeUndefined();
    expect(refusal(SECRET, [SECRET, 'other'])).toBeUndefined();
  });

  test.each([
    ['a missing header', undefined, 'the X-Gitlab-Token header is missing'],
    ['an empty header', '', 'the X-Gitlab-Token header is missing'],
    ['another secret', 'glwt-guess', 'the X-Gitlab-Token header is not the configured secret'],
    ['a prefix of the secret', 'glwt', 'the X-Gitlab-Token header is not the configured secret'],
    [
      'the secret with a suffix',
      `${SECRET} `,
      'the X-Gitlab-Token header is not the configured secret',
    ],
  ])('%s is refused', (_name, header, message) => {
    expect(refusal(SECRET, header)).toBe(message);
  });

  test('without a configured secret every delivery is refused, even one with a token', () => {
    expect(refusal(undefined, SECRET)).toMatch(/no webhookSecret configured/);
    expect(refusal('', '')).toMatch(/no webhookSecret configured/);
  });
});
