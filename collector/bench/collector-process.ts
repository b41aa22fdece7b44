// The collector under test as a child process: its own event loop and its own RSS, read from
// /proc. It is killed when the benchmark exits, however it exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const MAIN_JS = fileURLToPath(new URL('../src/main.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
/** Enough of the child's output to explain a failed start. */
const OUTPUT_KEPT_CHARS = 8_000;

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MB (VmRSS), or NaN when it is gone. */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export interface CollectorOptions {
  /** None: the collector's embedded store (PGlite) in `dataDir`. */
  databaseUrl?: string;
  /** Write a V8 CPU profile of the whole run into this folder (on a clean stop). */
  cpuProfDir?: string;
  /** Extra node flags for the child (what-if runs: --max-semi-space-size=4, ...). */
  nodeFlags?: readonly string[];
  /** A painchain.yaml for the child (connectors for the load phase); none by default. */
  configFile?: string;
  /** Its data folder (the spool lives there): one of its own, so that two children never share. */
  dataDir: string;
  /** More environment for the child (secrets the config file names). */
  env?: Record<string, string>;
}

export class CollectorProcess {
  readonly #child: ChildProcess;
  #output = '';
  #exited: Promise<number | null>;
  #peakRssMb = 0;
  #sampler: NodeJS.Timeout | undefined;

  private constructor(
    child: ChildProcess,
    readonly origin: string,
  ) {
    this.#child = child;
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-OUTPUT_KEPT_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // Whatever ends the benchmark, the collector must not outlive it.
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    process.once('exit', kill);
  }

  static async start(opts: CollectorOptions): Promise<CollectorProcess> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: opts.databaseUrl,
      PAINCHAIN_HOST: '127.0.0.1',
      PAINCHAIN_PORT: String(port),
      PAINCHAIN_LOG_LEVEL: 'warn',
      PAINCHAIN_DATA_DIR: opts.dataDir,
      ...opts.env,
    };
    // A config file of the person running the benchmark must not change what is measured.
    delete env.PAINCHAIN_CONFIG;
    // Nor a DATABASE_URL of theirs turn the embedded store into PostgreSQL.
    if (opts.databaseUrl === undefined) delete env.DATABASE_URL;
    delete env.NODE_OPTIONS;
    const args = [
      ...(opts.nodeFlags ?? []),
      ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : []),
    ];
    const child = spawn(
      process.execPath,
      [...args, MAIN_JS, ...(opts.configFile ? ['--config', opts.configFile] : [])],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collector = new CollectorProcess(child, `http://127.0.0.1:${port}`);
    await collector.#waitReady();
    collector.#sampler = setInterval(() => collector.rssMb(), 200);
    collector.#sampler.unref();
    return collector;
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** The current RSS in MB; also tracks the peak seen by the sampler. */
  rssMb(): number {
    const mb = rssMb(this.pid);
    if (mb > this.#peakRssMb) this.#peakRssMb = mb;
    return mb;
  }

  get peakRssMb(): number {
    return this.#peakRssMb;
  }

  async #waitReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let exitCode: number | null | undefined;
    void this.#exited.then((code) => (exitCode = code ?? -1));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) break;
      try {
        const res = await fetch(`${this.origin}/readyz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    this.#child.kill('SIGKILL');
    throw new Error(
      `the collector did not become ready (${exitCode !== undefined ? `exited with ${exitCode}` : 'timeout'}):\n${this.#output}`,
    );
  }

  /** SIGTERM (a clean stop writes the CPU profile), SIGKILL if it takes too long. */
  async stop(): Promise<void> {
    clearInterval(this.#sampler);
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(timer);
  }

  /**
   * The V8 heap and off-heap memory as the collector's own /metrics reports them (prom-client
   * default metrics), in MB: what the RSS is made of.
   */
  async memoryBreakdown(): Promise<Record<string, number>> {
    const res = await fetch(`${this.origin}/metrics`);
    const text = await res.text();
    const read = (name: string) => {
      const m = new RegExp(`^painchain_${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
      return m ? Math.round(Number(m[1]) / 1048576) : NaN;
    };
    return {
      heap_used_mb: read('nodejs_heap_size_used_bytes'),
      heap_total_mb: read('nodejs_heap_size_total_bytes'),
      external_mb: read('nodejs_external_memory_bytes'),
    };
  }

  /** The child's recent output, for error reports. */
  get output(): string {
    return this.#output;
  }
}
