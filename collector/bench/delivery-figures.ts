// The delivery figures (issue 18): a 90-day GET /api/v1/delivery through HTTP over the filled
// store, for every service and for one service at a time, each beside the same statements
// straight on PostgreSQL, with how many deploys and chains one answer stood on.
import { TARGETS } from './bench-config.js';
import { log, type BenchContext } from './bench-context.js';
import {
  deliveryPlans,
  httpDelivery,
  sqlDelivery,
  traceDelivery,
  type TracedDelivery,
} from './delivery-phase.js';
import { judge, loadFields, tidy, type Figure } from './figures.js';
import type { LatencyResult, LookupPlan } from './query-phase.js';

const mean = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

function latencyFigure(
  ctx: BenchContext,
  bench: string,
  plan: LookupPlan<TracedDelivery>,
  viaHttp: { latency: LatencyResult; differing: number },
  viaSql: LatencyResult,
  storeEvents: number,
): Figure {
  const { latency } = viaHttp;
  const target = { max: TARGETS.deliveryP99MaxMs };
  const measured = plan.measured;
  return {
    bench,
    value: latency.p99Ms,
    unit: 'ms',
    baseline: tidy(viaSql.p99Ms),
    baseline_name: 'the statements it issues, straight on PostgreSQL (p99)',
    ...judge(latency.p99Ms, viaSql.p99Ms, target, latency.load.failed),
    target,
    p50_ms: tidy(latency.p50Ms),
    max_ms: tidy(latency.maxMs),
    sql_p50_ms: tidy(viaSql.p50Ms),
    sql_max_ms: tidy(viaSql.maxMs),
    lookups: latency.load.done,
    warmup_lookups: plan.warmup.length,
    concurrency: ctx.cfg.deliveryConcurrency,
    days: ctx.cfg.deliveryDays,
    mean_statements: tidy(mean(measured.map((t) => t.groups.flat().length))),
    mean_rows_read: tidy(
      mean(measured.map((t) => t.groups.flat().reduce((n, s) => n + s.rows, 0))),
    ),
    mean_deployments: tidy(mean(measured.map((t) => t.deployments))),
    mean_lead_times: tidy(mean(measured.map((t) => t.leadTimes))),
    mean_without_chain: tidy(mean(measured.map((t) => t.withoutChain))),
    store_events: storeEvents,
    answers_differing_from_trace: viaHttp.differing,
    sql_cpu: viaSql.cpu,
    ...loadFields(latency.load, latency.cpu),
  };
}

export async function measureDelivery(ctx: BenchContext, storeEvents: number): Promise<void> {
  const { cfg, now, collector, startCpu } = ctx;
  const pool = ctx.singlePool;
  const plans = deliveryPlans(cfg, now);
  for (const [bench, plan, what] of [
    ['delivery_latency_p99', plans.all, 'every service'],
    ['delivery_service_latency_p99', plans.service, 'one random service each'],
  ] as const) {
    const traced = await traceDelivery(cfg, pool, plan);
    log(
      `delivery: ${traced.measured.length} answers for ${what} over ${cfg.deliveryDays} days (after ${traced.warmup.length} unmeasured), ${cfg.deliveryConcurrency} in flight; ${tidy(mean(traced.measured.map((t) => t.deployments)))} deploys each on average`,
    );
    const viaHttp = await httpDelivery(cfg, startCpu, collector.origin, traced);
    const viaSql = await sqlDelivery(cfg, startCpu, pool, traced);
    ctx.emit(latencyFigure(ctx, bench, traced, viaHttp, viaSql, storeEvents));
  }
}
