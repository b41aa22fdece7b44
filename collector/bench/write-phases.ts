// The write figures: plain INSERTs (the database's ceiling), the store's own upsert statement
// without HTTP, and the same events through the HTTP API, in batches and one by one. Inputs are
// prepared before the clock starts, so the benchmark process spends as little of the machine as
// possible while measuring.
import pg from 'pg';
import { Pool as HttpPool } from 'undici';
import type { ChangeEventInput } from '@painchain/sdk';
import { normalizeEvent, type NormalizedEvent } from '../src/ingest/normalize.js';
import { multiRowInsert, rowValues, settle } from './bench-database.js';
import { addCpu, type CpuSplit } from './cpu-usage.js';
import { EventGenerator } from '../src/sample/event-generator.js';
import { combineLoads, percentile, runLoad, type LoadResult } from './load.js';
import {
  upsertStatement,
  writeFunctionFor,
  WRITE_FUNCTION,
  type Statement,
} from './store-statements.js';

export const TENANT = 'default';
const INGEST_PATH = '/api/v1/events';
/** Ingested events start within the last week. */
export const SPAN_MS = 7 * 86_400_000;
const BATCH_SEED = 20261125;
const SINGLE_SEED = 4242;
/** Journeys of single events are numbered apart from the batches' (pull requests, pipelines). */
const SINGLE_FIRST_JOURNEY = 500_001;
const DAY_SECONDS = 86_400;

/** How a write phase is driven: the same for the SQL baselines and the HTTP figure they bound. */
export interface WriteLoad {
  /** Requests (or statements); each carries one batch. */
  batches: ChangeEventInput[][];
  /** In flight at once. */
  concurrency: number;
  timeoutMs: number;
  /** Starts the CPU split; the returned function ends it. */
  startCpu: () => () => CpuSplit;
}

export interface WriteResult {
  load: LoadResult;
  events: number;
  eventsPerSecond: number;
  /** Per request or statement, ms. */
  p50Ms: number;
  p99Ms: number;
  /** Events the collector reported as created (HTTP phases). */
  created?: number;
  /** CPU seconds over the timed part, by process. */
  cpu: CpuSplit;
}

/** `count` events in batches of `size`, from a fixed seed: every phase gets the same events. */
export function batchInputs(count: number, size: number, now: number): ChangeEventInput[][] {
  const gen = new EventGenerator(BATCH_SEED, now, SPAN_MS);
  const batches: ChangeEventInput[][] = [];
  for (let seq = 0; seq < count; seq += size) batches.push(gen.batch(seq, size));
  return batches;
}

/** Single events without externalId, as a CI step's curl sends them (the key is a content hash). */
export function singleInputs(count: number, now: number): ChangeEventInput[][] {
  const gen = new EventGenerator(SINGLE_SEED, now, SPAN_MS, SINGLE_FIRST_JOURNEY);
  return Array.from({ length: count }, (_, i) => [gen.event(i, false)]);
}

/** What the collector's pipeline turns an input into (the events are valid by construction). */
export function normalizeAll(inputs: ChangeEventInput[], now: number): NormalizedEvent[] {
  return inputs.map((input) => {
    const result = normalizeEvent(input, {
      now: new Date(now),
      maxFutureSeconds: DAY_SECONDS,
      allowFutureTimestamps: false,
    });
    if (!result.ok)
      throw new Error(`generated an invalid event: ${JSON.stringify(result.problems)}`);
    return result.event;
  });
}

/** Runs one task per batch under the CPU split. */
async function measure(
  w: WriteLoad,
  task: (i: number) => Promise<number | void>,
): Promise<WriteResult> {
  let created = 0;
  let events = 0;
  const cpuSince = w.startCpu();
  const load = await runLoad(
    {
      tasks: w.batches.length,
      concurrency: w.concurrency,
      timeoutMs: w.timeoutMs,
      recordLatency: true,
    },
    async (i) => {
      const n = await task(i);
      if (typeof n === 'number') created += n;
      events += w.batches[i]!.length;
    },
  );
  const cpu = cpuSince();
  return {
    load,
    events,
    eventsPerSecond: events / (load.elapsedMs / 1000),
    p50Ms: percentile(load.latenciesMs, 50),
    p99Ms: percentile(load.latenciesMs, 99),
    created,
    cpu,
  };
}

