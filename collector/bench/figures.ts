// One measured figure: printed as one JSON line on stdout, summarized for people on stderr.
import os from 'node:os';
import type { CpuSplit } from './cpu-usage.js';
import type { LoadResult } from './load.js';

export interface Target {
  /** The value must be at least this. */
  min?: number;
  /** The value must be at most this. */
  max?: number;
  /** value / baseline must be at least this. */
  ratio_min?: number;
  /** value / baseline must be at most this. */
  ratio_max?: number;
}

export interface Figure {
  bench: string;
  value: number;
  unit: string;
  /** What the value is compared with: a number, or the name of what it stands for. */
  baseline: number | string | null;
  /** value / baseline when the baseline is a number. */
  ratio: number | null;
  /** null for figures that are measured, not judged (the raw INSERT ceiling, diagnostics). */
  target: Target | null;
  met: boolean | null;
  /** Anything else worth keeping: counts, concurrency, errors, the scale of the run. */
  [extra: string]: unknown;
}

const round = (n: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** Rounds a value to a precision that suits its size (3 significant-ish digits, at least 0.1). */
export function tidy(n: number): number {
  if (!Number.isFinite(n)) return n;
  const abs = Math.abs(n);
  return abs >= 100 ? Math.round(n) : abs >= 1 ? round(n, 2) : round(n, 3);
}

/** Judges a value against its target; a run with errors never meets it. */
export function judge(
  value: number,
  baseline: number | string | null,
  target: Target | null,
  errors = 0,
): Pick<Figure, 'ratio' | 'met'> {
  const ratio = typeof baseline === 'number' && baseline > 0 ? value / baseline : null;
  if (!target) return { ratio: ratio === null ? null : tidy(ratio), met: null };
  let met = errors === 0 && Number.isFinite(value);
  if (target.min !== undefined) met &&= value >= target.min;
  if (target.max !== undefined) met &&= value <= target.max;
  if (target.ratio_min !== undefined) met &&= ratio !== null && ratio >= target.ratio_min;
  if (target.ratio_max !== undefined) met &&= ratio !== null && ratio <= target.ratio_max;
  return { ratio: ratio === null ? null : tidy(ratio), met };
}

/** The fields every measured load adds to its figure: time, CPU split, noise, errors. */
export function loadFields(load: LoadResult, cpu: CpuSplit): Record<string, unknown> {
  return {
    seconds: tidy(load.elapsedMs / 1000),
    cpu,
    // Share of the machine that work outside this benchmark took meanwhile: high means noisy.
    other_load: tidy(cpu.other_s / ((load.elapsedMs / 1000) * os.cpus().length)),
    errors: load.failed,
    ...(load.firstError ? { first_error: load.firstError } : {}),
    ...(load.cutShort ? { cut_short: true } : {}),
  };
}

export function printFigure(f: Figure): void {
  process.stdout.write(`${JSON.stringify({ ...f, value: tidy(f.value) })}\n`);
}

function describeTarget(t: Target | null, unit: string): string {
  if (!t) return '-';
  const parts: string[] = [];
  if (t.min !== undefined) parts.push(`>= ${t.min} ${unit}`);
  if (t.max !== undefined) parts.push(`<= ${t.max} ${unit}`);
  if (t.ratio_min !== undefined) parts.push(`>= ${t.ratio_min * 100}% of baseline`);
  if (t.ratio_max !== undefined) parts.push(`<= ${t.ratio_max}x baseline`);
  return parts.join(' and ');
}

/** Other work taking more than this share of the machine during a phase makes its figure noisy. */
const NOISY = 0.1;

/** A short table for people, on stderr (stdout stays one JSON line per figure). */
export function summarize(figures: readonly Figure[], header: string): string {
  const rows = figures.map((f) => [
    f.bench,
    `${tidy(f.value)} ${f.unit}`,
    f.baseline === null ? '-' : `${typeof f.baseline === 'number' ? tidy(f.baseline) : f.baseline}`,
    f.ratio === null ? '-' : `${tidy(f.ratio)}x`,
    describeTarget(f.target, f.unit),
    typeof f.other_load === 'number' ? `${Math.round(f.other_load * 100)}%` : '-',
    f.met === null ? '(not judged)' : f.met ? 'met' : 'NOT MET',
  ]);
  const head = ['figure', 'value', 'baseline', 'ratio', 'target', 'others', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const judged = figures.filter((f) => f.met !== null);
  const missed = judged.filter((f) => !f.met).map((f) => f.bench);
  const noisy = figures.some((f) => typeof f.other_load === 'number' && f.other_load > NOISY);
  return [
    header,
    line(head),
    ...rows.map(line),
    ...(noisy
      ? [
          `"others": share of the machine used by other work meanwhile; above ${NOISY * 100}% the figure is low for that reason`,
        ]
      : []),
    missed.length === 0
      ? `all ${judged.length} targets met`
      : `${judged.length - missed.length} of ${judged.length} targets met; missed: ${missed.join(', ')}`,
  ].join('\n');
}
