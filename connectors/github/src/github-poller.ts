// The polling loop: every interval, each watched repository (a few at a time) is read from its
// cursors. Reports backfill progress and the rate-limit budget; pauses, without spinning, when
// GitHub says the budget is spent; a repository that fails never stops the others.
import type {
  ChangeEventInput,
  ConnectorHealth,
  ConnectorLogger,
  ConnectorState,
  EmitResult,
} from '@painchain/sdk';
import type { DeploymentHistory } from './deployment-history.js';
import type { RepositoryTarget, ResolvedGithubConfig } from './github-config.js';
import {
  AuthenticationError,
  NotFoundError,
  RateLimitedError,
  type GithubClient,
  type PageMemo,
} from './github-client.js';
import type { RepositoryMapping } from './repository-mapping.js';
import { RepositoryPoller } from './repository-poller.js';
import { abortableSleep as sdkAbortableSleep } from '@painchain/sdk';

/** Repositories read at the same time: fast enough, and gentle on GitHub's secondary limits. */
export const DEFAULT_CONCURRENCY = 4;
/** Events per call of emit(): one backfill of a busy repository is not one huge transaction. */
export const EMIT_CHUNK = 500;
/** Rate-limit pauses of one repository in one poll before it is reported as failing. */
const MAX_PAUSES_PER_REPOSITORY = 5;
/** Shortest pause for a rate limit, whatever the clocks say: never spin. */
const MIN_PAUSE_MS = 1_000;

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** The SDK's pause that stop() cuts short; tests inject a faster one. */
export const abortableSleep: Sleep = sdkAbortableSleep;

export interface GithubPollerDeps {
  client: GithubClient;
  config: ResolvedGithubConfig;
  state: ConnectorState;
  emit(events: ChangeEventInput[]): Promise<EmitResult>;
  logger: ConnectorLogger;
  signal: AbortSignal;
  reportHealth(health: ConnectorHealth): void;
  mapping: RepositoryMapping;
  history: DeploymentHistory;
  /** Called before each poll (the token file is read again there). */
  beforeCycle?: () => Promise<void>;
  now?: () => Date;
  sleep?: Sleep;
  concurrency?: number;
}

export interface CycleSummary {
  repositories: number;
  events: number;
  /** `owner/repo: what went wrong`, for the repositories (or resources) that failed. */
  failures: string[];
  /** Was this the first poll, reading the history window? */
  backfill: boolean;
}

interface BackfillState {
  completedAt: string;
}
interface OwnerRepositories {
  source: 'orgs' | 'users';
  pages: PageMemo<[string, boolean]>[];
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const isAbort = (error: unknown, signal: AbortSignal) =>
  signal.aborted || (error instanceof Error && error.name === 'AbortError');

export class GithubPoller {
  private readonly now: () => Date;
  private readonly sleep: Sleep;

  constructor(private readonly deps: GithubPollerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.sleep = deps.sleep ?? abortableSleep;
  }

  /** Polls until the signal aborts; rejects when GitHub refuses the token (the runner restarts it). */
  async run(): Promise<void> {
    const { signal } = this.deps;
    while (!signal.aborted) {
      try {
        await this.cycle();
      } catch (error) {
        if (isAbort(error, signal)) return;
        throw error;
      }
      await this.sleep(this.deps.config.pollIntervalMs, signal);
    }
  }

  /** One poll of every repository. */
  async cycle(): Promise<CycleSummary> {
    const { state, signal, logger } = this.deps;
    await this.deps.beforeCycle?.();
    const backfill = (await state.get<BackfillState>('backfill')) === undefined;
    const repositories = await this.repositories();
    const summary: CycleSummary = {
      repositories: repositories.length,
      events: 0,
      failures: [],
      backfill,
    };
    let done = 0;
    const progress = () => {
      if (!backfill) return;
      this.deps.reportHealth({
        message: `backfill: ${done} of ${repositories.length} repositories, ${summary.events} events`,
        progress: { phase: 'backfill', done, total: repositories.length, unit: 'repositories' },
        details: { ...this.details(repositories.length, summary), backfillEvents: summary.events },
      });
    };
    progress();

    const queue = [...repositories];
    const worker = async () => {
      for (let target = queue.shift(); target && !signal.aborted; target = queue.shift()) {
        await this.pollRepository(target, summary);
        done += 1;
        progress();
      }
    };
    const workers = Math.max(
      1,
      Math.min(this.deps.concurrency ?? DEFAULT_CONCURRENCY, repositories.length),
    );
    await Promise.all(Array.from({ length: workers }, worker));
    signal.throwIfAborted();

    if (backfill) {
      await state.set('backfill', {
        completedAt: this.now().toISOString(),
      } satisfies BackfillState);
      logger.info({ repositories: repositories.length, events: summary.events }, 'backfill done');
    }
    const failing = summary.failures.length;
    this.deps.reportHealth({
      message:
        `polling ${repositories.length} repositor${repositories.length === 1 ? 'y' : 'ies'}` +
        (failing ? `; ${failing} problem${failing === 1 ? '' : 's'}: ${summary.failures[0]}` : ''),
      lastSyncAt: this.now(),
      progress: null,
      details: this.details(repositories.length, summary),
    });
    return summary;
  }

