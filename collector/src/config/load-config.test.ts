import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '@painchain/sdk';
import { Type } from 'typebox';
import { ConfigError, type ConfigProblem } from './config-error.js';
import {
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_RETENTION_DAYS,
} from './config-schema.js';
import { createConfig, describeConfig, loadConfig, parseArgs } from './load-config.js';

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '../../../painchain.example.yaml');
const INGEST_TOKEN = 'ingest-token-0123456789abcdef';
const READ_TOKEN = 'read-token-0123456789abcdef';

// A stand-in for a connector package: only its type and options schema matter here.
const fakeConnector: ConnectorDefinition = {
  type: 'fake',
  description: 'test connector',
  kinds: ['other'],
  configSchema: Type.Object(
    {
      interval: Type.Integer({ minimum: 10, default: 60 }),
      repositories: Type.Array(Type.String()),
    },
    { additionalProperties: false },
  ),
  defaultConfig: () => ({ interval: 60, repositories: [] }),
  create: () => ({ run: async () => {} }),
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painchain-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(text: string, name = 'painchain.yaml'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The ConfigError that `run` throws (or rejects with). */
async function errorOf(run: () => unknown): Promise<ConfigError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

async function problemsOf(run: () => unknown): Promise<ConfigProblem[]> {
  return (await errorOf(run)).problems;
}

describe('createConfig', () => {
  it('gives a complete default config from an empty object', () => {
    const config = createConfig({});
    expect(config).toEqual({
      source: undefined,
      server: {
        host: DEFAULT_HOST,
        port: DEFAULT_PORT,
        bodyLimitBytes: 10 * 1024 * 1024,
        trustProxy: false,
        replicaId: `${hostname()}-${process.pid}`,
        leaseTtlSeconds: 30,
        requestTimeoutMs: 10_000,
        headersTimeoutMs: 5_000,
        idleTimeoutMs: 5_000,
        maxConnections: 1024,
        maxWritesInProgress: 64,
        retryAfterSeconds: 5,
      },
      store: {
        url: undefined,
        dataDir: DEFAULT_DATA_DIR,
        poolSize: 10,
        retentionDays: DEFAULT_RETENTION_DAYS,
        tenantRetentionDays: {},
        statementTimeoutMs: 10_000,
        connectTimeoutMs: 5_000,
      },
      spool: {
        dir: `${DEFAULT_DATA_DIR}/spool`,
        limitBytes: 1024 ** 3,
        apiLimitBytes: 256 * 1024 ** 2,
      },
      metrics: { token: undefined, connectorLabels: [] },
      auth: { disabled: false, tokens: [] },
      ingest: { maxBatchEvents: 5000, maxFutureSeconds: 86400, allowFutureTimestamps: false },
      log: { level: 'info', format: 'auto' },
      connectors: [],
      exporters: [],
      drilldown: expect.objectContaining({
        lookbackMinutes: 120,
        halfLifeMinutes: 30,
        threshold: 10,
        chainMaxEvents: 200,
      }),
      alerts: {
        labels: {
          service: ['service', 'app', 'job'],
          environment: ['env', 'environment'],
          project: ['namespace', 'cluster'],
        },
      },
      grafana: { url: undefined, changesDashboardUid: 'painchain-changes' },
      delivery: {
        environment: 'production',
        failureWindowHours: 24,
        restoreHorizonDays: 30,
        maxRangeDays: 366,
      },
    });
  });

  it('says what a name may contain in words, not as a regular expression', () => {
    expect(() => createConfig({ connectors: [{ name: 'GitHub Acme', type: 'x' }] })).toThrow(
      'connectors[0].name: must be lower-case letters, digits and `_ . -`, starting with a letter or a digit',
    );
    expect(() => createConfig({ grafana: { url: 'grafana.example.com' } })).toThrow(
      'grafana.url: must be an http:// or https:// URL',
    );
  });

  it('refuses bad timeouts, limits, spool and metrics settings, each by its path', () => {
    let message = '';
    try {
      createConfig({
        server: {
          requestTimeoutMs: 10,
          maxConnections: 0,
          retryAfterSeconds: 0,
        },
        store: { statementTimeoutMs: 'x', connectTimeoutMs: 5 },
        spool: { limitBytes: 0, other: 1 },
      });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const problem of [
      'server.requestTimeoutMs: must be at least 100',
      'server.maxConnections: must be at least 1',
      'server.retryAfterSeconds: must be at least 1',
      'store.statementTimeoutMs: must be an integer, got a string',
      'store.connectTimeoutMs: must be at least 100',
      'spool.limitBytes: must be at least 1024',
      'spool.other: unknown key; expected one of dir, limitBytes, apiLimitBytes',
    ])
      expect(message).toContain(problem);
    expect(() => createConfig({ server: { maxWritesInProgress: 0 } })).toThrow(
      'server.maxWritesInProgress: must be at least 1',
    );
    // Per-tenant retention: whole days, at least one, keyed by tenant names only.
    expect(() => createConfig({ store: { tenantRetentionDays: { acme: 0 } } })).toThrow(
      'store.tenantRetentionDays.acme: must be at least 1',
    );
    expect(() => createConfig({ store: { tenantRetentionDays: { acme: 1.5 } } })).toThrow(
      'store.tenantRetentionDays.acme: must be an integer',
    );
    expect(() => createConfig({ store: { tenantRetentionDays: { 'bad name!': 5 } } })).toThrow(
      'store.tenantRetentionDays["bad name!"]: unknown key',
    );
    expect(createConfig({ store: { tenantRetentionDays: { acme: 90 } } }).store).toMatchObject({
      retentionDays: 548,
      tenantRetentionDays: { acme: 90 },
    });
    // A metrics token short enough to guess is no protection.
    expect(() => createConfig({ metrics: { token: 'short' } })).toThrow(
      'metrics.token: must be at least 16 characters long',
    );
  });

  it('keeps the headers timeout within the request timeout, and puts the spool in the data folder', () => {
    const config = createConfig({
      server: { requestTimeoutMs: 2000, headersTimeoutMs: 9000 },
      store: { dataDir: '/var/lib/x' },
    });
    expect(config.server.headersTimeoutMs).toBe(2000);
    expect(config.spool.dir).toBe('/var/lib/x/spool');
  });

  it('refuses a default lookback longer than the longest one allowed, naming both', () => {
    expect(() =>
      createConfig({ drilldown: { lookbackMinutes: 600, maxLookbackMinutes: 300 } }),
    ).toThrow(/drilldown\.lookbackMinutes: must be at most drilldown\.maxLookbackMinutes \(300\)/);
    expect(() => createConfig({ drilldown: { halfLifeMinutes: 0 } })).toThrow(
      /drilldown\.halfLifeMinutes: must be greater than 0/,
    );
  });

  it('returns a deeply frozen config', () => {
    const config = createConfig({
      auth: { tokens: [{ name: 'ci', token: INGEST_TOKEN, scopes: ['ingest'] }] },
    });
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.auth.tokens[0]?.scopes)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('takes fallbacks from the environment when the file leaves them out', () => {
    const config = createConfig(
      {},
      {
        env: {
          PAINCHAIN_HOST: '0.0.0.0',
          PAINCHAIN_PORT: '9000',
          PAINCHAIN_DATA_DIR: '/var/lib/painchain',
          DATABASE_URL: 'postgres://pc:secret@db:5432/painchain',
          PAINCHAIN_LOG_LEVEL: 'debug',
        },
      },
    );
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 9000 });
    expect(config.store).toMatchObject({
      url: 'postgres://pc:secret@db:5432/painchain',
      dataDir: '/var/lib/painchain',
    });
    expect(config.log.level).toBe('debug');
  });

  it('prefers the file over the environment', () => {
    const config = createConfig(
      { server: { host: '10.0.0.1', port: 7000 }, log: { level: 'warn' } },
      { env: { PAINCHAIN_HOST: '0.0.0.0', PAINCHAIN_PORT: '9000', PAINCHAIN_LOG_LEVEL: 'debug' } },
    );
    expect(config.server).toMatchObject({ host: '10.0.0.1', port: 7000 });
    expect(config.log.level).toBe('warn');
  });

  it('treats an empty store.url as not set', () => {
    expect(createConfig({ store: { url: '${DATABASE_URL:-}' } }).store.url).toBeUndefined();
    const env = { DATABASE_URL: 'postgresql://db/painchain' };
    expect(createConfig({ store: { url: '' } }, { env }).store.url).toBe(env.DATABASE_URL);
  });

  it('reports invalid environment fallbacks, naming the variable but not its value', async () => {
    const problems = await problemsOf(() =>
      createConfig(
        {},
        {
          env: {
            PAINCHAIN_PORT: '80a',
            DATABASE_URL: 'mysql://root:hunter2@db/x',
            PAINCHAIN_LOG_LEVEL: 'loud',
          },
        },
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          path: 'server.port',
          message:
            'must be an integer, got a string (value from environment variable PAINCHAIN_PORT)',
        },
        {
          path: 'store.url',
          message:
            'must start with postgres:// or postgresql:// (value from environment variable DATABASE_URL)',
        },
        {
          path: 'log.level',
          message:
            'must be one of fatal, error, warn, info, debug, trace, silent (value from environment variable PAINCHAIN_LOG_LEVEL)',
        },
      ]),
    );
    expect(JSON.stringify(problems)).not.toContain('hunter2');
    const outOfRange = await problemsOf(() =>
      createConfig({}, { env: { PAINCHAIN_PORT: '70000' } }),
    );
    expect(outOfRange[0]?.message).toMatch(/^must be at most 65535/);
  });

  it('fills in token and connector defaults and the connector schema defaults', () => {
    const config = createConfig(
      {
        auth: { tokens: [{ name: 'ci', token: INGEST_TOKEN, scopes: ['ingest'] }] },
        connectors: [{ name: 'fake-1', type: 'fake', options: { repositories: ['a'] } }],
      },
      { connectorTypes: [fakeConnector] },
    );
    expect(config.auth.tokens[0]?.tenant).toBe('default');
    expect(config.connectors[0]).toEqual({
      name: 'fake-1',
      type: 'fake',
      tenant: 'default',
      enabled: true,
      options: { interval: 60, repositories: ['a'] },
    });
  });

  it('reports duplicate token names, duplicate token values and duplicate connector names', async () => {
    const problems = await problemsOf(() =>
      createConfig(
        {
          auth: {
            tokens: [
              { name: 'ci', token: INGEST_TOKEN, scopes: ['ingest'] },
              { name: 'ci', token: READ_TOKEN, scopes: ['read'] },
              { name: 'other', token: INGEST_TOKEN, scopes: ['read'] },
            ],
          },
          connectors: [
            { name: 'a', type: 'fake', options: { repositories: [] } },
            { name: 'a', type: 'fake', options: { repositories: [] } },
          ],
        },
        { connectorTypes: [fakeConnector] },
      ),
    );
    expect(problems).toEqual([
      {
        path: 'auth.tokens[1].name',
        message: 'duplicate token name "ci" (also in auth.tokens[0])',
      },
      {
        path: 'auth.tokens[2].token',
        message: 'the same token value is used (also in auth.tokens[0])',
      },
      {
        path: 'connectors[1].name',
        message: 'duplicate connector name "a" (also in connectors[0])',
      },
    ]);
  });

  it('reports an unknown connector type with the known types, or says none are installed', async () => {
    const file = { connectors: [{ name: 'gh', type: 'github' }] };
    expect(await problemsOf(() => createConfig(file, { connectorTypes: [fakeConnector] }))).toEqual(
      [
        {
          path: 'connectors[0].type',
          message: 'unknown connector type "github"; known types: fake',
        },
      ],
    );
    expect(await problemsOf(() => createConfig(file))).toEqual([
      {
        path: 'connectors[0].type',
        message: 'unknown connector type "github"; none are installed',
      },
    ]);
  });

  it('checks connector options against the connector type schema', async () => {
    const problems = await problemsOf(() =>
      createConfig(
        { connectors: [{ name: 'f', type: 'fake', options: { interval: 5, extra: true } }] },
        { connectorTypes: [fakeConnector] },
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'connectors[0].options.interval', message: 'must be at least 10' },
        { path: 'connectors[0].options.repositories', message: 'is required' },
        {
          path: 'connectors[0].options.extra',
          message: 'unknown key; expected one of interval, repositories',
        },
      ]),
    );
    expect(problems).toHaveLength(3);
  });
});

