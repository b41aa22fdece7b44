// The `load` phase (issue 9): 200 concurrent senders post signed GitHub webhooks, single events
// and batches for a bounded time while readers run Grafana-shaped queries, against a collector
// of its own (fresh, so its RSS peak is this load's). Reported: throughput, p50/p99 per kind,
// errors, events acknowledged but not stored (lost) or stored twice (duplicated), RSS peak.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { aGithubPush } from '../src/testing/github-examples.js';
import { TARGETS } from './bench-config.js';
import { log, type BenchContext } from './bench-context.js';
import { CollectorProcess } from './collector-process.js';
import { startCpuSplit } from './cpu-usage.js';
import { tidy } from './figures.js';
import { percentile } from './load.js';

type Kind = 'webhook' | 'single' | 'batch' | 'query';
const KINDS: readonly Kind[] = ['webhook', 'single', 'batch', 'query'];
const SECRET_VARIABLE = 'PAINCHAIN_BENCH_WEBHOOK_SECRET';

interface Tally {
  latenciesMs: number[];
  errors: number;
  firstError?: string;
  events: number;
}

export function anEvent(externalId: string, now: number) {
  return {
    externalId,
    connector: 'bench-load',
    title: `load ${externalId}`,
    project: 'bench/load',
    service: `load-${externalId.length % 7}`,
    environment: 'production',
    kind: 'deploy',
    status: 'succeeded',
    timestamp: new Date(now).toISOString(),
  };
}

/**
 * A collector of its own on `databaseUrl` with the GitHub connector, its webhooks signed with a
 * fresh secret; `dir` (its config and data folder) is the caller's to remove.
 */
export async function startGithubCollector(
  databaseUrl: string,
  nodeFlags: readonly string[],
  folderPrefix: string,
): Promise<{ collector: CollectorProcess; dir: string; secret: string }> {
  const dir = await mkdtemp(join(os.tmpdir(), folderPrefix));
  const secret = randomBytes(16).toString('hex');
  const configFile = join(dir, 'painchain.yaml');
  await writeFile(
    configFile,
    // GitHub's example push is from 2019: keep it, whatever the retention window thinks.
    `store:\n  retentionDays: 36500\nconnectors:\n  - name: github\n    type: github\n    options:\n      webhookSecret: \${${SECRET_VARIABLE}}\n`,
  );
  const collector = await CollectorProcess.start({
    databaseUrl,
    dataDir: join(dir, 'data'),
    configFile,
    env: { [SECRET_VARIABLE]: secret },
    nodeFlags,
  });
  return { collector, dir, secret };
}

/** Body and headers of a push delivery to POST /webhooks/github, signed as GitHub signs it. */
export function signedPush(
  secret: string,
  delivery: string,
  payload: unknown,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': delivery,
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
  };
}

