// The drilldown figures (issue 13): chain and suspects latency through HTTP over the filled store,
// each beside the same statements straight on PostgreSQL, and the size of the chains they found.
import { TARGETS } from './bench-config.js';
import { log, type BenchContext } from './bench-context.js';
import {
  ALERT_ENVIRONMENT,
  CHAIN_LOOKUP,
  DRILLDOWN_DEFAULTS,
  SUSPECT_LOOKUP,
  chainPlan,
  httpLookups,
  sqlLookups,
  suspectPlan,
  traceChains,
  traceSuspects,
  type AnswerStats,
  type Traced,
} from './drilldown-phase.js';
import { judge, tidy, type Figure } from './figures.js';
import { percentile } from './load.js';
import type { LatencyResult, LookupPlan } from './query-phase.js';
import { mean, replayedLatencyFigure } from './replayed-figure.js';

/** One latency figure: HTTP p99 against the replayed statements' p99, judged at ≤ 50 ms. */
function latencyFigure<S>(
  ctx: BenchContext,
  bench: string,
  plan: LookupPlan<Traced<S>>,
  viaHttp: { latency: LatencyResult; answers: AnswerStats },
  viaSql: LatencyResult,
  extra: Record<string, unknown>,
): Figure {
  return replayedLatencyFigure({
    bench,
    targetMaxMs: TARGETS.drilldownP99MaxMs,
    viaHttp: viaHttp.latency,
    viaSql,
    measured: plan.measured,
    warmup: plan.warmup.length,
    concurrency: ctx.cfg.drilldownConcurrency,
    differing: viaHttp.answers.differing,
    extra,
  });
}

export async function measureDrilldown(ctx: BenchContext, storeEvents: number): Promise<void> {
  const { cfg, now, collector, startCpu } = ctx;
  // As many connections as the collector's pool (a chain or a ranking sends one statement at a time).
  const pool = ctx.singlePool;
  const d = DRILLDOWN_DEFAULTS;

  const chains = await traceChains(cfg, pool, await chainPlan(cfg, pool));
  log(
    `chains: ${chains.measured.length} random deploys (after ${chains.warmup.length} unmeasured), ${cfg.drilldownConcurrency} in flight; horizon ±${d.chainHorizonDays} days, at most ${d.chainMaxEvents} events`,
  );
  const chainHttp = await httpLookups(cfg, startCpu, collector.origin, chains, CHAIN_LOOKUP);
  const chainSql = await sqlLookups(cfg, startCpu, pool, chains);
  ctx.emit(
    latencyFigure(ctx, 'chain_latency_p99', chains, chainHttp, chainSql, {
      horizon_days: d.chainHorizonDays,
      max_events: d.chainMaxEvents,
      mean_chain_events: tidy(mean(chainHttp.answers.sizes)),
      store_events: storeEvents,
    }),
  );
  const sizes = chainHttp.answers.sizes;
  ctx.emit({
    bench: 'chain_events_mean',
    value: mean(sizes),
    unit: 'events',
    baseline: null,
    ...judge(mean(sizes), null, null),
    target: null,
    p50: percentile(sizes, 50),
    p99: percentile(sizes, 99),
    min: sizes.length > 0 ? Math.min(...sizes) : null,
    max: sizes.length > 0 ? Math.max(...sizes) : null,
    single_event_share: tidy(sizes.filter((n) => n === 1).length / Math.max(1, sizes.length)),
    truncated_share: tidy(chainHttp.answers.flagged / Math.max(1, sizes.length)),
    chains: sizes.length,
    note: 'diagnostic: events per chain of a random deploy (the root included)',
  });

  const suspects = await traceSuspects(cfg, pool, await suspectPlan(cfg, pool, now));
  log(
    `suspects: ${suspects.measured.length} ${ALERT_ENVIRONMENT} alerts (after ${suspects.warmup.length} unmeasured), lookback ${d.lookbackMinutes} min, ${cfg.drilldownConcurrency} in flight`,
  );
  const suspectHttp = await httpLookups(cfg, startCpu, collector.origin, suspects, SUSPECT_LOOKUP);
  const suspectSql = await sqlLookups(cfg, startCpu, pool, suspects);
  // The first statement of a ranking reads its candidates: those that may reach the threshold,
  // and the places (ids alone) of code changes below it that may still rank through a chain.
  const candidates = suspects.measured.map((t) =>
    (t.groups[0] ?? []).reduce((n, s) => n + s.rows, 0),
  );
  ctx.emit(
    latencyFigure(ctx, 'suspects_latency_p99', suspects, suspectHttp, suspectSql, {
      lookback_minutes: d.lookbackMinutes,
      mean_candidates: tidy(mean(candidates)),
      max_candidates: candidates.length > 0 ? Math.max(...candidates) : 0,
      mean_suspects: tidy(mean(suspectHttp.answers.sizes)),
      with_suspects_share: tidy(
        suspectHttp.answers.flagged / Math.max(1, suspectHttp.answers.sizes.length),
      ),
      store_events: storeEvents,
    }),
  );
}
