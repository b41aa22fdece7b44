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
