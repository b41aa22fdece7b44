// One poll of one repository: each resource read with a conditional request from its cursor,
// translated, handed on, and only then its cursor (ETag included) checkpointed — so a crash
// repeats work (idempotent keys make that harmless) but never skips it.
import {
  AuthenticationError,
  NotFoundError,
  RateLimitedError,
  type ChangeEventInput,
  type PollContext,
} from '@painchain/sdk';
import type { DeploymentHistory } from './deployment-history.js';
import type { GithubEventType, RepositoryTarget } from './github-config.js';
import type { GithubClient, PageMemo } from './github-client.js';
import type {
  GhCommit,
  GhDeployment,
  GhDeploymentStatus,
  GhPullRequest,
  GhRelease,
  GhTag,
  GhWorkflowRun,
} from './github-types.js';
import {
  normalizeDeployment,
  TERMINAL_DEPLOYMENT_STATES,
} from './normalize/normalize-deployment.js';
import { normalizePullRequest } from './normalize/normalize-pull-request.js';
import { normalizeCommit } from './normalize/normalize-push.js';
import { normalizeRelease } from './normalize/normalize-release.js';
import { tagEvent } from './normalize/normalize-tag.js';
import { normalizeWorkflowRun } from './normalize/normalize-workflow-run.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** Runs and deployments still unfinished after this long are no longer followed. */
export const FOLLOW_UNFINISHED_MS = 3 * DAY_MS;
/** A window URL is re-read at most this many times in one poll while its `since` moves forward. */
const MAX_WINDOW_ROUNDS = 3;

export interface RepositoryPollerDeps {
  client: GithubClient;
  history: DeploymentHistory;
  events: ReadonlySet<GithubEventType>;
  backfillDays: number;
  now: () => Date;
}

export interface RepositoryPollResult {
  /** Resources that failed this time (the others were read): `deployments: 403 …`. */
  problems: string[];
}

/** One repository's cursors, by resource (`repository`, `commits:main`, `pulls`, …). */
export type RepositoryCursor = Record<string, unknown>;

interface MetaCursor {
  etag?: string;
  defaultBranch: string;
  htmlUrl: string;
}
interface WindowCursor {
  /** The lower time bound in the list's URL; only moves forward, at most once a day. */
  since: string;
  /** ETag of the first page of the URL with this `since`. */
  etag?: string;
  /** Commits: the branch head at the last read. */
  head?: string;
}
interface PullsCursor {
  etag?: string;
  updatedSince: string;
}
interface OpenDeployment {
  deployment: GhDeployment;
  etag?: string;
}
interface DeploymentsCursor {
  etag?: string;
  maxId: number;
  open: OpenDeployment[];
}
interface ReleasesCursor {
  etag?: string;
  checkedAt: string;
}
interface TagsCursor {
  pages: PageMemo<[string, string]>[];
}

/** Time in GitHub's search syntax (no milliseconds). */
const searchTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const dayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const commitTime = (commit: GhCommit) =>
  Date.parse(commit.commit.committer?.date ?? commit.commit.author?.date ?? '') || 0;

/** Newest-first commits → the first-parent chain from the head down to `stop` (exclusive), oldest first. */
export function firstParentChain(
  commits: readonly GhCommit[],
  stop: string | undefined,
): GhCommit[] {
  const bySha = new Map(commits.map((commit) => [commit.sha, commit]));
  const chain: GhCommit[] = [];
  let current = commits[0];
  while (current && current.sha !== stop && !chain.includes(current)) {
    chain.push(current);
    const parent = current.parents[0]?.sha;
    current = parent === undefined ? undefined : bySha.get(parent);
  }
  return chain.reverse();
}

/** Only the fields normalizeDeployment reads: what an unfinished deployment keeps in state. */
function slimDeployment(deployment: GhDeployment): GhDeployment {
  return {
    id: deployment.id,
    sha: deployment.sha,
    ref: deployment.ref,
    task: deployment.task,
    environment: deployment.environment,
    description: deployment.description ?? null,
    creator: deployment.creator ? { login: deployment.creator.login } : null,
    created_at: deployment.created_at,
    updated_at: deployment.updated_at,
    production_environment: deployment.production_environment,
    transient_environment: deployment.transient_environment,
  };
}

export class RepositoryPoller {
  private readonly project: string;
  private readonly params: { owner: string; repo: string };
  /** The cursors as read so far in this poll; checkpointed after each resource. */
  private cursors: RepositoryCursor = {};
  private ctx: PollContext<RepositoryCursor> | undefined;

