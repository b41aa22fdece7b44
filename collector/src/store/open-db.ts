// Chooses the store: PostgreSQL when a URL is configured, otherwise embedded PGlite in the data
// folder. Failed statements are counted for /metrics here, once for both.
import type { Counter } from 'prom-client';
import { aroundDb, type Db } from './db.js';
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

/** The same Db, counting every statement (and transaction) that fails; pings are not counted. */
export function countErrors(db: Db, errors: Counter): Db {
  return aroundDb(db, (call, run) =>
    call.kind === 'ping'
      ? run()
      : run().catch((err: unknown) => {
          errors.inc();
          throw err;
        }),
  );
}
