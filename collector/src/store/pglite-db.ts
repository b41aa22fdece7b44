// Embedded PostgreSQL (PGlite, WebAssembly) in a local data folder, for a fresh clone with
// nothing installed. PGlite has one connection: we queue every statement and every transaction
// behind one lock so that concurrent requests wait their turn instead of failing.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db.js';

export class PGliteDb implements Db {
  readonly kind = 'pglite' as const;
  readonly #db: PGlite;
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(db: PGlite) {
    this.#db = db;
  }

  /** `dataDir` undefined keeps everything in memory (tests). */
  static async open(dataDir: string | undefined): Promise<PGliteDb> {
    if (dataDir) await mkdir(dataDir, { recursive: true });
    const db = await PGlite.create(dataDir ?? 'memory://');
    return new PGliteDb(db);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #run = async <R>(q: Pick<PGlite, 'query'>, sql: string, params?: unknown[]) => {
    const res = await q.query<R>(sql, params);
    return { rows: res.rows, affected: res.affectedRows ?? 0 } satisfies QueryResult<R>;
  };

  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    return this.#serial(() => this.#run<R>(this.#db, sql, params));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#serial(() =>
      this.#db.transaction((tx) =>
        fn({
          query: <R>(sql: string, params?: unknown[]) => this.#run<R>(tx, sql, params),
          exec: async (sql: string) => void (await tx.exec(sql)),
        }),
      ),
    );
  }

  exec(sql: string): Promise<void> {
    return this.#serial(async () => void (await this.#db.exec(sql)));
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.#serial(() => this.#db.close());
  }
}