describe('loadConfig', () => {
  it('uses every default when no path is given and PAINCHAIN_CONFIG is not set', async () => {
    const config = await loadConfig({ env: {} });
    expect(config.source).toBeUndefined();
    expect(config.server.port).toBe(DEFAULT_PORT);
  });

  it('reads the file named by --config before PAINCHAIN_CONFIG', async () => {
    const chosen = await writeConfig('server: {port: 1111}\n', 'chosen.yaml');
    const other = await writeConfig('server: {port: 2222}\n', 'other.yaml');
    expect((await loadConfig({ path: chosen, env: { PAINCHAIN_CONFIG: other } })).server.port).toBe(
      1111,
    );
    const fromEnv = await loadConfig({ env: { PAINCHAIN_CONFIG: other } });
    expect(fromEnv.server.port).toBe(2222);
    expect(fromEnv.source).toBe(other);
  });

  it('treats an empty file (or only comments, or empty sections) as every default', async () => {
    expect((await loadConfig({ path: await writeConfig(''), env: {} })).server.port).toBe(8000);
    const commented = await writeConfig('# nothing yet\nauth:\n#  tokens: []\nconnectors:\n');
    expect((await loadConfig({ path: commented, env: {} })).auth.tokens).toEqual([]);
  });

  it('names a missing file', async () => {
    const missing = join(dir, 'nope.yaml');
    const error = await errorOf(() => loadConfig({ env: { PAINCHAIN_CONFIG: missing } }));
    expect(error.problems).toEqual([
      {
        file: missing,
        path: '',
        message: 'cannot read the configuration file (path from PAINCHAIN_CONFIG): no such file',
      },
    ]);
    expect(error.message).toContain(missing);
  });

  it('interpolates variables, defaults, escapes and typed values from the environment', async () => {
    const path = await writeConfig(
      [
        'server:',
        '  host: ${BIND:-0.0.0.0}',
        '  port: ${PORT:-8000}',
        '  trustProxy: ${PROXY:-false}',
        'auth:',
        '  tokens:',
        '    - name: ci',
        '      token: ${INGEST}',
        '      scopes: [ingest]',
        '      tenant: "${TENANT}"',
        'connectors:',
        '  - name: f',
        '    type: fake',
        '    options:',
        '      interval: ${INTERVAL}',
        '      repositories: ["$${literal}", "${REPO}"]',
      ].join('\n'),
    );
    const config = await loadConfig({
      path,
      env: { PORT: '9100', INGEST: INGEST_TOKEN, TENANT: '2024', INTERVAL: '30', REPO: 'api' },
      connectorTypes: [fakeConnector],
    });
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 9100, trustProxy: false });
    // Quoted: stays a string even though the value reads as a number.
    expect(config.auth.tokens[0]).toMatchObject({ token: INGEST_TOKEN, tenant: '2024' });
    expect(config.connectors[0]?.options).toEqual({
      interval: 30,
      repositories: ['${literal}', 'api'],
    });
  });

  it('reports an unset variable with its line, once', async () => {
    const path = await writeConfig(
      'auth:\n  tokens:\n    - name: ci\n      token: ${PAINCHAIN_INGEST_TOKEN}\n      scopes: [ingest]\n',
    );
    const error = await errorOf(() => loadConfig({ path, env: {} }));
    expect(error.problems).toEqual([
      {
        file: path,
        line: 4,
        column: 7,
        path: 'auth.tokens[0].token',
        message: 'environment variable PAINCHAIN_INGEST_TOKEN is not set',
      },
    ]);
    expect(error.message).toContain(
      `${path}:4:7 auth.tokens[0].token: environment variable PAINCHAIN_INGEST_TOKEN is not set`,
    );
  });

  it('reports a YAML syntax error with file and line', async () => {
    const path = await writeConfig('server:\n  port: 8000\n  host: [oops\nlog:\n  level: info\n');
    const error = await errorOf(() => loadConfig({ path, env: {} }));
    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.problems[0]).toMatchObject({ file: path, line: expect.any(Number), path: '' });
    expect(error.message).toMatch(new RegExp(`${path}:\\d+:\\d+: `));
  });

  it('reports a wrong type, an unknown key and a bad enum together, each with where and what', async () => {
    const path = await writeConfig(
      [
        'server:',
        '  port: eighty', // 2
        '  hots: 0.0.0.0', // 3
        'auth:',
        '  tokens:',
        '    - name: ci',
        '      token: ${INGEST}',
        '      scopes: [ingest, write]', // 8
        'store:',
        '  url: mysql://db/x', // 10
      ].join('\n'),
    );
    const error = await errorOf(() => loadConfig({ path, env: { INGEST: INGEST_TOKEN } }));
    expect(error.problems).toEqual([
      {
        file: path,
        line: 2,
        column: 3,
        path: 'server.port',
        message: 'must be an integer, got a string',
      },
      {
        file: path,
        line: 3,
        column: 3,
        path: 'server.hots',
        message:
          'unknown key; expected one of host, port, bodyLimitBytes, trustProxy, replicaId, leaseTtlSeconds, requestTimeoutMs, headersTimeoutMs, idleTimeoutMs, maxConnections, maxWritesInProgress, retryAfterSeconds, rateLimit',
      },
      {
        file: path,
        line: 8,
        column: 24,
        path: 'auth.tokens[0].scopes[1]',
        message: 'must be one of ingest, read, admin',
      },
      {
        file: path,
        line: 10,
        column: 3,
        path: 'store.url',
        message: 'must start with postgres:// or postgresql://',
      },
    ]);
    const lines = error.message.split('\n');
    expect(lines).toContain(
      `${path}:8:24 auth.tokens[0].scopes[1]: must be one of ingest, read, admin`,
    );
    expect(lines[0]).toBe('invalid configuration (4 problems):');
  });

  it('points a missing key at its nearest existing parent', async () => {
    const path = await writeConfig('auth:\n  tokens:\n    - name: ci\n      scopes: [read]\n');
    const [problem] = await problemsOf(() => loadConfig({ path, env: {} }));
    expect(problem).toEqual({
      file: path,
      line: 3,
      column: 7,
      path: 'auth.tokens[0].token',
      message: 'is required',
    });
  });

  it('reports connector problems at their line', async () => {
    const path = await writeConfig(
      'connectors:\n  - name: gh\n    type: github\n  - name: f\n    type: fake\n    options:\n      interval: 1\n      repositories: []\n',
    );
    const problems = await problemsOf(() =>
      loadConfig({ path, env: {}, connectorTypes: [fakeConnector] }),
    );
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [3, 'connectors[0].type'],
      [7, 'connectors[1].options.interval'],
    ]);
  });

  it('validates painchain.example.yaml', async () => {
    const config = await loadConfig({
      path: EXAMPLE,
      env: {
        PAINCHAIN_INGEST_TOKEN: INGEST_TOKEN,
        PAINCHAIN_READ_TOKEN: READ_TOKEN,
        PAINCHAIN_ADMIN_TOKEN: 'admin-token-0123456789abcdef',
      },
    });
    expect(config.auth.tokens.map((t) => t.name)).toEqual(['ci', 'grafana', 'ops']);
    expect(config.store.url).toBeUndefined();
    expect(config.server).toMatchObject({ host: DEFAULT_HOST, port: DEFAULT_PORT });
  });

  it('reports the example file variables that are not set', async () => {
    const problems = await problemsOf(() => loadConfig({ path: EXAMPLE, env: {} }));
    expect(problems.map((p) => p.message)).toEqual([
      'environment variable PAINCHAIN_INGEST_TOKEN is not set',
      'environment variable PAINCHAIN_READ_TOKEN is not set',
      'environment variable PAINCHAIN_ADMIN_TOKEN is not set',
    ]);
  });
});

