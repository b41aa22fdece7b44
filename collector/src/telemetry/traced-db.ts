// Store spans: the same Db, with one client span per statement and per transaction, carrying the
// database semantic conventions. Spans come from the global tracer, a no-op until the SDK runs.
// Done at our Db seam rather than with instrumentation-pg, so it needs no loader hooks under ES
// modules and covers embedded PGlite as well as PostgreSQL (docs/opentelemetry.md).
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import { aroundDb, type Db } from '../store/db.js';
import { VERSION } from '../version.js';

/** Long statements (a migration script) are cut in the span: enough to recognise them. */
const MAX_QUERY_TEXT = 2048;

/** The first keyword of a statement: `SELECT`, `INSERT`, `WITH`, … */
export function operationOf(sql: string): string {
  const word = /^\s*(?:--[^\n]*\n\s*)*([A-Za-z]+)/.exec(sql)?.[1];
  return word ? word.toUpperCase() : 'QUERY';
}

export function traceDb(db: Db): Db {
  const tracer = trace.getTracer('painchain-collector', VERSION);
  const base = {
    [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
    'painchain.store': db.kind,
  };
  const inSpan = <T>(
    name: string,
    attributes: Record<string, string>,
    fn: () => Promise<T>,
  ): Promise<T> =>
    tracer.startActiveSpan(
      name,
      { kind: SpanKind.CLIENT, attributes: { ...base, ...attributes } },
      async (span: Span) => {
        try {
          return await fn();
        } catch (err) {
          // The error's message names the SQL problem, never a parameter value.
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  // Parameters are never recorded: they are the change events' content.
  const statement = (sql: string) => {
    const operation = operationOf(sql);
    return {
      name: operation,
      attributes: {
        [ATTR_DB_OPERATION_NAME]: operation,
        [ATTR_DB_QUERY_TEXT]: sql.length > MAX_QUERY_TEXT ? sql.slice(0, MAX_QUERY_TEXT) : sql,
      },
    };
  };
  return aroundDb(db, (call, run) => {
    if ('sql' in call) {
      const { name, attributes } = statement(call.sql);
      return inSpan(name, attributes, run);
    }
    // Readiness pings are not traced: a probe every few seconds would drown the store's spans.
    return call.kind === 'ping' ? run() : inSpan(call.kind, {}, run);
  });
}
