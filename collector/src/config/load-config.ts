// Configuration as code: painchain.yaml (or a plain object) → interpolated, validated, defaulted,
// frozen Config. A bad file yields one ConfigError listing every problem with file:line:column.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  checkOptions,
  describeErrors,
  type ConfigurableDefinition,
  type ConnectorDefinition,
  type OptionProblem,
} from '@painchain/sdk';
import { Compile } from 'typebox/compile';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { DEFAULT_SUSPECT_OPTIONS } from '../drilldown/suspect-finder.js';
import { DEFAULT_HALF_LIFE_MINUTES, DEFAULT_KIND_WEIGHTS } from '../drilldown/suspect-score.js';
import type { ExporterDefinition } from '../exporters/exporter-definition.js';
import { implicitChangeEventExporter } from '../exporters/opentelemetry/implicit-change-events.js';
import { ConfigError, formatPath, type ConfigProblem, type PathSegment } from './config-error.js';
import {
  ConfigFile,
  DEFAULT_ALERT_LABELS,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_CHAIN_HORIZON_DAYS,
  DEFAULT_CHAIN_MAX_EVENTS,
  DEFAULT_CHANGES_DASHBOARD_UID,
  DEFAULT_DATA_DIR,
  DEFAULT_DELIVERY_ENVIRONMENT,
  DEFAULT_DELIVERY_MAX_RANGE_DAYS,
  DEFAULT_EXPORTER_BATCH_SIZE,
  DEFAULT_EXPORTER_QUEUE_SIZE,
  DEFAULT_EXPORTER_TIMEOUT_SECONDS,
  DEFAULT_FAILURE_WINDOW_HOURS,
  DEFAULT_HOST,
  DEFAULT_LEASE_TTL_SECONDS,
  DEFAULT_LOG_LEVEL,
  DEFAULT_LOOKBACK_MINUTES,
  DEFAULT_MAX_BATCH_EVENTS,
  DEFAULT_MAX_LOOKBACK_MINUTES,
  DEFAULT_MAX_FUTURE_SECONDS,
  DEFAULT_POOL_SIZE,
  DEFAULT_PORT,
  DEFAULT_RESTORE_HORIZON_DAYS,
  DEFAULT_RATE_LIMIT_WINDOW_SECONDS,
  DEFAULT_RETENTION_DAYS,
  SERVER_LIMIT_DEFAULTS,
  SPOOL_LIMIT_DEFAULTS,
  STORE_TIMEOUT_DEFAULTS,
  DEFAULT_TENANT,
  type Config,
} from './config-schema.js';
import { interpolate, type Env } from './interpolate.js';

export interface SourcePosition {
  line: number;
  column: number;
}

export interface CreateConfigOptions {
  /** `--port` and `--host`: they win over the file and the environment. */
  overrides?: ServerOverrides;
  /** For `${VAR}` and the env fallbacks. Defaults to none, so a plain object means one thing. */
  env?: Env;
  /** The file the object was read from: named in problems and kept as `config.source`. */
  source?: string;
  /** The connector types this collector has; `connectors[].type` must be one of them. */
  connectorTypes?: readonly ConnectorDefinition[];
  /** The exporter types this collector has; `exporters[].type` must be one of them. */
  exporterTypes?: readonly ExporterDefinition[];
  /** Where the value at `path` is in the source (its nearest existing ancestor when missing). */
  lineOf?: (path: readonly PathSegment[]) => SourcePosition | undefined;
  /** True where the source quoted the string: a quoted `${VAR}` stays a string. */
  isQuoted?: (path: readonly PathSegment[]) => boolean;
}

export interface LoadConfigOptions {
  /** From `--config`; else `PAINCHAIN_CONFIG`; else no file (every default). */
  path?: string;
  /** `--port` and `--host`: they win over the file and the environment. */
  overrides?: ServerOverrides;
  /** Defaults to process.env. */
  env?: Env;
  connectorTypes?: readonly ConnectorDefinition[];
  exporterTypes?: readonly ExporterDefinition[];
}

/** A problem before it is placed in the file. */
type Problem = OptionProblem;

