// Issue 16's store at scale (BENCH_PHASES=scale; not part of the default run, it takes most of
// an hour): 10,000,000 changes over 18 months and 500 projects in the partitioned change table,
// then the queries a Grafana dashboard sends — 6-hour and 7-day windows with one and three
// filters, a text search, a variable's values — through HTTP and the same statements straight on
// PostgreSQL, each shape's p99 against 20 ms; the chain and suspect figures of the drilldown phase
// run on the same store after it. The store's size on disk is reported with them.
import type pg from 'pg';
import type { BenchContext } from './bench-context.js';
import { log } from './bench-context.js';
import { judge, tidy } from './figures.js';
import {
  httpLookups,
  measureLatency,
  queryLoad,
  type LatencyResult,
  type LookupPlan,
} from './query-phase.js';
import { facetStatement, listStatement } from './store-statements.js';
import { TENANT } from './write-phases.js';
import { DEFAULT_FACET_LIMIT } from '../src/routes/facets-routes.js';
import { ENVIRONMENTS, SERVICES, SUBJECTS, prng } from '../src/sample/event-generator.js';
import type { EventFilter, FacetField } from '../src/store/event-store.js';
import { SCALE_PROJECTS } from './scale-projects.js';

/** Issue 16: every Grafana-shaped query over the 10,000,000-change store. */
export const SCALE_QUERY_P99_MAX_MS = 20;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const KINDS = ['deploy', 'pipeline', 'merge', 'push'] as const;

interface Lookup {
  filter: EventFilter;
  /** A facet lookup names its field; a list lookup none. */
  facet?: FacetField;
}

interface Shape {
  name: string;
  windowMs: number;
  make: (rand: () => number, filter: EventFilter) => Lookup;
}

