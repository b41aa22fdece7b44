// The GitHub connector: its definition for the collector's registry, and the connector itself —
// webhooks (verified, translated) while it runs, and the poller for the configured repositories.
import { readFile } from 'node:fs/promises';
import {
  PollScheduler,
  ProjectMapping,
  type Connector,
  type ConnectorContext,
  type ConnectorDefinition,
  WebhookPayloadError,
  type WebhookRequest,
  type WebhookResult,
} from '@painchain/sdk';
import { DeploymentHistory } from './deployment-history.js';
import {
  GithubConfig,
  defaultGithubConfig,
  resolveGithubConfig,
  validateGithubConfig,
  type RepositoryTarget,
  type ResolvedGithubConfig,
} from './github-config.js';
import { GithubSource } from './github-poller.js';
import {
  deploymentFacts,
  normalizeWebhook,
  WEBHOOK_FAMILIES,
} from './normalize/normalize-webhook.js';
import type { RepositoryCursor } from './repository-poller.js';
import { verifyWebhookSignature } from './webhook-signature.js';

/**
 * A payload that lacks what its event always carries breaks the normalizer: that is a delivery
 * this connector cannot translate (422 to GitHub), not a failure of the collector.
 */
function untranslatable<T>(event: string, translate: () => T): T {
  try {
    return translate();
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      throw new WebhookPayloadError(`${event} payload not as GitHub sends it: ${error.message}`);
    }
    throw error;
  }
}

/** Waits that stop() cuts short; tests inject one that returns at once. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** Knobs for tests and benchmarks; painchain.yaml never sets these. */
export interface GithubConnectorOptions {
  /** Milliseconds per retry-after second and per retry backoff unit (1000 in production). */
  retryAfterBaseValueMs?: number;
  /** Rate-limit waits up to this many seconds happen inside octokit; longer ones pause the poller. */
  maxInlineWaitSeconds?: number;
  retries?: number;
  /** Per API request attempt (30 s by default). */
  requestTimeoutMs?: number;
  concurrency?: number;
  now?: () => Date;
  sleep?: Sleep;
  fetch?: typeof fetch;
}

