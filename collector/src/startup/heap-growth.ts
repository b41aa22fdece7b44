// Imported first by the collector's commands, for its side effect: V8's old generation may grow
// by half of what survived the last full collection before it collects again, not by V8's own
// factor (up to four times). Under load most of what reaches the old generation is garbage:
// the objects of requests that wait a few hundred milliseconds on the store survive two young
// collections and are promoted, and die soon after. With V8's factor the heap grew to 165 MB
// (RSS 245–255 MB) under the 200-sender load where 35–60 MB were alive; with 50% it stays near
// 90 MB (RSS 156–162 MB) at the same throughput within the run-to-run noise (docs/benchmarks.md,
// "Memory under load" and "Full run, 2026-11-27").
// A `--heap-growing-percent` given to node on the command line wins.
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/** The V8 flag to set, or undefined when the command line already chose one. */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  const chosen = execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a));
  return chosen ? undefined : `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

const flag = heapGrowthFlag(process.execArgv);
// V8 reads the factor at every full collection, so setting it at start-up takes effect.
if (flag) v8.setFlagsFromString(flag);
