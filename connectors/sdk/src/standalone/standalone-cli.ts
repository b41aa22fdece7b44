// The command line of every standalone connector: where the collector is, how to authenticate
// to it, the instance name, the options file (with `${VAR}` from the environment), the state
// file; a connector adds only its own shortcuts (`--repo`, `--project`). `runStandaloneCli` makes
// a connector's main.ts a few lines.
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { pino } from 'pino';
import type { TSchema } from 'typebox';
import type { ConnectorDefinition, ConnectorLogger } from '../connector.js';
import { interpolate, type Env } from '../options/interpolate-env.js';
import { CONNECTOR_NAME_PATTERN } from '../supervisor/heartbeat.js';
import { CollectorClient } from './collector-client.js';
import { fileState } from './file-state.js';
import { runStandalone } from './run-standalone.js';

/** A connector's own flag: always takes a value; `multiple` ones may repeat. */
export interface CliFlag {
  readonly valueName: string;
  readonly description: string;
  readonly multiple?: boolean;
}

export interface StandaloneCliSpec<S extends TSchema> {
  readonly definition: ConnectorDefinition<S>;
  /** The command's name: `painchain-github`. */
  readonly command: string;
  /** One line on what it is. */
  readonly summary: string;
  readonly flags?: Readonly<Record<string, CliFlag>>;
  /** Lines of help on the connector's environment variables and defaults. */
  readonly notes?: string;
  /**
   * Applies the connector's flags and environment to the options read from `--options`; throws an
   * Error whose message says what to fix.
   */
  applyArgs?(options: Record<string, unknown>, flags: Record<string, string[]>, env: Env): void;
}

export interface StandaloneArgs {
  help: boolean;
  collector: string;
  token: string | undefined;
  name: string;
  options: Record<string, unknown>;
  stateFile: string;
  heartbeatSeconds: number | undefined;
}

const COMMON_FLAGS: Record<string, CliFlag> = {
  collector: { valueName: 'URL', description: 'the PainChain collector (also $PAINCHAIN_URL)' },
  token: {
    valueName: 'TOKEN',
    description: 'collector token with the ingest scope (better: $PAINCHAIN_TOKEN)',
  },
  name: {
    valueName: 'NAME',
    description: 'instance name shown on /api/v1/connectors (default: the connector type)',
  },
  options: {
    valueName: 'FILE',
    description:
      'JSON file with the connector options (as under options: in painchain.yaml); ${VAR} and ${VAR:-default} come from the environment',
  },
  'state-file': {
    valueName: 'FILE',
    description: 'cursors and other durable state (default: .painchain/<name>.state.json)',
  },
  'heartbeat-seconds': {
    valueName: 'N',
    description: 'how often to report to the collector (default 30)',
  },
};

/** The help text: the common flags, the connector's, and its notes. */
export function standaloneUsage<S extends TSchema>(spec: StandaloneCliSpec<S>): string {
  const flags = { ...COMMON_FLAGS, ...spec.flags };
  const rows = Object.entries(flags).map(([name, flag]) => {
    const left = `  --${name} ${flag.valueName}`;
    const repeat = flag.multiple ? ' (repeatable)' : '';
    return `${left.padEnd(27)}${flag.description}${repeat}`;
  });
  rows.push(`${'  -h, --help'.padEnd(27)}this text`);
  return [
    `${spec.command}: ${spec.summary}`,
    '',
    `Usage: ${spec.command} --collector URL [--token TOKEN] [options]`,
    '',
    ...rows,
    ...(spec.notes ? ['', spec.notes] : []),
  ].join('\n');
}

