// What every measuring step of the benchmark shares: its settings, the collector under test, the
// pools to the bench database, the CPU split and the way figures are reported.
import type pg from 'pg';
import type { BenchConfig } from './bench-config.js';
import type { CollectorProcess } from './collector-process.js';
import type { CpuSplit } from './cpu-usage.js';
import type { Figure } from './figures.js';

export interface BenchContext {
  cfg: BenchConfig;
  /** The instant the generated events are "now" for (all timestamps lie before it). */
  now: number;
  collector: CollectorProcess;
  /** As many connections as batches or queries in flight. */
  pool: pg.Pool;
  /** As many connections as the collector's own pool, for the single-event baselines. */
  singlePool: pg.Pool;
  /** Starts the CPU split; the returned function ends it. */
  startCpu: () => () => CpuSplit;
  emit: (figure: Figure) => void;
  /** A figure emitted earlier in this run, by name: other phases' figures as baselines. */
  figure: (bench: string) => Figure | undefined;
}

/** Progress for people, on stderr (stdout holds only the figures). */
export const log = (message: string): void => console.error(`[bench] ${message}`);
