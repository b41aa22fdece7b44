// The GitLab connector: its definition for the collector's registry, and the connector itself —
// webhook deliveries checked and translated while it runs, and the poller of its projects.
import { createHash } from 'node:crypto';
import {
  PollScheduler,
  ProjectMapping,
  type ChangeEventInput,
  type Connector,
  type ConnectorContext,
  type ConnectorDefinition,
  type WebhookRequest,
  type WebhookResult,
} from '@painchain/sdk';
import type { Sleep } from './gitlab-client.js';
import {
  GitlabConfig,
  defaultGitlabConfig,
  resolveGitlabConfig,
  validateGitlabConfig,
  type ProjectEntry,
  type ResolvedGitlabConfig,
} from './gitlab-config.js';
import { GitlabSource } from './gitlab-source.js';
import type { PolledProject } from './normalize/gitlab-payloads.js';
import { HOOK_FAMILIES, hookName, normalizeWebhook } from './normalize/normalize-webhook.js';
import type { ProjectCursor, ProjectTarget } from './project-poller.js';
import { verifyWebhookToken } from './webhook-token.js';

/** Knobs for tests; painchain.yaml never sets these. */
export interface GitlabConnectorOptions {
  maxInlineWaitSeconds?: number;
  retries?: number;
  retryBaseMs?: number;
  requestTimeoutMs?: number;
  concurrency?: number;
  now?: () => Date;
  /** Every wait: the client's inline ones and the scheduler's pauses and intervals. */
  sleep?: Sleep;
}

const header = (headers: WebhookRequest['headers'], name: string): string | undefined => {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() || undefined;
};

/**
 * Service, environment and tags from the config, by project path. Projects configured by id get
 * theirs once their path is known (from a webhook payload or a poll).
 */
class ProjectDirectory {
  private readonly pathsById = new Map<number, string>();
  private mapping: ProjectMapping;

  constructor(
    private readonly entries: readonly ProjectEntry[],
    private readonly tags: readonly string[],
  ) {
    this.mapping = this.build();
  }

  learn(id: unknown, path: unknown): void {
    if (typeof id !== 'number' || typeof path !== 'string') return;
    if (!this.entries.some((entry) => entry.ref === id) || this.pathsById.get(id) === path) return;
    this.pathsById.set(id, path);
    this.mapping = this.build();
  }

  apply(events: ChangeEventInput[]): ChangeEventInput[] {
    return this.mapping.apply(events);
  }

  private build(): ProjectMapping {
    const known = this.entries.flatMap((entry) => {
      const project = typeof entry.ref === 'number' ? this.pathsById.get(entry.ref) : entry.ref;
      return project === undefined ? [] : [{ ...entry, project }];
    });
    return new ProjectMapping(known, { tags: this.tags });
  }
}

export class GitlabConnector implements Connector {
  private readonly config: ResolvedGitlabConfig;
  private readonly directory: ProjectDirectory;

  constructor(
    private readonly ctx: ConnectorContext<GitlabConfig>,
    private readonly options: GitlabConnectorOptions = {},
  ) {
    this.config = resolveGitlabConfig(ctx.config);
    this.directory = new ProjectDirectory(this.config.projects, this.config.tags);
  }

  async run(): Promise<void> {
    const { ctx, config } = this;
    if (config.poll) {
      if (!config.token) {
        ctx.logger.warn(
          'no token: only public projects can be polled, at the anonymous rate limit',
        );
      }
      await (await this.createPoller()).run();
      return;
    }
    ctx.reportHealth({
      message: config.webhookSecret
        ? 'waiting for webhooks (no projects to poll)'
        : 'idle: no projects to poll and no webhookSecret for webhooks',
      details: { polling: false, webhooks: config.webhookSecret !== undefined },
    });
    // Deliveries come through handleWebhook; run() lasts until stop.
    if (!ctx.signal.aborted) {
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    }
  }

  /** The scheduler run() drives; tests drive its cycles one by one. */
  async createPoller(): Promise<PollScheduler<ProjectTarget, ProjectCursor>> {
    // The client (and gitbeaker) is imported when a poll starts, not by every collector that
    // registers the type or only takes webhooks.
    const { GitlabClient } = await import('./gitlab-client.js');
    const { ctx, config, options } = this;
    const client = new GitlabClient({
      host: config.host,
      token: config.token,
      signal: ctx.signal,
      logger: ctx.logger,
      maxInlineWaitSeconds: options.maxInlineWaitSeconds,
      retries: options.retries,
      retryBaseMs: options.retryBaseMs,
      requestTimeoutMs: options.requestTimeoutMs,
      sleep: options.sleep,
    });
    const now = options.now ?? (() => new Date());
    const source = new GitlabSource({
      client,
      config,
      now,
      prepare: (project: PolledProject, events) => {
        this.directory.learn(project.id, project.path_with_namespace);
        return this.directory.apply(events);
      },
    });
    return new PollScheduler({
      source,
      ctx,
      intervalMs: config.pollIntervalMs,
      concurrency: options.concurrency,
      now,
      sleep: options.sleep,
    });
  }

  /**
   * Checks X-Gitlab-Token, then translates by X-Gitlab-Event. Redeliveries store once: every
   * change is keyed by GitLab's own ids (and, for keyless feature-flag toggles, by the delivery).
   */
  async handleWebhook(request: WebhookRequest): Promise<WebhookResult> {
    const { config, ctx } = this;
    verifyWebhookToken(config.webhookSecret, request.headers['x-gitlab-token']);
    const event = header(request.headers, 'x-gitlab-event');
    if (!event) return { status: 'ignored', reason: 'no X-Gitlab-Event header' };
    const hook = hookName(event, request.body);
    const family = HOOK_FAMILIES[hook];
    if (family && !config.events.has(family)) {
      return {
        status: 'ignored',
        reason: `${family} events are not enabled in this connector's options.events`,
      };
    }
    const delivery =
      header(request.headers, 'x-gitlab-event-uuid') ??
      header(request.headers, 'idempotency-key') ??
      createHash('sha256').update(request.rawBody).digest('hex').slice(0, 32);
    const outcome = normalizeWebhook(event, request.body, {
      receivedAt: this.options.now?.() ?? new Date(),
      delivery,
      allJobs: config.allJobs,
    });
    if ('ignored' in outcome) return { status: 'ignored', reason: outcome.ignored };
    const body = request.body as { project?: { id?: unknown; path_with_namespace?: unknown } };
    this.directory.learn(body.project?.id, body.project?.path_with_namespace);
    ctx.logger.debug({ event: hook, delivery, events: outcome.events.length }, 'webhook delivery');
    return { status: 'accepted', events: this.directory.apply(outcome.events) };
  }
}

const DESCRIPTION =
  'GitLab.com and self-managed GitLab: pushes, tags, merge requests and merges, pipelines and jobs, deployments, releases and feature flags, from webhooks and polling';

/** The definition, with test knobs; the registry uses `gitlabConnector`. */
export const createGitlabConnectorDefinition = (
  options: GitlabConnectorOptions = {},
): ConnectorDefinition<typeof GitlabConfig> => ({
  type: 'gitlab',
  kinds: ['push', 'tag', 'merge', 'pull_request', 'pipeline', 'deploy', 'release', 'feature_flag'],
  description: DESCRIPTION,
  configSchema: GitlabConfig,
  validate: validateGitlabConfig,
  defaultConfig: defaultGitlabConfig,
  create: (ctx) => new GitlabConnector(ctx, options),
});

export const gitlabConnector = createGitlabConnectorDefinition();
