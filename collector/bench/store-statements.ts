// The exact SQL the collector's stores issue, captured by running them against a recording Db:
// the benchmark times those statements directly on PostgreSQL, without HTTP or Node in the
// collector, to split where the time goes. Nothing here is a copy of the store's SQL.
import type pg from 'pg';
import type { Db, Queryable, QueryResult } from '../src/store/db.js';
import { EventStore, type EventFilter, type FacetField } from '../src/store/event-store.js';
import type { NormalizedEvent } from '../src/ingest/normalize.js';

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
 * The first statement of EventStore.upsert for this batch: key rows inserted (or locked), the
 * changes of new keys inserted with them, RETURNING; the store runs it inside its transaction.
 */
export async function upsertStatement(
  tenant: string,
  events: NormalizedEvent[],
): Promise<Statement> {
  const { db, statements } = recordingDb();
  // With no rows answered, upsert gives up after its statements; only they matter here.
  await new EventStore(db).upsert(tenant, events).catch(() => undefined);
  const first = statements[0];
  if (!first || !/\bINSERT INTO event_keys\b[\s\S]*\bINSERT INTO events\b/i.test(first.sql))
    throw new Error('EventStore.upsert no longer starts by writing event_keys, then events');
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
