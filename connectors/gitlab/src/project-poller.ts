// One poll of one GitLab project: its commits on the watched branches, merge requests,
// pipelines, deployments, releases and tags, each read from where the project's cursor left it,
// handed on, and only then checkpointed (a crash repeats work, never skips it).
import {
  AuthenticationError,
  RateLimitedError,
  type ChangeEventInput,
  type PollContext,
  type PollOutcome,
} from '@painchain/sdk';
import type { GitlabEventFamily } from './gitlab-config.js';
import type { GitlabApi } from './gitlab-client.js';
import type {
  PolledCommit,
  PolledDeployment,
  PolledMergeRequest,
  PolledPipeline,
  PolledProject,
  PolledRelease,
  PolledTag,
  ProjectInfo,
} from './normalize/gitlab-payloads.js';
import { normalizeDeployment } from './normalize/normalize-deployment.js';
import { normalizeMergeRequest } from './normalize/normalize-merge-request.js';
import { normalizePipeline } from './normalize/normalize-pipeline.js';
import { normalizeCommit, normalizeTag } from './normalize/normalize-push.js';
import { normalizeRelease } from './normalize/normalize-release.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** `updated_after` reaches this far behind the last time seen: late commits are not skipped. */
export const OVERLAP_MS = 5 * 60 * 1000;
export const PAGE_SIZE = 100;

/** Where one resource's list was read up to: the newest time seen and what sat near it. */
export interface Watermark {
  at: string;
  /** `id@updated_at` of the items within OVERLAP_MS of `at`: read again, not emitted again. */
  near: string[];
}

/** One project's cursor: its identity and a mark per resource. */
export interface ProjectCursor {
  project: { id: number; path: string; webUrl: string; defaultBranch: string | null };
  /** Head commit per branch at the last read. */
  heads?: Record<string, string>;
  mergeRequests?: Watermark;
  pipelines?: Watermark;
  deployments?: Watermark;
  releases?: Watermark;
  /** `name@target` of the tags seen within the history window. */
  tags?: string[];
}

export interface ProjectPollerDeps {
  api: GitlabApi;
  events: ReadonlySet<GitlabEventFamily>;
  backfillDays: number;
  now: () => Date;
  /** Applies the configured service, environment and tags (and learns the id's path). */
  prepare: (project: PolledProject, events: ChangeEventInput[]) => ChangeEventInput[];
}

/** A configured or listed project: how the API finds it, and its extra branches. */
export interface ProjectTarget {
  ref: string | number;
  branches: readonly string[];
}

/** What a watermarked list read gives: the new items in order, and the mark after them. */
function advance<T>(
  mark: Watermark | undefined,
  items: readonly T[],
  identity: (item: T) => { id: string | number; at: string },
): { fresh: T[]; mark: Watermark | undefined } {
  const seen = new Set(mark?.near ?? []);
  const fresh: T[] = [];
  let latest = mark ? Date.parse(mark.at) : Number.NEGATIVE_INFINITY;
  const stamped = items.map((item) => {
    const { id, at } = identity(item);
    const time = Date.parse(at);
    if (Number.isFinite(time)) latest = Math.max(latest, time);
    return { item, key: `${id}@${at}`, time };
  });
  for (const { item, key } of stamped) if (!seen.has(key)) fresh.push(item);
  if (!Number.isFinite(latest)) return { fresh, mark };
  const near = stamped.filter(({ time }) => time >= latest - OVERLAP_MS).map(({ key }) => key);
  return { fresh, mark: { at: new Date(latest).toISOString(), near: [...new Set(near)].sort() } };
}

export class ProjectPoller {
  private cursor!: ProjectCursor;
  private project!: PolledProject;
  private info!: ProjectInfo;

  constructor(
    private readonly target: ProjectTarget,
    private readonly ctx: PollContext<ProjectCursor>,
    private readonly deps: ProjectPollerDeps,
  ) {}

