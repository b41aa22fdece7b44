// Figure 5: list latency through GET /api/v1/events for a random window with one filter, over a
// store filled to at least `storeEvents`; and the same statements straight on PostgreSQL.
import pg from 'pg';
import { Pool as HttpPool } from 'undici';
import type { BenchConfig } from './bench-config.js';
import { PROJECTS, SERVICES, prng } from '../src/sample/event-generator.js';
import { DEFAULT_FACET_LIMIT } from '../src/routes/facets-routes.js';
import type { CpuSplit } from './cpu-usage.js';
import { percentile, runLoad, type LoadResult } from './load.js';
import { facetStatement, listStatement } from './store-statements.js';
import { TENANT } from './write-phases.js';

const QUERY_SEED = 777;

export interface QuerySpec {
  from: Date;
  to: Date;
  field: 'service' | 'project';
  value: string;
}

export interface LatencyResult {
  load: LoadResult;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Mean events per answer. */
  meanRows: number;
  cpu: CpuSplit;
}

/** Random windows inside the filled span, half filtered by service, half by project. */
export function querySpecs(
  cfg: BenchConfig,
  now: number,
  count: number,
  seed: number,
): QuerySpec[] {
  const rand = prng(seed);
  const windowMs = cfg.queryWindowHours * 3_600_000;
  const spanMs = cfg.storeDays * 86_400_000 - windowMs;
  return Array.from({ length: count }, (_, i) => {
    const to = new Date(now - Math.floor(rand() * spanMs));
    const field = i % 2 === 0 ? 'service' : 'project';
    const values = field === 'service' ? SERVICES : PROJECTS;
    return {
      from: new Date(to.getTime() - windowMs),
      to,
      field,
      value: values[Math.floor(rand() * values.length)]!,
    } satisfies QuerySpec;
  });
}

/** The measured queries, and a few others first so that lazy compilation is not measured. */
export function queryPlan(cfg: BenchConfig, now: number): LookupPlan<QuerySpec> {
  return {
    warmup: querySpecs(cfg, now, cfg.queryWarmup, QUERY_SEED + 1),
    measured: querySpecs(cfg, now, cfg.queries, QUERY_SEED),
  };
}

function summarizeLatency(load: LoadResult, rows: number, cpu: CpuSplit): LatencyResult {
  const ok = load.done - load.failed;
  return {
    load,
    p50Ms: percentile(load.latenciesMs, 50),
    p99Ms: percentile(load.latenciesMs, 99),
    maxMs: Math.max(...load.latenciesMs),
    meanRows: ok > 0 ? rows / ok : 0,
    cpu,
  };
}

/** A warm-up run unmeasured (lazy compilation, cold caches), then the measured lookups. */
export interface LookupPlan<S> {
  warmup: S[];
  measured: S[];
}

/**
 * Runs the warm-up unmeasured, then the measured lookups, `concurrency` in flight; `query`
 * answers the rows it got. The query and drilldown figures share it.
 */
export async function measureLatency<S>(
  opts: { concurrency: number; timeoutMs: number },
  startCpu: () => () => CpuSplit,
  plan: LookupPlan<S>,
  query: (spec: S) => Promise<number>,
): Promise<LatencyResult> {
  await runLoad({ ...opts, tasks: plan.warmup.length }, async (i) => {
    await query(plan.warmup[i]!);
  });
  let rows = 0;
  const cpuSince = startCpu();
  const load = await runLoad(
    { ...opts, tasks: plan.measured.length, recordLatency: true },
    async (i) => {
      const n = await query(plan.measured[i]!);
      rows += n;
    },
  );
  return summarizeLatency(load, rows, cpuSince());
}

export const queryLoad = (cfg: BenchConfig) => ({
  concurrency: cfg.queryConcurrency,
  timeoutMs: cfg.phaseTimeoutMs,
});

/**
 * GETs through the HTTP API with the query phase's concurrency, answers read whole; the length
 * of the answer's `listKey` list counts as its rows.
 */
export async function httpLookups<S>(
  cfg: BenchConfig,
  startCpu: () => () => CpuSplit,
  origin: string,
  plan: LookupPlan<S>,
  pathOf: (spec: S) => string,
  listKey: string,
): Promise<LatencyResult> {
  const http = new HttpPool(origin, { connections: cfg.queryConcurrency, pipelining: 1 });
  try {
    return await measureLatency(queryLoad(cfg), startCpu, plan, async (spec) => {
      const path = pathOf(spec);
      const res = await http.request({ method: 'GET', path });
      const text = await res.body.text();
      if (res.statusCode !== 200)
        throw new Error(`GET ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`);
      const list = (JSON.parse(text) as Record<string, unknown>)[listKey];
      if (!Array.isArray(list)) throw new Error(`GET ${path} answered no "${listKey}" list`);
      return list.length;
    });
  } finally {
    await http.close();
  }
}