  constructor(
    private readonly target: RepositoryTarget,
    private readonly deps: RepositoryPollerDeps,
  ) {
    this.project = target.fullName;
    this.params = { owner: target.owner, repo: target.repo };
  }

  /**
   * Reads every enabled resource. Throws NotFoundError when the repository itself is gone,
   * RateLimitedError and AuthenticationError as they come; other failures of one resource are
   * reported in `problems` and do not stop the others.
   */
  async poll(ctx: PollContext<RepositoryCursor>): Promise<RepositoryPollResult> {
    this.ctx = ctx;
    this.cursors = { ...ctx.cursor };
    const meta = await this.meta();
    const problems: string[] = [];
    const enabled = this.deps.events;
    const resources: [string, () => Promise<void>][] = [];
    if (enabled.has('push')) {
      for (const branch of new Set([meta.defaultBranch, ...this.target.branches])) {
        resources.push([`commits on ${branch}`, () => this.commits(branch)]);
      }
    }
    if (enabled.has('pull_request')) resources.push(['pull requests', () => this.pulls()]);
    if (enabled.has('workflow_run')) resources.push(['workflow runs', () => this.runs()]);
    if (enabled.has('deployment')) resources.push(['deployments', () => this.deployments(meta)]);
    if (enabled.has('release')) resources.push(['releases', () => this.releases()]);
    if (enabled.has('tag')) resources.push(['tags', () => this.tags(meta)]);
    for (const [name, read] of resources) {
      try {
        await read();
      } catch (error) {
        if (error instanceof RateLimitedError || error instanceof AuthenticationError) throw error;
        if ((error as Error).name === 'AbortError') throw error;
        problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { problems };
  }

  private pollContext(): PollContext<RepositoryCursor> {
    if (!this.ctx) throw new Error('RepositoryPoller used outside poll()');
    return this.ctx;
  }

  private load<T>(resource: string): T | undefined {
    return structuredClone(this.cursors[resource]) as T | undefined;
  }

  private async save(resource: string, after: unknown): Promise<void> {
    this.cursors = { ...this.cursors, [resource]: after };
    // The scheduler writes only when something changed: an idle poll writes nothing.
    await this.pollContext().checkpoint(this.cursors);
  }

  private async hand(events: ChangeEventInput[]): Promise<void> {
    if (events.length === 0) return;
    await this.pollContext().emit(events);
  }

  private windowStart(): number {
    return this.deps.now().getTime() - this.deps.backfillDays * DAY_MS;
  }

  private async meta(): Promise<MetaCursor> {
    const cursor = this.load<MetaCursor>('repository');
    const answer = await this.deps.client.get<{ default_branch: string; html_url: string }>(
      'GET /repos/{owner}/{repo}',
      this.params,
      cursor?.etag,
    );
    if (answer.notModified && cursor) return cursor;
    if (answer.notModified) throw new Error('304 without a cached repository');
    const next: MetaCursor = {
      etag: answer.etag,
      defaultBranch: answer.data.default_branch,
      htmlUrl: answer.data.html_url,
    };
    await this.save('repository', next);
    return next;
  }

  /**
   * A list whose URL carries a lower time bound: read conditionally; when the bound moves, the
   * new URL is read at once too, so the ETag kept always belongs to the URL the next poll asks.
   */
  private async window<T>(
    resource: string,
    read: (
      cursor: WindowCursor,
    ) => Promise<{ notModified: true } | { notModified: false; items: T[]; etag?: string }>,
    process: (
      items: T[],
      cursor: WindowCursor,
    ) => { events: ChangeEventInput[]; anchor?: number; head?: string },
  ): Promise<void> {
    const stored = this.load<WindowCursor>(resource);
    let cursor: WindowCursor = stored ?? { since: new Date(this.windowStart()).toISOString() };
    // A change read in both rounds is handed on once, in its latest state.
    const events = new Map<string, ChangeEventInput>();
    for (let round = 0; round < MAX_WINDOW_ROUNDS; round += 1) {
      const listing = await read(cursor);
      if (listing.notModified) break;
      const result = process(listing.items, cursor);
      for (const event of result.events) {
        events.delete(event.externalId ?? '');
        events.set(event.externalId ?? '', event);
      }
      cursor = { ...cursor, etag: listing.etag, head: result.head ?? cursor.head };
      if (result.anchor === undefined) break;
      const since = dayStart(result.anchor - HOUR_MS);
      if (since <= Date.parse(cursor.since)) break;
      cursor = { ...cursor, since: new Date(since).toISOString(), etag: undefined };
    }
    await this.hand([...events.values()]);
    await this.save(resource, cursor);
  }

  private async commits(branch: string): Promise<void> {
    await this.window<GhCommit>(
      `commits:${branch}`,
      (cursor) =>
        this.deps.client.list<GhCommit>(
          'GET /repos/{owner}/{repo}/commits',
          { ...this.params, sha: branch, since: searchTime(Date.parse(cursor.since)) },
          { etag: cursor.etag },
        ),
      (commits, cursor) => {
        const head = commits[0];
        if (!head) return { events: [] };
        const chain = firstParentChain(commits, cursor.head);
        return {
          events: chain.map((commit) => normalizeCommit(this.project, branch, commit)),
          anchor: commitTime(head),
          head: head.sha,
        };
      },
    );
  }

  private async runs(): Promise<void> {
    await this.window<GhWorkflowRun>(
      'workflow-runs',
      (cursor) =>
        this.deps.client.list<GhWorkflowRun>(
          'GET /repos/{owner}/{repo}/actions/runs',
          { ...this.params, created: `>=${searchTime(Date.parse(cursor.since))}` },
          {
            etag: cursor.etag,
            items: (body) => (body as { workflow_runs?: GhWorkflowRun[] }).workflow_runs ?? [],
          },
        ),
      (runs) => {
        if (runs.length === 0) return { events: [] };
        const now = this.deps.now().getTime();
        const created = runs.map((run) => Date.parse(run.created_at));
        // The window keeps unfinished runs in view, so that their completion is read.
        const unfinished = runs
          .filter((run) => run.status !== 'completed')
          .map((run) => Date.parse(run.created_at))
          .filter((at) => now - at < FOLLOW_UNFINISHED_MS);
        return {
          events: runs.map((run) => normalizeWorkflowRun(this.project, run)).reverse(),
          anchor: Math.min(Math.max(...created), ...unfinished),
        };
      },
    );
  }

  private async pulls(): Promise<void> {
    const stored = this.load<PullsCursor>('pulls');
    const since = Date.parse(stored?.updatedSince ?? new Date(this.windowStart()).toISOString());
    const recent = (pr: GhPullRequest) => Date.parse(pr.updated_at) >= since;
    // Sorted by last update, newest first: the pages end where updates get older than the cursor.
    const listing = await this.deps.client.list<GhPullRequest>(
      'GET /repos/{owner}/{repo}/pulls',
      { ...this.params, state: 'all', sort: 'updated', direction: 'desc' },
      { etag: stored?.etag, more: (page) => page.length > 0 && recent(page[page.length - 1]!) },
    );
    if (listing.notModified) return;
    const changed = listing.items.filter(recent).reverse();
    await this.hand(changed.flatMap((pr) => normalizePullRequest(this.project, pr)));
    const newest = Math.max(since, ...changed.map((pr) => Date.parse(pr.updated_at)));
    await this.save('pulls', {
      etag: listing.etag,
      updatedSince: new Date(newest).toISOString(),
    } satisfies PullsCursor);
  }

  private async deployments(meta: MetaCursor): Promise<void> {
    const stored = this.load<DeploymentsCursor>('deployments');
    const cursor: DeploymentsCursor = stored
      ? { ...stored, open: [...stored.open] }
      : { maxId: 0, open: [] };
    const start = this.windowStart();
    const events: ChangeEventInput[] = [];
    const isNew = (deployment: GhDeployment) =>
      deployment.id > cursor.maxId && Date.parse(deployment.created_at) >= start;

    const listing = await this.deps.client.list<GhDeployment>(
      'GET /repos/{owner}/{repo}/deployments',
      this.params,
      { etag: cursor.etag, more: (page) => page.length > 0 && isNew(page[page.length - 1]!) },
    );
    const followed = new Set<number>();
    if (!listing.notModified) {
      // Oldest first, so that each environment's history grows in order (rollback detection).
      const fresh = listing.items.filter(isNew).sort((a, b) => a.id - b.id);
      for (const deployment of fresh) {
        const statuses = await this.statuses(deployment.id);
        const latest = statuses.notModified ? undefined : statuses.data[0];
        events.push(await this.deploymentEvent(meta, deployment, latest));
        if (!latest || !TERMINAL_DEPLOYMENT_STATES.has(latest.state)) {
          cursor.open.push({
            deployment: slimDeployment(deployment),
            etag: statuses.notModified ? undefined : statuses.etag,
          });
          followed.add(deployment.id);
        }
      }
      cursor.maxId = Math.max(cursor.maxId, ...listing.items.map((deployment) => deployment.id));
      cursor.etag = listing.etag;
    }

    // Unfinished deployments: their statuses change without the list changing.
    const now = this.deps.now().getTime();
    const stillOpen: OpenDeployment[] = [];
    for (const open of cursor.open) {
      if (followed.has(open.deployment.id)) {
        stillOpen.push(open);
        continue;
      }
      if (now - Date.parse(open.deployment.created_at) > FOLLOW_UNFINISHED_MS) continue;
      let statuses;
      try {
        statuses = await this.statuses(open.deployment.id, open.etag);
      } catch (error) {
        if (error instanceof NotFoundError) continue;
        throw error;
      }
      if (statuses.notModified) {
        stillOpen.push(open);
        continue;
      }
      const latest = statuses.data[0];
      events.push(await this.deploymentEvent(meta, open.deployment, latest));
      if (!latest || !TERMINAL_DEPLOYMENT_STATES.has(latest.state)) {
        stillOpen.push({ ...open, etag: statuses.etag });
      }
    }
    cursor.open = stillOpen;
    await this.hand(events);
    await this.save('deployments', cursor);
  }

  private statuses(id: number, etag?: string) {
    return this.deps.client.get<GhDeploymentStatus[]>(
      'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      { ...this.params, deployment_id: id, per_page: 100 },
      etag,
    );
  }

  private async deploymentEvent(
    meta: MetaCursor,
    deployment: GhDeployment,
    latest: GhDeploymentStatus | undefined,
  ): Promise<ChangeEventInput> {
    const rollback = await this.deps.history.observe(this.project, deployment.environment, {
      id: deployment.id,
      sha: deployment.sha,
    });
    return normalizeDeployment(this.project, meta.htmlUrl, deployment, latest, rollback);
  }

  private async releases(): Promise<void> {
    const stored = this.load<ReleasesCursor>('releases');
    const now = this.deps.now();
    // Back to the backfill window, and never later than an hour before the last check.
    const since = Math.min(
      this.windowStart(),
      stored ? Date.parse(stored.checkedAt) - HOUR_MS : Number.POSITIVE_INFINITY,
    );
    const listing = await this.deps.client.list<GhRelease>(
      'GET /repos/{owner}/{repo}/releases',
      this.params,
      {
        etag: stored?.etag,
        more: (page) => page.length > 0 && Date.parse(page[page.length - 1]!.created_at) >= since,
      },
    );
    if (listing.notModified) return;
    const published = listing.items
      .filter((release) => !release.draft)
      .filter((release) => Date.parse(release.published_at ?? release.created_at) >= since)
      .reverse();
    await this.hand(published.map((release) => normalizeRelease(this.project, release)));
    await this.save('releases', {
      etag: listing.etag,
      checkedAt: now.toISOString(),
    } satisfies ReleasesCursor);
  }

  /**
   * Tags have no date and no useful order, so every page is kept with its ETag. The first read
   * only learns the tags that exist (their history is in the releases); later ones record
   * each new, moved or deleted tag at the time it was seen.
   */
  private async tags(meta: MetaCursor): Promise<void> {
    const stored = this.load<TagsCursor>('tags');
    const { changed, pages } = await this.deps.client.listPages<GhTag, [string, string]>(
      'GET /repos/{owner}/{repo}/tags',
      this.params,
      stored?.pages ?? [],
      (tag) => [tag.name, tag.commit.sha],
    );
    if (!changed) return;
    if (stored) {
      const before = new Map(stored.pages.flatMap((page) => page.items));
      const after = new Map(pages.flatMap((page) => page.items));
      const timestamp = this.deps.now().toISOString();
      const url = (tag: string) => `${meta.htmlUrl}/releases/tag/${encodeURIComponent(tag)}`;
      const events: ChangeEventInput[] = [];
      for (const [tag, sha] of after) {
        if (before.get(tag) !== sha) {
          events.push(
            tagEvent({ project: this.project, url: url(tag), tag, sha, deleted: false, timestamp }),
          );
        }
      }
      for (const [tag, sha] of before) {
        if (!after.has(tag)) {
          events.push(
            tagEvent({ project: this.project, url: url(tag), tag, sha, deleted: true, timestamp }),
          );
        }
      }
      await this.hand(events);
    }
    await this.save('tags', { pages } satisfies TagsCursor);
  }
}
