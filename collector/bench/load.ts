// Runs numbered tasks with a fixed number in flight, bounded in time, and measures them.

export interface LoadResult {
  /** Tasks that finished (successfully or not). */
  done: number;
  failed: number;
  /** The first failure, to tell what went wrong. */
  firstError?: string;
  elapsedMs: number;
  /** Per-task latency in ms, in completion order (only when asked for). */
  latenciesMs: number[];
  /** The deadline stopped the run before every task ran. */
  cutShort: boolean;
}

export interface LoadOptions {
  tasks: number;
  concurrency: number;
  /** No new task starts after this many ms; tasks in flight finish. */
  timeoutMs: number;
  recordLatency?: boolean;
}

/** Runs task(0..tasks-1), `concurrency` at a time; a failure is counted, not thrown. */
export async function runLoad(
  opts: LoadOptions,
  task: (i: number) => Promise<void>,
): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  let cutShort = false;
  const start = performance.now();
  const deadline = start + opts.timeoutMs;

  const worker = async () => {
    for (;;) {
      if (next >= opts.tasks) return;
      if (performance.now() > deadline) {
        cutShort = true;
        return;
      }
      const i = next++;
      const t0 = performance.now();
      try {
        await task(i);
      } catch (err) {
        failed += 1;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
      if (opts.recordLatency) latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, opts.tasks) }, worker));
  const elapsedMs = performance.now() - start;
  return { done: next, failed, firstError, elapsedMs, latenciesMs, cutShort };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Several runs of the same kind as one: counts and times added, latencies pooled. */
export function combineLoads(parts: readonly LoadResult[]): LoadResult {
  return {
    done: parts.reduce((n, p) => n + p.done, 0),
    failed: parts.reduce((n, p) => n + p.failed, 0),
    firstError: parts.find((p) => p.firstError)?.firstError,
    elapsedMs: parts.reduce((n, p) => n + p.elapsedMs, 0),
    latenciesMs: parts.flatMap((p) => p.latenciesMs),
    cutShort: parts.some((p) => p.cutShort),
  };
}
