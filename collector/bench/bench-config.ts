// The benchmark's sizes, limits and targets, read once from the environment. Every count is
// scaled by BENCH_SCALE so that `BENCH_SCALE=0.1 npm run bench` is a quick smoke run.

export const PHASES = [
  'raw',
  'upsert',
  'ingest',
  'single',
  'query',
  'drilldown',
  'delivery',
  'visibility',
  'pglite',
  'load',
  'scale',
] as const;
export type Phase = (typeof PHASES)[number];
/**
 * The phases of a plain `npm run bench`: all but `scale` (issue 16's 10,000,000-change store,
 * most of an hour), which runs when named: BENCH_PHASES=scale.
 */
export const DEFAULT_PHASES = PHASES.filter((p) => p !== 'scale');

export interface BenchConfig {
  /** Multiplies every count (not the targets); 1 is the full run the targets are judged on. */
  scale: number;
  /** Database that may create and drop `painchain_bench`. */
  adminUrl: string;
  benchDbName: string;
  /** Write figures and their baselines alternate in this many rounds (BENCH_ROUNDS). */
  rounds: number;
  /** Phases to run (BENCH_PHASES=ingest,single), all by default; for profiling one of them. */
  phases: ReadonlySet<Phase>;
  /** When set, the collector child runs with --cpu-prof and writes its profile here. */
  cpuProfDir: string | undefined;
  /** Extra node flags for the collector child (BENCH_COLLECTOR_FLAGS, space-separated). */
  collectorFlags: string[];

  batchEvents: number;
  batchSize: number;
  /** Batches in flight, for the HTTP ingest and for the raw INSERT alike. */
  batchConcurrency: number;
  singleRequests: number;
  /** The single-event SQL diagnostics need fewer requests to settle than the HTTP figure. */
  singleDiagnosticRequests: number;
  singleConcurrency: number;
  /** Events in the store (at least) before the query and drilldown latencies are measured. */
  storeEvents: number;
  /** How far back the filled events reach. */
  storeDays: number;
  queries: number;
  /** Queries sent before the measured ones, not counted (lazy compilation, cold caches). */
  queryWarmup: number;
  queryConcurrency: number;
  queryWindowHours: number;
  queryLimit: number;
  /** Facet lookups measured after the list queries: fewer, each counts a week of events. */
  facetQueries: number;
  /** Lookups of each query shape over the scale store (BENCH_PHASES=scale). */
  scaleQueries: number;
  /** Projects the store's fill draws from (the scale store has 500). */
  storeProjects: readonly string[] | undefined;
  /** Chains, and as many suspect rankings, measured after the queries on the same store. */
  drilldownLookups: number;
  drilldownWarmup: number;
  drilldownConcurrency: number;
  /** Alerts fire up to this long after the production change their scope is drawn from. */
  alertDelayMaxMinutes: number;
  /** Delivery answers measured (after the drilldown, on the same store), and their range. */
  deliveryLookups: number;
  deliveryWarmup: number;
  deliveryConcurrency: number;
  deliveryDays: number;

  /** Signed webhooks sent one after another, each polled for until the events list shows it. */
  visibilityProbes: number;
  /** Single-event POST senders keeping the store busy meanwhile. */
  visibilitySenders: number;
  visibilityPollMs: number;

  /** The embedded store (PGlite): fewer events than on PostgreSQL, one connection does it all. */
  pgliteBatchEvents: number;
  pgliteSingleRequests: number;
  /** Events ingested (through HTTP) before its list queries run. */
  pgliteStoreEvents: number;

  /** The mixed load (issue 9): concurrent senders and readers, for this long. */
  loadSenders: number;
  loadReaders: number;
  loadSeconds: number;
  loadBatchSize: number;

  /** No phase may run longer than this; a cut-short phase is reported as such. */
  phaseTimeoutMs: number;
  /** The whole run is killed after this. */
  totalTimeoutMs: number;
}

