// The benchmark's own PostgreSQL database: created fresh for every run, the raw-INSERT baseline
// table beside the collector's `events`, and a fast SQL fill of the store for queries and
// drilldowns.
import pg from 'pg';
import {
  ABANDONED_RUN_SHARE,
  AUTHORS,
  ENVIRONMENTS,
  IN_FLIGHT_STATUSES,
  JOURNEY_BLOCK,
  JOURNEYS_PER_BLOCK,
  PROJECTS,
  REGIONS,
  SERVICES,
  SOURCES,
  STATUSES,
  SUBJECTS,
  TEAMS,
  UNLINKED_KINDS,
} from '../src/sample/event-generator.js';
import { COLUMNS, eventRowValues } from '../src/store/event-store.js';

/** The columns the collector writes on ingest, in its order: the store's own list. */
export const EVENT_COLUMNS = COLUMNS;

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The bench database's URL: the admin URL with another database name. */
export function benchUrl(adminUrl: string, dbName: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  return url.toString();
}

/** Drops and creates the bench database. */
export async function recreateDatabase(adminUrl: string, dbName: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
  } finally {
    await admin.end();
  }
}

/** One row's values in EVENT_COLUMNS order, the same values the collector's store binds. */
export const rowValues = eventRowValues;

/** A plain multi-row INSERT of `rows` rows into `table`: the statement text. */
export function multiRowInsert(table: string, rows: number): string {
  const width = EVENT_COLUMNS.length;
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const slots: string[] = [];
    for (let c = 1; c <= width; c++) slots.push(`$${r * width + c}`);
    tuples.push(`(${slots.join(',')})`);
  }
  return `INSERT INTO ${quoteIdent(table)} (${EVENT_COLUMNS.join(', ')}) VALUES ${tuples.join(',')}`;
}

/**
 * A table shaped like `events` (one table, not partitioned), with the same indexes and the
 * idempotency key's unique index that the store keeps in `event_keys`; and `<table>_keys` like
 * `event_keys`, for replaying the store's own statement. Empty. The raw baseline keeps the
 * unique key as it did before the change table was partitioned, so that its ceiling means the
 * same across that change (docs/benchmarks.md).
 */
export async function createLikeEvents(pool: pg.Pool, table: string): Promise<void> {
  const keys = `${table}_keys`;
  await pool.query(`DROP TABLE IF EXISTS ${quoteIdent(table)}, ${quoteIdent(keys)}`);
  await pool.query(`CREATE TABLE ${quoteIdent(table)} (LIKE events INCLUDING ALL)`);
  await pool.query(`CREATE UNIQUE INDEX ON ${quoteIdent(table)} (tenant, connector, external_id)`);
  await pool.query(`CREATE TABLE ${quoteIdent(keys)} (LIKE event_keys INCLUDING ALL)`);
}

/** Flushes dirty pages so that no phase pays for the previous one's checkpoint. */
export async function settle(pool: pg.Pool): Promise<void> {
  await pool.query('CHECKPOINT');
}

export async function countEvents(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  return rows[0]?.n ?? 0;
}

/** The fill's journeys are numbered apart from the generated events' (pull requests, pipelines). */
const FILL_FIRST_JOURNEY = 1_000_001;

/**
 * Adds `count` events to `events` with one INSERT … SELECT per chunk, its secondary indexes
 * dropped meanwhile and rebuilt from their own definitions: timestamps over the last
 * `days` days in arrival order (as a store fills in real life), skewed projects and services,
 * the connectors' kinds and statuses, titles, refs, two tags and a data object. Rows come in
 * journeys as the generator's events do (src/sample/event-generator.ts): the rows of one block of
 * JOURNEY_BLOCK share JOURNEYS_PER_BLOCK commits of skewed sizes, and a journey's changes share
 * its project, service, commit, pipelines, pull request and tag. Runs that ended have their final
 * status but for ABANDONED_RUN_SHARE. Ids are UUIDv7 built from the timestamp, like the
 * collector's.
 */
