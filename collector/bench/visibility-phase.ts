// The `visibility` phase: how long after a webhook's 2xx answer its change shows in
// GET /api/v1/events, while single-event senders keep the store busy (as during a burst of CI
// steps). On a collector of its own with the GitHub connector, started as the load phase starts
// one. Probes go one after another, so each latency is one change's and not a queue's.
import { rm } from 'node:fs/promises';
import { Pool as HttpPool } from 'undici';
import { aGithubPush } from '../src/testing/github-examples.js';
import { TARGETS } from './bench-config.js';
import { log, type BenchContext } from './bench-context.js';
import { startCpuSplit } from './cpu-usage.js';
import { judge, loadFields, tidy } from './figures.js';
import { anEvent, signedPush, startGithubCollector } from './load-phase.js';
import { percentile, runLoad } from './load.js';

/** Probes sent before the measured ones, not counted (lazy compilation, cold caches). */
const WARMUP_PROBES = 5;
/** A change not listed this long after its webhook's answer counts as a failed probe. */
const PROBE_TIMEOUT_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PushPayload {
  head_commit: { message: string };
  repository: { pushed_at: number };
}

export async function measureVisibility(ctx: BenchContext, databaseUrl: string): Promise<void> {
  const { cfg } = ctx;
  const { collector, dir, secret } = await startGithubCollector(
    databaseUrl,
    cfg.collectorFlags,
    'painchain-bench-visibility-',
  );
  // The probe's webhook and its polls on connections of their own: they never queue behind
  // the background senders' requests in the benchmark process.
  const probeHttp = new HttpPool(collector.origin, { connections: 1, pipelining: 1 });
  const senderHttp = new HttpPool(collector.origin, {
    connections: cfg.visibilitySenders,
    pipelining: 1,
  });
  const background = { events: 0, errors: 0, firstError: undefined as string | undefined };
  let stopped = false;
  const sender = async (lane: number) => {
    for (let i = 0; !stopped; i += 1) {
      try {
        const res = await senderHttp.request({
          method: 'POST',
          path: '/api/v1/events',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(anEvent(`visible-${lane}-${i}`, Date.now())),
        });
        await res.body.text();
        if (res.statusCode !== 200 && res.statusCode !== 201)
          throw new Error(`POST /api/v1/events answered ${res.statusCode}`);
        background.events += 1;
      } catch (err) {
        background.errors += 1;
        background.firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };

  const visibleMs: number[] = [];
  const answerMs: number[] = [];
  let polls = 0;
  /** One signed push, then its change looked for in the events list until it is there. */
  const probe = async (n: number, measured: boolean) => {
    const { payload, externalId } = aGithubPush();
    const push = payload as unknown as PushPayload;
    // The list's text search (q) reads the title, which carries the head commit's first line:
    // words only this push has, so that the answer is this change or nothing.
    const words = `visibility probe ${externalId.slice(-16)}`;
    push.head_commit.message = `${words}\n\nsent by the benchmark`;
    // Pushed now, as a live push is: the example's 2019 date would rank the change below every
    // generated event of the newest-first list, and the probe would time a long scan instead.
    push.repository.pushed_at = Math.floor(Date.now() / 1000);
    const sent = performance.now();
    const res = await probeHttp.request({
      method: 'POST',
      path: '/webhooks/github',
      ...signedPush(secret, `visibility-${n}`, payload),
    });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300)
      throw new Error(`POST /webhooks/github answered ${res.statusCode}: ${text.slice(0, 300)}`);
    const answered = performance.now();
    // A panel's query always has a time range: the last five minutes here. Without one, the text
    // search may scan every GitHub change of the filled store (a second each).
    const q = new URLSearchParams({
      connector: 'github',
      q: words,
      from: new Date(Date.now() - 5 * 60_000).toISOString(),
      limit: '1',
    });
    const path = `/api/v1/events?${q.toString()}`;
    for (;;) {
      const list = await probeHttp.request({ method: 'GET', path });
      const body = await list.body.text();
      if (measured) polls += 1;
      if (list.statusCode !== 200)
        throw new Error(`GET ${path} answered ${list.statusCode}: ${body.slice(0, 300)}`);
      const events = (JSON.parse(body) as { events: { externalId?: string }[] }).events;
      if (events[0]?.externalId === externalId) {
        if (measured) {
          visibleMs.push(performance.now() - answered);
          answerMs.push(answered - sent);
        }
        return;
      }
      if (events.length > 0)
        throw new Error(`q=${words} listed another change: ${events[0]?.externalId}`);
      if (performance.now() - answered > PROBE_TIMEOUT_MS)
        throw new Error(`not listed ${PROBE_TIMEOUT_MS} ms after the webhook's answer`);
      await sleep(cfg.visibilityPollMs);
    }
  };

  log(
    `visibility: ${cfg.visibilityProbes} signed pushes one after another (after ${WARMUP_PROBES} unmeasured), each polled for every ${cfg.visibilityPollMs} ms, while ${cfg.visibilitySenders} senders POST single events`,
  );
  const senders = Array.from({ length: cfg.visibilitySenders }, (_, lane) => sender(lane));
  try {
    const opts = { concurrency: 1, timeoutMs: cfg.phaseTimeoutMs };
    await runLoad({ ...opts, tasks: WARMUP_PROBES }, (i) => probe(i, false));
    const eventsBefore = background.events;
    const cpuSince = startCpuSplit(collector.pid, cfg.benchDbName);
    const load = await runLoad({ ...opts, tasks: cfg.visibilityProbes }, (i) =>
      probe(WARMUP_PROBES + i, true),
    );
    const cpu = cpuSince();
    const backgroundEvents = background.events - eventsBefore;
    const p99 = percentile(visibleMs, 99);
    const target = { max: TARGETS.webhookVisibleP99MaxMs };
    ctx.emit({
      bench: 'webhook_visible_p99',
      value: p99,
      unit: 'ms',
      baseline: null,
      ...judge(p99, null, target, load.failed),
      target,
      p50_ms: tidy(percentile(visibleMs, 50)),
      max_ms: tidy(Math.max(...visibleMs)),
      probes: visibleMs.length,
      warmup_probes: WARMUP_PROBES,
      // 1 when every change was there at the first look: the webhook answers once it is stored.
      mean_polls: tidy(polls / Math.max(1, visibleMs.length)),
      poll_interval_ms: cfg.visibilityPollMs,
      webhook_answer_p50_ms: tidy(percentile(answerMs, 50)),
      webhook_answer_p99_ms: tidy(percentile(answerMs, 99)),
      background_senders: cfg.visibilitySenders,
      background_events_per_s: tidy(backgroundEvents / (load.elapsedMs / 1000)),
      background_errors: background.errors,
      ...(background.firstError ? { background_first_error: background.firstError } : {}),
      ...loadFields(load, cpu),
    });
  } finally {
    stopped = true;
    await Promise.all(senders);
    await probeHttp.close();
    await senderHttp.close();
    await collector.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