describe('describeConfig', () => {
  it('never contains a token value or the database password', () => {
    const config = createConfig(
      {
        store: { url: 'postgres://painchain:db-pa55word@db:5432/painchain?sslpassword=ssl-s3cret' },
        auth: {
          tokens: [
            { name: 'ci', token: INGEST_TOKEN, scopes: ['ingest'] },
            { name: 'grafana', token: READ_TOKEN, scopes: ['read'], tenant: 'acme' },
          ],
        },
        connectors: [{ name: 'f', type: 'fake', options: { repositories: ['secret-repo'] } }],
      },
      { connectorTypes: [fakeConnector] },
    );
    const summary = describeConfig(config);
    const text = JSON.stringify(summary);
    for (const secret of [INGEST_TOKEN, READ_TOKEN, 'db-pa55word', 'ssl-s3cret', 'secret-repo']) {
      expect(text).not.toContain(secret);
    }
    expect(summary).toMatchObject({
      store: {
        url: 'postgres://painchain:***@db:5432/painchain?sslpassword=***',
        engine: 'postgres',
      },
      auth: {
        tokens: [
          { name: 'ci', scopes: ['ingest'], tenant: 'default' },
          { name: 'grafana', scopes: ['read'], tenant: 'acme' },
        ],
      },
      connectors: [{ name: 'f', type: 'fake', optionKeys: ['repositories', 'interval'] }],
    });
  });
});

