// The collector image, built the way the Dockerfile says with no Docker engine: its steps run here
// as plain commands (the same npm ci and TypeScript build), then the built runtime stage starts as
// docker-compose.yml starts it (its environment, its mounted config file) and must pass the
// image's own HEALTHCHECK. On PostgreSQL when a server is reachable (required in CI), as in the
// compose stack; otherwise on the embedded store, with the harness's visible notice.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  createTestDatabase,
  STORE_KINDS,
  type TestDatabase,
} from '../../collector/src/testing/index.js';
import { interpolate } from './compose-interpolation.js';
import { DockerIgnore } from './dockerignore.js';
import { buildDockerfile, parseDockerfile, type Stage } from './dockerfile.js';
import { exampleEnv } from './env-file.js';
import {
  asObject,
  readJson,
  readText,
  readYaml,
  ROOT,
  type Json,
  type JsonObject,
} from './stack-files.js';
import { satisfies } from './version-range.js';

/**
 * End of life of the Node.js LTS lines (https://github.com/nodejs/Release#release-schedule). A
 * line past it gets no security fixes: the image must move on, and this test says so.
 */
const NODE_END_OF_LIFE: Record<number, string> = {
  20: '2026-04-30',
  22: '2027-04-30',
  24: '2028-04-30',
};

