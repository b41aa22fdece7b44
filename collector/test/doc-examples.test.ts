// Every command and snippet of README.md and docs/**/*.md that a reader would run, checked so
// that documentation that stops working fails the build: each painchain.yaml snippet loads with
// the collector's own loader, each `npm start`/`npm run` names a script and options that exist,
// and each curl against the collector runs as written against a real one listening on loopback.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { ConfigFile, DEFAULT_ALERT_LABELS, DEFAULT_TENANT } from '../src/config/config-schema.js';
import { loadConfig, parseArgs } from '../src/config/load-config.js';
import { EXPORTER_TYPES } from '../src/exporters/exporter-registry.js';
import { CONNECTOR_TYPES } from '../src/runner/connector-registry.js';
import { parseDemoArgs } from '../src/sample/demo-args.js';
import { fillDemoData } from '../src/sample/demo-data.js';
import {
  createTestDatabase,
  readEvents,
  startApp,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/** README.md and every markdown file under docs/, as paths from the repository root. */
const DOC_FILES = [
  'README.md',
  ...readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f.replaceAll('\\', '/')}`)
    .sort(),
];
const textOf = (file: string) => readFileSync(join(root, file), 'utf8');
const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

interface CodeBlock {
  /** `file:line` of the opening fence. */
  where: string;
  file: string;
  lang: string;
  /** Without the indentation of its fence (a block inside a list item). */
  body: string;
}

function codeBlocks(file: string): CodeBlock[] {
  const text = textOf(file);
  return [...text.matchAll(/^([ \t]*)```(\w*)\n([\s\S]*?)^[ \t]*```/gm)].map((m) => {
    const indent = m[1]!.length;
    const body = m[3]!
      .split('\n')
      .map((line) => line.replace(new RegExp(`^[ \\t]{0,${indent}}`), ''))
      .join('\n');
    return { where: `${file}:${lineAt(text, m.index)}`, file, lang: m[2]!, body };
  });
}
const ALL_BLOCKS = DOC_FILES.flatMap(codeBlocks);

/** Values for the `${VAR}`s a snippet names without a default, as a user's environment has them. */
function envFor(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  let n = 0;
  for (const [, name, fallback] of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g)) {
    if (fallback !== undefined || name === undefined || env[name] !== undefined) continue;
    n += 1;
    if (name === 'DATABASE_URL') env[name] = 'postgres://painchain@localhost:5432/painchain';
    else if (name.endsWith('_URL')) env[name] = 'https://example.com';
    else if (name.endsWith('PORT')) env[name] = '8000';
    // Tokens and secrets: each different, long enough for a collector token.
    else env[name] = `${name.toLowerCase()}-${n}-0123456789abcdef`;
  }
  return env;
}

describe('painchain.yaml snippets in the docs', () => {
  const topLevel = new Set(Object.keys(ConfigFile.properties));
  /** A ```yaml block whose keys are all painchain.yaml sections is (part of) one. */
  const snippets = ALL_BLOCKS.filter((b) => {
    if (b.lang !== 'yaml' && b.lang !== 'yml') return false;
    let value: unknown;
    try {
      value = parse(b.body);
    } catch {
      return false; // a file of another format (several documents, templates)
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const keys = Object.keys(value);
    return keys.length > 0 && keys.every((k) => topLevel.has(k));
  });
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'painchain-doc-yaml-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('there are snippets to check: the README, the configuration reference, the connectors', () => {
    const files = new Set(snippets.map((s) => s.file));
    for (const f of ['README.md', 'docs/configuration.md', 'docs/connectors/github.md']) {
      expect(files).toContain(f);
    }
  });

  test.each(snippets.map((s) => [s.where, s] as const))(
    '%s loads with the collector’s loader and its connector and exporter types',
    async (where, snippet) => {
      const path = join(dir, `${where.replace(/[/:]/g, '_')}.yaml`);
      await writeFile(path, snippet.body);
      await expect(
        loadConfig({
          path,
          env: envFor(snippet.body),
          connectorTypes: CONNECTOR_TYPES,
          exporterTypes: EXPORTER_TYPES,
        }).then(() => 'loads'),
      ).resolves.toBe('loads');
    },
  );
});