  /**
   * Throws NotFoundError when the project itself cannot be read (the scheduler reports it and
   * goes on with the others), RateLimitedError and AuthenticationError as they come; a resource
   * that fails is named in `problems` and the others are still read.
   */
  async poll(): Promise<PollOutcome> {
    const { api, events } = this.deps;
    this.project = (await api.Projects.show(this.target.ref)) as PolledProject;
    this.info = { path: this.project.path_with_namespace, webUrl: this.project.web_url };
    const project = {
      id: this.project.id,
      path: this.info.path,
      webUrl: this.info.webUrl,
      defaultBranch: this.project.default_branch ?? null,
    };
    // A project moved to another path keeps its id: its cursor stays, its new path is used.
    this.cursor = { ...this.ctx.cursor, project };

    const reads: [string, () => Promise<void>][] = [];
    if (events.has('push')) {
      const branches = new Set([project.defaultBranch, ...this.target.branches]);
      for (const branch of branches) {
        if (branch) reads.push([`commits on ${branch}`, () => this.commits(branch)]);
      }
    }
    if (events.has('merge_request')) reads.push(['merge requests', () => this.mergeRequests()]);
    if (events.has('pipeline')) reads.push(['pipelines', () => this.pipelines()]);
    if (events.has('deployment')) reads.push(['deployments', () => this.deployments()]);
    if (events.has('release')) reads.push(['releases', () => this.releases()]);
    if (events.has('tag')) reads.push(['tags', () => this.tags()]);

    const problems: string[] = [];
    for (const [what, read] of reads) {
      try {
        await read();
      } catch (error) {
        // These concern the whole project (or the whole run): the scheduler decides.
        if (error instanceof RateLimitedError || error instanceof AuthenticationError) throw error;
        if (this.ctx.signal.aborted) throw error;
        problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    // The project's identity is saved even when nothing else moved (a rename, the first read).
    await this.ctx.checkpoint(this.cursor);
    return { problems };
  }

  /** Emits, then saves the cursor with `change` applied: in that order, always. */
  private async commit(events: ChangeEventInput[], change: Partial<ProjectCursor>): Promise<void> {
    if (events.length > 0) await this.ctx.emit(this.deps.prepare(this.project, events));
    this.cursor = { ...this.cursor, ...change };
    await this.ctx.checkpoint(this.cursor);
  }

  /** The start of the history window: how far back a first read goes. */
  private floor(): string {
    return new Date(this.deps.now().getTime() - this.deps.backfillDays * DAY_MS).toISOString();
  }

  /** `updated_after` for a watermarked list: a little before the mark, or the window's start. */
  private after(mark: Watermark | undefined): string {
    return mark ? new Date(Date.parse(mark.at) - OVERLAP_MS).toISOString() : this.floor();
  }

  /**
   * A newest-first list, page by page, for as long as `keep` holds: the first item it refuses
   * ends the read (everything after it is older still).
   */
  private async takeWhile<T>(
    read: (page: number) => Promise<{ data: unknown; paginationInfo: { next: number | null } }>,
    keep: (item: T) => boolean,
  ): Promise<T[]> {
    const taken: T[] = [];
    for (let page: number | null = 1; page !== null;) {
      const answer: { data: unknown; paginationInfo: { next: number | null } } = await read(page);
      const items = answer.data as T[];
      const stop = items.findIndex((item) => !keep(item));
      taken.push(...(stop === -1 ? items : items.slice(0, stop)));
      page = stop === -1 ? answer.paginationInfo.next : null;
    }
    return taken;
  }

  /** The first-parent commits that reached the branch since the head seen last, oldest first. */
  private async commits(branch: string): Promise<void> {
    const known = this.cursor.heads?.[branch];
    const found = await this.takeWhile<PolledCommit>(
      (page) =>
        this.deps.api.Commits.all(this.project.id, {
          refName: branch,
          since: this.floor(),
          firstParent: true,
          perPage: PAGE_SIZE,
          page,
          showExpanded: true,
        }),
      (commit) => commit.id !== known,
    );
    const head = found[0]?.id ?? known;
    const events = found.reverse().map((commit) => normalizeCommit(this.info, branch, commit));
    await this.commit(events, head ? { heads: { ...this.cursor.heads, [branch]: head } } : {});
  }

  private async mergeRequests(): Promise<void> {
    const mark = this.cursor.mergeRequests;
    const items = (await this.deps.api.MergeRequests.all({
      projectId: this.project.id,
      updatedAfter: this.after(mark),
      orderBy: 'updated_at',
      sort: 'asc',
      scope: 'all',
      perPage: PAGE_SIZE,
    })) as PolledMergeRequest[];
    const next = advance(mark, items, (mr) => ({ id: mr.id, at: mr.updated_at }));
    const events = next.fresh.flatMap((mr) => normalizeMergeRequest(this.info, mr));
    await this.commit(events, { mergeRequests: next.mark });
  }

  private async pipelines(): Promise<void> {
    const mark = this.cursor.pipelines;
    const items = (await this.deps.api.Pipelines.all(this.project.id, {
      updatedAfter: this.after(mark),
      orderBy: 'updated_at',
      sort: 'asc',
      perPage: PAGE_SIZE,
    })) as PolledPipeline[];
    const next = advance(mark, items, (pipeline) => ({ id: pipeline.id, at: pipeline.updated_at }));
    const events = next.fresh.map((pipeline) => normalizePipeline(this.info, pipeline));
    await this.commit(events, { pipelines: next.mark });
  }

  private async deployments(): Promise<void> {
    const mark = this.cursor.deployments;
    const items = (await this.deps.api.Deployments.all(this.project.id, {
      updatedAfter: this.after(mark),
      orderBy: 'updated_at',
      sort: 'asc',
      perPage: PAGE_SIZE,
    })) as unknown as PolledDeployment[];
    const next = advance(mark, items, (deployment) => ({
      id: deployment.id,
      at: deployment.updated_at,
    }));
    const events = next.fresh.map((deployment) => normalizeDeployment(this.info, deployment));
    await this.commit(events, { deployments: next.mark });
  }

  /** Releases newest first, until one older than the mark (releases have no updated_after). */
  private async releases(): Promise<void> {
    const mark = this.cursor.releases;
    const stop = Date.parse(this.after(mark));
    const items = await this.takeWhile<PolledRelease>(
      (page) =>
        this.deps.api.ProjectReleases.all(this.project.id, {
          orderBy: 'created_at',
          sort: 'desc',
          perPage: PAGE_SIZE,
          page,
          showExpanded: true,
        }),
      (release) => Date.parse(release.created_at) >= stop,
    );
    const next = advance(mark, items.reverse(), (release) => ({
      id: release.tag_name,
      at: release.created_at,
    }));
    const events = next.fresh.map((release) => normalizeRelease(this.info, release));
    await this.commit(events, { releases: next.mark });
  }

  /**
   * Tags by their commit's date, newest first, down to the window's start; the ones not seen
   * before are new. (A new tag on a commit older than the window is left to the Tag Push Hook.)
   */
  private async tags(): Promise<void> {
    const floor = Date.parse(this.floor());
    const seen = new Set(this.cursor.tags ?? []);
    const inWindow = await this.takeWhile<PolledTag>(
      (page) =>
        this.deps.api.Tags.all(this.project.id, {
          orderBy: 'updated',
          sort: 'desc',
          perPage: PAGE_SIZE,
          page,
          showExpanded: true,
        }),
      (tag) => Date.parse(tag.commit.committed_date ?? tag.commit.created_at) >= floor,
    );
    const identity = (tag: PolledTag) => `${tag.name}@${tag.target}`;
    const fresh = inWindow.filter((tag) => !seen.has(identity(tag))).reverse();
    const events = fresh.map((tag) => normalizeTag(this.info, tag));
    await this.commit(events, { tags: inWindow.map(identity).sort() });
  }
}
