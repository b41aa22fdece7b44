// The drilldown lookups over the filled store: chains of random deploys and suspect rankings for
// random production alerts, through GET /api/v1/events/:id/chain and GET /api/v1/suspects, and
// the statements each of them issues, traced once and replayed straight on PostgreSQL.
import type pg from 'pg';
import { Pool as HttpPool } from 'undici';
import { createConfig } from '../src/config/load-config.js';
import { drilldownFinders } from '../src/drilldown/drilldown-finders.js';
import { LinkStore, SIGNAL_KINDS } from '../src/store/link-store.js';
import type { BenchConfig } from './bench-config.js';
import type { CpuSplit } from './cpu-usage.js';
import { prng } from '../src/sample/event-generator.js';
import { runLoad } from './load.js';
import { measureLatency, type LatencyResult, type LookupPlan } from './query-phase.js';
import { replay, tracingDb, type TracedStatement } from './store-statements.js';
import { TENANT } from './write-phases.js';

const ROOT_SEED = 1313;
const ALERT_SEED = 2727;
/** Alert scopes are production alerts: the environment a drilldown is asked about. */
export const ALERT_ENVIRONMENT = 'production';

/** The collector's drilldown settings when painchain.yaml leaves them out, as the bench runs it. */
export const DRILLDOWN_DEFAULTS = createConfig({}).drilldown;

/** One lookup: what is asked, and the statements the collector's own code issued for it. */
export interface Traced<S> {
  spec: S;
  groups: TracedStatement[][];
  /** The size of the answer the code built in the trace: chain events, or suspects. */
  answer: number;
}

export interface ChainSpec {
  id: string;
}

export interface SuspectSpec {
  at: Date;
  service: string;
  environment: string;
}

/** What the answers through HTTP held, per measured lookup. */
export interface AnswerStats {
  /** Chain events, or suspects, per answer. */
  sizes: number[];
  /** Chains cut at maxEvents, or rankings with at least one suspect. */
  flagged: number;
  /** Answers whose size differs from the traced one (the replayed SQL then is not its SQL). */
  differing: number;
}

