// The database seam: one small interface served by PostgreSQL (`pg`) and by embedded PGlite, so
// that every query, migration and test runs unchanged against both.

export interface QueryResult<R> {
  rows: R[];
  /** Rows inserted, updated or deleted by the statement. */
  affected: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn in one transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * As transaction, without the statement timeouts that bound requests: for migrations and
   * retention, whose statements take as long as the data needs.
   */
  maintenance<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** A cheap round trip, for readiness. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** One call through the Db seam, as a wrapper sees it. */
export type DbCall =
  { kind: 'query' | 'exec'; sql: string } | { kind: 'transaction' | 'maintenance' | 'ping' };

/**
 * The same Db with `around` wrapped about every call: each statement (inside transactions too),
 * each transaction and maintenance run as a whole, each ping. `around` runs the call with
 * `run()` and may observe its outcome; close() passes through. The one place the seam's
 * wrappers (error counting, store health, tracing) are built.
 */
export function aroundDb(
  db: Db,
  around: <T>(call: DbCall, run: () => Promise<T>) => Promise<T>,
): Db {
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params) => around({ kind: 'query', sql }, () => q.query(sql, params)),
    exec: (sql) => around({ kind: 'exec', sql }, () => q.exec(sql)),
  });
  return {
    kind: db.kind,
    ...wrap(db),
    transaction: (fn) =>
      around({ kind: 'transaction' }, () => db.transaction((tx) => fn(wrap(tx)))),
    maintenance: (fn) =>
      around({ kind: 'maintenance' }, () => db.maintenance((tx) => fn(wrap(tx)))),
    ping: () => around({ kind: 'ping' }, () => db.ping()),
    close: () => db.close(),
  };
}