export async function measureLoad(ctx: BenchContext, databaseUrl: string): Promise<void> {
  const { cfg } = ctx;
  const { collector, dir, secret } = await startGithubCollector(
    databaseUrl,
    cfg.collectorFlags,
    'painchain-bench-load-',
  );
  const base = collector.origin;
  const tally = (): Tally => ({ latenciesMs: [], errors: 0, events: 0 });
  const tallies: Record<Kind, Tally> = {
    webhook: tally(),
    single: tally(),
    batch: tally(),
    query: tally(),
  };
  const acknowledged: string[] = [];
  const idleRss = collector.rssMb();
  log(
    `load: ${cfg.loadSenders} senders (signed webhooks, single events, batches of ${cfg.loadBatchSize}) and ${cfg.loadReaders} readers for ${cfg.loadSeconds} s; collector RSS ${tidy(idleRss)} MB idle`,
  );

  const timed = async (kind: Kind, events: number, send: () => Promise<Response>) => {
    const started = performance.now();
    try {
      const res = await send();
      await res.arrayBuffer();
      if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status}`);
      tallies[kind].latenciesMs.push(performance.now() - started);
      tallies[kind].events += events;
      return true;
    } catch (err) {
      tallies[kind].errors += 1;
      tallies[kind].firstError ??= err instanceof Error ? err.message : String(err);
      return false;
    }
  };

  const deadline = performance.now() + cfg.loadSeconds * 1000;
  const stopCpu = startCpuSplit(collector.pid, cfg.benchDbName);
  const sender = async (lane: number) => {
    for (let i = 0; performance.now() < deadline; i += 1) {
      const id = `load-${lane}-${i}`;
      switch ((lane + i) % 3) {
        case 0: {
          const { payload, externalId } = aGithubPush();
          const ok = await timed('webhook', 1, () =>
            fetch(`${base}/webhooks/github`, {
              method: 'POST',
              ...signedPush(secret, id, payload),
            }),
          );
          if (ok) acknowledged.push(externalId);
          break;
        }
        case 1: {
          const ok = await timed('single', 1, () =>
            fetch(`${base}/api/v1/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(anEvent(id, Date.now())),
            }),
          );
          if (ok) acknowledged.push(id);
          break;
        }
        default: {
          const ids = Array.from({ length: cfg.loadBatchSize }, (_, k) => `${id}-${k}`);
          const ok = await timed('batch', ids.length, () =>
            fetch(`${base}/api/v1/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ events: ids.map((e) => anEvent(e, Date.now())) }),
            }),
          );
          if (ok) acknowledged.push(...ids);
        }
      }
    }
  };
  const reader = async (lane: number) => {
    for (let i = 0; performance.now() < deadline; i += 1) {
      const to = new Date();
      const from = new Date(to.getTime() - cfg.queryWindowHours * 3_600_000);
      const range = `from=${from.toISOString()}&to=${to.toISOString()}`;
      // A timeline panel's query, then a variable's facet, as Grafana sends them on a refresh.
      const path =
        (lane + i) % 2 === 0
          ? `/api/v1/events?${range}&limit=${cfg.queryLimit}&environment=production`
          : `/api/v1/facets/service?${range}`;
      await timed('query', 0, () => fetch(`${base}${path}`));
    }
  };
  const started = performance.now();
  await Promise.all([
    ...Array.from({ length: cfg.loadSenders }, (_, lane) => sender(lane)),
    ...Array.from({ length: cfg.loadReaders }, (_, lane) => reader(lane)),
  ]);
  const seconds = (performance.now() - started) / 1000;
  const cpu = stopCpu();
  const peakRss = collector.peakRssMb;

  // Every acknowledged change must be in the store exactly once (webhooks: no spool involved
  // here, the store is up; the check is that nothing answered 2xx went missing).
  const { rows } = await ctx.pool.query<{ external_id: string; n: number }>(
    `SELECT external_id, count(*)::int AS n FROM events
      WHERE tenant = 'default' AND external_id = ANY($1::text[]) GROUP BY external_id`,
    [acknowledged],
  );
  const stored = new Map(rows.map((r) => [r.external_id, r.n]));
  const lost = acknowledged.filter((id) => !stored.has(id)).length;
  const duplicated = rows.reduce((n, r) => n + (r.n > 1 ? r.n - 1 : 0), 0);
  await collector.stop();
  await rm(dir, { recursive: true, force: true });

  const errors = KINDS.reduce((n, k) => n + tallies[k].errors, 0);
  const otherLoad = tidy(cpu.other_s / (seconds * os.cpus().length));
  const common = {
    senders: cfg.loadSenders,
    readers: cfg.loadReaders,
    seconds: tidy(seconds),
    other_load: otherLoad,
  };
  const events = tallies.webhook.events + tallies.single.events + tallies.batch.events;
  ctx.emit({
    bench: 'load_ingest_throughput',
    value: events / seconds,
    unit: 'events/s',
    baseline: null,
    ratio: null,
    target: null,
    met: null,
    requests: KINDS.filter((k) => k !== 'query').reduce(
      (n, k) => n + tallies[k].latenciesMs.length,
      0,
    ),
    events,
    cpu,
    ...common,
    note: 'diagnostic: acknowledged events per second from all senders together',
  });
  for (const kind of KINDS) {
    const t = tallies[kind];
    ctx.emit({
      bench: `load_${kind}_latency_p99`,
      value: percentile(t.latenciesMs, 99),
      unit: 'ms',
      baseline: null,
      ratio: null,
      target: null,
      met: null,
      p50_ms: tidy(percentile(t.latenciesMs, 50)),
      requests: t.latenciesMs.length,
      per_second: tidy(t.latenciesMs.length / seconds),
      errors: t.errors,
      ...(t.firstError ? { first_error: t.firstError } : {}),
      ...common,
    });
  }
  const judged = (bench: string, value: number, unit: string, max: number, extra = {}) =>
    ctx.emit({
      bench,
      value,
      unit,
      baseline: null,
      ratio: null,
      target: { max },
      met: value <= max,
      ...extra,
      ...common,
    });
  judged('load_errors', errors, 'requests', 0);
  judged('load_lost_events', lost, 'events', 0, { acknowledged: acknowledged.length });
  judged('load_duplicated_events', duplicated, 'events', 0);
  judged('load_rss_peak', peakRss, 'MB', TARGETS.loadRssPeakMaxMb, { idle_mb: tidy(idleRss) });
}
