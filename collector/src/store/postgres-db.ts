// PostgreSQL through a `pg` connection pool.
import pg from 'pg';
import { STORE_TIMEOUT_DEFAULTS } from '../config/config-schema.js';
import type { Db, Queryable, QueryResult } from './db.js';

// Timestamps are read as Date by default; int8 (count(*)) as text — we cast counts to int in SQL.

const wrap = (client: pg.Pool | pg.PoolClient | pg.Client): Queryable => ({
  async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    const res = await client.query(sql, params);
    return { rows: res.rows as R[], affected: res.rowCount ?? 0 };
  },
  async exec(sql: string): Promise<void> {
    // Without parameters pg uses the simple protocol, which accepts several statements.
    await client.query(sql);
  },
});

/** BEGIN, fn, COMMIT on one connection; ROLLBACK when fn (or COMMIT) throws. */
async function inTransaction<T>(
  client: pg.PoolClient | pg.Client,
  fn: (tx: Queryable) => Promise<T>,
  rollbackFailed: (err: Error) => void,
): Promise<T> {
  try {
    await client.query('BEGIN');
    const result = await fn(wrap(client));
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      rollbackFailed(
        rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError)),
      );
    });
    throw err;
  }
}

export interface PostgresTimeouts {
  /** A statement running longer is cancelled by the server, and given up by us soon after. */
  statementTimeoutMs: number;
  /** Opening a connection taking longer fails (an unreachable or blackholed server). */
  connectTimeoutMs: number;
}

export class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #q: Queryable;
  readonly #url: string;
  readonly #connectTimeoutMs: number;

  constructor(url: string, poolSize: number, overrides: Partial<PostgresTimeouts> = {}) {
    const timeouts = {
      statementTimeoutMs: overrides.statementTimeoutMs ?? STORE_TIMEOUT_DEFAULTS.statementTimeoutMs,
      connectTimeoutMs: overrides.connectTimeoutMs ?? STORE_TIMEOUT_DEFAULTS.connectTimeoutMs,
    };
    this.#url = url;
    this.#connectTimeoutMs = timeouts.connectTimeoutMs;
    this.#pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      // Fail fast when the server is unreachable instead of hanging start-up or a request.
      connectionTimeoutMillis: timeouts.connectTimeoutMs,
      // The server cancels a slow statement; in a network partition it cannot tell us, so the
      // client gives up a little later on its own (and the pool discards that connection).
      statement_timeout: timeouts.statementTimeoutMs,
      query_timeout: timeouts.statementTimeoutMs + 1000,
      idle_in_transaction_session_timeout: timeouts.statementTimeoutMs * 2,
      // Dead peers are noticed on idle connections too.
      keepAlive: true,
      application_name: 'painchain-collector',
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.#pool.on('error', () => undefined);
    this.#q = wrap(this.#pool);
  }

  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    return this.#q.query<R>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.#q.exec(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    // A connection whose ROLLBACK failed (broken, timed out) must not go back to the pool.
    let broken: Error | undefined;
    // While checked out the pool does not listen to the connection: losing it (a database cut)
    // would be an unhandled 'error' event, which ends the process. The statement in flight
    // fails with it anyway; the connection is then not given back.
    const lost = (err: Error) => (broken ??= err);
    client.on('error', lost);
    try {
      return await inTransaction(client, fn, (err) => (broken = err));
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  /**
   * A connection of its own, outside the pool, without the pool's statement and read timeouts
   * (pg applies its client-side timeout per connection, so a pooled one cannot shed it).
   */
  async maintenance<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = new pg.Client({
      connectionString: this.#url,
      connectionTimeoutMillis: this.#connectTimeoutMs,
      keepAlive: true,
      application_name: 'painchain-collector (maintenance)',
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      // The connection ends here either way: a failed ROLLBACK needs no further care.
      return await inTransaction(client, fn, () => undefined);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
