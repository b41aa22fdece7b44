// PostgreSQL through a `pg` connection pool.
import pg from 'pg';
import type { Db, Queryable, QueryResult } from './db.js';

// Timestamps are read as Date by default; int8 (count(*)) as text — we cast counts to int in SQL.

const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
  async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    const res = await client.query(sql, params);
    return { rows: res.rows as R[], affected: res.rowCount ?? 0 };
  },
  async exec(sql: string): Promise<void> {
    // Without parameters pg uses the simple protocol, which accepts several statements.
    await client.query(sql);
  },
});

export class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #q: Queryable;

  constructor(url: string, poolSize: number) {
    this.#pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      // Fail fast when the server is unreachable instead of hanging start-up.
      connectionTimeoutMillis: 5000,
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
    try {
      await client.query('BEGIN');
      const result = await fn(wrap(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