const dockerfile = readText('Dockerfile');
const dockerignore = readText('.dockerignore');
const rootPackage = asObject(readJson('package.json'), 'package.json');
const workspaces = (rootPackage.workspaces as string[]).map((w) => `${w}/package.json`);

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('Dockerfile', () => {
  test('is multi-stage, installs production dependencies only in the runtime stage and runs as a non-root user', () => {
    const instructions = parseDockerfile(dockerfile);
    const froms = instructions.filter((i) => i.keyword === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const lastFrom = instructions.lastIndexOf(froms.at(-1)!);
    const runtime = instructions.slice(lastFrom);
    const runs = runtime.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm (install|i)\b/.test(r))).toBe(false);
    const users = runtime.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users.at(-1));
    // The runtime stage takes the build output from the build stage, not from the context.
    expect(
      runtime.some((i) => i.keyword === 'COPY' && /--from=/.test(i.args) && /dist/.test(i.args)),
    ).toBe(true);
    const health = runtime.find((i) => i.keyword === 'HEALTHCHECK');
    expect(health?.args).toContain('/readyz');
  });

  test("builds on the official Node.js image of a supported LTS line, within the repository's engines, which CI tests on too", () => {
    const defaults = Object.fromEntries(
      parseDockerfile(dockerfile)
        .filter((i) => i.keyword === 'ARG')
        .map((i) => i.args.split('=') as [string, string]),
    );
    const images = parseDockerfile(dockerfile)
      .filter((i) => i.keyword === 'FROM')
      .map((i) =>
        i.args.split(/\s+/)[0]!.replace(/^\$\{(\w+)\}$/, (_, name: string) => defaults[name] ?? ''),
      );
    for (const image of images) {
      const m = /^node:(\d+\.\d+\.\d+)-[a-z]+(?:-slim)?$/.exec(image);
      expect({ image, official: Boolean(m) }).toEqual({ image, official: true });
      const version = m![1]!;
      // An LTS line before its end of life: the image gets security fixes.
      const major = Number(version.split('.')[0]);
      const endOfLife = NODE_END_OF_LIFE[major];
      expect({ image, lts: endOfLife !== undefined }).toEqual({ image, lts: true });
      expect({ image, endOfLife, supported: Date.now() < Date.parse(endOfLife!) }).toEqual({
        image,
        endOfLife,
        supported: true,
      });
      const engines = asObject(rootPackage.engines, 'engines').node as string;
      expect({ version, engines, accepted: satisfies(version, engines) }).toEqual({
        version,
        engines,
        accepted: true,
      });
    }
    // CI runs the suite a second time on the image's Node, the version read from this file.
    const ci = readText('.ci/run');
    expect(ci).toMatch(/NODE_IMAGE=node:/);
    expect(ci).toMatch(/node-linux-\$\{?\w+\}?@/);
  });

  test('.dockerignore keeps build outputs, dependencies and local state out of the context and lets in what COPY needs', () => {
    const ignore = new DockerIgnore(dockerignore);
    for (const path of [
      'package.json',
      'package-lock.json',
      'collector/src/main.ts',
      'collector/src/store/migrations/001_init.sql',
      'connectors/sdk/src/index.ts',
      'grafana-plugin/package.json',
    ]) {
      expect({ path, excluded: ignore.excludes(path) }).toEqual({ path, excluded: false });
    }
    for (const path of [
      'node_modules/x',
      'collector/dist/src/main.js',
      'collector/node_modules/pg',
      '.painchain/data',
      '.env',
      '.git/HEAD',
      'grafana-plugin/dist/module.js',
      'grafana-plugin/src/module.tsx',
      'collector/src/errors.test.ts',
      'collector/test/api-events.test.ts',
    ]) {
      expect({ path, excluded: ignore.excludes(path) }).toEqual({ path, excluded: true });
    }
  });

  test('its steps build the collector here as plain commands, and the result starts as compose starts it and passes its health check', async () => {
    const work = mkdtempSync(join(tmpdir(), 'painchain-image-'));
    let database: TestDatabase | undefined;
    try {
      // Nothing of this machine's environment but PATH (npm test's npm_config_* stay out); npm's
      // cache is the Dockerfile's cache mount, kept between runs under node_modules/.cache.
      const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
      const stages: Stage[] = buildDockerfile({
        context: ROOT,
        dockerfile,
        dockerignore,
        workDir: work,
        baseEnv,
        cacheDir: join(ROOT, 'node_modules', '.cache', 'painchain-image-build'),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const runtime = stages.at(-1)!;

      // Every stage that runs npm ci has every workspace's manifest first: npm ci checks them all.
      for (const stage of stages) {
        for (const run of stage.runs.filter((r) => /\bnpm ci\b/.test(r.command))) {
          for (const manifest of ['package.json', 'package-lock.json', ...workspaces]) {
            expect({
              stage: stage.name ?? stage.index,
              manifest,
              copied: run.copiedBefore.includes(manifest),
            }).toEqual({
              stage: stage.name ?? stage.index,
              manifest,
              copied: true,
            });
          }
        }
      }
      // Production dependencies only: no compiler, no test runner, no Grafana front-end packages.
      const modules = join(runtime.root, runtime.workdir, 'node_modules');
      for (const dev of ['typescript', 'jest', 'eslint', '@grafana/ui', 'react']) {
        expect({ dev, installed: existsSync(join(modules, dev)) }).toEqual({
          dev,
          installed: false,
        });
      }
      for (const prod of ['fastify', 'pg', '@electric-sql/pglite', 'prom-client']) {
        expect({ prod, installed: existsSync(join(modules, prod)) }).toEqual({
          prod,
          installed: true,
        });
      }

      // Start it as docker-compose.yml does: the service's environment and its mounted files.
      const compose = asObject(
        interpolate(readYaml('docker-compose.yml') as Json, exampleEnv()),
        'compose',
      );
      const service = asObject(asObject(compose.services, 'services').collector, 'collector');
      for (const volume of (service.volumes ?? []) as JsonObject[]) {
        if (volume.type !== 'bind') continue;
        const target = join(runtime.root, String(volume.target));
        mkdirSync(dirname(target), { recursive: true });
        cpSync(join(ROOT, String(volume.source)), target, { recursive: true });
      }
      if (STORE_KINDS.includes('postgres')) database = await createTestDatabase('postgres');
      const port = await freePort();
      const env: Record<string, string> = {
        ...baseEnv,
        HOME: join(runtime.root, 'home', runtime.user ?? 'root'),
        ...runtime.env,
      };
      // The image's own absolute paths (ENV PAINCHAIN_DATA_DIR) point into the stage's folder.
      for (const [key, value] of Object.entries(runtime.env))
        if (value.startsWith('/') && existsSync(join(runtime.root, value)))
          env[key] = join(runtime.root, value);
      for (const [key, value] of Object.entries(asObject(service.environment, 'environment'))) {
        // Absolute paths point into the image's file system, here the stage's folder.
        const text = String(value);
        env[key] =
          text.startsWith('/') && existsSync(join(runtime.root, text))
            ? join(runtime.root, text)
            : text;
      }
      // The compose network's postgres is this machine's test server (or none: the embedded store).
      env.DATABASE_URL = database?.url ?? '';
      env.PAINCHAIN_PORT = String(port);
      if (!database) env.PAINCHAIN_DATA_DIR = join(work, 'data');

      const [command, ...args] = runtime.cmd!;
      const cwd = join(runtime.root, runtime.workdir);
      const child = spawn(command === 'node' ? process.execPath : command!, args, {
        cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const logs: string[] = [];
      child.stdout.on('data', (b: Buffer) => logs.push(b.toString()));
      child.stderr.on('data', (b: Buffer) => logs.push(b.toString()));
      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => resolve(code)),
      );
      try {
        const [hcCommand, ...hcArgs] = runtime.healthcheck!.command;
        let healthy = false;
        for (let attempt = 0; attempt < 120 && !healthy && child.exitCode === null; attempt += 1) {
          const probe = spawnSync(hcCommand === 'node' ? process.execPath : hcCommand!, hcArgs, {
            cwd,
            env,
            timeout: 5000,
          });
          healthy = probe.status === 0;
          if (!healthy) await new Promise((r) => setTimeout(r, 500));
        }
        if (!healthy) throw new Error(`the image's HEALTHCHECK never passed:\n${logs.join('')}`);
        const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as {
          store: string;
          migrations: string;
        };
        expect(ready).toMatchObject({
          store: database ? 'postgres' : 'pglite',
          migrations: 'applied',
        });
        // The tokens from the environment guard the API.
        expect((await fetch(`http://127.0.0.1:${port}/api/v1/events`)).status).toBe(401);
        const authorized = await fetch(`http://127.0.0.1:${port}/api/v1/events`, {
          headers: { authorization: `Bearer ${env.PAINCHAIN_READ_TOKEN}` },
        });
        expect(authorized.status).toBe(200);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      // The collector read the mounted file, as in the compose stack.
      expect(readFileSync(env.PAINCHAIN_CONFIG!, 'utf8')).toBe(readText('painchain.docker.yaml'));
    } finally {
      await database?.drop();
      rmSync(work, { recursive: true, force: true });
    }
  }, 900_000);
});
