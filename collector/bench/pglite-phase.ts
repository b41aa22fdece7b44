// The `pglite` phase: batch and single-event ingest and list latency on the embedded store
// (PGlite: PostgreSQL compiled to WebAssembly inside the collector, one connection for every
// statement), on a collector of its own without DATABASE_URL. Not judged: set against this
// run's PostgreSQL figures, they tell a user when a store has outgrown PGlite. Fewer events
// than on PostgreSQL, all through the HTTP API: PGlite cannot be filled with SQL from outside.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { log, type BenchContext } from './bench-context.js';
import { CollectorProcess } from './collector-process.js';
import { startCpuSplit } from './cpu-usage.js';
import { judge, loadFields, tidy } from './figures.js';
import { httpQueries, queryPlan } from './query-phase.js';
import {
  SPAN_MS,
  batchInputs,
  httpIngest,
  singleInputs,
  type WriteLoad,
  type WriteResult,
} from './write-phases.js';

/** The PostgreSQL figure of this run as the baseline, or null when its phase did not run. */
function onPostgres(ctx: BenchContext, bench: string) {
  const figure = ctx.figure(bench);
  return figure
    ? { baseline: tidy(figure.value), baseline_name: `${bench} of this run (PostgreSQL)` }
    : { baseline: null, baseline_name: `${bench} (PostgreSQL): not measured in this run` };
}

export async function measurePglite(ctx: BenchContext): Promise<void> {
  const dataDir = await mkdtemp(join(os.tmpdir(), 'painchain-bench-pglite-'));
  try {
    // No databaseUrl: the collector opens PGlite in its data folder, as on a fresh clone.
    const collector = await CollectorProcess.start({ dataDir, nodeFlags: ctx.cfg.collectorFlags });
    try {
      await measureOn(ctx, collector);
    } finally {
      await collector.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function measureOn(ctx: BenchContext, collector: CollectorProcess): Promise<void> {
  const { cfg, now, pool } = ctx;
  const idleRssMb = collector.rssMb();
  const idleMemory = await collector.memoryBreakdown().catch(() => ({}));
  log(`PGlite collector pid ${collector.pid}, RSS ${tidy(idleRssMb)} MB idle`);
  const common = {
    timeoutMs: cfg.phaseTimeoutMs,
    startCpu: () => startCpuSplit(collector.pid, cfg.benchDbName),
  };
  // `pool` is the PostgreSQL bench database: httpIngest checkpoints it before timing, which
  // keeps its background writes out of the PGlite figures too.
  const ingest = (w: WriteLoad) => httpIngest(w, collector.origin, pool);
  const emitIngest = (bench: string, postgres: string, w: WriteResult, load: WriteLoad) => {
    const base = onPostgres(ctx, postgres);
    ctx.emit({
      bench,
      value: w.eventsPerSecond,
      unit: 'events/s',
      ...base,
      ...judge(w.eventsPerSecond, base.baseline, null, w.load.failed),
      target: null,
      events: w.events,
      created: w.created,
      batch: load.batches[0]?.length ?? 0,
      concurrency: load.concurrency,
      latency_p50_ms: tidy(w.p50Ms),
      latency_p99_ms: tidy(w.p99Ms),
      ...loadFields(w.load, w.cpu),
    });
  };

  // The store's batches: the first ones are timed, the rest fill it for the list queries.
  const batches = batchInputs(cfg.pgliteStoreEvents, cfg.batchSize, now);
  const timedBatches = cfg.pgliteBatchEvents / cfg.batchSize;
  const batchLoad: WriteLoad = {
    ...common,
    batches: batches.slice(0, timedBatches),
    concurrency: cfg.batchConcurrency,
  };
  log(
    `pglite_ingest_batch: ${timedBatches} × ${cfg.batchSize} events, ${cfg.batchConcurrency} in flight`,
  );
  const batch = await ingest(batchLoad);
  emitIngest('pglite_ingest_batch', 'ingest_http_batch', batch, batchLoad);

  const singleLoad: WriteLoad = {
    ...common,
    batches: singleInputs(cfg.pgliteSingleRequests, now),
    concurrency: cfg.singleConcurrency,
  };
  log(
    `pglite_ingest_single: ${cfg.pgliteSingleRequests} events, ${cfg.singleConcurrency} in flight`,
  );
  const single = await ingest(singleLoad);
  emitIngest('pglite_ingest_single', 'ingest_http_single', single, singleLoad);

  const fillLoad: WriteLoad = {
    ...common,
    batches: batches.slice(timedBatches),
    concurrency: cfg.batchConcurrency,
  };
  log(`filling the PGlite store with ${fillLoad.batches.length} more batches (HTTP)`);
  const fill = await ingest(fillLoad);
  const storeEvents = (batch.created ?? 0) + (single.created ?? 0) + (fill.created ?? 0);

  // The query phase's list queries, their windows within the week the ingested events span.
  const storeDays = SPAN_MS / 86_400_000;
  const plan = queryPlan({ ...cfg, storeDays }, now);
  log(
    `pglite queries: ${plan.measured.length} (after ${plan.warmup.length} unmeasured) over ${storeEvents} events, ${cfg.queryConcurrency} in flight`,
  );
  const viaHttp = await httpQueries(cfg, common.startCpu, collector.origin, plan);
  const base = onPostgres(ctx, 'query_latency_p99');
  ctx.emit({
    bench: 'pglite_query_latency_p99',
    value: viaHttp.p99Ms,
    unit: 'ms',
    ...base,
    ...judge(viaHttp.p99Ms, base.baseline, null, viaHttp.load.failed),
    target: null,
    p50_ms: tidy(viaHttp.p50Ms),
    max_ms: tidy(viaHttp.maxMs),
    queries: viaHttp.load.done,
    warmup_queries: plan.warmup.length,
    concurrency: cfg.queryConcurrency,
    window_hours: cfg.queryWindowHours,
    limit: cfg.queryLimit,
    mean_events_returned: tidy(viaHttp.meanRows),
    store_events: storeEvents,
    store_days: storeDays,
    fill_errors: fill.load.failed,
    // Events per day are of the same order as in the PostgreSQL store (at scale 1 ~15,000
    // here, ~11,000 there: 1,000,000 over 90 days), so windows hold comparable numbers of
    // events: the two stores differ in size far more than in density.
    note: 'the PostgreSQL baseline stands on the query phase store (more events, 90 days)',
    ...loadFields(viaHttp.load, viaHttp.cpu),
  });

  const rssMb = collector.rssMb();
  ctx.emit({
    bench: 'pglite_rss_after_load',
    value: rssMb,
    unit: 'MB',
    baseline: tidy(idleRssMb),
    baseline_name: 'the PGlite collector when ready, before any load',
    ...judge(rssMb, idleRssMb, null),
    target: null,
    peak_mb: tidy(collector.peakRssMb),
    store_events: storeEvents,
    ...(await collector.memoryBreakdown().catch(() => ({}))),
    idle: idleMemory,
    // Seen in smoke runs: ~630 MB external when ready on a fresh folder, ~200 MB once a load
    // made V8 collect; so the value can lie below the baseline and the peak is the start's.
    note: "PGlite's WebAssembly memory is part of the collector's RSS (external_mb)",
  });
}