/** Used only when the file leaves the value out (an empty variable counts as unset). */
const ENV_FALLBACKS: readonly { variable: string; path: [string, string]; integer?: boolean }[] = [
  { variable: 'PAINCHAIN_HOST', path: ['server', 'host'] },
  { variable: 'PAINCHAIN_PORT', path: ['server', 'port'], integer: true },
  { variable: 'PAINCHAIN_DATA_DIR', path: ['store', 'dataDir'] },
  { variable: 'PAINCHAIN_SPOOL_DIR', path: ['spool', 'dir'] },
  { variable: 'DATABASE_URL', path: ['store', 'url'] },
  { variable: 'PAINCHAIN_LOG_LEVEL', path: ['log', 'level'] },
  { variable: 'PAINCHAIN_LOG_FORMAT', path: ['log', 'format'] },
];

const POSTGRES_URL = /^postgres(ql)?:\/\//;
const configFileValidator = Compile(ConfigFile);

/** Builds the Config from an already parsed file (`{}` gives every default); throws ConfigError. */
export function createConfig(file: unknown, options: CreateConfigOptions = {}): Config {
  const env = options.env ?? {};
  const types: PluggableTypes = {
    connectors: options.connectorTypes ?? [],
    exporters: options.exporterTypes ?? [],
  };
  const interpolated = interpolate(withoutNulls(file ?? {}), { env, isQuoted: options.isQuoted });
  const raw = interpolated.value;
  applyOverrides(raw, options.overrides);
  const fromEnv = applyEnvFallbacks(raw, env);

  const problems: Problem[] = [...interpolated.problems];
  if (!configFileValidator.Check(raw)) {
    problems.push(...describeErrors(ConfigFile, raw, configFileValidator.Errors(raw)));
  }
  problems.push(...crossFieldProblems(raw, types));

  if (problems.length === 0 && configFileValidator.Check(raw)) {
    return build(raw, options.source, types, env);
  }
  // A variable that is not set makes its value wrong too: say so once.
  const unset = interpolated.problems.map((p) => formatPath(p.path));
  const placed = problems
    .filter((p) => interpolated.problems.includes(p) || !isUnder(formatPath(p.path), unset))
    .map((p) => place(p, fromEnv, options));
  throw new ConfigError(sortByPosition(placed));
}

/** Reads, interpolates and validates the configuration file; no file gives every default. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<Config> {
  const env = options.env ?? process.env;
  const file = options.path || env.PAINCHAIN_CONFIG || undefined;
  const { connectorTypes, exporterTypes, overrides } = options;
  if (file === undefined) {
    return createConfig({}, { env, connectorTypes, exporterTypes, overrides });
  }

  const fail = (message: string): never => {
    throw new ConfigError([{ file, path: '', message }]);
  };
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const origin = options.path ? '' : ' (path from PAINCHAIN_CONFIG)';
    fail(`cannot read the configuration file${origin}: ${readError(error)}`);
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { file, line, column: col, path: '', message: error.message };
      }),
    );
  }
  let parsed: unknown = {};
  try {
    parsed = doc.toJS();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  return createConfig(parsed, {
    env,
    source: file,
    connectorTypes,
    exporterTypes,
    overrides,
    lineOf: (path) => {
      const { offset } = findNode(doc, path);
      if (offset === undefined) return undefined;
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    },
    isQuoted: (path) => {
      const { node, complete } = findNode(doc, path);
      return complete && isScalar(node) && node.type !== 'PLAIN';
    },
  });
}

/** What the command line may set; it wins over the file and the environment. */
export interface ServerOverrides {
  host?: string;
  port?: number;
}

export interface CollectorArgs extends ServerOverrides {
  configPath?: string;
  help: boolean;
}

const ARGS_USAGE =
  'usage: painchain-collector [--config FILE] [--port N] [--host ADDRESS] [--help]';

/** Command-line arguments of the collector (without node and the script). */
export function parseArgs(argv: readonly string[]): CollectorArgs {
  const result: CollectorArgs = { help: false };
  /** `--name value`, `-x value` or `--name=value`; undefined when `arg` is not this option. */
  const valueOf = (arg: string, i: number, names: string[], what: string) => {
    const inline = names.map((n) => `${n}=`).find((prefix) => arg.startsWith(prefix));
    if (inline !== undefined) {
      const value = arg.slice(inline.length);
      if (value === '') throw new Error(`${inline} needs ${what}: ${inline}${example(names[0]!)}`);
      return { value, next: i };
    }
    if (!names.includes(arg)) return undefined;
    const value = argv[i + 1];
    if (value === undefined || value === '' || value.startsWith('-')) {
      throw new Error(`${arg} needs ${what}: ${arg} ${example(names[0]!)}`);
    }
    return { value, next: i + 1 };
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      result.help = true;
      continue;
    }
    const config = valueOf(arg, i, ['--config', '-c'], 'a file path');
    const port = config ? undefined : valueOf(arg, i, ['--port', '-p'], 'a port number');
    const host = config || port ? undefined : valueOf(arg, i, ['--host'], 'an address');
    if (config) {
      result.configPath = config.value;
      i = config.next;
    } else if (port) {
      const number = Number(port.value);
      if (!/^\d+$/.test(port.value) || number > 65535) {
        throw new Error(`--port needs a whole number from 0 to 65535 (got "${port.value}")`);
      }
      result.port = number;
      i = port.next;
    } else if (host) {
      result.host = host.value;
      i = host.next;
    } else {
      const what = arg.startsWith('-') ? 'unknown option' : 'unexpected argument';
      throw new Error(`${what} "${arg}"; ${ARGS_USAGE}`);
    }
  }
  return result;
}

