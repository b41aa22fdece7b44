// What GitHub's polling supplies to the SDK's poll scheduler: the repositories to poll (the
// configured ones, or every unarchived one of an owner) and how one of them is read.
import type { ConnectorContext, PollContext, PollSource, PollTarget } from '@painchain/sdk';
import { NotFoundError } from '@painchain/sdk';
import type { DeploymentHistory } from './deployment-history.js';
import type { RepositoryTarget, ResolvedGithubConfig } from './github-config.js';
import type { GithubClient, PageMemo } from './github-client.js';
import { RepositoryPoller, type RepositoryCursor } from './repository-poller.js';

export interface GithubSourceDeps {
  client: GithubClient;
  config: ResolvedGithubConfig;
  state: ConnectorContext['state'];
  history: DeploymentHistory;
  /** Called before each poll (the token file is read again there). */
  beforeCycle?: () => Promise<void>;
  now: () => Date;
}

interface OwnerRepositories {
  source: 'orgs' | 'users';
  pages: PageMemo<[string, boolean]>[];
}

const target = (repository: RepositoryTarget): PollTarget<RepositoryTarget> => ({
  // GitHub compares owner and repository names case-insensitively.
  key: repository.fullName.toLowerCase(),
  label: repository.fullName,
  value: repository,
});

export class GithubSource implements PollSource<RepositoryTarget, RepositoryCursor> {
  readonly unit = { one: 'repository', other: 'repositories' };

  constructor(private readonly deps: GithubSourceDeps) {}

  async beforeCycle(): Promise<void> {
    await this.deps.beforeCycle?.();
  }

  poll(repository: RepositoryTarget, ctx: PollContext<RepositoryCursor>) {
    const poller = new RepositoryPoller(repository, {
      client: this.deps.client,
      history: this.deps.history,
      events: this.deps.config.events,
      backfillDays: this.deps.config.backfillDays,
      now: this.deps.now,
    });
    return poller.poll(ctx);
  }

  describeFailure(error: unknown): string | undefined {
    return error instanceof NotFoundError
      ? 'not found: deleted, renamed, or the token cannot see it'
      : undefined;
  }

  details(): Record<string, string | number | boolean | null> {
    const budget = this.deps.client.rateLimit;
    return {
      rateLimitRemaining: budget.remaining,
      rateLimitLimit: budget.limit,
      rateLimitResetAt: budget.resetAt?.toISOString() ?? null,
      requests: budget.requests,
      notModified: budget.notModified,
    };
  }

  /** The configured repositories, or every (unarchived) repository of `owner`. */
  async targets(): Promise<PollTarget<RepositoryTarget>[]> {
    const { config, client, state } = this.deps;
    if (config.repositories.length > 0 || !config.owner) return config.repositories.map(target);
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
        return target({ owner: repoOwner, repo, fullName, tags: [], branches: [] });
      });
  }
}
