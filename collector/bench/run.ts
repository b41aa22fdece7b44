// `npm run bench`: the collector's ingest throughput, memory, and query, drilldown and delivery
// latency against real PostgreSQL, one JSON line per figure on stdout and a summary on stderr.
// See docs/benchmarks.md.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DEFAULT_POOL_SIZE } from '../src/config/config-schema.js';
import { TARGETS, loadBenchConfig, type BenchConfig } from './bench-config.js';
import { log, type BenchContext } from './bench-context.js';
import { benchUrl, recreateDatabase } from './bench-database.js';
import { CollectorProcess } from './collector-process.js';
import { startCpuSplit, waitForQuiet } from './cpu-usage.js';
import { judge, printFigure, summarize, tidy, type Figure } from './figures.js';
import { measureDelivery } from './delivery-figures.js';
import { measureDrilldown } from './drilldown-figures.js';
import { measureLoad } from './load-phase.js';
import { measurePglite } from './pglite-phase.js';
import { measureScale } from './scale-phase.js';
import { emitStoreEvents, fillStore, measureFacets, measureQueries } from './query-figures.js';
import { measureVisibility } from './visibility-phase.js';
import { measureWrites } from './write-figures.js';

/** Other work may use this much of the machine before a run starts; the wait for it is bounded. */
const QUIET_MAX_BUSY = 0.25;
const QUIET_WAIT_MS = 60_000;
/** V8 gives memory back after a few idle seconds, if it does at all. */
const RSS_SETTLE_MS = 5_000;

async function waitForQuietMachine(): Promise<void> {
  const busy = await waitForQuiet({
    maxBusy: QUIET_MAX_BUSY,
    timeoutMs: QUIET_WAIT_MS,
    onWait: (b) =>
      log(
        `the machine is ${Math.round(b * 100)}% busy with other work; waiting up to ${QUIET_WAIT_MS / 1000} s for it to calm down`,
      ),
  });
  if (busy > QUIET_MAX_BUSY)
    log(
      `still ${Math.round(busy * 100)}% busy: going ahead; see "other_load" in each figure for how much it weighed`,
    );
}

/**
 * Runs one phase; a phase that fails (cut short by its time limit, say) is reported as a failed
 * figure and the run goes on with the others, so that one slow phase does not hide every figure
 * after it.
 */
async function phase(ctx: BenchContext, name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`phase ${name} failed: ${message}`);
    ctx.emit({
      bench: `${name}_phase`,
      value: 0,
      unit: 'figures',
      baseline: null,
      ratio: null,
      met: false,
      target: null,
      error: message,
    });
  }
}

async function run(cfg: BenchConfig): Promise<Figure[]> {
  const figures: Figure[] = [];
  const emit = (f: Figure) => {
    const withScale = cfg.scale === 1 ? f : { ...f, scale: cfg.scale };
    figures.push(withScale);
    printFigure(withScale);
  };
  await waitForQuietMachine();
  log(`recreating database ${cfg.benchDbName}`);
  await recreateDatabase(cfg.adminUrl, cfg.benchDbName);
  const url = benchUrl(cfg.adminUrl, cfg.benchDbName);
  // The collector creates `events` (its migrations) before the baselines copy its shape.
  const dataDir = await mkdtemp(join(os.tmpdir(), 'painchain-bench-'));
  const collector = await CollectorProcess.start({
    databaseUrl: url,
    dataDir,
    cpuProfDir: cfg.cpuProfDir,
    nodeFlags: cfg.collectorFlags,
  });
  const pool = new pg.Pool({
    connectionString: url,
    max: Math.max(cfg.batchConcurrency, cfg.queryConcurrency),
  });
  const singlePool = new pg.Pool({ connectionString: url, max: DEFAULT_POOL_SIZE });
  for (const p of [pool, singlePool]) p.on('error', () => undefined);
  try {
    const idleRssMb = collector.rssMb();
    const idleMemory = await collector.memoryBreakdown().catch(() => ({}));
    log(`collector pid ${collector.pid} at ${collector.origin}, RSS ${tidy(idleRssMb)} MB idle`);
    const ctx: BenchContext = {
      cfg,
      now: Date.now(),
      collector,
      pool,
      singlePool,
      startCpu: () => startCpuSplit(collector.pid, cfg.benchDbName),
      emit,
      figure: (bench) => figures.find((f) => f.bench === bench),
    };

    await measureWrites(ctx);
    const rssAfterWritesMb = collector.rssMb();
    const filled = ['query', 'drilldown', 'delivery', 'scale'] as const;
    if (filled.some((p) => cfg.phases.has(p))) {
      // All read the same filled store; the drilldown and delivery run after the queries.
      const storeEvents = await fillStore(ctx);
      if (cfg.phases.has('scale')) await phase(ctx, 'scale', () => measureScale(ctx, storeEvents));
      if (cfg.phases.has('query')) {
        await phase(ctx, 'query', () => measureQueries(ctx, storeEvents));
        await phase(ctx, 'facets', () => measureFacets(ctx, storeEvents));
      }
      emitStoreEvents(ctx, storeEvents);
      if (cfg.phases.has('drilldown'))
        await phase(ctx, 'drilldown', () => measureDrilldown(ctx, storeEvents));
      if (cfg.phases.has('delivery'))
        await phase(ctx, 'delivery', () => measureDelivery(ctx, storeEvents));
    }

    const rssMb = collector.rssMb();
    const target = { max: TARGETS.rssMaxMb };
    emit({
      bench: 'collector_rss_after_load',
      value: rssMb,
      unit: 'MB',
      baseline: tidy(idleRssMb),
      baseline_name: 'collector RSS when ready, before any load',
      ...judge(rssMb, idleRssMb, target),
      target,
      after_writes_mb: tidy(rssAfterWritesMb),
      peak_mb: tidy(collector.peakRssMb),
      ...(await collector.memoryBreakdown().catch(() => ({}))),
      idle: idleMemory,
      after_5s_idle_mb: tidy(
        await new Promise<number>((r) => setTimeout(() => r(collector.rssMb()), RSS_SETTLE_MS)),
      ),
    });
    // On collectors of their own (this one idles meanwhile); PGlite's figures are set against
    // the PostgreSQL ones above.
    if (cfg.phases.has('visibility'))
      await phase(ctx, 'visibility', () => measureVisibility(ctx, url));
    if (cfg.phases.has('pglite')) await phase(ctx, 'pglite', () => measurePglite(ctx));
    // Last, on a collector of its own: its RSS peak is this load's alone.
    if (cfg.phases.has('load')) await phase(ctx, 'load', () => measureLoad(ctx, url));
    return figures;
  } finally {
    await pool.end().catch(() => undefined);
    await singlePool.end().catch(() => undefined);
    await collector.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const cfg = loadBenchConfig();
  const hardStop = setTimeout(() => {
    log(`the run took longer than ${cfg.totalTimeoutMs / 1000} s; stopping`);
    process.exit(1); // the exit hook kills the collector
  }, cfg.totalTimeoutMs);
  hardStop.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      log(`${signal}: stopping`);
      process.exit(130);
    });

  const started = performance.now();
  const figures = await run(cfg);
  console.error(
    summarize(
      figures,
      `PainChain collector benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}` +
        `${cfg.scale === 1 ? '' : `, BENCH_SCALE=${cfg.scale} (targets are judged at scale 1)`}, ${tidy((performance.now() - started) / 1000)} s`,
    ),
  );
  clearTimeout(hardStop);
  // A benchmark reports; a missed target is a finding, not a failed run.
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(2);
  },
);