function example(name: string): string {
  if (name === '--config') return 'painchain.yaml';
  if (name === '--port') return '8080';
  return '0.0.0.0';
}

/** What the collector runs with, safe to log: no token values, no database password. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    source: config.source ?? '(no file: defaults and environment)',
    server: { ...config.server },
    store: {
      ...config.store,
      url: config.store.url === undefined ? undefined : maskUrl(config.store.url),
      engine: config.store.url === undefined ? 'pglite' : 'postgres',
    },
    auth: {
      disabled: config.auth.disabled,
      tokens: config.auth.tokens.map(({ name, scopes, tenant }) => ({ name, scopes, tenant })),
    },
    ingest: { ...config.ingest },
    log: { ...config.log },
    connectors: config.connectors.map(({ name, type, tenant, enabled, options }) => ({
      name,
      type,
      tenant,
      enabled,
      optionKeys: Object.keys(options),
    })),
    exporters: config.exporters.map(({ options, ...exporter }) => ({
      ...exporter,
      optionKeys: Object.keys(options),
    })),
  };
}

function build(
  file: ConfigFile,
  source: string | undefined,
  types: PluggableTypes,
  env: Env,
): Config {
  const { server = {}, store = {}, auth = {}, ingest = {}, log = {} } = file;
  const { connectors = [] } = file;
  // Change events over OTLP need no `exporters:` entry: the OTEL_* variables turn them on.
  const implicit = implicitChangeEventExporter(
    file.opentelemetry?.changeEvents,
    file.exporters ?? [],
    env,
  );
  const exporters = [...(file.exporters ?? []), ...(implicit ? [implicit] : [])];
  return deepFreeze({
    source,
    server: {
      host: server.host ?? DEFAULT_HOST,
      port: server.port ?? DEFAULT_PORT,
      bodyLimitBytes: server.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
      trustProxy: server.trustProxy ?? false,
      // Unique among the replicas on one database: a pod's name in Kubernetes, the process id
      // telling apart several collectors on one machine.
      replicaId: server.replicaId ?? `${hostname()}-${process.pid}`,
      leaseTtlSeconds: server.leaseTtlSeconds ?? DEFAULT_LEASE_TTL_SECONDS,
      requestTimeoutMs: server.requestTimeoutMs ?? SERVER_LIMIT_DEFAULTS.requestTimeoutMs,
      // Node refuses a headers timeout longer than the request timeout.
      headersTimeoutMs: Math.min(
        server.headersTimeoutMs ?? SERVER_LIMIT_DEFAULTS.headersTimeoutMs,
        server.requestTimeoutMs ?? SERVER_LIMIT_DEFAULTS.requestTimeoutMs,
      ),
      idleTimeoutMs: server.idleTimeoutMs ?? SERVER_LIMIT_DEFAULTS.idleTimeoutMs,
      maxConnections: server.maxConnections ?? SERVER_LIMIT_DEFAULTS.maxConnections,
      maxWritesInProgress: server.maxWritesInProgress ?? SERVER_LIMIT_DEFAULTS.maxWritesInProgress,
      retryAfterSeconds: server.retryAfterSeconds ?? SERVER_LIMIT_DEFAULTS.retryAfterSeconds,
      rateLimit: server.rateLimit && {
        max: server.rateLimit.max,
        windowSeconds: server.rateLimit.windowSeconds ?? DEFAULT_RATE_LIMIT_WINDOW_SECONDS,
      },
    },
    store: {
      url: store.url || undefined,
      dataDir: store.dataDir ?? DEFAULT_DATA_DIR,
      poolSize: store.poolSize ?? DEFAULT_POOL_SIZE,
      retentionDays: store.retentionDays ?? DEFAULT_RETENTION_DAYS,
      tenantRetentionDays: { ...store.tenantRetentionDays },
      statementTimeoutMs: store.statementTimeoutMs ?? STORE_TIMEOUT_DEFAULTS.statementTimeoutMs,
      connectTimeoutMs: store.connectTimeoutMs ?? STORE_TIMEOUT_DEFAULTS.connectTimeoutMs,
    },
    spool: {
      // In the data folder, whose lock then covers it too (with PostgreSQL it holds nothing else).
      dir: file.spool?.dir ?? join(store.dataDir ?? DEFAULT_DATA_DIR, 'spool'),
      limitBytes: file.spool?.limitBytes ?? SPOOL_LIMIT_DEFAULTS.limitBytes,
      apiLimitBytes: file.spool?.apiLimitBytes ?? SPOOL_LIMIT_DEFAULTS.apiLimitBytes,
    },
    metrics: {
      token: file.metrics?.token || undefined,
      // Configured instances and types are always known; CI names come from the config.
      connectorLabels: [
        ...new Set([
          ...connectors.flatMap((c) => [c.name, c.type]),
          ...(file.metrics?.connectorLabels ?? []),
        ]),
      ],
    },
    auth: {
      disabled: auth.disabled ?? false,
      tokens: (auth.tokens ?? []).map((token) => ({
        ...token,
        tenant: token.tenant ?? DEFAULT_TENANT,
      })),
    },
    ingest: {
      maxBatchEvents: ingest.maxBatchEvents ?? DEFAULT_MAX_BATCH_EVENTS,
      maxFutureSeconds: ingest.maxFutureSeconds ?? DEFAULT_MAX_FUTURE_SECONDS,
      allowFutureTimestamps: ingest.allowFutureTimestamps ?? false,
    },
    log: { level: log.level ?? DEFAULT_LOG_LEVEL, format: log.format ?? 'auto' },
    connectors: connectors.map((connector) => ({
      name: connector.name,
      type: connector.type,
      tenant: connector.tenant ?? DEFAULT_TENANT,
      enabled: connector.enabled ?? true,
      options: checkedOptions(types.connectors, connector),
    })),
    exporters: exporters.map((exporter) => ({
      name: exporter.name,
      type: exporter.type,
      enabled: exporter.enabled ?? true,
      queueSize: exporter.queueSize ?? DEFAULT_EXPORTER_QUEUE_SIZE,
      batchSize: exporter.batchSize ?? DEFAULT_EXPORTER_BATCH_SIZE,
      timeoutSeconds: exporter.timeoutSeconds ?? DEFAULT_EXPORTER_TIMEOUT_SECONDS,
      options: checkedOptions(types.exporters, exporter),
    })),
    ...buildDrilldown(file),
    delivery: {
      environment: file.delivery?.environment ?? DEFAULT_DELIVERY_ENVIRONMENT,
      failureWindowHours: file.delivery?.failureWindowHours ?? DEFAULT_FAILURE_WINDOW_HOURS,
      restoreHorizonDays: file.delivery?.restoreHorizonDays ?? DEFAULT_RESTORE_HORIZON_DAYS,
      maxRangeDays: file.delivery?.maxRangeDays ?? DEFAULT_DELIVERY_MAX_RANGE_DAYS,
    },
  });
}

/** The drilldown, alerts and grafana sections with their defaults. */
function buildDrilldown(file: ConfigFile): Pick<Config, 'drilldown' | 'alerts' | 'grafana'> {
  const { drilldown = {}, alerts = {}, grafana = {} } = file;
  const labels = alerts.labels ?? {};
  return {
    drilldown: {
      lookbackMinutes: drilldown.lookbackMinutes ?? DEFAULT_LOOKBACK_MINUTES,
      maxLookbackMinutes: drilldown.maxLookbackMinutes ?? DEFAULT_MAX_LOOKBACK_MINUTES,
      halfLifeMinutes: drilldown.halfLifeMinutes ?? DEFAULT_HALF_LIFE_MINUTES,
      threshold: drilldown.threshold ?? DEFAULT_SUSPECT_OPTIONS.threshold,
      maxSuspects: drilldown.maxSuspects ?? DEFAULT_SUSPECT_OPTIONS.maxSuspects,
      chainShare: drilldown.chainShare ?? DEFAULT_SUSPECT_OPTIONS.chainShare,
      chainHorizonDays: drilldown.chainHorizonDays ?? DEFAULT_CHAIN_HORIZON_DAYS,
      chainMaxEvents: drilldown.chainMaxEvents ?? DEFAULT_CHAIN_MAX_EVENTS,
      kindWeights: { ...DEFAULT_KIND_WEIGHTS, ...drilldown.kindWeights },
    },
    alerts: {
      labels: {
        service: labels.service ?? [...DEFAULT_ALERT_LABELS.service],
        environment: labels.environment ?? [...DEFAULT_ALERT_LABELS.environment],
        project: labels.project ?? [...DEFAULT_ALERT_LABELS.project],
      },
    },
    grafana: {
      url: grafana.url?.replace(/\/+$/, '') || undefined,
      changesDashboardUid: grafana.changesDashboardUid ?? DEFAULT_CHANGES_DASHBOARD_UID,
    },
  };
}