  private async pollRepository(target: RepositoryTarget, summary: CycleSummary): Promise<void> {
    const { signal, logger } = this.deps;
    for (let pauses = 0; !signal.aborted; pauses += 1) {
      const poller = new RepositoryPoller(target, {
        client: this.deps.client,
        state: this.deps.state,
        emit: (events) => this.emit(events),
        history: this.deps.history,
        events: this.deps.config.events,
        backfillDays: this.deps.config.backfillDays,
        now: this.now,
      });
      try {
        const result = await poller.poll();
        summary.events += result.events;
        for (const problem of result.problems) {
          summary.failures.push(`${target.fullName} ${problem}`);
          logger.warn({ repository: target.fullName, problem }, 'a resource could not be read');
        }
        return;
      } catch (error) {
        if (isAbort(error, signal)) return;
        if (error instanceof AuthenticationError) throw error;
        if (error instanceof RateLimitedError && pauses < MAX_PAUSES_PER_REPOSITORY) {
          const wait = Math.max(MIN_PAUSE_MS, error.resumeAt.getTime() - Date.now());
          const until = new Date(Date.now() + wait);
          logger.warn(
            { repository: target.fullName, resumeAt: until },
            'GitHub rate limit: pausing',
          );
          this.deps.reportHealth({
            message: `rate limited until ${until.toISOString()}`,
            details: {
              ...this.details(summary.repositories, summary),
              rateLimitedUntil: until.toISOString(),
            },
          });
          await this.sleep(wait, signal);
          continue;
        }
        const message =
          error instanceof NotFoundError
            ? 'not found: deleted, renamed, or the token cannot see it'
            : messageOf(error);
        summary.failures.push(`${target.fullName}: ${message}`);
        logger.warn({ repository: target.fullName, err: { message } }, 'repository poll failed');
        return;
      }
    }
  }

  private async emit(events: ChangeEventInput[]): Promise<void> {
    const mapped = this.deps.mapping.apply(events);
    for (let i = 0; i < mapped.length; i += EMIT_CHUNK) {
      // An answer that arrived just before stop is dropped, not emitted: its cursor is not saved
      // either, so the next start reads it again.
      this.deps.signal.throwIfAborted();
      await this.deps.emit(mapped.slice(i, i + EMIT_CHUNK));
    }
  }

  /** The configured repositories, or every (unarchived) repository of `owner`. */
  private async repositories(): Promise<RepositoryTarget[]> {
    const { config, client, state } = this.deps;
    if (config.repositories.length > 0 || !config.owner) return config.repositories;
    const owner = config.owner;
    const stored = await state.get<OwnerRepositories>('owner-repositories');
    const read = (source: OwnerRepositories['source'], pages: OwnerRepositories['pages']) =>
      client.listPages<{ full_name: string; archived?: boolean }, [string, boolean]>(
        source === 'orgs' ? 'GET /orgs/{owner}/repos' : 'GET /users/{owner}/repos',
        { owner, type: source === 'orgs' ? 'all' : 'owner' },
        pages,
        (repository) => [repository.full_name, repository.archived === true],
      );
    let source = stored?.source ?? 'orgs';
    let listed;
    try {
      listed = await read(source, stored?.pages ?? []);
    } catch (error) {
      // Not an organisation: a user's repositories are listed elsewhere.
      if (!(error instanceof NotFoundError) || source === 'users') throw error;
      source = 'users';
      listed = await read(source, []);
    }
    if (listed.changed || stored?.source !== source) {
      await state.set('owner-repositories', {
        source,
        pages: listed.pages,
      } satisfies OwnerRepositories);
    }
    return listed.pages
      .flatMap((page) => page.items)
      .filter(([, archived]) => !archived)
      .map(([fullName]) => {
        const [repoOwner = owner, repo = fullName] = fullName.split('/');
        return { owner: repoOwner, repo, fullName, tags: [], branches: [] };
      });
  }

  private details(
    repositories: number,
    summary: CycleSummary,
  ): Record<string, string | number | boolean | null> {
    const budget = this.deps.client.rateLimit;
    return {
      repositories,
      failing: summary.failures.length,
      rateLimitRemaining: budget.remaining,
      rateLimitLimit: budget.limit,
      rateLimitResetAt: budget.resetAt?.toISOString() ?? null,
      requests: budget.requests,
      notModified: budget.notModified,
    };
  }
}
