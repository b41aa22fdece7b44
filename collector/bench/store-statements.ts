// The exact SQL the collector's EventStore issues, captured by running it against a recording
// Db: the benchmark times those statements directly on PostgreSQL, without HTTP or Node in the
// collector, to split where the time goes. Nothing here is a copy of the store's SQL.
import type { Db, Queryable, QueryResult } from '../src/store/db.js';
import { EventStore, type EventFilter } from '../src/store/event-store.js';
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
    ping: async () => undefined,
    close: async () => undefined,
  };
  return { db, statements };
}

/**
 * The first statement of EventStore.upsert for this batch: the multi-row INSERT … ON CONFLICT
 * DO UPDATE … RETURNING the store runs inside its transaction.
 */
export async function upsertStatement(
  tenant: string,
  events: NormalizedEvent[],
): Promise<Statement> {
  const { db, statements } = recordingDb();
  // With no rows answered, upsert gives up after its statements; only they matter here.
  await new EventStore(db).upsert(tenant, events).catch(() => undefined);
  const first = statements[0];
  if (!first || !/^\s*INSERT INTO events\b/i.test(first.sql))
    throw new Error('EventStore.upsert no longer starts with INSERT INTO events');
  return first;
}

/** The statement EventStore.list runs for one page. */
export async function listStatement(
  tenant: string,
  filter: EventFilter,
  limit: number,
): Promise<Statement> {
  const { db, statements } = recordingDb();
  await new EventStore(db).list(tenant, filter, limit);
  const first = statements[0];
  if (!first) throw new Error('EventStore.list ran no statement');
  return first;
}
