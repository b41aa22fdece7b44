// Embedded PostgreSQL (PGlite, WebAssembly) in a local data folder, for a fresh clone with
// nothing installed. PGlite has one connection: we queue every statement and every transaction
// behind one lock so that concurrent requests wait their turn instead of failing.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db.js';
import { lockDataFolder, type FolderLock } from './folder-lock.js';

export class PGliteDb implements Db {
  readonly kind = 'pglite' as const;
  readonly #db: PGlite;
  readonly #lock: FolderLock | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(db: PGlite, lock: FolderLock | undefined) {
    this.#db = db;
    this.#lock = lock;
  }

  /**
   * `dataDir` undefined keeps everything in memory (tests). A folder is locked for this process
   * first: a second collector on it is refused, since what either wrote would be lost.
   */
  static async open(dataDir: string | undefined): Promise<PGliteDb> {
    if (!dataDir) return new PGliteDb(await PGlite.create('memory://'), undefined);
    await mkdir(dataDir, { recursive: true });
    const lock = await lockDataFolder(dataDir);
    try {
      // A fresh folder is initialized first (initdb), and PGlite keeps that run's WebAssembly
      // memory for as long as the instance lives: about 850 MB of RSS instead of 300–450. Opened
      // again once initialized, the collector runs without it (docs/benchmarks.md, "PGlite").
      if (!existsSync(join(dataDir, 'PG_VERSION'))) await (await PGlite.create(dataDir)).close();
      return new PGliteDb(await PGlite.create(dataDir), lock);
    } catch (err) {
      await lock.release();
      throw err;
    }
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

  /** In process, nothing bounds a statement: the same as a transaction. */
  maintenance<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  exec(sql: string): Promise<void> {
    return this.#serial(async () => void (await this.#db.exec(sql)));
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.#serial(async () => {
      await this.#db.close();
      await this.#lock?.release();
    });
  }
}