/** The targets on the reference 2-core machine. */
export const TARGETS = {
  ingestMinEventsPerSecond: 20_000,
  /** Issue 15: batch ingest at 0.85 × the raw INSERT rate of the same run (first 0.5). */
  ingestMinRatioToRaw: 0.85,
  singleMinEventsPerSecond: 5_000,
  /** The seed's NestJS backend on the same machine, single-event POSTs. */
  singleBaselineEventsPerSecond: 500,
  rssMaxMb: 150,
  /** Issue 15: list p99 through HTTP (first 20 ms), and at most 1.5 × the same SQL's p99. */
  queryP99MaxMs: 10,
  queryMaxRatioToSql: 1.5,
  /** A Grafana variable's values (GET /api/v1/facets/:field) over a week of the filled store. */
  facetP99MaxMs: 20,
  /** From a webhook's 2xx answer until GET /api/v1/events lists its change, the store busy. */
  webhookVisibleP99MaxMs: 100,
  /** Issue 13: chain and suspects p99 through HTTP over the 1,000,000-event store. */
  drilldownP99MaxMs: 50,
  /** Issue 18: a 90-day delivery answer p99 through HTTP over the 1,000,000-event store. */
  deliveryP99MaxMs: 200,
  /** Issue 9: the collector's RSS peak under the 200-sender load. */
  loadRssPeakMaxMb: 200,
  storeMinEvents: 1_000_000,
} as const;

import { SCALE_PROJECTS } from './scale-projects.js';

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
}

export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const scale = positive(env, 'BENCH_SCALE', 1);
  if (scale > 10) throw new Error('BENCH_SCALE above 10 would run far longer than intended');
  const scaled = (n: number, min: number) => Math.max(min, Math.round(n * scale));
  const batchSize = 500;
  const phases = env.BENCH_PHASES
    ? env.BENCH_PHASES.split(',').map((p) => p.trim())
    : [...DEFAULT_PHASES];
  for (const p of phases)
    if (!(PHASES as readonly string[]).includes(p))
      throw new Error(`BENCH_PHASES: unknown phase ${p}; use ${PHASES.join(', ')}`);
  const atScale = phases.includes('scale');
  return {
    scale,
    adminUrl: env.PAINCHAIN_BENCH_ADMIN_URL || DEFAULT_ADMIN_URL,
    benchDbName: 'painchain_bench',
    phases: new Set(phases as Phase[]),
    rounds: Math.round(positive(env, 'BENCH_ROUNDS', 2)),
    cpuProfDir: env.BENCH_CPU_PROF || undefined,
    collectorFlags: (env.BENCH_COLLECTOR_FLAGS ?? '').split(/\s+/).filter(Boolean),
    // Whole batches only, so that every statement and request carries exactly batchSize rows.
    batchEvents: scaled(200_000 / batchSize, 4) * batchSize,
    batchSize,
    batchConcurrency: positive(env, 'BENCH_CONCURRENCY', 4),
    singleRequests: scaled(20_000, 500),
    singleDiagnosticRequests: scaled(5_000, 500),
    singleConcurrency: 32,
    // The scale phase's store: 10,000,000 changes over 18 months and 500 projects.
    storeEvents: atScale ? scaled(10_000_000, 100_000) : scaled(1_000_000, 10_000),
    storeDays: atScale ? 548 : 90,
    storeProjects: atScale ? SCALE_PROJECTS : undefined,
    scaleQueries: scaled(500, 50),
    queries: scaled(2_000, 200),
    queryWarmup: 50,
    queryConcurrency: 4,
    queryWindowHours: 6,
    queryLimit: 100,
    facetQueries: scaled(500, 50),
    drilldownLookups: scaled(500, 100),
    drilldownWarmup: 20,
    drilldownConcurrency: 4,
    alertDelayMaxMinutes: 60,
    deliveryLookups: scaled(40, 10),
    visibilityProbes: scaled(200, 20),
    visibilitySenders: 16,
    visibilityPollMs: 2,
    pgliteBatchEvents: scaled(50_000 / batchSize, 4) * batchSize,
    pgliteSingleRequests: scaled(5_000, 500),
    pgliteStoreEvents: scaled(100_000 / batchSize, 20) * batchSize,
    loadSenders: 200,
    loadReaders: 4,
    loadSeconds: scaled(60, 10),
    loadBatchSize: 20,
    deliveryWarmup: 2,
    // A dashboard asks for its panels at once; four is the drilldown's concurrency too.
    deliveryConcurrency: 4,
    deliveryDays: 90,
    // The scale store's fill and index builds take minutes a statement, and the run most of an hour.
    phaseTimeoutMs: atScale ? 60 * 60_000 : 120_000,
    totalTimeoutMs: atScale ? 100 * 60_000 : 15 * 60_000,
  };
}
