// The delivery answers over the filled store (issue 18): 90 days of production, per day, for every
// service at once (the Delivery performance dashboard's default) and for one service at a time,
// through GET /api/v1/delivery; and the statements the collector's own code issues for each,
// traced once and replayed straight on PostgreSQL.
import type pg from 'pg';
import { Pool as HttpPool } from 'undici';
import { createConfig } from '../src/config/load-config.js';
import { DeliveryMetrics, type DeliveryAnswer } from '../src/delivery/delivery-metrics.js';
import { prng, SERVICES } from '../src/sample/event-generator.js';
import type { BenchConfig } from './bench-config.js';
import type { CpuSplit } from './cpu-usage.js';
import { runLoad } from './load.js';
import { measureLatency, type LatencyResult, type LookupPlan } from './query-phase.js';
import { replay, tracingDb, type TracedStatement } from './store-statements.js';
import { TENANT } from './write-phases.js';

const SERVICE_SEED = 1818;
/** Every-service answers measured: each reads the whole range, so a few tell the tale. */
const ALL_SERVICES_LOOKUPS = 5;

/** The collector's settings when painchain.yaml leaves them out, as the bench runs it. */
const DEFAULTS = createConfig({});

export interface DeliverySpec {
  from: Date;
  to: Date;
  /** One service, or every service when absent. */
  service?: string;
}

/** One answer: what was asked, the statements the code issued, and what it counted. */
export interface TracedDelivery {
  spec: DeliverySpec;
  groups: TracedStatement[][];
  /** Counted deploys in the answer: the HTTP answer must count as many. */
  deployments: number;
  leadTimes: number;
  withoutChain: number;
}

export function deliveryPlans(
  cfg: BenchConfig,
  now: number,
): { all: LookupPlan<DeliverySpec>; service: LookupPlan<DeliverySpec> } {
  const to = new Date(now);
  const from = new Date(now - cfg.deliveryDays * 86_400_000);
  const rand = prng(SERVICE_SEED);
  const oneService = () => ({ from, to, service: SERVICES[Math.floor(rand() * SERVICES.length)]! });
  return {
    all: {
      warmup: Array.from({ length: 1 }, () => ({ from, to })),
      measured: Array.from({ length: ALL_SERVICES_LOOKUPS }, () => ({ from, to })),
    },
    service: {
      warmup: Array.from({ length: cfg.deliveryWarmup }, oneService),
      measured: Array.from({ length: cfg.deliveryLookups }, oneService),
    },
  };
}

const ask = (spec: DeliverySpec) => ({
  from: spec.from,
  to: spec.to,
  services: spec.service ? [spec.service] : undefined,
  environments: [DEFAULTS.delivery.environment],
  interval: 'day' as const,
  timeZone: 'UTC',
  explain: false,
  leadTime: true,
});

/** Runs the collector's own code for every answer of the plan over the bench pool, recording its statements. */
export async function traceDelivery(
  cfg: BenchConfig,
  pool: pg.Pool,
  plan: LookupPlan<DeliverySpec>,
): Promise<LookupPlan<TracedDelivery>> {
  const traceAll = async (specs: DeliverySpec[]) => {
    const traced: TracedDelivery[] = new Array<TracedDelivery>(specs.length);
    // One at a time: the statements of one answer must not mix with another's groups.
    const load = await runLoad(
      { tasks: specs.length, concurrency: 1, timeoutMs: cfg.phaseTimeoutMs },
      async (i) => {
        const { db, groups } = tracingDb(pool);
        const metrics = DeliveryMetrics.over(db, DEFAULTS.drilldown, DEFAULTS.delivery);
        const answer = await metrics.measure(TENANT, ask(specs[i]!));
        traced[i] = { spec: specs[i]!, groups, ...counts(answer) };
      },
    );
    if (load.failed > 0 || load.cutShort)
      throw new Error(
        `tracing the delivery answers failed: ${load.firstError ?? `cut short after ${load.done}`}`,
      );
    return traced;
  };
  return { warmup: await traceAll(plan.warmup), measured: await traceAll(plan.measured) };
}

function counts(answer: Pick<DeliveryAnswer, 'total'>) {
  return {
    deployments: answer.total.deployments.count,
    leadTimes: answer.total.leadTime?.count ?? 0,
    withoutChain: answer.total.leadTime?.withoutChain ?? 0,
  };
}

export function deliveryPath(spec: DeliverySpec): string {
  const q = new URLSearchParams({
    from: spec.from.toISOString(),
    to: spec.to.toISOString(),
    interval: 'day',
    timezone: 'UTC',
  });
  if (spec.service) q.set('service', spec.service);
  return `/api/v1/delivery?${q.toString()}`;
}

/** Every answer through HTTP, read whole; how many differed from the traced one. */
export async function httpDelivery(
  cfg: BenchConfig,
  startCpu: () => () => CpuSplit,
  origin: string,
  plan: LookupPlan<TracedDelivery>,
): Promise<{ latency: LatencyResult; differing: number }> {
  const http = new HttpPool(origin, { connections: cfg.deliveryConcurrency, pipelining: 1 });
  let differing = 0;
  const measured = new Set(plan.measured);
  try {
    const latency = await measureLatency(
      { concurrency: cfg.deliveryConcurrency, timeoutMs: cfg.phaseTimeoutMs },
      startCpu,
      plan,
      async (traced) => {
        const path = deliveryPath(traced.spec);
        const res = await http.request({ method: 'GET', path });
        const text = await res.body.text();
        if (res.statusCode !== 200)
          throw new Error(`GET ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`);
        const answer = counts(JSON.parse(text) as DeliveryAnswer);
        if (measured.has(traced) && answer.deployments !== traced.deployments) differing += 1;
        return answer.deployments;
      },
    );
    return { latency, differing };
  } finally {
    await http.close();
  }
}

/** Chains followed at once by the collector's lead times (lead-times.ts). */
const CHAIN_CONCURRENCY = 4;

/**
 * Sends the traced groups again, in order; within a group (the chain walks, sent four at a time
 * by the code) at most four statements at once, as the code sent them. Rows read.
 */
async function replayBounded(pool: pg.Pool, groups: readonly TracedStatement[][]): Promise<number> {
  let rows = 0;
  for (const group of groups) {
    if (group.length <= CHAIN_CONCURRENCY) {
      rows += await replay(pool, [group]);
      continue;
    }
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < group.length; i = next++) rows += await replay(pool, [[group[i]!]]);
    };
    await Promise.all(Array.from({ length: CHAIN_CONCURRENCY }, worker));
  }
  return rows;
}

/** The traced statements of every answer, replayed straight on PostgreSQL. */
export function sqlDelivery(
  cfg: BenchConfig,
  startCpu: () => () => CpuSplit,
  pool: pg.Pool,
  plan: LookupPlan<TracedDelivery>,
): Promise<LatencyResult> {
  return measureLatency(
    { concurrency: cfg.deliveryConcurrency, timeoutMs: cfg.phaseTimeoutMs },
    startCpu,
    plan,
    (traced) => replayBounded(pool, traced.groups),
  );
}
