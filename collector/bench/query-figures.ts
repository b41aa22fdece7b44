// Figure 5 and the store size it stands on: fill the store to at least `storeEvents` with SQL
// (the drilldown figures use the same store), then time the same list queries through HTTP and
// straight on PostgreSQL.
import { TARGETS } from './bench-config.js';
import { log, type BenchContext } from './bench-context.js';
import { countEvents, fillEvents, settle, vacuumAnalyze } from './bench-database.js';
import { judge, loadFields, tidy, type Figure, type Target } from './figures.js';
import {
  FACETS_ASKED,
  FACET_WINDOW_DAYS,
  facetPlan,
  httpFacets,
  httpQueries,
  queryPlan,
  sqlFacets,
  sqlQueries,
  type LatencyResult,
} from './query-phase.js';
import { TENANT } from './write-phases.js';

/** Rows per INSERT … SELECT while filling the store (keeps each statement well under a minute). */
const FILL_CHUNK = 250_000;

/** Fills the store to at least `storeEvents` for the query and drilldown phases; its size. */
export async function fillStore(ctx: BenchContext): Promise<number> {
  const { cfg, pool } = ctx;
  const missing = Math.max(0, cfg.storeEvents - (await countEvents(pool)));
  log(`filling the store with ${missing} events over ${cfg.storeDays} days (SQL)`);
  const t0 = performance.now();
  await fillEvents(pool, {
    count: missing,
    days: cfg.storeDays,
    tenant: TENANT,
    chunk: FILL_CHUNK,
    timeoutMs: cfg.phaseTimeoutMs,
    projects: cfg.storeProjects,
    progress: (done) =>
      log(`fill: ${done} of ${missing} events (${tidy((100 * done) / Math.max(1, missing))} %)`),
  });
  await vacuumAnalyze(pool);
  await settle(pool);
  const storeEvents = await countEvents(pool);
  log(
    `store: ${storeEvents} events (filled, vacuumed, analyzed in ${tidy((performance.now() - t0) / 1000)} s)`,
  );
  return storeEvents;
}

/** A p99 through HTTP judged against the same lookups straight on PostgreSQL: shared fields. */
function againstSql(
  viaHttp: LatencyResult,
  viaSql: LatencyResult,
  target: Target,
  baselineName: string,
): Pick<Figure, 'value' | 'unit' | 'baseline' | 'ratio' | 'met' | 'target'> &
  Record<string, unknown> {
  return {
    value: viaHttp.p99Ms,
    unit: 'ms',
    baseline: tidy(viaSql.p99Ms),
    baseline_name: baselineName,
    ...judge(viaHttp.p99Ms, viaSql.p99Ms, target, viaHttp.load.failed),
    target,
    p50_ms: tidy(viaHttp.p50Ms),
    max_ms: tidy(viaHttp.maxMs),
    sql_p50_ms: tidy(viaSql.p50Ms),
    sql_max_ms: tidy(viaSql.maxMs),
    queries: viaHttp.load.done,
    sql_cpu: viaSql.cpu,
    ...loadFields(viaHttp.load, viaHttp.cpu),
  };
}

/** Figure 5 over the filled store. */
export async function measureQueries(ctx: BenchContext, storeEvents: number): Promise<void> {
  const { cfg, now, pool, collector, startCpu } = ctx;
  const plan = queryPlan(cfg, now);
  log(
    `queries: ${plan.measured.length} (after ${plan.warmup.length} unmeasured) × ${cfg.queryWindowHours} h window + one filter, ${cfg.queryConcurrency} in flight`,
  );
  const viaHttp = await httpQueries(cfg, startCpu, collector.origin, plan);
  const viaSql = await sqlQueries(cfg, startCpu, pool, plan);
  const target = { max: TARGETS.queryP99MaxMs, ratio_max: TARGETS.queryMaxRatioToSql };
  ctx.emit({
    bench: 'query_latency_p99',
    ...againstSql(viaHttp, viaSql, target, 'the same statements straight on PostgreSQL (p99)'),
    warmup_queries: plan.warmup.length,
    concurrency: cfg.queryConcurrency,
    window_hours: cfg.queryWindowHours,
    limit: cfg.queryLimit,
    mean_events_returned: tidy(viaHttp.meanRows),
    store_events: storeEvents,
  });
}

/**
 * The values of a Grafana variable over a week, after the list queries on the same store. A
 * facet counts every event of the week (tens of thousands at full scale) where a list reads a
 * page, so fewer are measured: a quarter of the list queries' count.
 */
export async function measureFacets(ctx: BenchContext, storeEvents: number): Promise<void> {
  const { cfg, now, pool, collector, startCpu } = ctx;
  const plan = facetPlan(cfg, now);
  log(
    `facets: ${plan.measured.length} (after ${plan.warmup.length} unmeasured) × ${FACETS_ASKED.join(', ')} over ${FACET_WINDOW_DAYS} days, ${cfg.queryConcurrency} in flight`,
  );
  const viaHttp = await httpFacets(cfg, startCpu, collector.origin, plan);
  const viaSql = await sqlFacets(cfg, startCpu, pool, plan);
  const target = { max: TARGETS.facetP99MaxMs };
  ctx.emit({
    bench: 'facet_latency_p99',
    ...againstSql(viaHttp, viaSql, target, 'the same statement straight on PostgreSQL (p99)'),
    warmup_queries: plan.warmup.length,
    concurrency: cfg.queryConcurrency,
    window_days: FACET_WINDOW_DAYS,
    fields: FACETS_ASKED,
    mean_values_returned: tidy(viaHttp.meanRows),
    store_events: storeEvents,
    note: 'a quarter as many measured lookups as query_latency_p99: each counts a week of events',
  });
}

/** The store the query and drilldown figures stand on. */
export function emitStoreEvents(ctx: BenchContext, storeEvents: number): void {
  const storeTarget = { min: TARGETS.storeMinEvents };
  ctx.emit({
    bench: 'store_events',
    value: storeEvents,
    unit: 'events',
    baseline: null,
    ...judge(storeEvents, null, storeTarget),
    target: storeTarget,
    days: ctx.cfg.storeDays,
  });
}
