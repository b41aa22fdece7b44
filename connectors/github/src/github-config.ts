// The GitHub connector's options (under `options:` in painchain.yaml): one TypeBox schema, the
// named defaults, and the checks a schema cannot express, reported all at once.
import type { OptionProblem } from '@painchain/sdk';
import { Type, type Static } from 'typebox';

/** The GitHub event families this connector records; `events` in the config picks among them. */
export const GITHUB_EVENT_TYPES = [
  'push',
  'pull_request',
  'workflow_run',
  'check_suite',
  'deployment',
  'release',
  'tag',
  'package',
] as const;
export type GithubEventType = (typeof GITHUB_EVENT_TYPES)[number];

export const DEFAULT_BASE_URL = 'https://api.github.com';
/** GitHub asks integrations not to poll faster than once a minute. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 60;
export const DEFAULT_BACKFILL_DAYS = 30;

const GithubName = (what: string) =>
  Type.String({
    minLength: 1,
    maxLength: 100,
    pattern: '^[A-Za-z0-9_.-]+$',
    description: what,
  });

const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 32 });

export const GithubRepositoryConfig = Type.Object(
  {
    owner: Type.Optional(GithubName('user or organisation; defaults to the top-level `owner`')),
    repo: GithubName('repository name'),
    service: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, description: 'service its changes affect' }),
    ),
    environment: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    tags: Type.Optional(Tags),
    branches: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
        maxItems: 20,
        uniqueItems: true,
        description: 'branches polled for commits besides the default branch',
      }),
    ),
  },
  { additionalProperties: false },
);
export type GithubRepositoryConfig = Static<typeof GithubRepositoryConfig>;

export const GithubConfig = Type.Object(
  {
    baseUrl: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description: 'REST API root; https://HOST/api/v3 for GitHub Enterprise Server',
      }),
    ),
    token: Type.Optional(
      Type.String({
        description:
          'personal access token or GitHub App installation token: write ${GITHUB_TOKEN}',
      }),
    ),
    tokenFile: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'file holding the token, read again before every poll (rotated app tokens)',
      }),
    ),
    webhookSecret: Type.Optional(
      Type.String({ description: 'the webhook secret: write ${GITHUB_WEBHOOK_SECRET}' }),
    ),
    owner: Type.Optional(
      GithubName('organisation or user: every repository of it is polled, unless `repositories`'),
    ),
    repositories: Type.Optional(Type.Array(GithubRepositoryConfig, { maxItems: 2000 })),
    events: Type.Optional(
      Type.Array(Type.Enum(GITHUB_EVENT_TYPES), {
        uniqueItems: true,
        description: 'event families to record; all by default',
      }),
    ),
    poll: Type.Optional(
      Type.Boolean({
        description: 'false: webhooks only (default: poll when repositories are set)',
      }),
    ),
    pollIntervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    backfillDays: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 3650, description: 'history read on first start' }),
    ),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false },
);
export type GithubConfig = Static<typeof GithubConfig>;

/** Where one watched repository's changes go. */
export interface RepositoryTarget {
  owner: string;
  repo: string;
  /** `owner/repo` as configured; GitHub compares names case-insensitively. */
  fullName: string;
  service?: string;
  environment?: string;
  tags: string[];
  branches: string[];
}

/** The options with every default applied: what the connector reads. */
export interface ResolvedGithubConfig {
  baseUrl: string;
  token: string | undefined;
  tokenFile: string | undefined;
  webhookSecret: string | undefined;
  owner: string | undefined;
  repositories: RepositoryTarget[];
  events: ReadonlySet<GithubEventType>;
  poll: boolean;
  pollIntervalMs: number;
  backfillDays: number;
  tags: string[];
}

/** Options that make a valid connector that polls nothing and waits for webhooks. */
export function defaultGithubConfig(): GithubConfig {
  return {
    baseUrl: DEFAULT_BASE_URL,
    repositories: [],
    events: [...GITHUB_EVENT_TYPES],
    pollIntervalSeconds: DEFAULT_POLL_INTERVAL_SECONDS,
    backfillDays: DEFAULT_BACKFILL_DAYS,
  };
}

/** `${VAR:-}` interpolates to an empty string: that means "not set", not "empty secret". */
const present = (value: string | undefined) => (value && value.trim() !== '' ? value : undefined);

/**
 * Every problem the schema cannot see, with its path below `options` and the fix in words; empty
 * when the options are usable. The collector reports them at load, with the file and line.
 */
export function validateGithubConfig(config: GithubConfig): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const seen = new Map<string, number>();
  (config.repositories ?? []).forEach((repository, index) => {
    const owner = repository.owner ?? config.owner;
    if (!owner) {
      problems.push({
        path: ['repositories', index],
        message: 'needs an owner (or set the top-level owner)',
      });
      return;
    }
    const key = `${owner}/${repository.repo}`.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push({
        path: ['repositories', index],
        message: `${key} is listed twice (also repositories[${earlier}])`,
      });
    }
    seen.set(key, index);
  });
  if (present(config.token) && config.tokenFile) {
    problems.push({
      path: ['tokenFile'],
      message: 'token and tokenFile: set one of them, not both',
    });
  }
  return problems;
}

/** Applies the defaults to options that passed validateGithubConfig (checked at load). */
export function resolveGithubConfig(config: GithubConfig): ResolvedGithubConfig {
  const repositories = (config.repositories ?? []).map((repository): RepositoryTarget => {
    const owner = repository.owner ?? config.owner ?? '';
    return {
      owner,
      repo: repository.repo,
      fullName: `${owner}/${repository.repo}`,
      service: repository.service,
      environment: repository.environment,
      tags: repository.tags ?? [],
      branches: repository.branches ?? [],
    };
  });
  const watchesSomething = repositories.length > 0 || config.owner !== undefined;
  return {
    baseUrl: (present(config.baseUrl) ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
    token: present(config.token),
    tokenFile: config.tokenFile,
    webhookSecret: present(config.webhookSecret),
    owner: config.owner,
    repositories,
    events: new Set(config.events ?? GITHUB_EVENT_TYPES),
    poll: (config.poll ?? true) && watchesSomething,
    pollIntervalMs: (config.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS) * 1000,
    backfillDays: config.backfillDays ?? DEFAULT_BACKFILL_DAYS,
    tags: config.tags ?? [],
  };
}
