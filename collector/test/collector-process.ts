// The built collector command as a child process, for the suites that run it as a user does:
// start it, read its log lines, find the URL it prints. Needs `npm run build` (npm test builds).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));

export interface Running {
  child: ChildProcess;
  url: string;
  logs: string[];
  exited: Promise<number | null>;
}

export function collect(child: ChildProcess): { logs: string[]; exited: Promise<number | null> } {
  const logs: string[] = [];
  child.stdout?.on('data', (b: Buffer) => logs.push(...b.toString().split('\n').filter(Boolean)));
  child.stderr?.on('data', (b: Buffer) => logs.push(...b.toString().split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { logs, exited };
}

export interface RunOptions {
  /** Working folder of the process (relative paths in its config resolve from it). */
  cwd?: string;
  /** How long start() waits for "listening on" (30 s by default). */
  startTimeoutMs?: number;
}

/**
 * The command with `args` and an environment of PATH, PAINCHAIN_PORT=0 (any free port) and `env`
 * only: whatever the test process has (a PAINCHAIN_CONFIG, DATABASE_URL) does not leak in.
 */
export function run(
  args: string[],
  env: Record<string, string>,
  options: RunOptions = {},
): { child: ChildProcess; logs: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', PAINCHAIN_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, ...collect(child) };
}

/** run(), resolved once the collector listens, with the URL it printed; killed if it does not. */
export async function start(
  args: string[],
  env: Record<string, string>,
  options: RunOptions = {},
): Promise<Running> {
  const r = run(args, env, options);
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    const line = r.logs.find((l) => l.includes('listening on'));
    if (line) return { ...r, url: (JSON.parse(line) as { url: string }).url };
    if (r.child.exitCode !== null) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  r.child.kill('SIGKILL');
  throw new Error(`collector did not start:\n${r.logs.join('\n')}`);
}
