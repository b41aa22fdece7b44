// The exact SQL the collector's stores issue, captured by running them against a recording Db:
// the benchmark times those statements directly on PostgreSQL, without HTTP or Node in the
// collector, to split where the time goes. Nothing here is a copy of the store's SQL.
import type pg from 'pg';
import type { Db, Queryable, QueryResult } from '../src/store/db.js';
import { EventStore, type EventFilter, type FacetField } from '../src/store/event-store.js';
import type { NormalizedEvent } from '../src/ingest/normalize.js';

/** The store's write function (migration 007). */
export const WRITE_FUNCTION = 'painchain_write_changes';

/**
 * A copy of the write function that writes `table` and `<table>_keys` instead of `events` and
 * `event_keys`, made from the function's definition in the database: the store's own SQL on
 * tables of the benchmark's. Returns the copy's name.
 */
export async function writeFunctionFor(pool: pg.Pool, table: string): Promise<string> {
  const { rows } = await pool.query<{ def: string }>(
    `SELECT pg_get_functiondef('${WRITE_FUNCTION}(json)'::regprocedure) AS def`,
  );
  const name = `${WRITE_FUNCTION}_${table}`;
  let def = rows[0]!.def.replace(`${WRITE_FUNCTION}(`, `${name}(`);
  for (const [from, to] of [
    ['event_keys', `${table}_keys`],
    ['events', table],
  ] as const)
    def = def.replace(new RegExp(`\\b(INSERT INTO|UPDATE|FROM|JOIN) ${from}\\b`, 'g'), `$1 ${to}`);
  if (/\b(INSERT INTO|UPDATE|FROM|JOIN) (events|event_keys)\b/.test(def.replace(/public\./g, '')))
    throw new Error(`${WRITE_FUNCTION} names its tables in a way this copy does not follow`);
  await pool.query(def);
  return name;
}

export interface Statement {
  sql: string;
  params: unknown[];
}

/** A Db that answers every statement with no rows and keeps what it was asked. */
function recordingDb(): { db: Db; statements: Statement[] } {
  const statements: Statement[] = [];
  const q: Queryable = {
    async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
      statements.push({ sql, params: params ?? [] });
      return { rows: [], affected: 0 };
    },
    async exec(sql: string) {
      statements.push({ sql, params: [] });
    },
  };
  const db: Db = {
    kind: 'postgres',
    ...q,
    transaction: (fn) => fn(q),
    maintenance: (fn) => fn(q),
    ping: async () => undefined,
    close: async () => undefined,
  };
  return { db, statements };
}

/**
 * The statement of EventStore.upsert for this batch (at most 1,000 changes, each key once): one
 * call of the write function (migration 007), which the store runs autocommitted.
 */
export async function upsertStatement(
  tenant: string,
  events: NormalizedEvent[],
): Promise<Statement> {
  const { db, statements } = recordingDb();
  // With no rows answered, upsert gives up after its statements; only they matter here.
  await new EventStore(db).upsert(tenant, events).catch(() => undefined);
  const [first, ...more] = statements;
  if (!first || more.length > 0 || !first.sql.includes(`${WRITE_FUNCTION}(`))
    throw new Error(`EventStore.upsert is no longer one call of ${WRITE_FUNCTION}`);
  return first;
}

/** The statement the events route runs for one page (EventStore.listJson). */
export async function listStatement(
  tenant: string,
  filter: EventFilter,
  limit: number,
): Promise<Statement> {
  const { db, statements } = recordingDb();
  await new EventStore(db).listJson(tenant, filter, limit);
  const first = statements[0];
  if (!first) throw new Error('EventStore.listJson ran no statement');
  return first;
}

/** The statement the facets route runs for one field's values (EventStore.facet). */
export async function facetStatement(
  tenant: string,
  field: FacetField,
  filter: EventFilter,
  limit: number,
): Promise<Statement> {
  const { db, statements } = recordingDb();
  await new EventStore(db).facet(tenant, field, filter, limit);
  const first = statements[0];
  if (!first) throw new Error('EventStore.facet ran no statement');
  return first;
}

/** A statement as it ran, with the rows it answered. */
export interface TracedStatement extends Statement {
  rows: number;
}

/**
 * A Db over `pool` that answers for real and records every statement, in groups: a statement
 * issued while another of the same trace is still running joins that one's group (they were
 * sent together, as code awaiting several lookups at once sends them), any other starts a new group.
 * Replaying the groups in order, each group's statements at once, sends what the code sent.
 */
export function tracingDb(pool: pg.Pool): { db: Db; groups: TracedStatement[][] } {
  const groups: TracedStatement[][] = [];
  let running = 0;
  const q: Queryable = {
    async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
      const traced: TracedStatement = { sql, params: params ?? [], rows: 0 };
      if (running === 0 || groups.length === 0) groups.push([]);
      groups.at(-1)!.push(traced);
      running += 1;
      try {
        const res = await pool.query(sql, params);
        traced.rows = res.rowCount ?? 0;
        return { rows: res.rows as R[], affected: res.rowCount ?? 0 };
      } finally {
        running -= 1;
      }
    },
    async exec(sql: string) {
      throw new Error(
        `a drilldown ran a script; tracing takes statements only: ${sql.slice(0, 80)}`,
      );
    },
  };
  const db: Db = {
    kind: 'postgres',
    ...q,
    transaction: () => Promise.reject(new Error('a drilldown opened a transaction')),
    maintenance: () => Promise.reject(new Error('a drilldown opened a transaction')),
    ping: async () => undefined,
    close: async () => undefined,
  };
  return { db, groups };
}

/** Sends traced statement groups again, in order, each group's statements at once; rows read. */
export async function replay(pool: pg.Pool, groups: readonly Statement[][]): Promise<number> {
  let rows = 0;
  for (const group of groups) {
    const answers = await Promise.all(group.map((s) => pool.query(s.sql, s.params)));
    for (const a of answers) rows += a.rowCount ?? 0;
  }
  return rows;
}
