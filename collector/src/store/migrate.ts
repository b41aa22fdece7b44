// Applies the SQL migrations in ./migrations once each, in order, recorded in schema_migrations.
// A transaction-scoped advisory lock lets several replicas start at once: one migrates, the
// others wait and then find nothing left to do.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

/** Arbitrary constant shared by every PainChain collector ("Pain" in ASCII). */
const MIGRATION_LOCK_KEY = 0x5061696e;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The .sql files ship beside the sources; the compiled code (dist/src/...) reads them from src/. */
export function migrationsDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [
    join(here, 'migrations'),
    join(here.replace(`${sep}dist${sep}src${sep}`, `${sep}src${sep}`), 'migrations'),
  ];
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) throw new Error(`migrations folder not found (looked in ${candidates.join(', ')})`);
  return found;
}

export async function readMigrations(dir = migrationsDir()): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 3)),
      name: file.replace(/\.sql$/, ''),
      sql: await readFile(join(dir, file), 'utf8'),
    })),
  );
}

/** Returns the names of the migrations applied by this call (empty when up to date). */
export async function migrate(db: Db, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await readMigrations());
  // Without the request timeouts: an index on a large table takes as long as it takes.
  return db.maintenance(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer     PRIMARY KEY,
      name       text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: string[] = [];
    for (const m of all) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      applied.push(m.name);
    }
    return applied;
  });
}

/** For readiness: true when every known migration is recorded as applied. */
let known: Promise<Migration[]> | undefined;

export async function migrationsApplied(db: Db): Promise<boolean> {
  // The files do not change while the process runs: read them once, not on every /readyz.
  known ??= readMigrations();
  const all = await known;
  try {
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM schema_migrations WHERE version = ANY($1::int[])',
      [all.map((m) => m.version)],
    );
    return rows[0]?.n === all.length;
  } catch {
    return false;
  }
}
