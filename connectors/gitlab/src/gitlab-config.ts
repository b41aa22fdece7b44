// The GitLab connector's options (under `options:` in painchain.yaml): the TypeBox schema, its
// named defaults, and the cross-field rules a schema cannot say, every problem at once.
import type { OptionProblem } from '@painchain/sdk';
import { Type, type Static } from 'typebox';

/** The GitLab hooks this connector turns into changes; `events` in the options picks among them. */
export const GITLAB_EVENT_FAMILIES = [
  'push',
  'tag',
  'merge_request',
  'pipeline',
  'job',
  'deployment',
  'release',
  'feature_flag',
] as const;
export type GitlabEventFamily = (typeof GITLAB_EVENT_FAMILIES)[number];

export const DEFAULT_HOST = 'https://gitlab.com';
/** GitLab.com allows 2,000 API calls a minute per user; a minute between polls is far below it. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 60;
export const DEFAULT_BACKFILL_DAYS = 30;

/** Free labels, from the connector or a project, added to every event. */
const Labels = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
  maxItems: 32,
  description: 'labels added to the events',
});
/** `group/subgroup/project`: GitLab namespaces nest, so a path has two or more segments. */
const ProjectPath = Type.String({
  minLength: 3,
  maxLength: 512,
  pattern: '^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$',
  description: 'full path with namespace, as in the project URL: group/subgroup/project',
});
const Name = (maxLength: number, description: string) =>
  Type.Optional(Type.String({ minLength: 1, maxLength, description }));

/** One project to poll, or to describe: by path or by id, and what its changes concern. */
export const GitlabProjectConfig = Type.Object(
  {
    path: Type.Optional(ProjectPath),
    id: Type.Optional(Type.Integer({ minimum: 1, description: 'numeric project ID' })),
    service: Name(256, 'the service its changes affect (what alerts name)'),
    environment: Name(128, 'for changes that name no environment of their own'),
    tags: Type.Optional(Labels),
    branches: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 255, description: 'branch name' }), {
        maxItems: 20,
        uniqueItems: true,
        description: 'more branches whose commits are polled (the default branch always is)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type GitlabProjectConfig = Static<typeof GitlabProjectConfig>;

export const GitlabConfig = Type.Object(
  {
    host: Type.Optional(
      Type.String({
        pattern: '^https?://[^/?#]+(/[^?#]*)?$',
        description:
          'GitLab root URL (https://gitlab.example.com for self-managed), without /api/v4',
      }),
    ),
    token: Type.Optional(
      Type.String({
        description: 'personal, project or group access token with read_api: write ${GITLAB_TOKEN}',
      }),
    ),
    webhookSecret: Type.Optional(
      Type.String({ description: "the webhook's secret token: write ${GITLAB_WEBHOOK_SECRET}" }),
    ),
    projects: Type.Optional(Type.Array(GitlabProjectConfig, { maxItems: 2000 })),
    group: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 512,
        pattern: '^([0-9]+|[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)$',
        description: 'group path or ID: every project in it (and its subgroups) is polled',
      }),
    ),
    includeSubgroups: Type.Optional(Type.Boolean({ description: 'with group: default true' })),
    events: Type.Optional(
      Type.Array(Type.Enum(GITLAB_EVENT_FAMILIES), {
        uniqueItems: true,
        description: 'hooks to record; all by default',
      }),
    ),
    jobs: Type.Optional(
      Type.Enum(['environment', 'all'], {
        description: 'Job Hook: only jobs that deploy to an environment (default), or all',
      }),
    ),
    poll: Type.Optional(
      Type.Boolean({ description: 'false: webhooks only (default: poll when projects are set)' }),
    ),
    pollIntervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    backfillDays: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 3650, description: 'history read on first start' }),
    ),
    tags: Type.Optional(Labels),
  },
  { additionalProperties: false },
);
export type GitlabConfig = Static<typeof GitlabConfig>;

/** One configured project: path or id, and what its events carry. */
export interface ProjectEntry {
  /** `path_with_namespace` or the numeric id, as GitLab's API takes either. */
  ref: string | number;
  service?: string;
  environment?: string;
  tags: string[];
  branches: string[];
}

/** The options with every default applied: what the connector reads. */
export interface ResolvedGitlabConfig {
  host: string;
  token: string | undefined;
  webhookSecret: string | undefined;
  projects: ProjectEntry[];
  group: string | undefined;
  includeSubgroups: boolean;
  events: ReadonlySet<GitlabEventFamily>;
  allJobs: boolean;
  poll: boolean;
  pollIntervalMs: number;
  backfillDays: number;
  tags: string[];
}

/** Valid and runnable: polls nothing and waits for webhooks. */
export function defaultGitlabConfig(): GitlabConfig {
  return {
    host: DEFAULT_HOST,
    projects: [],
    events: [...GITLAB_EVENT_FAMILIES],
    jobs: 'environment',
    pollIntervalSeconds: DEFAULT_POLL_INTERVAL_SECONDS,
    backfillDays: DEFAULT_BACKFILL_DAYS,
  };
}

/** `${VAR:-}` gives an empty string: that is "not set", never an empty secret. */
const given = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

export function validateGitlabConfig(config: GitlabConfig): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const firstSeen = new Map<string, number>();
  (config.projects ?? []).forEach((project, index) => {
    if (project.path === undefined && project.id === undefined) {
      problems.push({
        path: ['projects', index],
        message: 'needs a path (group/project) or an id',
      });
      return;
    }
    if (project.path !== undefined && project.id !== undefined) {
      problems.push({
        path: ['projects', index],
        message: 'set path or id, not both (GitLab finds the project by either)',
      });
      return;
    }
    // GitLab paths are case-insensitive: Acme/API and acme/api are one project.
    const key = String(project.path ?? project.id).toLowerCase();
    const earlier = firstSeen.get(key);
    if (earlier !== undefined) {
      problems.push({
        path: ['projects', index],
        message: `${key} is listed twice (also projects[${earlier}])`,
      });
    } else firstSeen.set(key, index);
  });
  if (config.host !== undefined && /\/api\/v4\/?$/.test(config.host)) {
    problems.push({
      path: ['host'],
      message: 'give the GitLab root (https://gitlab.example.com), without /api/v4',
    });
  }
  return problems;
}

/** Defaults applied to options that passed validateGitlabConfig. */
export function resolveGitlabConfig(config: GitlabConfig): ResolvedGitlabConfig {
  const projects = (config.projects ?? []).map((project): ProjectEntry => ({
    ref: project.path ?? project.id ?? '',
    service: project.service,
    environment: project.environment,
    tags: project.tags ?? [],
    branches: project.branches ?? [],
  }));
  const group = given(config.group);
  return {
    host: (given(config.host) ?? DEFAULT_HOST).replace(/\/+$/, ''),
    token: given(config.token),
    webhookSecret: given(config.webhookSecret),
    projects,
    group,
    includeSubgroups: config.includeSubgroups ?? true,
    events: new Set(config.events ?? GITLAB_EVENT_FAMILIES),
    allJobs: config.jobs === 'all',
    poll: (config.poll ?? true) && (projects.length > 0 || group !== undefined),
    pollIntervalMs: (config.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS) * 1000,
    backfillDays: config.backfillDays ?? DEFAULT_BACKFILL_DAYS,
    tags: config.tags ?? [],
  };
}
