// A database of its own for each test suite, on both stores: embedded PGlite always, and the
// PostgreSQL server when one is reachable (required in CI; skipped with a visible notice elsewhere).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../store/db.js';
import { PGliteDb } from '../store/pglite-db.js';
import { PostgresDb } from '../store/postgres-db.js';

export const ADMIN_URL =
  process.env.PAINCHAIN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresReachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// Decided once, when the harness is imported: suites list their stores with describe.each,
// which needs the answer before any test runs.
const unreachable = await postgresReachable();
if (unreachable && process.env.CI) {
  throw new Error(`PostgreSQL is required in CI but not reachable at ${ADMIN_URL}: ${unreachable}`);
}
if (unreachable) {
  console.warn(
    `\n*** PostgreSQL not reachable at ${ADMIN_URL} (${unreachable}): the PostgreSQL run of the API suites is SKIPPED. Set PAINCHAIN_TEST_DATABASE_URL or start a server; CI requires it. ***\n`,
  );
}

export type StoreKind = 'pglite' | 'postgres';
export const STORE_KINDS: StoreKind[] = unreachable ? ['pglite'] : ['pglite', 'postgres'];
export const SKIPPED_KINDS: StoreKind[] = unreachable ? ['postgres'] : [];

/** A database of its own for one suite, dropped afterwards. */
export interface TestDatabase {
  kind: StoreKind;
  /** Connection URL (postgres only). */
  url?: string;
  open(): Promise<Db>;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    return { kind, open: () => PGliteDb.open(undefined), drop: async () => undefined };
  }
  const name = `painchain_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    // Generous timeouts: suites fill large tables on a machine other suites keep busy.
    open: async () =>
      new PostgresDb(url.toString(), 5, { statementTimeoutMs: 120_000, connectTimeoutMs: 10_000 }),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