/** The command line's server settings over the file's (parseArgs has checked them). */
function applyOverrides(raw: unknown, overrides: ServerOverrides | undefined): void {
  if (!overrides || !isRecord(raw)) return;
  const server = (raw.server ??= {});
  if (!isRecord(server)) return;
  if (overrides.host !== undefined) server.host = overrides.host;
  if (overrides.port !== undefined) server.port = overrides.port;
}

/** Fills the file's gaps from the environment; returns which paths came from which variable. */
function applyEnvFallbacks(raw: unknown, env: Env): Map<string, string> {
  const fromEnv = new Map<string, string>();
  if (!isRecord(raw)) return fromEnv;
  // `url: ${DATABASE_URL:-}` must mean "no database", so an empty url is the same as none.
  if (isRecord(raw.store) && raw.store.url === '') delete raw.store.url;
  for (const { variable, path, integer } of ENV_FALLBACKS) {
    const text = env[variable];
    if (!text) continue;
    const [section, key] = path;
    const parent = (raw[section] ??= {});
    if (!isRecord(parent) || parent[key] !== undefined) continue;
    parent[key] = integer && /^\s*\d+\s*$/.test(text) ? Number(text) : text;
    fromEnv.set(formatPath(path), variable);
  }
  return fromEnv;
}

