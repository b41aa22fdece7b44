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
import { tidy, type Figure } from './figures.js';
import type { LatencyResult, LookupPlan } from './query-phase.js';
import { mean, replayedLatencyFigure } from './replayed-figure.js';

function latencyFigure(
  ctx: BenchContext,
  bench: string,
  plan: LookupPlan<TracedDelivery>,
  viaHttp: { latency: LatencyResult; differing: number },
  viaSql: LatencyResult,
  storeEvents: number,
): Figure {
  const measured = plan.measured;
  return replayedLatencyFigure({
    bench,
    targetMaxMs: TARGETS.deliveryP99MaxMs,
    viaHttp: viaHttp.latency,
    viaSql,
    measured,
    warmup: plan.warmup.length,
    concurrency: ctx.cfg.deliveryConcurrency,
    differing: viaHttp.differing,
    extra: {
      days: ctx.cfg.deliveryDays,
      mean_deployments: tidy(mean(measured.map((t) => t.deployments))),
      mean_lead_times: tidy(mean(measured.map((t) => t.leadTimes))),
      mean_without_chain: tidy(mean(measured.map((t) => t.withoutChain))),
      store_events: storeEvents,
    },
  });
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
