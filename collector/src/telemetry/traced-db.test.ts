// Store spans: one client span per statement (parameterized SQL, never values) and per
// transaction, failures marked; on embedded PGlite.
import { trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { PGliteDb } from '../store/pglite-db.js';
import { operationOf, traceDb } from './traced-db.js';

const spans = new InMemorySpanExporter();
const provider = new TracerProvider({
  spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
});
beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
});

test('the operation is the first keyword, after comments', () => {
  expect(operationOf('  -- why\n  insert into t values (1)')).toBe('INSERT');
  expect(operationOf('WITH x AS (SELECT 1) SELECT * FROM x')).toBe('WITH');
  expect(operationOf('')).toBe('QUERY');
});

test('statements and transactions become spans with the database conventions', async () => {
  const db = traceDb(await PGliteDb.open(undefined));
  try {
    await db.exec('CREATE TABLE t (v text)');
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1)', ['secret value']);
    });
    await expect(db.query('SELECT nope FROM t')).rejects.toThrow();

    const finished = spans.getFinishedSpans();
    expect(finished.map((s) => s.name)).toEqual(['CREATE', 'INSERT', 'transaction', 'SELECT']);
    // (Parenthood needs the SDK's context manager: test/main-otel.test.ts sees it end to end.)
    const insert = finished[1]!;
    expect(insert.attributes).toEqual({
      'db.system.name': 'postgresql',
      'db.operation.name': 'INSERT',
      'db.query.text': 'INSERT INTO t VALUES ($1)',
      'painchain.store': 'pglite',
    });
    expect(JSON.stringify(finished.map((s) => s.attributes))).not.toContain('secret value');
    expect(finished[3]!.status.code).toBe(2); // ERROR
  } finally {
    await db.close();
  }
});