describe('npm commands in the docs', () => {
  interface NpmCommand {
    where: string;
    command: string;
    script: string;
    workspace?: string;
    args: string[];
  }
  const COMMAND =
    /\bnpm (start|test|run ([\w:-]+))((?: (?:-w|--workspace) [\w@/.-]+)*)(?: -- ([^`\n#|)]*))?/g;
  const commands: NpmCommand[] = DOC_FILES.flatMap((file) => {
    const text = textOf(file);
    return [...text.matchAll(COMMAND)].map((m) => ({
      where: `${file}:${lineAt(text, m.index)}`,
      command: m[0].trim(),
      script: m[2] ?? m[1]!,
      workspace: /(?:-w|--workspace) (\S+)/.exec(m[3] ?? '')?.[1],
      args: (m[4] ?? '')
        .replace(/\\$/, '')
        .split(/\s+/)
        .filter((a) => a !== ''),
    }));
  });
  const scriptsOf = (workspace = '.') =>
    Object.keys(
      (JSON.parse(textOf(`${workspace}/package.json`)) as { scripts: Record<string, string> })
        .scripts,
    );
  /** How each script with documented options reads them. */
  const OPTIONS: Record<string, (args: string[]) => unknown> = {
    start: parseArgs,
    demo: parseDemoArgs,
  };

  test('the quick start and the demo are among them', () => {
    const all = commands.map((c) => c.command);
    expect(all).toEqual(expect.arrayContaining(['npm start', 'npm test', 'npm run demo']));
    expect(all.some((c) => c.startsWith('npm start -- --port'))).toBe(true);
  });

  test.each(commands.map((c) => [c.command, c.where, c] as const))(
    '`%s` (%s) names a script and options that exist',
    (_command, _where, c) => {
      expect(scriptsOf(c.workspace)).toContain(c.script);
      if (c.args.length === 0) return;
      const read = OPTIONS[c.script];
      expect({ script: c.script, optionsKnown: read !== undefined }).toEqual({
        script: c.script,
        optionsKnown: true,
      });
      expect(() => read!(c.args)).not.toThrow();
    },
  );
});

describe('curl examples in the docs, run against a real collector', () => {
  /** sh/bash blocks that call the collector (on its quick-start URL, or $PAINCHAIN_URL). */
  const curlBlocks = ALL_BLOCKS.filter(
    (b) =>
      (b.lang === 'sh' || b.lang === 'bash') &&
      /(^|[\s|(])curl /m.test(b.body) &&
      /localhost:8000|\$\{?PAINCHAIN_URL/.test(b.body),
  );
  const blocksOf = (file: string) => curlBlocks.filter((b) => b.file === file);
  /** Run where the stack's .env and tokens are: test/stack/readme.test.ts. */
  const runElsewhere = (b: CodeBlock) => b.file === 'README.md' && b.body.includes('. ./.env');
  const ran = new Set<string>();

  let database: TestDatabase;
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    t = await startApp(database);
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A block as a user pastes it, with --fail-with-body so that a 4xx or 5xx fails it. */
  const sh = (block: CodeBlock, env: Record<string, string> = {}) => {
    ran.add(block.where);
    return run(
      'bash',
      [
        '-euo',
        'pipefail',
        '-c',
        block.body
          .replaceAll('http://localhost:8000', url)
          .replace(/\bcurl (?!-f)/g, 'curl --fail-with-body '),
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          // What a reader exports first; a collector without tokens does not check them.
          PAINCHAIN_INGEST_TOKEN: 'not-checked-without-tokens',
          PAINCHAIN_READ_TOKEN: 'not-checked-without-tokens',
          ...env,
        },
      },
    );
  };

  test('README: every curl answers 2xx and the events are stored', async () => {
    const blocks = blocksOf('README.md').filter((b) => !runElsewhere(b));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) await sh(block);
    const events = await readEvents(t.app);
    expect(events.map((e) => e.title).sort()).toEqual([
      'Deploy api v1.4.2 to production',
      'Pipeline #8812 on main',
    ]);
  });

  test('docs/ingest-from-ci.md: the curl step stores the deploy', async () => {
    const [block] = blocksOf('docs/ingest-from-ci.md');
    const { stdout } = await sh(block!, {
      PAINCHAIN_URL: url,
      BUILD_ID: '77',
      VERSION: '1.4.3',
      STARTED_AT: new Date(Date.now() - 120_000).toISOString(),
      USER: 'dana',
      BUILD_URL: 'https://ci.example.com/builds/77',
      GIT_SHA: '9fceb02d0ae598e95dc970b74767f19372d61af8',
    });
    expect(JSON.parse(stdout)).toMatchObject({ created: 1 });
    const [event] = await readEvents(t.app, { q: '1.4.3' });
    expect(event).toMatchObject({
      externalId: 'deploy-api-77',
      kind: 'deploy',
      status: 'succeeded',
      author: 'dana',
      refs: { commit: '9fceb02d0ae598e95dc970b74767f19372d61af8', version: '1.4.3' },
    });
  });

  test('docs/grafana-without-docker.md: on the demo sample, the alert’s suspects start with the failed rollout', async () => {
    await fillDemoData(t.app.painchain, DEFAULT_TENANT, DEFAULT_ALERT_LABELS);
    const [block, ...others] = blocksOf('docs/grafana-without-docker.md');
    expect(others).toEqual([]);
    const { stdout } = await sh(block!);
    const answer = JSON.parse(stdout) as { suspects: { event: { title: string } }[] };
    expect(answer.suspects[0]!.event.title).toBe('[demo] Deploy payments 2.14.1 to production');
  });

  test('every other doc: each curl block answers 2xx, in the order written', async () => {
    const specific = ['README.md', 'docs/ingest-from-ci.md', 'docs/grafana-without-docker.md'];
    for (const block of curlBlocks) {
      if (specific.includes(block.file) || runElsewhere(block)) continue;
      await sh(block).catch((err: { stderr?: string; stdout?: string }) => {
        throw new Error(`${block.where}: ${err.stdout ?? ''}${err.stderr ?? String(err)}`);
      });
    }
  });

  test('no curl block against the collector is left unrun', () => {
    const unrun = curlBlocks.filter((b) => !ran.has(b.where) && !runElsewhere(b));
    expect(unrun.map((b) => b.where)).toEqual([]);
  });
});
