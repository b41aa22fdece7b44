// A local stand-in for the GitHub REST API on 127.0.0.1, speaking its protocol: JSON bodies in
// the shape of @octokit/openapi-types, `Link` pagination, ETag / If-None-Match → 304 (free),
// `x-ratelimit-*` headers with a budget that 304s do not spend, 403 when it is spent, and
// injected faults (secondary rate limits with retry-after, 5xx, 404). Each request is recorded
// with who sent it (its Authorization) and when it arrived and was answered, so that a test can
// tell which of several pollers read what, and whether two of them read the same at once.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { components } from '@octokit/openapi-types';
import { fullRepository, minimalRepository } from './rest-fixtures.js';

type S = components['schemas'];

export interface FakeRepository {
  owner: string;
  repo: string;
  defaultBranch: string;
  archived: boolean;
  /** Answers 404 everywhere, as a deleted repository (or one the token cannot see) does. */
  gone: boolean;
  /** Commits per branch, newest first (the head first). */
  branches: Map<string, S['commit'][]>;
  pulls: S['pull-request-simple'][];
  runs: S['workflow-run'][];
  deployments: S['deployment'][];
  /** Statuses per deployment id, newest first. */
  statuses: Map<number, S['deployment-status'][]>;
  releases: S['release'][];
  tags: S['tag'][];
  /** Built once: GitHub answers the same body (and so the same ETag) until something changes. */
  bodies: { full: S['full-repository']; minimal: S['minimal-repository'] };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  conditional: boolean;
  /** The Authorization header it came with: which client (token) sent it. */
  client: string | undefined;
  /** performance.now() when it arrived and when it was answered. */
  startedAt: number;
  answeredAt: number;
}

export interface Fault {
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many matching requests fail before the fault clears. */
  times: number;
}

export const SECONDARY_LIMIT_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';

const json = (value: unknown) => JSON.stringify(value);
const weakEtag = (body: string) => `W/"${createHash('sha1').update(body).digest('hex')}"`;