/** The rules one schema cannot say: uniqueness, known connector and exporter types, options. */
function crossFieldProblems(raw: unknown, types: PluggableTypes) {
  const problems: Problem[] = [];
  if (!isRecord(raw)) return problems;
  const store = isRecord(raw.store) ? raw.store : {};
  if (typeof store.url === 'string' && !POSTGRES_URL.test(store.url)) {
    problems.push({
      path: ['store', 'url'],
      message: 'must start with postgres:// or postgresql://',
    });
  }
  const drilldown = isRecord(raw.drilldown) ? raw.drilldown : {};
  const lookback = drilldown.lookbackMinutes;
  const maxLookback = drilldown.maxLookbackMinutes ?? DEFAULT_MAX_LOOKBACK_MINUTES;
  if (typeof lookback === 'number' && typeof maxLookback === 'number' && lookback > maxLookback) {
    problems.push({
      path: ['drilldown', 'lookbackMinutes'],
      message: `must be at most drilldown.maxLookbackMinutes (${maxLookback})`,
    });
  }

  const tokens = listAt(raw.auth, 'tokens');
  const tokensPath = ['auth', 'tokens'];
  problems.push(...duplicates(tokens, 'name', tokensPath, (v) => `duplicate token name "${v}"`));
  // Never quote the value itself: this message is printed.
  problems.push(...duplicates(tokens, 'token', tokensPath, () => 'the same token value is used'));

  problems.push(...instanceProblems(raw, 'connectors', 'connector', types.connectors));
  problems.push(...instanceProblems(raw, 'exporters', 'exporter', types.exporters));
  const exporters = listAt(raw, 'exporters');
  exporters.forEach((exporter, i) => {
    if (!isRecord(exporter)) return;
    const { queueSize = DEFAULT_EXPORTER_QUEUE_SIZE, batchSize } = exporter;
    if (typeof batchSize === 'number' && typeof queueSize === 'number' && batchSize > queueSize) {
      const message = `must not be larger than queueSize (${queueSize})`;
      problems.push({ path: ['exporters', i, 'batchSize'], message });
    }
  });
  return problems;
}

/** The connector and exporter types the file may name. */
interface PluggableTypes {
  connectors: readonly ConfigurableDefinition[];
  exporters: readonly ConfigurableDefinition[];
}