/** Ids of `count` deploys, a random pick from the store (the same pick for the same ids). */
async function pickDeploys(pool: pg.Pool, count: number, seed: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM events WHERE tenant = $1 AND kind = 'deploy'
      ORDER BY md5(id::text || $2) LIMIT $3`,
    [TENANT, String(seed), count],
  );
  return rows.map((r) => r.id);
}

/**
 * `count` alert scopes from the stored history: a production change of a service, picked at
 * random, and an alert on that service up to `delayMaxMinutes` after it (never after `now`).
 */
async function pickAlerts(
  pool: pg.Pool,
  count: number,
  seed: number,
  now: number,
  delayMaxMinutes: number,
): Promise<SuspectSpec[]> {
  const { rows } = await pool.query<{ ts: Date; service: string }>(
    `SELECT ts, service FROM events
      WHERE tenant = $1 AND environment = $2 AND service IS NOT NULL AND kind <> ALL($3::text[])
      ORDER BY md5(id::text || $4) LIMIT $5`,
    [TENANT, ALERT_ENVIRONMENT, [...SIGNAL_KINDS], String(seed), count],
  );
  const rand = prng(seed);
  return rows.map((r) => ({
    at: new Date(Math.min(now, r.ts.getTime() + Math.floor(rand() * delayMaxMinutes * 60_000))),
    service: r.service,
    environment: ALERT_ENVIRONMENT,
  }));
}

export async function chainPlan(cfg: BenchConfig, pool: pg.Pool): Promise<LookupPlan<ChainSpec>> {
  const measured = await pickDeploys(pool, cfg.drilldownLookups, ROOT_SEED);
  const warmup = await pickDeploys(pool, cfg.drilldownWarmup, ROOT_SEED + 1);
  return {
    warmup: warmup.map((id) => ({ id })),
    measured: measured.map((id) => ({ id })),
  };
}

export async function suspectPlan(
  cfg: BenchConfig,
  pool: pg.Pool,
  now: number,
): Promise<LookupPlan<SuspectSpec>> {
  const pick = (count: number, seed: number) =>
    pickAlerts(pool, count, seed, now, cfg.alertDelayMaxMinutes);
  return {
    warmup: await pick(cfg.drilldownWarmup, ALERT_SEED + 1),
    measured: await pick(cfg.drilldownLookups, ALERT_SEED),
  };
}

/** The chain finder and suspect ranking as the collector wires them. */
const finders = (links: LinkStore) => drilldownFinders(links, DRILLDOWN_DEFAULTS);

/**
 * Runs the collector's own code for every lookup of the plan in this process, over the bench
 * pool, recording the statements it issues (unmeasured; it also warms PostgreSQL's caches for
 * both sides alike).
 */
async function trace<S>(
  cfg: BenchConfig,
  pool: pg.Pool,
  plan: LookupPlan<S>,
  lookup: (f: ReturnType<typeof finders>, spec: S) => Promise<number>,
): Promise<LookupPlan<Traced<S>>> {
  const traceAll = async (specs: S[]) => {
    const traced: Traced<S>[] = new Array<Traced<S>>(specs.length);
    const load = await runLoad(
      { tasks: specs.length, concurrency: cfg.drilldownConcurrency, timeoutMs: cfg.phaseTimeoutMs },
      async (i) => {
        const { db, groups } = tracingDb(pool);
        const answer = await lookup(finders(new LinkStore(db)), specs[i]!);
        traced[i] = { spec: specs[i]!, groups, answer };
      },
    );
    if (load.failed > 0 || load.cutShort)
      throw new Error(
        `tracing the drilldown lookups failed: ${load.firstError ?? `cut short after ${load.done}`}`,
      );
    return traced;
  };
  return { warmup: await traceAll(plan.warmup), measured: await traceAll(plan.measured) };
}

export function traceChains(
  cfg: BenchConfig,
  pool: pg.Pool,
  plan: LookupPlan<ChainSpec>,
): Promise<LookupPlan<Traced<ChainSpec>>> {
  return trace(cfg, pool, plan, async ({ chains }, spec) => {
    const chain = await chains.chainOf(TENANT, spec.id);
    if (!chain) throw new Error(`no event ${spec.id} in the store`);
    return chain.events.length;
  });
}

export function traceSuspects(
  cfg: BenchConfig,
  pool: pg.Pool,
  plan: LookupPlan<SuspectSpec>,
): Promise<LookupPlan<Traced<SuspectSpec>>> {
  const lookbackMs = DRILLDOWN_DEFAULTS.lookbackMinutes * 60_000;
  return trace(cfg, pool, plan, async ({ suspects }, spec) => {
    const answer = await suspects.rank(TENANT, spec, lookbackMs);
    return answer.suspects.length;
  });
}

/** How one kind of lookup is asked through HTTP and what its answer holds. */
export interface HttpLookup<S> {
  pathOf: (spec: S) => string;
  /** The answer's size (chain events, suspects) and its flag (truncated, has suspects). */
  read: (body: unknown) => { size: number; flagged: boolean };
}

export const CHAIN_LOOKUP: HttpLookup<ChainSpec> = {
  pathOf: (spec) => `/api/v1/events/${spec.id}/chain`,
  read: (body) => {
    const chain = body as { events: unknown[]; truncated: boolean };
    return { size: chain.events.length, flagged: chain.truncated };
  },
};

export const SUSPECT_LOOKUP: HttpLookup<SuspectSpec> = {
  pathOf: (spec) => {
    const q = new URLSearchParams({
      at: spec.at.toISOString(),
      service: spec.service,
      environment: spec.environment,
      lookback: `${DRILLDOWN_DEFAULTS.lookbackMinutes}m`,
    });
    return `/api/v1/suspects?${q.toString()}`;
  },
  read: (body) => {
    const answer = body as { suspects: unknown[]; verdict: string };
    return { size: answer.suspects.length, flagged: answer.verdict === 'suspects' };
  },
};

/** Every lookup of the plan through HTTP, answers read whole and checked; their sizes kept. */
export async function httpLookups<S>(
  cfg: BenchConfig,
  startCpu: () => () => CpuSplit,
  origin: string,
  plan: LookupPlan<Traced<S>>,
  lookup: HttpLookup<S>,
): Promise<{ latency: LatencyResult; answers: AnswerStats }> {
  const http = new HttpPool(origin, { connections: cfg.drilldownConcurrency, pipelining: 1 });
  const answers: AnswerStats = { sizes: [], flagged: 0, differing: 0 };
  const measured = new Set(plan.measured);
  try {
    const latency = await measureLatency(
      { concurrency: cfg.drilldownConcurrency, timeoutMs: cfg.phaseTimeoutMs },
      startCpu,
      plan,
      async (traced) => {
        const path = lookup.pathOf(traced.spec);
        const res = await http.request({ method: 'GET', path });
        const text = await res.body.text();
        if (res.statusCode !== 200)
          throw new Error(`GET ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`);
        const { size, flagged } = lookup.read(JSON.parse(text));
        if (measured.has(traced)) {
          answers.sizes.push(size);
          if (flagged) answers.flagged += 1;
          if (size !== traced.answer) answers.differing += 1;
        }
        return size;
      },
    );
    return { latency, answers };
  } finally {
    await http.close();
  }
}

/** The traced statements of every lookup, replayed straight on PostgreSQL through `pg`. */
export function sqlLookups<S>(
  cfg: BenchConfig,
  startCpu: () => () => CpuSplit,
  pool: pg.Pool,
  plan: LookupPlan<Traced<S>>,
): Promise<LatencyResult> {
  return measureLatency(
    { concurrency: cfg.drilldownConcurrency, timeoutMs: cfg.phaseTimeoutMs },
    startCpu,
    plan,
    (traced) => replay(pool, traced.groups),
  );
}
