// Summarizes a V8 .cpuprofile (from BENCH_CPU_PROF=dir npm run bench): self time by function and
// by package or source file, so docs/benchmarks.md can say where the collector's time goes.
//   node collector/dist/bench/cpu-profile-summary.js <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<pkg> (scoped too), else the path below collector/ or connectors/, else the URL. */
function placeOf(url: string): string {
  if (!url) return '(native/V8)';
  const mod = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (mod) return mod[1]!;
  const own = /\/((?:collector|connectors)\/.*)$/.exec(url);
  if (own) return own[1]!;
  return url.replace(/^file:\/\//, '');
}

export function summarizeProfile(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const keyOf = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    return `${functionName || '(anonymous)'}  ${placeOf(url)}${url ? `:${lineNumber + 1}` : ''}`;
  };
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    add(byFunction, keyOf(node), us);
    add(byPlace, placeOf(node.callFrame.url), us);
  }
  // Total time: each sample counts once for every distinct function on its stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at)!;
      if (!node.callFrame.url) continue; // (root), (program), natives: no place in the code
      const key = keyOf(node);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, us);
      }
    }
  }
  const table = (title: string, m: Map<string, number>) => [
    title,
    ...[...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, us]) =>
          `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`,
      ),
  ];
  const idle = [...selfUs.entries()]
    .filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)')
    .reduce((a, [, us]) => a + us, 0);
  return [
    `wall ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s, sampled ${(total / 1e6).toFixed(1)} s, idle ${((100 * idle) / total).toFixed(1)}%`,
    ...table('self time by package / file:', byPlace),
    ...table('self time by function:', byFunction),
    ...table('total time (self + callees) by function:', inclusive),
  ].join('\n');
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node collector/dist/bench/cpu-profile-summary.js <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
process.stdout.write(`${summarizeProfile(profile, Number(topArg ?? 25))}\n`);
