// A local stand-in for GitLab's REST API v4 on 127.0.0.1, speaking its protocol: JSON bodies
// typed by @gitbeaker/rest's schemas, offset pagination (X-Page, X-Next-Page, X-Total-Pages and
// Link headers), PRIVATE-TOKEN authentication,
// RateLimit-* headers with a budget that runs out (429 with Retry-After), and injected faults.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  CommitSchema,
  DeploymentSchema,
  MergeRequestSchema,
  PipelineSchema,
  ProjectSchema,
  ReleaseSchema,
  TagSchema,
} from '@gitbeaker/rest';

/** The project fields GitLab answers that the connector and these tests use. */
export type FakeProjectBody = Pick<
  ProjectSchema,
  | 'id'
  | 'name'
  | 'path'
  | 'path_with_namespace'
  | 'name_with_namespace'
  | 'description'
  | 'default_branch'
  | 'web_url'
  | 'archived'
  | 'created_at'
  | 'last_activity_at'
  | 'visibility'
>;

/**
 * A deployment as GitLab's list answers it: the environment and job in their short form.
 * (Pick, not Omit: gitbeaker's schemas have an index signature that Omit would keep alone.)
 */
export type FakeDeployment = Pick<
  DeploymentSchema,
  'id' | 'iid' | 'ref' | 'sha' | 'created_at' | 'updated_at' | 'status' | 'user'
> & {
  environment: Pick<
    DeploymentSchema['environment'],
    'id' | 'name' | 'slug' | 'external_url' | 'state' | 'tier' | 'created_at' | 'updated_at'
  >;
  deployable: Pick<
    DeploymentSchema['deployable'],
    | 'id'
    | 'name'
    | 'ref'
    | 'stage'
    | 'status'
    | 'tag'
    | 'created_at'
    | 'started_at'
    | 'finished_at'
    | 'commit'
  >;
};

export interface FakeProject {
  body: FakeProjectBody;
  /** Group paths the project belongs to (its own namespace and the parents). */
  groups: string[];
  /** First-parent commits per branch, newest first. */
  branches: Map<string, CommitSchema[]>;
  mergeRequests: MergeRequestSchema[];
  pipelines: PipelineSchema[];
  deployments: FakeDeployment[];
  releases: ReleaseSchema[];
  tags: TagSchema[];
  /** Answers 404 everywhere, as a deleted project (or one the token cannot see) does. */
  gone: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
}

/** An answer given instead of the real one: to the next `repeat` requests whose path matches. */
export interface Fault {
  match: RegExp;
  repeat: number;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Page = { items: unknown[]; headers: Record<string, string> };

const byTime = (pick: (item: never) => string) => (a: unknown, b: unknown) =>
  Date.parse(pick(a as never)) - Date.parse(pick(b as never));

export class FakeGitlab {
  readonly projects = new Map<string, FakeProject>();
  /** Every request answered, in order, with its status. */
  readonly requests: RecordedRequest[] = [];
  /** Answers to give instead of the real one, for matching paths. */
  readonly faults: Fault[] = [];
  /**
   * The rate limit: requests allowed per window (RateLimit-Limit), what is left of it, and the
   * epoch second it refills (a 429's Retry-After counts down to it).
   */
  readonly budget = { limit: 2000, remaining: 2000, resetAt: Math.floor(Date.now() / 1000) + 60 };
  /** When set, requests must carry `PRIVATE-TOKEN: <token>`. */
  token: string | undefined;

  private readonly server: Server = createServer((request, response) =>
    this.handle(request, response),
  );
  /** `http://127.0.0.1:<port>`: what the connector's `host` is set to. */
  url = '';

  /** Listens on a free loopback port; `token` makes PRIVATE-TOKEN required. */
  static async start(options: { token?: string } = {}): Promise<FakeGitlab> {
    const fake = new FakeGitlab();
    fake.token = options.token;
    fake.server.listen({ port: 0, host: '127.0.0.1' });
    await once(fake.server, 'listening');
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  add(project: FakeProject): FakeProject {
    this.projects.set(project.body.path_with_namespace.toLowerCase(), project);
    return project;
  }

  /** Requests to paths matching `pattern` (query left out). */
  count(pattern: RegExp): number {
    return this.requests.filter((request) => pattern.test(request.path)).length;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', this.url);
    const record = (status: number) =>
      this.requests.push({
        method: request.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        status,
      });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record(status);
      response.writeHead(status, {
        'content-type': 'application/json',
        ...this.rateLimitHeaders(),
        ...headers,
      });
      response.end(JSON.stringify(body));
    };

    if (this.token !== undefined && request.headers['private-token'] !== this.token) {
      return send(401, { message: '401 Unauthorized' });
    }
    const fault = this.faults.find(
      (candidate) => candidate.repeat > 0 && candidate.match.test(url.pathname),
    );
    if (fault) {
      fault.repeat -= 1;
      return send(fault.status, fault.body ?? { message: `${fault.status}` }, fault.headers);
    }
    if (this.budget.remaining <= 0) {
      const wait = Math.max(1, this.budget.resetAt - Math.floor(Date.now() / 1000));
      return send(429, { message: 'Retry later' }, { 'retry-after': String(wait) });
    }
    this.budget.remaining -= 1;

    const answer = this.route(url);
    if (answer === undefined) return send(404, { message: '404 Not Found' });
    if ('items' in answer) return send(200, answer.items, answer.headers);
    return send(200, answer.body);
  }

