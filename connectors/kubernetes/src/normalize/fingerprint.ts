// Stable fingerprints of object parts: what is remembered between runs instead of the values,
// so that a change is recognised after a restart without keeping (or ever showing) secrets.
import { createHash, createHmac } from 'node:crypto';

/** JSON with object keys sorted: the same object always gives the same text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Short enough to read in a diff, long enough that two different values never meet. */
const DIGEST_LENGTH = 16;

export function sha256(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, DIGEST_LENGTH);
}

/**
 * A keyed digest of a secret value: shows that a value changed and lets two digests be compared,
 * while a guessable value (a short password) cannot be found by hashing guesses without the key,
 * which stays in the connector's state.
 */
export function secretDigest(key: string, value: string): string {
  return `hmac:${createHmac('sha256', key).update(value).digest('hex').slice(0, DIGEST_LENGTH)}`;
}
