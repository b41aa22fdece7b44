// Where a phase's CPU went: the collector child, PostgreSQL's processes, this benchmark process,
// and anything else on the machine (other work shares it), from /proc. No profiler needed.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports /proc times in clock ticks of 1/100 s (USER_HZ) on every common platform. */
const TICKS_PER_SECOND = 100;

interface Snapshot {
  /** Busy and idle machine time, seconds summed over all cores. */
  busy: number;
  idle: number;
  collector: number;
  collectorSystem: number;
  bench: number;
  /** CPU seconds of every process named postgres, by pid. */
  postgres: Map<number, number>;
}

export interface CpuSplit {
  /** Seconds of CPU over the phase, summed over cores. */
  collector_s: number;
  /** The part of collector_s spent in the kernel (socket reads and writes, mostly). */
  collector_kernel_s: number;
  bench_s: number;
  /** PostgreSQL for the bench database: its sessions, autovacuum, WAL writer, checkpointer. */
  postgres_s: number;
  /** Busy time of anything else: kernel soft interrupts, other work sharing the machine. */
  other_s: number;
  idle_s: number;
}

function machine(): { busy: number; idle: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // cpu user nice system idle iowait irq softirq steal guest guest_nice
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number) as number[];
  return {
    busy: (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_SECOND,
    idle: (idle! + iowait!) / TICKS_PER_SECOND,
  };
}

/** Command name and CPU seconds (user + system) of a process, or undefined when it is gone. */
function processStat(pid: number): { name: string; seconds: number; system: number } | undefined {
  try {
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the full line, 12 and 13 after the name.
    const [user, system] = [Number(fields[11]), Number(fields[12])];
    return { name, seconds: (user + system) / TICKS_PER_SECOND, system: system / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** Server processes that are not sessions, plus the postmaster: shared by every database. */
const SHARED_POSTGRES =
  /^(?!postgres: )|: (checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|archiver|parallel worker)/;

/**
 * CPU seconds of PostgreSQL's processes that work for the bench database: its sessions and
 * autovacuum workers (their process titles name the database) and the shared background
 * processes. Sessions of other databases (other work on the same server) are left out.
 */
function postgresProcesses(dbName: string): Map<number, number> {
  const found = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = processStat(Number(entry));
    if (stat?.name !== 'postgres') continue;
    let title = '';
    try {
      title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    if (title.split(' ').includes(dbName) || SHARED_POSTGRES.test(title))
      found.set(Number(entry), stat.seconds);
  }
  return found;
}

function snapshot(collectorPid: number, dbName: string): Snapshot {
  const collector = processStat(collectorPid);
  const { user, system } = process.cpuUsage();
  return {
    ...machine(),
    collector: collector?.seconds ?? NaN,
    collectorSystem: collector?.system ?? NaN,
    bench: (user + system) / 1e6,
    postgres: postgresProcesses(dbName),
  };
}

/** Starts measuring; the returned function gives the split since then. */
export function startCpuSplit(collectorPid: number, dbName: string): () => CpuSplit {
  const a = snapshot(collectorPid, dbName);
  return () => {
    const b = snapshot(collectorPid, dbName);
    const r = (n: number) => Math.round(n * 100) / 100;
    const collector = b.collector - a.collector;
    const bench = b.bench - a.bench;
    // A backend that ended during the phase is missed; the pools' backends live throughout.
    let postgres = 0;
    for (const [pid, seconds] of b.postgres) postgres += seconds - (a.postgres.get(pid) ?? 0);
    return {
      collector_s: r(collector),
      collector_kernel_s: r(b.collectorSystem - a.collectorSystem),
      bench_s: r(bench),
      postgres_s: r(postgres),
      other_s: r(Math.max(0, b.busy - a.busy - collector - bench - postgres)),
      idle_s: r(b.idle - a.idle),
    };
  };
}

/** The split of several runs as one. */
export function addCpu(parts: readonly CpuSplit[]): CpuSplit {
  const sum = (k: keyof CpuSplit) => Math.round(parts.reduce((n, p) => n + p[k], 0) * 100) / 100;
  return {
    collector_s: sum('collector_s'),
    collector_kernel_s: sum('collector_kernel_s'),
    bench_s: sum('bench_s'),
    postgres_s: sum('postgres_s'),
    other_s: sum('other_s'),
    idle_s: sum('idle_s'),
  };
}

/**
 * Waits (bounded) until the machine is mostly idle, so that other work does not take the cores
 * the figures are about. Returns the busy fraction of the last second seen.
 */
export async function waitForQuiet(opts: {
  maxBusy: number;
  timeoutMs: number;
  onWait: (busy: number) => void;
}): Promise<number> {
  const deadline = Date.now() + opts.timeoutMs;
  let quietSeconds = 0;
  let busy = 1;
  let warned = false;
  while (Date.now() < deadline) {
    const a = machine();
    await new Promise((r) => setTimeout(r, 1000));
    const b = machine();
    busy = (b.busy - a.busy) / Math.max(0.01, b.busy - a.busy + b.idle - a.idle);
    quietSeconds = busy <= opts.maxBusy ? quietSeconds + 1 : 0;
    if (quietSeconds >= 2) return busy;
    if (!warned && busy > opts.maxBusy) {
      opts.onWait(busy);
      warned = true;
    }
  }
  return busy;
}
