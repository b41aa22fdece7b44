// The write figures and their baselines: which loads run, in which rounds, and how each result
// becomes a figure. The measuring itself is in write-phases.ts.
import { DEFAULT_POOL_SIZE } from '../src/config/config-schema.js';
import { TARGETS } from './bench-config.js';
import { log, type BenchContext } from './bench-context.js';
import { createLikeEvents } from './bench-database.js';
import { judge, loadFields, tidy, type Target } from './figures.js';
import {
  batchInputs,
  combineResults,
  httpIngest,
  rawInsert,
  singleInputs,
  splitLoad,
  storeUpsert,
  type WriteLoad,
  type WriteResult,
} from './write-phases.js';

interface WriteFigure {
  /** The figure's name, also the name its results go by. */
  bench: string;
  load: WriteLoad;
  /** A fresh table LIKE events for SQL baselines; the HTTP figures write to `events`. */
  table?: string;
  run: (part: WriteLoad) => Promise<WriteResult>;
  /** Another figure of this group, or a fixed number with its name. */
  baseline?: string | { value: number; name: string };
  target: Target | null;
  extra?: Record<string, unknown>;
}

const describe = (l: WriteLoad) =>
  `${l.batches.length} × ${l.batches[0]?.length ?? 0} events, ${l.concurrency} in flight`;

/**
 * Runs a group of figures in rounds: each takes its turn with a part of its load, round after
 * round, so that other work on the machine (or a checkpoint) weighs on them alike rather than
 * on whichever happened to run at that moment.
 */
async function measureInRounds(
  ctx: BenchContext,
  figures: readonly WriteFigure[],
): Promise<Map<string, WriteResult>> {
  const { rounds } = ctx.cfg;
  for (const f of figures) {
    log(`${f.bench}: ${describe(f.load)}, in ${rounds} rounds`);
    if (f.table) await createLikeEvents(ctx.pool, f.table);
  }
  const parts = new Map<string, WriteResult[]>(figures.map((f) => [f.bench, []]));
  for (let r = 0; r < rounds; r++)
    for (const f of figures) {
      const part = splitLoad(f.load, rounds)[r];
      if (part) parts.get(f.bench)!.push(await f.run(part));
    }
  return new Map([...parts].map(([bench, results]) => [bench, combineResults(results)]));
}

function emitAll(
  ctx: BenchContext,
  figures: readonly WriteFigure[],
  results: Map<string, WriteResult>,
): void {
  for (const f of figures) {
    const w = results.get(f.bench)!;
    const baseline =
      typeof f.baseline === 'string'
        ? { value: results.get(f.baseline)?.eventsPerSecond ?? null, name: f.baseline }
        : (f.baseline ?? { value: null, name: undefined });
    ctx.emit({
      bench: f.bench,
      value: w.eventsPerSecond,
      unit: 'events/s',
      baseline: baseline.value,
      ...(baseline.name ? { baseline_name: baseline.name } : {}),
      ...judge(w.eventsPerSecond, baseline.value, f.target, w.load.failed),
      target: f.target,
      events: w.events,
      ...(f.table ? {} : { created: w.created }),
      batch: f.load.batches[0]?.length ?? 0,
      concurrency: f.load.concurrency,
      latency_p50_ms: tidy(w.p50Ms),
      latency_p99_ms: tidy(w.p99Ms),
      ...loadFields(w.load, w.cpu),
      ...f.extra,
    });
  }
}

/** Figures 1–3 with their baselines: batches of 500, then single events. */
export async function measureWrites(ctx: BenchContext): Promise<void> {
  const { cfg, now, pool, singlePool, collector, startCpu } = ctx;
  const has = (phase: 'raw' | 'upsert' | 'ingest' | 'single') => cfg.phases.has(phase);
  if (!(['raw', 'upsert', 'ingest', 'single'] as const).some(has)) return;

  const common = { timeoutMs: cfg.phaseTimeoutMs, startCpu };
  const batchLoad: WriteLoad = {
    ...common,
    batches: batchInputs(cfg.batchEvents, cfg.batchSize, now),
    concurrency: cfg.batchConcurrency,
  };
  const singleLoad: WriteLoad = {
    ...common,
    batches: singleInputs(cfg.singleRequests, now),
    concurrency: cfg.singleConcurrency,
  };
  const singleDiagnosticLoad: WriteLoad = {
    ...singleLoad,
    batches: singleLoad.batches.slice(0, cfg.singleDiagnosticRequests),
  };

  const batch: WriteFigure[] = [];
  const single: WriteFigure[] = [];
  if (has('raw')) {
    batch.push({
      bench: 'raw_insert_batch',
      load: batchLoad,
      table: 'bench_raw',
      run: (part) => rawInsert(part, pool, 'bench_raw', now),
      target: null,
      extra: {
        note: 'ceiling for ingest_http_batch: plain multi-row INSERTs via pg into a table LIKE events INCLUDING ALL',
      },
    });
    single.push({
      bench: 'raw_insert_single',
      load: singleDiagnosticLoad,
      table: 'bench_raw_single',
      run: (part) => rawInsert(part, singlePool, 'bench_raw_single', now),
      target: null,
      extra: {
        pool: DEFAULT_POOL_SIZE,
        note: 'diagnostic, ceiling for ingest_http_single: one autocommit INSERT per event via pg, as many connections as the collector pool',
      },
    });
  }
  if (has('upsert')) {
    batch.push({
      bench: 'store_upsert_sql_batch',
      load: batchLoad,
      table: 'bench_upsert',
      run: (part) => storeUpsert(part, pool, 'bench_upsert', now),
      baseline: 'raw_insert_batch',
      target: null,
      extra: {
        note: "diagnostic: EventStore.upsert's own statement (one call of the write function, autocommitted) via pg into the benchmark's tables, no HTTP",
      },
    });
    single.push({
      bench: 'store_upsert_sql_single',
      load: singleDiagnosticLoad,
      table: 'bench_upsert_single',
      run: (part) => storeUpsert(part, singlePool, 'bench_upsert_single', now),
      baseline: 'raw_insert_single',
      target: null,
      extra: {
        pool: DEFAULT_POOL_SIZE,
        note: 'diagnostic: as store_upsert_sql_batch, one event per call',
      },
    });
  }
  if (has('ingest'))
    batch.push({
      bench: 'ingest_http_batch',
      load: batchLoad,
      run: (part) => httpIngest(part, collector.origin, pool),
      baseline: 'raw_insert_batch',
      target: {
        min: TARGETS.ingestMinEventsPerSecond,
        ratio_min: TARGETS.ingestMinRatioToRaw,
      },
    });
  if (has('single'))
    single.push({
      bench: 'ingest_http_single',
      load: singleLoad,
      run: (part) => httpIngest(part, collector.origin, pool),
      baseline: { value: TARGETS.singleBaselineEventsPerSecond, name: 'seed NestJS backend' },
      target: { min: TARGETS.singleMinEventsPerSecond },
    });

  emitAll(ctx, batch, await measureInRounds(ctx, batch));
  emitAll(ctx, single, await measureInRounds(ctx, single));
}
