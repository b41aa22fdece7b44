// The standalone process's command line: where the collector is, how to authenticate to it,
// and the connector's options (a JSON file like `options:` in painchain.yaml, and shortcuts).
import { readFile } from 'node:fs/promises';
import type { GithubConfig } from './github-config.js';

export const STANDALONE_USAGE = `painchain-github: the GitHub connector as its own process

Usage: painchain-github --collector URL [--token TOKEN] [options]

  --collector URL          the PainChain collector (also $PAINCHAIN_URL)
  --token TOKEN            collector token with the ingest scope (better: $PAINCHAIN_TOKEN)
  --name NAME              instance name shown on /api/v1/connectors (default: github)
  --options FILE           JSON file with the connector options (as under options: in painchain.yaml);
                           \${VAR} and \${VAR:-default} are replaced from the environment
  --repo OWNER/REPO        a repository to poll (repeatable)
  --owner ORG              poll every repository of an organisation or user
  --state-file FILE        cursors and ETags (default: .painchain/<name>.state.json)
  --heartbeat-seconds N    how often to report to the collector (default 30)
  -h, --help               this text

GitHub token: $GITHUB_TOKEN (or "token" / "tokenFile" in the options file).
GitHub Enterprise Server: $GITHUB_API_URL or "baseUrl" (https://HOST/api/v3).`;

export interface StandaloneArgs {
  help: boolean;
  collector: string;
  token: string | undefined;
  name: string;
  options: GithubConfig;
  stateFile: string;
  heartbeatSeconds: number | undefined;
}

type Env = Record<string, string | undefined>;

/** `${VAR}` and `${VAR:-default}` in every string of a parsed JSON value. */
export function interpolateEnv(value: unknown, env: Env, missing: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
      (_all, name: string, fallback?: string) => {
        const found = env[name];
        if (found !== undefined && found !== '') return found;
        if (fallback !== undefined) return fallback;
        missing.push(name);
        return '';
      },
    );
  }
  if (Array.isArray(value)) return value.map((item) => interpolateEnv(item, env, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateEnv(item, env, missing)]),
    );
  }
  return value;
}

const NAME = /^[a-z0-9][a-z0-9_.-]*$/;
const REPO = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;

/** Parses the arguments; throws an Error whose message says what to fix. */
export async function parseStandaloneArgs(
  argv: readonly string[],
  env: Env,
): Promise<StandaloneArgs> {
  const values = new Map<string, string[]>();
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const known = [
      'collector',
      'token',
      'name',
      'options',
      'repo',
      'owner',
      'state-file',
      'heartbeat-seconds',
    ];
    if (!match?.[1] || !known.includes(match[1])) throw new Error(`unknown argument "${arg}"`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`--${match[1]} needs a value`);
    values.set(match[1], [...(values.get(match[1]) ?? []), value]);
  }
  const one = (key: string) => values.get(key)?.at(-1);
  if (help) {
    return {
      help,
      collector: '',
      token: undefined,
      name: 'github',
      options: {},
      stateFile: '',
      heartbeatSeconds: undefined,
    };
  }

  const collector = one('collector') ?? env.PAINCHAIN_URL;
  if (!collector) throw new Error('--collector URL is required (or set PAINCHAIN_URL)');
  if (!/^https?:\/\//.test(collector)) throw new Error('--collector must be an http(s):// URL');
  const name = one('name') ?? 'github';
  if (!NAME.test(name) || name.length > 64) {
    throw new Error('--name must be lower case letters, digits, _ . - (at most 64)');
  }

  let options: Record<string, unknown> = {};
  const file = one('options');
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new Error(
        `--options ${file}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const missing: string[] = [];
    parsed = interpolateEnv(parsed, env, missing);
    if (missing.length > 0) {
      throw new Error(
        `--options ${file}: environment variable(s) not set: ${[...new Set(missing)].join(', ')}`,
      );
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`--options ${file}: must hold a JSON object`);
    }
    options = parsed as Record<string, unknown>;
  }
  const repositories = (values.get('repo') ?? []).map((text) => {
    const match = REPO.exec(text);
    if (!match) throw new Error(`--repo ${text}: expected OWNER/REPO`);
    return { owner: match[1], repo: match[2] };
  });
  if (repositories.length > 0) {
    options.repositories = [
      ...((options.repositories as unknown[] | undefined) ?? []),
      ...repositories,
    ];
  }
  const owner = one('owner');
  if (owner) options.owner = owner;
  if (options.token === undefined && options.tokenFile === undefined && env.GITHUB_TOKEN) {
    options.token = env.GITHUB_TOKEN;
  }
  if (options.baseUrl === undefined && env.GITHUB_API_URL) options.baseUrl = env.GITHUB_API_URL;

  const heartbeat = one('heartbeat-seconds');
  const heartbeatSeconds = heartbeat === undefined ? undefined : Number(heartbeat);
  if (
    heartbeatSeconds !== undefined &&
    (!Number.isInteger(heartbeatSeconds) || heartbeatSeconds < 5 || heartbeatSeconds > 3600)
  ) {
    throw new Error('--heartbeat-seconds must be a whole number from 5 to 3600');
  }
  return {
    help,
    collector,
    token: one('token') ?? env.PAINCHAIN_TOKEN,
    name,
    options: options as GithubConfig,
    stateFile: one('state-file') ?? `.painchain/${name}.state.json`,
    heartbeatSeconds,
  };
}
