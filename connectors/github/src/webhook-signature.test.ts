// X-Hub-Signature-256 verification over the raw bytes.
import { createHmac } from 'node:crypto';
import { isWebhookSignatureError } from '@painchain/sdk';
import { verifyWebhookSignature } from './webhook-signature.js';

const SECRET = 'It is a secret to everybody';
const body = Buffer.from('{"zen":"Keep it logically awesome."}');
const signature = (secret: string, bytes: Buffer) =>
  `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`;

const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    expect(isWebhookSignatureError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('not refused');
};

describe('verifyWebhookSignature', () => {
  test('accepts the signature of the exact body, in either letter case', () => {
    expect(() => verifyWebhookSignature(SECRET, body, signature(SECRET, body))).not.toThrow();
    expect(() =>
      verifyWebhookSignature(
        SECRET,
        body,
        signature(SECRET, body).toUpperCase().replace('SHA256', 'sha256'),
      ),
    ).not.toThrow();
  });

  test.each([
    ['no secret configured', undefined, signature(SECRET, body), /no webhookSecret/],
    ['no header', SECRET, undefined, /missing/],
    ['a sha1 signature', SECRET, 'sha1=0123', /not sha256=/],
    ['another secret', SECRET, signature('guess', body), /does not match/],
    [
      'a re-serialized body',
      SECRET,
      signature(SECRET, Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1))),
      /does not match/,
    ],
  ])('refuses %s', (_name, secret, header, message) => {
    expect(refusal(() => verifyWebhookSignature(secret, body, header))).toMatch(message);
  });

  test('never puts the secret or the expected signature in its message', () => {
    const message = refusal(() => verifyWebhookSignature(SECRET, body, signature('guess', body)));
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain(signature(SECRET, body).slice(7));
  });
});