/** Through the HTTP API: the latency a Grafana panel sees, answer fully read. */
export async function httpQueries(
  cfg: BenchConfig,
  startCpu: () => () => CpuSplit,
  origin: string,
  plan: LookupPlan<QuerySpec>,
): Promise<LatencyResult> {
  const pathOf = (s: QuerySpec) => {
    const q = new URLSearchParams({
      from: s.from.toISOString(),
      to: s.to.toISOString(),
      [s.field]: s.value,
      limit: String(cfg.queryLimit),
    });
    return `/api/v1/events?${q.toString()}`;
  };
  return httpLookups(cfg, startCpu, origin, plan, pathOf, 'events');
}

/** The statements EventStore.list issues for the same specs, straight on PostgreSQL. */
export async function sqlQueries(
  cfg: BenchConfig,
  startCpu: () => () => CpuSplit,
  pool: pg.Pool,
  plan: LookupPlan<QuerySpec>,
): Promise<LatencyResult> {
  return measureLatency(queryLoad(cfg), startCpu, plan, async (spec) => {
    const filter = { from: spec.from, to: spec.to, [spec.field]: [spec.value] };
    const { sql, params } = await listStatement(TENANT, filter, cfg.queryLimit);
    // The store asks for one row more than the page to know whether another page follows.
    return Math.min(cfg.queryLimit, (await pool.query(sql, params)).rowCount ?? 0);
  });
}

const FACET_SEED = 919;
/** A Grafana variable's default range: the dashboards' week. */
export const FACET_WINDOW_DAYS = 7;
const FACET_WINDOW_MS = FACET_WINDOW_DAYS * 86_400_000;
/** The variables the dashboards offer, asked in turn. */
export const FACETS_ASKED = ['service', 'environment', 'kind'] as const;

export interface FacetSpec {
  field: (typeof FACETS_ASKED)[number];
  from: Date;
  to: Date;
}

/** A week ending at a random instant inside the filled span, the fields in turn. */
function facetSpecs(cfg: BenchConfig, now: number, count: number, seed: number): FacetSpec[] {
  const rand = prng(seed);
  const spanMs = cfg.storeDays * 86_400_000 - FACET_WINDOW_MS;
  return Array.from({ length: count }, (_, i) => {
    const to = new Date(now - Math.floor(rand() * spanMs));
    return {
      field: FACETS_ASKED[i % FACETS_ASKED.length]!,
      from: new Date(to.getTime() - FACET_WINDOW_MS),
      to,
    } satisfies FacetSpec;
  });
}

/** The measured facet lookups, after a warm-up as long as the list queries'. */
export function facetPlan(cfg: BenchConfig, now: number): LookupPlan<FacetSpec> {
  return {
    warmup: facetSpecs(cfg, now, cfg.queryWarmup, FACET_SEED + 1),
    measured: facetSpecs(cfg, now, cfg.facetQueries, FACET_SEED),
  };
}

/** GET /api/v1/facets/:field through HTTP with the route's default limit, answer fully read. */
export async function httpFacets(
  cfg: BenchConfig,
  startCpu: () => () => CpuSplit,
  origin: string,
  plan: LookupPlan<FacetSpec>,
): Promise<LatencyResult> {
  const pathOf = (spec: FacetSpec) => {
    const q = new URLSearchParams({ from: spec.from.toISOString(), to: spec.to.toISOString() });
    return `/api/v1/facets/${spec.field}?${q.toString()}`;
  };
  return httpLookups(cfg, startCpu, origin, plan, pathOf, 'values');
}

/** The statement EventStore.facet issues for the same specs, straight on PostgreSQL. */
export async function sqlFacets(
  cfg: BenchConfig,
  startCpu: () => () => CpuSplit,
  pool: pg.Pool,
  plan: LookupPlan<FacetSpec>,
): Promise<LatencyResult> {
  return measureLatency(queryLoad(cfg), startCpu, plan, async (spec) => {
    const filter = { from: spec.from, to: spec.to };
    const { sql, params } = await facetStatement(TENANT, spec.field, filter, DEFAULT_FACET_LIMIT);
    return (await pool.query(sql, params)).rowCount ?? 0;
  });
}