const pick = <T>(rand: () => number, list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
/** Skewed toward the first entries, as the fill draws projects. */
const skewed = <T>(rand: () => number, list: readonly T[]) =>
  list[Math.floor(rand() * rand() * list.length)]!;

const SHAPES: Shape[] = [
  {
    name: '6h_one_filter',
    windowMs: 6 * HOUR_MS,
    make: (rand, f) => ({ filter: { ...f, service: [pick(rand, SERVICES)] } }),
  },
  {
    name: '6h_three_filters',
    windowMs: 6 * HOUR_MS,
    make: (rand, f) => ({
      filter: {
        ...f,
        service: [pick(rand, SERVICES)],
        environment: [pick(rand, ENVIRONMENTS)],
        kind: [pick(rand, KINDS)],
      },
    }),
  },
  {
    name: '7d_one_filter',
    windowMs: 7 * DAY_MS,
    make: (rand, f) => ({ filter: { ...f, project: [skewed(rand, SCALE_PROJECTS)] } }),
  },
  {
    name: '7d_three_filters',
    windowMs: 7 * DAY_MS,
    make: (rand, f) => ({
      filter: {
        ...f,
        project: [skewed(rand, SCALE_PROJECTS)],
        environment: [pick(rand, ENVIRONMENTS)],
        kind: [pick(rand, KINDS)],
      },
    }),
  },
  {
    name: '6h_text_search',
    windowMs: 6 * HOUR_MS,
    // A word of a commit subject, as someone types it into the panel's search box.
    make: (rand, f) => ({
      filter: {
        ...f,
        q: pick(
          rand,
          pick(rand, SUBJECTS)
            .split(' ')
            .filter((w) => w.length > 3),
        ),
      },
    }),
  },
  {
    name: '7d_facet_service',
    windowMs: 7 * DAY_MS,
    make: (_rand, f) => ({ filter: f, facet: 'service' }),
  },
];

/** Lookups of one shape at random instants of the filled span. */
function lookups(shape: Shape, spanMs: number, now: number, count: number, seed: number): Lookup[] {
  const rand = prng(seed);
  return Array.from({ length: count }, () => {
    const to = new Date(now - Math.floor(rand() * (spanMs - shape.windowMs)));
    return shape.make(rand, { from: new Date(to.getTime() - shape.windowMs), to });
  });
}

/** The API's query string for a lookup (a list repeats a parameter per value). */
function pathOf(lookup: Lookup, limit: number): string {
  const { filter } = lookup;
  const q = new URLSearchParams();
  if (filter.from) q.set('from', filter.from.toISOString());
  if (filter.to) q.set('to', filter.to.toISOString());
  for (const field of ['project', 'service', 'environment', 'kind'] as const)
    for (const value of filter[field] ?? []) q.append(field, value);
  if (filter.q) q.set('q', filter.q);
  if (lookup.facet) return `/api/v1/facets/${lookup.facet}?${q.toString()}`;
  q.set('limit', String(limit));
  return `/api/v1/events?${q.toString()}`;
}

async function sqlLookups(
  ctx: BenchContext,
  pool: pg.Pool,
  plan: LookupPlan<Lookup>,
): Promise<LatencyResult> {
  const { cfg } = ctx;
  return measureLatency(queryLoad(cfg), ctx.startCpu, plan, async (lookup) => {
    const { sql, params } = lookup.facet
      ? await facetStatement(TENANT, lookup.facet, lookup.filter, DEFAULT_FACET_LIMIT)
      : await listStatement(TENANT, lookup.filter, cfg.queryLimit);
    return (await pool.query(sql, params)).rowCount ?? 0;
  });
}

/** The store's size: the change table's partitions, the keys, and the whole database. */
async function storeSize(pool: pg.Pool) {
  const { rows } = await pool.query<{
    events: string;
    keys: string;
    database: string;
    partitions: number;
  }>(
    `SELECT (SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits
              WHERE inhparent = 'events'::regclass)::text AS events,
            pg_total_relation_size('event_keys')::text AS keys,
            pg_database_size(current_database())::text AS database,
            (SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'events'::regclass) AS partitions`,
  );
  const mb = (bytes: string | undefined) => tidy(Number(bytes ?? 0) / 1024 / 1024);
  const row = rows[0]!;
  return {
    events_mb: mb(row.events),
    keys_mb: mb(row.keys),
    database_mb: mb(row.database),
    partitions: row.partitions,
  };
}

/** Every shape's p99 over the filled store; the store's size. */
export async function measureScale(ctx: BenchContext, storeEvents: number): Promise<void> {
  const { cfg, now, pool, collector } = ctx;
  const spanMs = cfg.storeDays * DAY_MS;
  const size = await storeSize(pool);
  ctx.emit({
    bench: 'scale_store_size',
    value: size.database_mb,
    unit: 'MB',
    baseline: null,
    ...judge(size.database_mb, null, {}),
    target: {},
    ...size,
    store_events: storeEvents,
    days: cfg.storeDays,
    projects: SCALE_PROJECTS.length,
  });
  for (const [i, shape] of SHAPES.entries()) {
    const plan: LookupPlan<Lookup> = {
      warmup: lookups(shape, spanMs, now, cfg.queryWarmup, 5000 + i),
      measured: lookups(shape, spanMs, now, cfg.scaleQueries, 6000 + i),
    };
    log(`scale: ${shape.name}, ${plan.measured.length} lookups, ${cfg.queryConcurrency} in flight`);
    const viaHttp = await httpLookups(
      cfg,
      ctx.startCpu,
      collector.origin,
      plan,
      (l) => pathOf(l, cfg.queryLimit),
      shape.name.includes('facet') ? 'values' : 'events',
    );
    const viaSql = await sqlLookups(ctx, pool, plan);
    const target = { max: SCALE_QUERY_P99_MAX_MS };
    ctx.emit({
      bench: `scale_query_${shape.name}_p99`,
      value: viaHttp.p99Ms,
      unit: 'ms',
      baseline: tidy(viaSql.p99Ms),
      baseline_name: 'the same statement straight on PostgreSQL (p99)',
      ...judge(viaHttp.p99Ms, viaSql.p99Ms, target, viaHttp.load.failed),
      target,
      p50_ms: tidy(viaHttp.p50Ms),
      sql_p50_ms: tidy(viaSql.p50Ms),
      mean_rows: tidy(viaHttp.meanRows),
      queries: viaHttp.load.done,
      failed: viaHttp.load.failed,
      store_events: storeEvents,
    });
  }
}