export async function fillEvents(
  pool: pg.Pool,
  opts: {
    count: number;
    days: number;
    tenant: string;
    chunk: number;
    timeoutMs: number;
    /** The projects drawn from (skewed); the generator's fifty by default. */
    projects?: readonly string[];
    /** Told after every chunk: how many events are in so far. */
    progress?: (done: number) => void;
  },
): Promise<void> {
  const pairs = SOURCES.flatMap((s) => s.kinds.map((k) => [s.connector, k] as const));
  // Each change with its key row (event_keys), as the store writes them.
  const sql = `
    WITH filled AS (
    INSERT INTO events (${EVENT_COLUMNS.join(', ')})
    SELECT
      (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(m, 1, 3) || '-' ||
        substr('89ab', 1 + (get_byte(decode(m, 'hex'), 2) % 4), 1) || substr(m, 4, 3) || '-' ||
        substr(m, 7, 12))::uuid,
      $1, connector, connector || '-fill-' || i, kind,
      CASE WHEN kind IN ('push', 'tag') THEN NULL
           WHEN drawn = ANY($22::text[]) AND ts + duration <= now() AND r6 >= $20
             THEN 'succeeded'
           ELSE drawn END,
      CASE kind
        WHEN 'deploy' THEN 'Deploy ' || service || ' ' || version || ' to ' || environment
        WHEN 'rollback' THEN 'Roll back ' || service || ' to ' || version || ' in ' || environment
        WHEN 'push' THEN 'pushed 2 commits to main: ' || subject
        WHEN 'merge' THEN 'Merge pull request #' || j || ': ' || subject
        WHEN 'pipeline' THEN 'Pipeline #' || pipeline || ' on main: ' || subject
        ELSE initcap(replace(kind, '_', ' ')) || ' ' || coalesce(service, project) || ' in ' || environment
      END,
      NULL, project, service, environment, ts, ts + duration, NULL,
      ($11::text[])[1 + (i % cardinality($11::text[]))],
      'https://github.com/' || project || '/commit/' || jm,
      CASE WHEN kind = ANY($21::text[]) THEN '{}'::jsonb
           ELSE jsonb_build_object('commit', jm || substr(md5(jm), 1, 8), 'branch', 'main',
                                   'pipeline', pipeline) ||
                CASE WHEN kind IN ('merge', 'pull_request') THEN jsonb_build_object('pullRequest', j)
                     WHEN kind IN ('release', 'tag') THEN jsonb_build_object('tag', version)
                     ELSE '{}'::jsonb END
      END,
      ARRAY['team:' || ($12::text[])[1 + (i % cardinality($12::text[]))],
            'region:' || ($13::text[])[1 + (i % cardinality($13::text[]))]],
      jsonb_build_object('durationMs', floor(r3 * 600000)::int, 'attempt', 1 + i % 2)
    FROM (
      SELECT i, j, ts, md5(i::text) AS m, jm, r3, r6, connector, kind, environment, subject,
             ($4::text[])[1 + floor(jp * jp * cardinality($4::text[]))::int] AS project,
             CASE WHEN pair <= $14 THEN NULL
                  WHEN kind = ANY($21::text[])
                    THEN ($5::text[])[1 + floor(r2 * r2 * cardinality($5::text[]))::int]
                  ELSE ($5::text[])[1 + floor(js * js * cardinality($5::text[]))::int] END AS service,
             make_interval(secs => 5 + floor(r3 * 600)) AS duration,
             ($9::text[])[1 + floor(r4 * cardinality($9::text[]))::int] AS drawn,
             -- Builds run in the journey's first pipeline, everything else in its second.
             100000 + 2 * j + (kind <> 'pipeline')::int AS pipeline,
             'v' || (j / 10000) || '.' || (j / 100 % 100) || '.' || (j % 100) AS version,
             lpad(to_hex(floor(extract(epoch FROM ts) * 1000)::bigint), 12, '0') AS h
        FROM (
          SELECT *, md5('journey-' || j) AS jm,
                 ('x' || substr(md5('journey-' || j), 1, 8))::bit(32)::bigint / 4294967296.0 AS jp,
                 ('x' || substr(md5('journey-' || j), 9, 8))::bit(32)::bigint / 4294967296.0 AS js,
                 ($6::text[])[CASE WHEN r3 < 0.4 THEN 1 WHEN r3 < 0.75 THEN 2 ELSE 3 END] AS environment,
                 ($7::text[])[pair] AS connector, ($8::text[])[pair] AS kind,
                 ($10::text[])[1 + (i % cardinality($10::text[]))] AS subject
            FROM (
              SELECT i,
                     now() - make_interval(secs => $3::float8 * 86400 * (1 - i::float8 / $2) + random() * 60) AS ts,
                     $17::int + (i - 1) / $18::int * $19::int + floor(power(random(), 2) * $19::int)::int AS j,
                     random() AS r2, random() AS r3, random() AS r4, random() AS r6,
                     1 + floor(random() * ${pairs.length})::int AS pair
                FROM generate_series($15::int, $16::int) AS i
            ) g
        ) gj
    ) s
    RETURNING tenant, connector, external_id, id, ts)
    INSERT INTO event_keys (tenant, connector, external_id, id, ts)
    SELECT tenant, connector, external_id, id, ts FROM filled`;
  const client = await pool.connect();
  let secondary: { name: string; def: string }[] = [];
  try {
    await client.query(`SET statement_timeout = ${Math.round(opts.timeoutMs)}`);
    // Building the secondary indexes once afterwards is several times faster than maintaining
    // them row by row; the constraints' indexes (primary key, idempotency key) stay.
    ({ rows: secondary } = await client.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def
         FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = 'events'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                           WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`,
    ));
    for (const { name } of secondary) await client.query(`DROP INDEX ${quoteIdent(name)}`);
    // Every month of the span in a partition of its own, as the storage job leaves them.
    await client.query(
      `SELECT painchain_event_partition(m)
         FROM generate_series(now() - $1::int * interval '1 day', now() + interval '1 month',
                              interval '1 month') AS m`,
      [opts.days + 31],
    );
    // Events of a push or a tag name no service; everything else does (the pairs come first).
    const withoutService = pairs.filter(([, k]) => k === 'push' || k === 'tag').length;
    const ordered = [
      ...pairs.filter(([, k]) => k === 'push' || k === 'tag'),
      ...pairs.filter(([, k]) => k !== 'push' && k !== 'tag'),
    ];
    for (let first = 1; first <= opts.count; first += opts.chunk) {
      const last = Math.min(opts.count, first + opts.chunk - 1);
      await client.query(sql, [
        opts.tenant,
        opts.count,
        opts.days,
        opts.projects ?? PROJECTS,
        SERVICES,
        ENVIRONMENTS,
        ordered.map(([c]) => c),
        ordered.map(([, k]) => k),
        STATUSES,
        SUBJECTS,
        AUTHORS,
        TEAMS,
        REGIONS,
        withoutService,
        first,
        last,
        FILL_FIRST_JOURNEY,
        JOURNEY_BLOCK,
        JOURNEYS_PER_BLOCK,
        ABANDONED_RUN_SHARE,
        UNLINKED_KINDS,
        IN_FLIGHT_STATUSES,
      ]);
      opts.progress?.(last);
    }
  } finally {
    await client.query('RESET statement_timeout').catch(() => undefined);
    client.release();
  }
  // A partitioned index's definition reads `ON ONLY events`: built that way it would cover no
  // partition. Without ONLY it is built on every partition.
  await rebuild(
    pool,
    secondary.map((i) => i.def.replace(/ ON ONLY /, ' ON ')),
    opts.timeoutMs,
  );
}

/** Index builds on two connections at once: one per core of the reference machine. */
async function rebuild(pool: pg.Pool, definitions: string[], timeoutMs: number): Promise<void> {
  const queue = [...definitions];
  const worker = async () => {
    const client = await pool.connect();
    try {
      await client.query(`SET statement_timeout = ${Math.round(timeoutMs)}`);
      await client.query(`SET maintenance_work_mem = '256MB'`);
      for (let def = queue.shift(); def; def = queue.shift()) await client.query(def);
    } finally {
      await client.query('RESET ALL').catch(() => undefined);
      client.release();
    }
  };
  await Promise.all([worker(), worker()]);
}

/**
 * Statistics and the visibility map up to date, so that autovacuum does not run mid-measure;
 * first the collector's fold has counted the filled changes for the facets (it does every 2 s).
 */
export async function vacuumAnalyze(pool: pg.Pool, timeoutMs = 300_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  const logged = async () =>
    (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM event_facet_log')).rows[0]!.n;
  while ((await logged()) > 0) {
    if (Date.now() > until) throw new Error('the facet log was not folded within the time allowed');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await pool.query(
    'VACUUM (ANALYZE) events, event_keys, event_facet_counts, event_facet_daily_counts, event_facet_log',
  );
}