const header = (headers: WebhookRequest['headers'], name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export class GithubConnector implements Connector {
  private readonly config: ResolvedGithubConfig;
  private readonly mapping: ProjectMapping;
  private readonly history: DeploymentHistory;
  private token: string | undefined;

  constructor(
    private readonly ctx: ConnectorContext<GithubConfig>,
    private readonly options: GithubConnectorOptions = {},
  ) {
    this.config = resolveGithubConfig(ctx.config);
    this.mapping = new ProjectMapping(
      this.config.repositories.map((repository) => ({
        ...repository,
        project: repository.fullName,
      })),
      { tags: this.config.tags },
    );
    this.history = new DeploymentHistory(ctx.state);
    this.token = this.config.token;
  }

  async run(): Promise<void> {
    const { ctx, config } = this;
    if (!config.poll) {
      ctx.reportHealth({
        message: config.webhookSecret
          ? 'waiting for webhooks (no repositories to poll)'
          : 'idle: no repositories to poll and no webhookSecret for webhooks',
        details: { polling: false, webhooks: config.webhookSecret !== undefined },
      });
      // Webhooks arrive through handleWebhook; run() only has to last until stop.
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      return;
    }
    if (!config.token && !config.tokenFile) {
      ctx.logger.warn(
        'no token: only public repositories can be polled, with 60 requests an hour per address',
      );
    }
    await (await this.createPoller()).run();
  }

  /** The poller run() drives; tests drive its cycles one at a time. */
  async createPoller(): Promise<PollScheduler<RepositoryTarget, RepositoryCursor>> {
    // The client (and octokit) is imported when a poll starts, not by every collector that
    // registers the type or only takes webhooks.
    const { GithubClient } = await import('./github-client.js');
    const { ctx, config } = this;
    const client = new GithubClient({
      baseUrl: config.baseUrl,
      token: () => this.token,
      logger: ctx.logger,
      signal: ctx.signal,
      retryAfterBaseValueMs: this.options.retryAfterBaseValueMs,
      maxInlineWaitSeconds: this.options.maxInlineWaitSeconds,
      retries: this.options.retries,
      requestTimeoutMs: this.options.requestTimeoutMs,
      fetch: this.options.fetch,
    });
    const now = this.options.now ?? (() => new Date());
    return new PollScheduler({
      source: new GithubSource({
        client,
        config,
        state: ctx.state,
        history: this.history,
        beforeCycle: () => this.readTokenFile(),
        now,
      }),
      ctx,
      intervalMs: config.pollIntervalMs,
      mapping: this.mapping,
      concurrency: this.options.concurrency,
      now,
      sleep: this.options.sleep,
    });
  }

  /**
   * Checks X-Hub-Signature-256, then translates. Redeliveries need no bookkeeping here: every
   * event has a stable externalId, so the store keeps one event per change (docs/decisions).
   */
  async handleWebhook(request: WebhookRequest): Promise<WebhookResult> {
    const { config, ctx } = this;
    verifyWebhookSignature(
      config.webhookSecret,
      request.rawBody,
      request.headers['x-hub-signature-256'],
    );
    const event = header(request.headers, 'x-github-event');
    const delivery = header(request.headers, 'x-github-delivery');
    if (!event) return { status: 'ignored', reason: 'no X-GitHub-Event header' };
    if (event === 'ping') return { status: 'accepted', reason: 'pong' };
    const family = WEBHOOK_FAMILIES[event];
    if (!family)
      return { status: 'ignored', reason: `GitHub event ${event} is not one PainChain records` };
    if (!config.events.has(family)) {
      return {
        status: 'ignored',
        reason: `${family} events are not enabled in this connector's options.events`,
      };
    }
    let rollback = false;
    const deployment =
      family === 'deployment'
        ? untranslatable(event, () => deploymentFacts(request.body))
        : undefined;
    if (deployment) {
      rollback = await this.history.observe(deployment.project, deployment.environment, deployment);
    }
    const outcome = untranslatable(event, () =>
      normalizeWebhook(event, request.body, {
        receivedAt: this.options.now?.() ?? new Date(),
        rollback,
      }),
    );
    if ('ignored' in outcome) return { status: 'ignored', reason: outcome.ignored };
    // A tag push is a push delivery; tags can be switched off on their own.
    const events = outcome.events.filter((e) => e.kind !== 'tag' || config.events.has('tag'));
    if (events.length === 0) return { status: 'ignored', reason: 'tag events are not enabled' };
    ctx.logger.debug({ event, delivery, events: events.length }, 'webhook delivery');
    return { status: 'accepted', events: this.mapping.apply(events) };
  }

  /** A GitHub App's installation token expires hourly: whoever renews it rewrites the file. */
  private async readTokenFile(): Promise<void> {
    if (!this.config.tokenFile) return;
    try {
      this.token = (await readFile(this.config.tokenFile, 'utf8')).trim() || undefined;
    } catch (error) {
      throw new Error(
        `cannot read tokenFile ${this.config.tokenFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }
}

/** The definition, with test or benchmark knobs; the registry uses `githubConnector`. */
export function createGithubConnectorDefinition(
  options: GithubConnectorOptions = {},
): ConnectorDefinition<typeof GithubConfig> {
  return {
    type: 'github',
    description:
      'GitHub and GitHub Enterprise Server: pushes, pull requests and merges, workflow runs and check suites, deployments and rollbacks, releases, tags and container images, from webhooks and polling',
    kinds: ['push', 'merge', 'pull_request', 'pipeline', 'deploy', 'rollback', 'release', 'tag'],
    configSchema: GithubConfig,
    defaultConfig: defaultGithubConfig,
    validate: validateGithubConfig,
    create: (ctx) => new GithubConnector(ctx, options),
  };
}

export const githubConnector = createGithubConnectorDefinition();
