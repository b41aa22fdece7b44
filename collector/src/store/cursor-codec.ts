// Opaque page cursors: the position of the last event of a page plus a fingerprint of the
// query, signed with a key kept in the store (shared by replicas, stable across restarts).
// A cursor that was edited, or reused with other filters, is refused instead of silently
// returning the wrong page.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.js';
import type { Position } from './event-store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class CursorCodec {
  private constructor(private readonly key: Buffer) {}

  /** Reads the signing key from the settings table, creating it on first use. */
  static async fromStore(db: Db): Promise<CursorCodec> {
    await db.query(
      `INSERT INTO settings (key, value) VALUES ('cursor_key', $1) ON CONFLICT (key) DO NOTHING`,
      [randomBytes(32).toString('base64')],
    );
    const { rows } = await db.query<{ value: string }>(
      `SELECT value FROM settings WHERE key = 'cursor_key'`,
    );
    return new CursorCodec(Buffer.from(rows[0]?.value ?? '', 'base64'));
  }

  #sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, 16);
  }

  encode(position: Position, fingerprint: string): string {
    const payload = Buffer.from(
      JSON.stringify({ t: position.timestamp.getTime(), i: position.id, f: fingerprint }),
    ).toString('base64url');
    return `${payload}.${this.#sign(payload).toString('base64url')}`;
  }

  /** The position, or undefined when the cursor is not valid for this query. */
  decode(cursor: string, fingerprint: string): Position | undefined {
    const [payload, signature, ...rest] = cursor.split('.');
    if (!payload || !signature || rest.length > 0) return undefined;
    const given = Buffer.from(signature, 'base64url');
    const expected = this.#sign(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null) return undefined;
      const { t, i, f } = parsed as Record<string, unknown>;
      if (typeof t !== 'number' || typeof i !== 'string' || !UUID.test(i) || f !== fingerprint)
        return undefined;
      return { timestamp: new Date(t), id: i };
    } catch {
      return undefined;
    }
  }
}
