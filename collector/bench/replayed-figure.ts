// The figure every "lookup through HTTP beside the same statements on PostgreSQL" phase reports
// (drilldown chains and suspects, delivery answers): HTTP p99 judged against a target, with the
// replayed statements' p99 as its baseline, and what one lookup cost in statements and rows.
import { judge, loadFields, tidy, type Figure } from './figures.js';
import type { LatencyResult } from './query-phase.js';
import type { TracedStatement } from './store-statements.js';

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

export interface ReplayedLatency {
  bench: string;
  targetMaxMs: number;
  viaHttp: LatencyResult;
  viaSql: LatencyResult;
  /** The traces of the measured lookups (their statement groups), and how many ran unmeasured. */
  measured: readonly { groups: TracedStatement[][] }[];
  warmup: number;
  concurrency: number;
  /** Answers whose size differed from the traced one: their replay would not be the same work. */
  differing: number;
  /** The phase's own fields (sizes, settings), placed before the common tail. */
  extra?: Record<string, unknown>;
}

export function replayedLatencyFigure(r: ReplayedLatency): Figure {
  const { viaHttp: latency, viaSql } = r;
  const target = { max: r.targetMaxMs };
  return {
    bench: r.bench,
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
    warmup_lookups: r.warmup,
    concurrency: r.concurrency,
    mean_statements: tidy(mean(r.measured.map((t) => t.groups.flat().length))),
    mean_rows_read: tidy(
      mean(r.measured.map((t) => t.groups.flat().reduce((n, s) => n + s.rows, 0))),
    ),
    ...r.extra,
    // The replayed statements are the ones the code issued only when both built the same answer.
    answers_differing_from_trace: r.differing,
    sql_cpu: viaSql.cpu,
    ...loadFields(latency.load, latency.cpu),
  };
}