describe('parseArgs', () => {
  it('reads --port and --host, which win over the file and the environment', () => {
    expect(parseArgs(['--port', '9000', '--host=0.0.0.0'])).toEqual({
      help: false,
      port: 9000,
      host: '0.0.0.0',
    });
    expect(parseArgs(['-p', '0', '--port=8081']).port).toBe(8081);
    const config = createConfig(
      { server: { port: 7000 } },
      { env: { PAINCHAIN_PORT: '7500' }, overrides: { port: 9000 } },
    );
    expect(config.server.port).toBe(9000);
  });

  it('reads --config FILE, --config=FILE, -c FILE and --help', () => {
    expect(parseArgs([])).toEqual({ help: false });
    expect(parseArgs(['--config', 'a.yaml'])).toEqual({ configPath: 'a.yaml', help: false });
    expect(parseArgs(['--config=b.yaml'])).toEqual({ configPath: 'b.yaml', help: false });
    expect(parseArgs(['-c', 'c.yaml', '--help'])).toEqual({ configPath: 'c.yaml', help: true });
    expect(parseArgs(['-h']).help).toBe(true);
  });

  it('rejects unknown options, stray arguments and a missing file path', () => {
    expect(() => parseArgs(['--verbose'])).toThrow('unknown option "--verbose"');
    expect(() => parseArgs(['--port', 'http'])).toThrow(
      '--port needs a whole number from 0 to 65535 (got "http")',
    );
    expect(() => parseArgs(['--port', '70000'])).toThrow('--port needs a whole number');
    expect(() => parseArgs(['--port'])).toThrow('--port needs a port number: --port 8080');
    expect(() => parseArgs(['painchain.yaml'])).toThrow('unexpected argument "painchain.yaml"');
    expect(() => parseArgs(['--config'])).toThrow('--config needs a file path');
    expect(() => parseArgs(['-c', '--help'])).toThrow('-c needs a file path');
    expect(() => parseArgs(['--config='])).toThrow('--config= needs a file path');
  });
});