  /** Only GETs of the endpoints the connector calls; anything else is GitLab's 404. */
  private route(url: URL): Page | { body: unknown } | undefined {
    const match = /^\/api\/v4\/(projects|groups)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!match) return undefined;
    const [, kind, rawId, rest = ''] = match;
    const id = decodeURIComponent(rawId!);
    const query = url.searchParams;
    if (kind === 'groups') {
      if (rest !== '/projects') return undefined;
      return this.groupProjects(url, id);
    }
    const project = this.find(id);
    if (!project || project.gone) return undefined;
    const since = (name: string) => {
      const value = query.get(name);
      return value === null ? Number.NEGATIVE_INFINITY : Date.parse(value);
    };
    const ascending = query.get('sort') === 'asc';
    switch (rest) {
      case '':
        return { body: project.body };
      case '/repository/commits': {
        const commits =
          project.branches.get(query.get('ref_name') ?? project.body.default_branch) ?? [];
        const floor = since('since');
        return this.offsetPage(
          url,
          commits.filter(
            (commit) => Date.parse(commit.committed_date ?? commit.created_at) >= floor,
          ),
        );
      }
      case '/merge_requests':
      case '/pipelines':
      case '/deployments': {
        const list: { updated_at: string }[] =
          rest === '/merge_requests'
            ? project.mergeRequests
            : rest === '/pipelines'
              ? project.pipelines
              : project.deployments;
        const after = since('updated_after');
        // GitLab's updated_after is inclusive.
        const sorted = list
          .filter((item) => Date.parse(item.updated_at) >= after)
          .sort(byTime((item: { updated_at: string }) => item.updated_at));
        return this.offsetPage(url, ascending ? sorted : sorted.reverse());
      }
      case '/releases': {
        const sorted = [...project.releases].sort(byTime((r: ReleaseSchema) => r.created_at));
        return this.offsetPage(url, ascending ? sorted : sorted.reverse());
      }
      case '/repository/tags': {
        const sorted = [...project.tags].sort(
          byTime((t: TagSchema) => t.commit.committed_date ?? t.commit.created_at),
        );
        return this.offsetPage(url, ascending ? sorted : sorted.reverse());
      }
      default:
        return undefined;
    }
  }

  private find(id: string): FakeProject | undefined {
    if (/^[0-9]+$/.test(id)) {
      return [...this.projects.values()].find((project) => project.body.id === Number(id));
    }
    return this.projects.get(id.toLowerCase());
  }

  /** A group's projects (subgroups' too when asked), by id. */
  private groupProjects(url: URL, group: string): Page | undefined {
    const query = url.searchParams;
    const subgroups = query.get('include_subgroups') === 'true';
    const members = [...this.projects.values()]
      .filter((project) =>
        project.groups.some(
          (path) => path === group || (subgroups && path.startsWith(`${group}/`)),
        ),
      )
      .filter((project) => query.get('archived') !== 'false' || !project.body.archived)
      .map((project) => project.body)
      .sort((a, b) => a.id - b.id);
    if (
      members.length === 0 &&
      ![...this.projects.values()].some((p) => p.groups.includes(group))
    ) {
      return undefined;
    }
    return this.offsetPage(url, members);
  }

  /** One offset page of `all`, with the headers GitLab sends. */
  private offsetPage(url: URL, all: readonly unknown[]): Page {
    const query = url.searchParams;
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 20)));
    const page = Math.max(1, Number(query.get('page') ?? 1));
    const totalPages = Math.max(1, Math.ceil(all.length / perPage));
    const items = all.slice((page - 1) * perPage, page * perPage);
    const link = (to: number) => {
      const target = new URL(url);
      target.searchParams.set('page', String(to));
      target.searchParams.set('per_page', String(perPage));
      return target.toString();
    };
    const links = [
      page > 1 ? `<${link(page - 1)}>; rel="prev"` : undefined,
      page < totalPages ? `<${link(page + 1)}>; rel="next"` : undefined,
      `<${link(1)}>; rel="first"`,
      `<${link(totalPages)}>; rel="last"`,
    ].filter((part) => part !== undefined);
    return {
      items,
      headers: {
        link: links.join(', '),
        'x-page': String(page),
        'x-per-page': String(perPage),
        'x-next-page': page < totalPages ? String(page + 1) : '',
        'x-prev-page': page > 1 ? String(page - 1) : '',
        'x-total': String(all.length),
        'x-total-pages': String(totalPages),
      },
    };
  }

  private rateLimitHeaders(): Record<string, string> {
    return {
      'ratelimit-limit': String(this.budget.limit),
      'ratelimit-observed': String(this.budget.limit - Math.max(0, this.budget.remaining)),
      'ratelimit-remaining': String(Math.max(0, this.budget.remaining)),
      'ratelimit-reset': String(this.budget.resetAt),
      'ratelimit-resettime': new Date(this.budget.resetAt * 1000).toUTCString(),
    };
  }
}