/** A list of named instances of pluggable types: unique names, known types, options they take. */
function instanceProblems(
  raw: Record<string, unknown>,
  section: 'connectors' | 'exporters',
  what: 'connector' | 'exporter',
  definitions: readonly ConfigurableDefinition[],
): Problem[] {
  const items = listAt(raw, section);
  const problems = duplicates(items, 'name', [section], (v) => `duplicate ${what} name "${v}"`);
  const known = definitions.map((d) => d.type);
  items.forEach((item, i) => {
    if (!isRecord(item) || typeof item.type !== 'string') return;
    const definition = definitions.find((d) => d.type === item.type);
    if (!definition) {
      const installed = known.length ? `known types: ${known.join(', ')}` : 'none are installed';
      const message = `unknown ${what} type "${item.type}"; ${installed}`;
      problems.push({ path: [section, i, 'type'], message });
      return;
    }
    const options = item.options ?? {};
    if (!isRecord(options)) return; // the file schema already says it must be a mapping
    // Defaults, the type's schema, then its own cross-field rules: all reported here, with the
    // file and line, so that an instance never starts with options it would refuse.
    const checked = checkOptions(definition, options, [section, i, 'options']);
    if (!checked.ok) problems.push(...checked.problems);
  });
  return problems;
}

function duplicates(
  items: unknown[],
  key: string,
  base: PathSegment[],
  describe: (value: string) => string,
): Problem[] {
  const first = new Map<string, number>();
  const problems: Problem[] = [];
  items.forEach((item, i) => {
    const value = isRecord(item) ? item[key] : undefined;
    if (typeof value !== 'string') return;
    const earlier = first.get(value);
    if (earlier === undefined) first.set(value, i);
    else {
      const message = `${describe(value)} (also in ${formatPath([...base, earlier])})`;
      problems.push({ path: [...base, i, key], message });
    }
  });
  return problems;
}

function place(problem: Problem, fromEnv: Map<string, string>, options: CreateConfigOptions) {
  const path = formatPath(problem.path);
  const variable = [...fromEnv].find(([envPath]) => isUnder(path, [envPath]))?.[1];
  if (variable) {
    return { path, message: `${problem.message} (value from environment variable ${variable})` };
  }
  const at = options.lineOf?.(problem.path);
  const placed: ConfigProblem = { path, message: problem.message };
  if (options.source !== undefined) placed.file = options.source;
  if (at) Object.assign(placed, { line: at.line, column: at.column });
  return placed;
}

function sortByPosition(problems: ConfigProblem[]): ConfigProblem[] {
  const key = (p: ConfigProblem) => (p.line ?? Infinity) * 1e6 + (p.column ?? 0);
  return problems.sort((a, b) => key(a) - key(b));
}

function isUnder(path: string, ancestors: string[]): boolean {
  return ancestors.some((a) => path === a || path.startsWith(`${a}.`) || path.startsWith(`${a}[`));
}

/** The YAML node at `path`, or the nearest existing ancestor, and where its key or item starts. */
function findNode(doc: Document, path: readonly PathSegment[]) {
  let node: unknown = doc.contents;
  let offset = isScalar(node) || isMap(node) || isSeq(node) ? node.range?.[0] : undefined;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment),
      );
      if (!pair) return { node, offset, complete: false };
      // Point at the key: that is where a reader looks for `port`, even if the value is below.
      if (isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      if (isScalar(node) || isMap(node) || isSeq(node)) offset = node.range?.[0] ?? offset;
    } else {
      return { node, offset, complete: false };
    }
  }
  return { node, offset, complete: true };
}

/** Options already checked by crossFieldProblems, with their type's defaults applied. */
function checkedOptions(
  definitions: readonly ConfigurableDefinition[],
  instance: { type: string; options?: Record<string, unknown> },
): Record<string, unknown> {
  const options = instance.options ?? {};
  const definition = definitions.find((d) => d.type === instance.type);
  if (!definition) return options;
  const checked = checkOptions(definition, options);
  if (!checked.ok) throw new Error(`${instance.type} options changed between check and build`);
  return checked.options as Record<string, unknown>;
}

function listAt(parent: unknown, key: string): unknown[] {
  const value = isRecord(parent) ? parent[key] : undefined;
  return Array.isArray(value) ? value : [];
}

/** A key written with nothing after it (`auth:` with its lines commented out) is not set. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== null)
      .map(([key, item]) => [key, withoutNulls(item)]),
  );
}

/** The URL with its password (and password-like parameters) replaced by `***`. */
function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return '***';
  }
}

function readError(error: unknown): string {
  const code = isRecord(error) ? error.code : undefined;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
