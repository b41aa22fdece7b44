// What GitLab polling hands the SDK's poll scheduler: the projects to poll (the configured ones
// and every project of the configured group) and how one of them is read.
import {
  NotFoundError,
  type ChangeEventInput,
  type PollContext,
  type PollSource,
  type PollTarget,
} from '@painchain/sdk';
import type { ResolvedGitlabConfig } from './gitlab-config.js';
import type { GitlabClient } from './gitlab-client.js';
import type { PolledProject } from './normalize/gitlab-payloads.js';
import {
  PAGE_SIZE,
  ProjectPoller,
  type ProjectCursor,
  type ProjectTarget,
} from './project-poller.js';

export interface GitlabSourceDeps {
  client: GitlabClient;
  config: ResolvedGitlabConfig;
  now: () => Date;
  prepare: (project: PolledProject, events: ChangeEventInput[]) => ChangeEventInput[];
}

/** GitLab paths are case-insensitive; ids are keyed apart from paths. */
const keyOf = (ref: string | number) => (typeof ref === 'number' ? `id:${ref}` : ref.toLowerCase());

export class GitlabSource implements PollSource<ProjectTarget, ProjectCursor> {
  readonly unit = { one: 'project', other: 'projects' };

  constructor(private readonly deps: GitlabSourceDeps) {}

  /** The configured projects, then the group's (unarchived) ones not already configured. */
  async targets(): Promise<PollTarget<ProjectTarget>[]> {
    const { config } = this.deps;
    const targets = new Map<string, PollTarget<ProjectTarget>>();
    for (const entry of config.projects) {
      targets.set(keyOf(entry.ref), {
        key: keyOf(entry.ref),
        label: typeof entry.ref === 'number' ? `project id ${entry.ref}` : entry.ref,
        value: { ref: entry.ref, branches: entry.branches },
      });
    }
    if (config.group === undefined) return [...targets.values()];
    const configuredIds = new Set(config.projects.map((entry) => entry.ref));
    for (const project of await this.groupProjects(config.group)) {
      const key = keyOf(project.path_with_namespace);
      if (targets.has(key) || configuredIds.has(project.id)) continue;
      targets.set(key, {
        key,
        label: project.path_with_namespace,
        value: { ref: project.path_with_namespace, branches: [] },
      });
    }
    return [...targets.values()];
  }

  poll(target: ProjectTarget, ctx: PollContext<ProjectCursor>) {
    const { client, config, now, prepare } = this.deps;
    return new ProjectPoller(target, ctx, {
      api: client.api,
      events: config.events,
      backfillDays: config.backfillDays,
      now,
      prepare,
    }).poll();
  }

  describeFailure(error: unknown): string | undefined {
    return error instanceof NotFoundError
      ? `not found (${error.message}): deleted, moved, or the token cannot see it`
      : undefined;
  }

  details(): Record<string, string | number | boolean | null> {
    const budget = this.deps.client.budget;
    return {
      rateLimitRemaining: budget.remaining,
      rateLimitLimit: budget.limit,
      rateLimitResetAt: budget.resetAt?.toISOString() ?? null,
      requests: budget.requests,
      retries: budget.retries,
    };
  }

  /**
   * Every unarchived project of the group (and its subgroups), offset pages to the last one:
   * GitLab offers keyset pages for the instance-wide project list, not for a group's.
   */
  private async groupProjects(group: string): Promise<PolledProject[]> {
    const { client, config } = this.deps;
    return (await client.api.Groups.allProjects(group, {
      includeSubgroups: config.includeSubgroups,
      archived: false,
      orderBy: 'id',
      sort: 'asc',
      perPage: PAGE_SIZE,
    })) as PolledProject[];
  }
}
