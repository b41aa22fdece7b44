// Chooses the store: PostgreSQL when a URL is configured, otherwise embedded PGlite in the data
// folder. Failed statements are counted for /metrics here, once for both.
import type { Counter } from 'prom-client';
import type { Db, Queryable } from './db.js';
import { PGliteDb } from './pglite-db.js';
import { PostgresDb } from './postgres-db.js';

export interface StoreSettings {
  url: string | undefined;
  dataDir: string;
  poolSize: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export async function openDb(settings: StoreSettings): Promise<Db> {
  return settings.url
    ? new PostgresDb(settings.url, settings.poolSize, {
        statementTimeoutMs: settings.statementTimeoutMs,
        connectTimeoutMs: settings.connectTimeoutMs,
      })
    : PGliteDb.open(settings.dataDir);
}

/** The same Db, counting every statement that fails. */
export function countErrors(db: Db, errors: Counter): Db {
  const counted = <T>(p: Promise<T>) =>
    p.catch((err: unknown) => {
      errors.inc();
      throw err;
    });
  const wrapQ = (q: Queryable): Queryable => ({
    query: (sql, params) => counted(q.query(sql, params)),
    exec: (sql) => counted(q.exec(sql)),
  });
  return {
    kind: db.kind,
    ...wrapQ(db),
    transaction: (fn) => counted(db.transaction((tx) => fn(wrapQ(tx)))),
    maintenance: (fn) => counted(db.maintenance((tx) => fn(wrapQ(tx)))),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}