/** Parses the arguments; throws an Error whose message says what to fix. */
export async function parseStandaloneArgs<S extends TSchema>(
  spec: StandaloneCliSpec<S>,
  argv: readonly string[],
  env: Env,
): Promise<StandaloneArgs> {
  const flags = { ...COMMON_FLAGS, ...spec.flags };
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const name of Object.keys(flags)) {
    // Every flag may repeat on the command line; a single-valued one keeps its last value.
    options[name] = { type: 'string', multiple: true };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new Error(describeParseError(error));
  }
  const values = parsed.values as Record<string, string[] | boolean | undefined>;
  const all = (name: string): string[] => {
    const list = values[name];
    if (!Array.isArray(list)) return [];
    if (list.some((value) => value === '')) throw new Error(`--${name} needs a value`);
    return list;
  };
  const one = (name: string) => all(name).at(-1);
  const type = spec.definition.type;
  if (values.help === true) {
    return {
      help: true,
      collector: '',
      token: undefined,
      name: type,
      options: {},
      stateFile: '',
      heartbeatSeconds: undefined,
    };
  }

  const collector = one('collector') ?? env.PAINCHAIN_URL;
  if (!collector) throw new Error('--collector URL is required (or set PAINCHAIN_URL)');
  if (!/^https?:\/\//.test(collector)) throw new Error('--collector must be an http(s):// URL');
  const name = one('name') ?? type;
  if (!CONNECTOR_NAME_PATTERN.test(name) || name.length > 64) {
    throw new Error('--name must be lower case letters, digits, _ . - (at most 64)');
  }
  const connectorOptions = await readOptionsFile(one('options'), env);
  const connectorFlags = Object.fromEntries(
    Object.keys(spec.flags ?? {}).map((flag) => [flag, all(flag)]),
  );
  spec.applyArgs?.(connectorOptions, connectorFlags, env);

  const heartbeat = one('heartbeat-seconds');
  const heartbeatSeconds = heartbeat === undefined ? undefined : Number(heartbeat);
  if (
    heartbeatSeconds !== undefined &&
    (!Number.isInteger(heartbeatSeconds) || heartbeatSeconds < 5 || heartbeatSeconds > 3600)
  ) {
    throw new Error('--heartbeat-seconds must be a whole number from 5 to 3600');
  }
  return {
    help: false,
    collector,
    token: one('token') ?? env.PAINCHAIN_TOKEN,
    name,
    options: connectorOptions,
    stateFile: one('state-file') ?? `.painchain/${name}.state.json`,
    heartbeatSeconds,
  };
}

/** node:util's parse errors, in the words this command uses. */
function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const option = /'(-{1,2}[^' ]+)/.exec(message ?? '')?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unknown argument "${option}"`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `${option} needs a value`;
    default:
      return message ?? String(error);
  }
}

async function readOptionsFile(
  file: string | undefined,
  env: Env,
): Promise<Record<string, unknown>> {
  if (!file) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`--options ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`--options ${file}: must hold a JSON object`);
  }
  // JSON says its types itself: interpolated values stay strings.
  const { value, problems } = interpolate(parsed, { env });
  if (problems.length > 0) {
    const lines = problems.map((problem) => `${problem.path.join('.')}: ${problem.message}`);
    throw new Error(`--options ${file}:\n  ${lines.join('\n  ')}`);
  }
  return value as Record<string, unknown>;
}

/** JSON lines on stderr, secrets redacted: what the collector's log looks like. */
export function standaloneLogger(bindings: Record<string, unknown>): ConnectorLogger {
  return pino(
    { base: bindings, redact: ['token', 'options.token', 'headers.authorization'] },
    pino.destination(2),
  );
}

/**
 * A connector's whole `main`: parse the arguments, check the options, run under the SDK's
 * supervisor until SIGTERM/SIGINT. Exits 0 after a clean stop, 2 for a usage or options problem.
 */
export async function runStandaloneCli<S extends TSchema>(
  spec: StandaloneCliSpec<S>,
  argv: readonly string[] = process.argv.slice(2),
  env: Env = process.env,
): Promise<never> {
  const usage = standaloneUsage(spec);
  let args: StandaloneArgs;
  try {
    args = await parseStandaloneArgs(spec, argv, env);
  } catch (error) {
    console.error(`${spec.command}: ${(error as Error).message}\n\n${usage}`);
    return process.exit(2);
  }
  if (args.help) {
    console.error(usage);
    return process.exit(0);
  }
  const logger = standaloneLogger({ connector: args.name, type: spec.definition.type });
  const controller = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (controller.signal.aborted) process.exit(1);
      logger.info({ signal }, 'stopping');
      controller.abort();
    });
  }
  // Never the token values: only where things go.
  logger.info({ collector: args.collector, stateFile: args.stateFile }, 'starting');
  try {
    await runStandalone({
      definition: spec.definition,
      name: args.name,
      options: args.options,
      collector: new CollectorClient({ url: args.collector, token: args.token }),
      state: fileState(args.stateFile),
      logger,
      signal: controller.signal,
      heartbeatSeconds: args.heartbeatSeconds,
    });
  } catch (error) {
    console.error(`${spec.command}: ${(error as Error).message}`);
    return process.exit(2);
  }
  return process.exit(0);
}