export class FakeGithub {
  readonly repositories = new Map<string, FakeRepository>();
  readonly organisations = new Set<string>();
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  limit = 5000;
  remaining = 5000;
  /** Epoch seconds when the budget refills. */
  resetAt = Math.floor(Date.now() / 1000) + 3600;
  /** When set, requests must carry `Authorization: Bearer <token>` (or `token <token>`). */
  token: string | undefined;
  /** Every answer waits this long, as a real server's does: reads that overlap in time show. */
  latencyMs = 0;
  /** Told of every answer with its body (a page of a list: what was served). */
  onAnswer: ((request: RecordedRequest, body: unknown) => void) | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(options: { token?: string } = {}): Promise<FakeGithub> {
    // The server needs its handler before the port (and so the instance) exists.
    const holder: { fake?: FakeGithub } = {};
    const server = createServer((request, response) => holder.fake?.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeGithub(server, `http://127.0.0.1:${port}`);
    fake.token = options.token;
    holder.fake = fake;
    return fake;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  repository(owner: string, repo: string, defaultBranch = 'main'): FakeRepository {
    const key = `${owner}/${repo}`.toLowerCase();
    let found = this.repositories.get(key);
    if (!found) {
      found = {
        owner,
        repo,
        defaultBranch,
        archived: false,
        gone: false,
        branches: new Map([[defaultBranch, []]]),
        pulls: [],
        runs: [],
        deployments: [],
        statuses: new Map(),
        releases: [],
        tags: [],
        bodies: {
          full: fullRepository(owner, repo, defaultBranch),
          minimal: minimalRepository(owner, repo),
        },
      };
      this.repositories.set(key, found);
    }
    return found;
  }

  fail(fault: Fault): void {
    this.faults.push(fault);
  }

  /** Spends the budget: every request that is not a 304 answers 403 until `resetInSeconds`. */
  exhaust(resetInSeconds: number): void {
    this.remaining = 0;
    this.resetAt = Math.floor(Date.now() / 1000) + resetInSeconds;
  }

  /** Requests GitHub would charge (everything but 304) since request number `from`. */
  pointsSpent(from = 0): number {
    return this.requests.slice(from).filter((request) => request.status !== 304).length;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const startedAt = performance.now();
    if (this.latencyMs > 0) {
      setTimeout(() => this.answer(request, response, startedAt), this.latencyMs);
    } else {
      this.answer(request, response, startedAt);
    }
  }

  private answer(request: IncomingMessage, response: ServerResponse, startedAt: number): void {
    const url = new URL(request.url ?? '/', this.url);
    const conditional = typeof request.headers['if-none-match'] === 'string';
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = body === undefined ? '' : json(body);
      if (status !== 304) this.remaining = Math.max(0, this.remaining - 1);
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        status,
        conditional,
        client: request.headers.authorization,
        startedAt,
        answeredAt: performance.now(),
      };
      this.requests.push(recorded);
      this.onAnswer?.(recorded, body);
      response.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-request-id': `FAKE:${this.requests.length}`,
        'x-ratelimit-limit': String(this.limit),
        'x-ratelimit-remaining': String(this.remaining),
        'x-ratelimit-reset': String(this.resetAt),
        'x-ratelimit-used': String(this.limit - this.remaining),
        'x-ratelimit-resource': 'core',
        ...headers,
      });
      response.end(status === 304 ? undefined : text);
    };

    if (this.token !== undefined) {
      const given = request.headers.authorization ?? '';
      if (given !== `Bearer ${this.token}` && given !== `token ${this.token}`) {
        return answer(401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
        });
      }
    }
    const fault = this.faults.find((f) => f.times > 0 && f.path.test(url.pathname));
    if (fault) {
      fault.times -= 1;
      return answer(
        fault.status,
        fault.body ?? { message: `fault ${fault.status}` },
        fault.headers,
      );
    }
    if (this.remaining <= 0) {
      if (Date.now() / 1000 < this.resetAt) {
        return answer(403, {
          message: 'API rate limit exceeded for user ID 1.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        });
      }
      this.remaining = this.limit;
      this.resetAt = Math.floor(Date.now() / 1000) + 3600;
    }

    const routed = this.route(url);
    if (routed === undefined) {
      return answer(404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    const { body, paginate } = routed;
    let page = body;
    const headers: Record<string, string> = {};
    if (paginate && Array.isArray(body)) {
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30) || 30);
      const current = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
      const last = Math.max(1, Math.ceil(body.length / perPage));
      page = body.slice((current - 1) * perPage, current * perPage);
      const link = (n: number, rel: string) => {
        const target = new URL(url);
        target.searchParams.set('page', String(n));
        return `<${target.toString()}>; rel="${rel}"`;
      };
      const links: string[] = [];
      if (current > 1) links.push(link(current - 1, 'prev'), link(1, 'first'));
      if (current < last) links.push(link(current + 1, 'next'), link(last, 'last'));
      if (links.length > 0) headers.link = links.join(', ');
      if (routed.wrap) page = routed.wrap(page as unknown[], body.length);
    }
    const etag = weakEtag(json(page));
    headers.etag = etag;
    const ifNoneMatch = request.headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(/\s*,\s*/).includes(etag)) {
      return answer(304, undefined, headers);
    }
    return answer(200, page, headers);
  }

  /** The body for a GET, or undefined for 404. */
  private route(
    url: URL,
  ):
    | { body: unknown; paginate: boolean; wrap?: (items: unknown[], total: number) => unknown }
    | undefined {
    // GitHub Enterprise Server serves the same API under /api/v3.
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, '').replace(/\/+$/, '');
    const q = url.searchParams;
    const owned = /^\/(orgs|users)\/([^/]+)\/repos$/.exec(path);
    if (owned) {
      const [, kind, owner = ''] = owned;
      if (kind === 'orgs' && !this.organisations.has(owner.toLowerCase())) return undefined;
      const repos = [...this.repositories.values()]
        .filter((r) => r.owner.toLowerCase() === owner.toLowerCase() && !r.gone)
        .map((r) => ({
          ...r.bodies.minimal,
          archived: r.archived,
          default_branch: r.defaultBranch,
        }));
      return { body: repos, paginate: true };
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (!match) return undefined;
    const repository = this.repositories.get(`${match[1]}/${match[2]}`.toLowerCase());
    if (!repository || repository.gone) return undefined;
    const rest = match[3] ?? '';
    if (rest === '') {
      return {
        body: { ...repository.bodies.full, archived: repository.archived },
        paginate: false,
      };
    }
    if (rest === '/commits') {
      const branch = q.get('sha') ?? repository.defaultBranch;
      const commits = repository.branches.get(branch);
      if (!commits) return undefined;
      const since = q.get('since');
      const body = since
        ? commits.filter((c) => Date.parse(c.commit.committer?.date ?? '') >= Date.parse(since))
        : commits;
      return { body, paginate: true };
    }
    if (rest === '/pulls') {
      const state = q.get('state') ?? 'open';
      const pulls = repository.pulls
        .filter((pr) => state === 'all' || pr.state === state)
        .sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at));
      return { body: pulls, paginate: true };
    }
    if (rest === '/actions/runs') {
      const created = q.get('created');
      const from = created?.startsWith('>=')
        ? Date.parse(created.slice(2))
        : Number.NEGATIVE_INFINITY;
      const runs = repository.runs
        .filter((run) => Date.parse(run.created_at) >= from)
        .sort((a, b) => b.id - a.id);
      return {
        body: runs,
        paginate: true,
        wrap: (items, total) => ({ total_count: total, workflow_runs: items }),
      };
    }
    const run = /^\/actions\/runs\/(\d+)$/.exec(rest);
    if (run) {
      const found = repository.runs.find((r) => r.id === Number(run[1]));
      return found ? { body: found, paginate: false } : undefined;
    }
    if (rest === '/deployments') {
      return { body: [...repository.deployments].sort((a, b) => b.id - a.id), paginate: true };
    }
    const statuses = /^\/deployments\/(\d+)\/statuses$/.exec(rest);
    if (statuses) {
      const id = Number(statuses[1]);
      if (!repository.deployments.some((d) => d.id === id)) return undefined;
      return { body: repository.statuses.get(id) ?? [], paginate: true };
    }
    if (rest === '/releases') {
      const releases = [...repository.releases].sort(
        (a, b) => Date.parse(b.created_at) - Date.parse(a.created_at),
      );
      return { body: releases, paginate: true };
    }
    if (rest === '/tags') return { body: repository.tags, paginate: true };
    return undefined;
  }
}
