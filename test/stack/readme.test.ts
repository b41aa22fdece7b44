// The README's full-stack sections, run or compared as written: the commands that make .env, the
// change it sends to the stack's collector (with the stack's configuration and tokens), the
// annotation query it shows, and the Grafana version it names. (The collector's doc-examples test
// runs the quick start's open-API curl blocks; these need the stack's .env, so they are here.)
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { createTestDatabase, startApp } from '../../collector/src/testing/index.js';
import { interpolate } from './compose-interpolation.js';
import { annotationsOf, loadDashboard } from './dashboard-files.js';
import { exampleEntries, parseEnvFile } from './env-file.js';
import { asObject, builtPlugin, readText, readYaml, repoPath, type Json } from './stack-files.js';

const run = promisify(execFile);
const readme = readText('README.md');

/** The text of a `## ` section of the README. */
function section(title: string): string {
  const parts = readme.split(/^## /m);
  const found = parts.find((p) => p.startsWith(`${title}\n`));
  if (!found) throw new Error(`README has no section "## ${title}"`);
  return found;
}

const blocks = (text: string, lang: string): string[] =>
  [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

const blockWith = (text: string, lang: string, needle: string): string => {
  const found = blocks(text, lang).find((b) => b.includes(needle));
  if (!found) throw new Error(`no \`\`\`${lang} block with ${needle}`);
  return found;
};

describe('README', () => {
  const stack = section('Run the full stack');
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'painchain-readme-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function makeEnv(): Promise<Record<string, string>> {
    copyFileSync(repoPath('.env.example'), join(dir, '.env.example'));
    await run(
      'bash',
      ['-euo', 'pipefail', '-c', blockWith(stack, 'bash', 'cp .env.example .env')],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    return Object.fromEntries(
      parseEnvFile(readFileSync(join(dir, '.env'), 'utf8')).map((e) => [e.name, e.value]),
    );
  }

  test('"Run the full stack": its commands turn .env.example into a .env with every secret set, and compose accepts it', async () => {
    const env = await makeEnv();
    const secrets = exampleEntries().filter((e) => e.value === '');
    expect(secrets.length).toBeGreaterThan(0);
    for (const { name } of secrets)
      expect({ name, value: env[name] }).toEqual({
        name,
        value: expect.stringMatching(/^[0-9a-f]{48}$/),
      });
    expect(new Set(secrets.map((s) => env[s.name])).size).toBe(secrets.length);
    // Options keep their defaults, and docker compose finds nothing missing.
    for (const e of exampleEntries().filter((e) => e.value !== ''))
      expect(env[e.name]).toBe(e.value);
    expect(() => interpolate(readYaml('docker-compose.yml') as Json, env)).not.toThrow();
    expect(blockWith(stack, 'bash', 'docker compose')).toContain('docker compose up');
  });

  test('"Run the full stack": the change it sends is accepted by the stack\'s collector configuration with the ingest token', async () => {
    const env = await makeEnv();
    const database = await createTestDatabase('pglite');
    const config = parse(readText('painchain.docker.yaml')) as Record<string, unknown>;
    const t = await startApp(database, config, { env: { ...env, DATABASE_URL: '' } });
    try {
      const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
      const script = blockWith(stack, 'bash', 'curl ')
        .replaceAll('http://localhost:8000', url)
        .replace(/\bcurl (?!-f)/g, 'curl --fail-with-body ');
      await run('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '' },
      });
      const listed = await t.app.inject({
        url: '/api/v1/events',
        headers: { authorization: `Bearer ${env.PAINCHAIN_READ_TOKEN}` },
      });
      expect(
        listed.json().events.map((e: { title: string; kind: string }) => [e.title, e.kind]),
      ).toEqual([['Deploy api v1.4.3 to production', 'deploy']]);
    } finally {
      await t.close();
    }
  });

  test('"Overlay changes on your own dashboards": the annotation query shown is the one the service overview ships', () => {
    const [json, ...others] = blocks(section('Overlay changes on your own dashboards'), 'json');
    expect(others).toEqual([]);
    const shown = JSON.parse(json!) as Json;
    expect(annotationsOf(loadDashboard('service-overview.json'))).toContainEqual(shown);
  });

  test('"Add PainChain to your existing Grafana": the Grafana version it names is the plugin\'s lower bound, the ids are the plugin\'s', () => {
    const text = section('Add PainChain to your existing Grafana');
    const range = String(
      asObject(builtPlugin('app').json.dependencies, 'dependencies').grafanaDependency,
    );
    const lower = /^>=\s*(\d+)\.(\d+)/.exec(range);
    expect(lower).not.toBeNull();
    expect(text).toContain(`Grafana ${lower![1]}.${lower![2]} or newer`);
    expect(text).toContain(
      readText('provisioning/README.md').match(/GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=\S+/)![0],
    );
  });
});