/** The runs of one figure (its rounds) as one result. */
export function combineResults(parts: readonly WriteResult[]): WriteResult {
  const load = combineLoads(parts.map((p) => p.load));
  const events = parts.reduce((n, p) => n + p.events, 0);
  return {
    load,
    events,
    eventsPerSecond: events / (load.elapsedMs / 1000),
    p50Ms: percentile(load.latenciesMs, 50),
    p99Ms: percentile(load.latenciesMs, 99),
    created: parts.reduce((n, p) => n + (p.created ?? 0), 0),
    cpu: addCpu(parts.map((p) => p.cpu)),
  };
}

/** The load split into `rounds` consecutive parts (the same events, in the same order). */
export function splitLoad(w: WriteLoad, rounds: number): WriteLoad[] {
  const size = Math.ceil(w.batches.length / rounds);
  return Array.from({ length: rounds }, (_, r) => ({
    ...w,
    batches: w.batches.slice(r * size, (r + 1) * size),
  })).filter((part) => part.batches.length > 0);
}

/**
 * Plain INSERTs of the same rows (the columns the store writes, its UUIDv7 ids) into a table
 * LIKE events INCLUDING ALL: the database's ceiling for this load, no conflict handling.
 */
export async function rawInsert(
  w: WriteLoad,
  pool: pg.Pool,
  table: string,
  now: number,
): Promise<WriteResult> {
  const params = w.batches.map((b) => normalizeAll(b, now).flatMap((e) => rowValues(TENANT, e)));
  const sqlBySize = new Map<number, string>();
  const sqlFor = (rows: number) => {
    if (!sqlBySize.has(rows)) sqlBySize.set(rows, multiRowInsert(table, rows));
    return sqlBySize.get(rows)!;
  };
  await settle(pool);
  return measure(w, async (i) => {
    await pool.query(sqlFor(w.batches[i]!.length), params[i]);
  });
}

/**
 * Diagnostic: EventStore.upsert's own statement (one call of the write function: key rows
 * inserted, changes of new keys inserted with them) autocommitted, as PostgresDb runs a request
 * or a group of at most 1,000 changes, straight from a pg pool, through a copy of the function
 * that writes a table like `events` and one like `event_keys`: the database's share of ingest of
 * new changes (all the batches' changes are new: the function's update of existing keys never
 * runs).
 */
export async function storeUpsert(
  w: WriteLoad,
  pool: pg.Pool,
  table: string,
  now: number,
): Promise<WriteResult> {
  const fn = await writeFunctionFor(pool, table);
  const statements: Statement[] = [];
  for (const b of w.batches) {
    const s = await upsertStatement(TENANT, normalizeAll(b, now));
    statements.push({ sql: s.sql.replaceAll(`${WRITE_FUNCTION}(`, `${fn}(`), params: s.params });
  }
  await settle(pool);
  return measure(w, async (i) => {
    const { sql, params } = statements[i]!;
    await pool.query(sql, params);
  });
}

/** Through POST /api/v1/events: one request per batch, `{"events": [...]}` or a bare event. */
export async function httpIngest(
  w: WriteLoad,
  origin: string,
  pool: pg.Pool,
): Promise<WriteResult> {
  const bodies = w.batches.map((events) =>
    Buffer.from(JSON.stringify(events.length === 1 ? events[0] : { events })),
  );
  const http = new HttpPool(origin, { connections: w.concurrency, pipelining: 1 });
  await settle(pool);
  try {
    return await measure(w, async (i) => {
      const res = await http.request({
        method: 'POST',
        path: INGEST_PATH,
        headers: { 'content-type': 'application/json' },
        body: bodies[i]!,
      });
      const text = await res.body.text();
      if (res.statusCode !== 201 && res.statusCode !== 200)
        throw new Error(`POST ${INGEST_PATH} answered ${res.statusCode}: ${text.slice(0, 300)}`);
      return (JSON.parse(text) as { created: number }).created;
    });
  } finally {
    await http.close();
  }
}
