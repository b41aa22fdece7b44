// The REST client: octokit with the throttling and retry plugins composed in (the way octokit
// adds behaviour), plus what polling needs on top: conditional GETs with ETags (GitHub does not
// charge a 304), Link pagination to the end, and the rate-limit budget seen in every answer.
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import {
  AuthenticationError,
  NotFoundError,
  RateLimitedError,
  type ConnectorLogger,
} from '@painchain/sdk';

const GithubOctokit = Octokit.plugin(throttling, retry);
type GithubOctokit = InstanceType<typeof GithubOctokit>;

export const USER_AGENT = 'painchain-github-connector';
/** Waits for a rate limit up to this long happen inside octokit; longer ones pause the poller. */
export const DEFAULT_MAX_INLINE_WAIT_SECONDS = 5;
/** Attempts after the first for 5xx and network errors (octokit's retry plugin). */
export const DEFAULT_RETRIES = 3;
/** An API request (one attempt) with no complete answer within this is given up and retried. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** A rate-limit answer without any hint of when it ends: try again after this long. */
const FALLBACK_RATE_LIMIT_WAIT_MS = 60_000;

export interface GithubClientOptions {
  baseUrl: string;
  /** The token for the next request (a PAT or an installation token); none for public data only. */
  token: () => string | undefined;
  logger: ConnectorLogger;
  /** Aborts requests in flight when the connector stops. */
  signal: AbortSignal;
  /**
   * Milliseconds per "second" of GitHub's retry-after and per unit of octokit's retry backoff.
   * 1000 in production; tests make it small so that retries and waits take milliseconds.
   */
  retryAfterBaseValueMs?: number;
  maxInlineWaitSeconds?: number;
  retries?: number;
  /** Per attempt; a GitHub that accepts connections and never answers must not hold the poller. */
  requestTimeoutMs?: number;
  /** The fetch octokit uses (tests count requests with it). */
  fetch?: typeof fetch;
}

/** What the last answers said about the budget (`x-ratelimit-*`), plus counts for this process. */
export interface RateLimitSnapshot {
  limit: number | null;
  remaining: number | null;
  resetAt: Date | null;
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Requests answered 304: free. */
  notModified: number;
}

/** The GitHub API's largest page. */
export const PAGE_SIZE = 100;

/** One page of a list as remembered between polls: its ETag and the reduced items. */
export interface PageMemo<R> {
  etag?: string;
  items: R[];
}

export type Listing<T> = { notModified: true } | { notModified: false; items: T[]; etag?: string };

/** One conditional GET's answer. */
export type PageResult<T> =
  { notModified: true } | { notModified: false; data: T; etag?: string; next?: string };

interface HttpError {
  status: number;
  message: string;
  response?: { headers: Record<string, string | number | undefined> };
}

const isHttpError = (error: unknown): error is HttpError =>
  error instanceof Error && typeof (error as Partial<HttpError>).status === 'number';

/**
 * The promise, or an AbortError as soon as the signal aborts: octokit's retry and throttle
 * waits cannot be cancelled, and stopping must not wait for them (the abandoned request fails
 * at its next attempt, on the aborted signal).
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const stop = () => {
      promise.catch(() => undefined);
      reject(signal.reason);
    };
    signal.addEventListener('abort', stop, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', stop);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(error);
      },
    );
  });
}

/** `<url>; rel="next"` out of a Link header. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match) return match[1];
  }
  return undefined;
}

const headerNumber = (headers: Headers, name: string): number | null => {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
};

export class GithubClient {
  readonly rateLimit: RateLimitSnapshot = {
    limit: null,
    remaining: null,
    resetAt: null,
    requests: 0,
    notModified: 0,
  };
  private readonly octokit: GithubOctokit;

  constructor(private readonly options: GithubClientOptions) {
    const base = options.retryAfterBaseValueMs ?? 1000;
    const maxInline = options.maxInlineWaitSeconds ?? DEFAULT_MAX_INLINE_WAIT_SECONDS;
    const innerFetch = options.fetch ?? fetch;
    const logger = options.logger;
    // Every HTTP attempt (retries too) passes here: the place to read the budget.
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const countingFetch: typeof fetch = async (input, init) => {
      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await innerFetch(input, {
          ...init,
          signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
        });
      } catch (error) {
        // Said plainly (octokit would report "Unknown Error"); a stop is the caller's own abort.
        if (timeout.aborted && !init?.signal?.aborted)
          throw new Error(`no answer within ${timeoutMs} ms`);
        throw error;
      }
      this.observe(response);
      return response;
    };
    const shouldWait =
      (kind: string) =>
      (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) => {
        const wait = retryAfter <= maxInline && retryCount < 3;
        logger.warn(
          { retryAfterSeconds: retryAfter, retryCount },
          wait ? `GitHub ${kind}: waiting before retrying` : `GitHub ${kind}: pausing the poller`,
        );
        return wait;
      };
    this.octokit = new GithubOctokit({
      baseUrl: options.baseUrl,
      userAgent: USER_AGENT,
      request: { fetch: countingFetch, signal: options.signal },
      throttle: {
        // Bottleneck groups are keyed by id: one per client keeps connectors from queueing on each other.
        id: `painchain-${Math.random().toString(36).slice(2)}`,
        retryAfterBaseValue: base,
        onRateLimit: shouldWait('rate limit reached'),
        onSecondaryRateLimit: shouldWait('secondary rate limit'),
      },
      retry: { retries: options.retries ?? DEFAULT_RETRIES, retryAfterBaseValue: base },
      // octokit's own log lines (deprecations, retries) go to ours; never the request headers.
      // Its line per failed request ("GET … - 500 with id UNKNOWN") is debug: the poll scheduler
      // logs one readable line per failure, with the cause.
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message: string) => logger.warn(message),
        error: (message: string) => logger.debug(message),
      },
    });
    this.octokit.hook.before('request', (request) => {
      const token = options.token();
      if (token) request.headers.authorization = `Bearer ${token}`;
    });
  }

  /**
   * A conditional GET: `etag` from the last answer makes an unchanged resource a free 304.
   * `route` is octokit's (`GET /repos/{owner}/{repo}`) or an absolute URL from a Link header.
   */
  async get<T>(
    route: string,
    params: Record<string, string | number | undefined> = {},
    etag?: string,
  ): Promise<PageResult<T>> {
    try {
      const response = await untilAborted(
        this.octokit.request(route, { ...params, headers: etag ? { 'if-none-match': etag } : {} }),
        this.options.signal,
      );
      const data: unknown = response.data;
      return {
        notModified: false,
        data: data as T,
        etag: response.headers.etag,
        next: nextLink(response.headers.link),
      };
    } catch (error) {
      if (isHttpError(error) && error.status === 304) return { notModified: true };
      throw this.translate(error, route);
    }
  }

  /**
   * Every page of a list, following Link `next` to the end (never a silent cap) unless `more`
   * says the rest is older than wanted. Only the first page is conditional: when it is
   * unchanged, so is the list (lists here are newest first, or filtered by a time in the URL).
   */
  async list<T>(
    route: string,
    params: Record<string, string | number | undefined>,
    options: {
      etag?: string;
      /** Items out of a page body: the body itself for arrays, `workflow_runs` for runs. */
      items?: (body: unknown) => T[];
      /** False once the page just read reached items too old to matter. */
      more?: (page: T[]) => boolean;
    } = {},
  ): Promise<Listing<T>> {
    const itemsOf =
      options.items ?? ((body: unknown) => (Array.isArray(body) ? (body as T[]) : []));
    const first = await this.get<unknown>(route, { per_page: PAGE_SIZE, ...params }, options.etag);
    if (first.notModified) return first;
    const items = itemsOf(first.data);
    let next = first.next;
    let page = items;
    while (next && (options.more?.(page) ?? true)) {
      this.options.signal.throwIfAborted();
      const answer = await this.get<unknown>(`GET ${next}`);
      if (answer.notModified) break;
      page = itemsOf(answer.data);
      items.push(...page);
      next = answer.next;
    }
    return { notModified: false, items, etag: first.etag };
  }

  /**
   * A list read page by page (`?page=N`), each page conditional on its own ETag: for lists with no
   * useful order (tags, an organisation's repositories), where a change can land on any page.
   * An idle list costs one free 304 per page. `reduce` keeps what is worth remembering per item.
   */
  async listPages<T, R>(
    route: string,
    params: Record<string, string | number | undefined>,
    memo: readonly PageMemo<R>[],
    reduce: (item: T) => R,
  ): Promise<{ changed: boolean; pages: PageMemo<R>[] }> {
    const pages: PageMemo<R>[] = [];
    let changed = false;
    for (let page = 1; ; page += 1) {
      this.options.signal.throwIfAborted();
      const known = memo[page - 1];
      const answer = await this.get<unknown>(
        route,
        { ...params, per_page: PAGE_SIZE, page },
        known?.etag,
      );
      if (answer.notModified && known) {
        pages.push(known);
        // A full last page may have grown a next one that did not exist before.
        if (page >= memo.length && known.items.length < PAGE_SIZE) break;
        continue;
      }
      if (answer.notModified) break;
      changed = true;
      const items = Array.isArray(answer.data) ? (answer.data as T[]).map(reduce) : [];
      pages.push({ etag: answer.etag, items });
      if (!answer.next || items.length === 0) break;
    }
    // Pages that no longer exist are a change too (items removed).
    if (pages.length !== memo.length) changed = true;
    return { changed, pages };
  }

  private observe(response: Response): void {
    this.rateLimit.requests += 1;
    if (response.status === 304) this.rateLimit.notModified += 1;
    const remaining = headerNumber(response.headers, 'x-ratelimit-remaining');
    if (remaining === null) return;
    this.rateLimit.remaining = remaining;
    this.rateLimit.limit = headerNumber(response.headers, 'x-ratelimit-limit');
    const reset = headerNumber(response.headers, 'x-ratelimit-reset');
    this.rateLimit.resetAt = reset === null ? null : new Date(reset * 1000);
  }

  /** GitHub's answers as the errors the poller acts on; the message never carries headers. */
  private translate(error: unknown, route: string): unknown {
    if (!isHttpError(error)) return error;
    const what = route.replace(/^GET /, '');
    if (error.status === 404 || error.status === 410) {
      return new NotFoundError(`${what}: ${error.status} ${error.message}`);
    }
    // octokit reports a request that got no answer at all (DNS, refused, reset) as a 500.
    if (error.status === 500 && !error.response) {
      return new Error(`cannot reach GitHub at ${this.options.baseUrl}: ${error.message}`);
    }
    if (error.status === 401) {
      return new AuthenticationError(`GitHub refused the token (401 ${error.message}) for ${what}`);
    }
    const headers = error.response?.headers ?? {};
    const limited =
      (error.status === 403 || error.status === 429) &&
      (String(headers['x-ratelimit-remaining']) === '0' ||
        headers['retry-after'] !== undefined ||
        /rate limit/i.test(error.message));
    if (limited) {
      const base = this.options.retryAfterBaseValueMs ?? 1000;
      const retryAfter = Number(headers['retry-after']);
      const reset = Number(headers['x-ratelimit-reset']);
      const resumeAt =
        Number.isFinite(retryAfter) && headers['retry-after'] !== undefined
          ? new Date(Date.now() + retryAfter * base)
          : Number.isFinite(reset) && headers['x-ratelimit-reset'] !== undefined
            ? new Date(reset * 1000)
            : new Date(Date.now() + FALLBACK_RATE_LIMIT_WAIT_MS);
      return new RateLimitedError(`GitHub rate limit (${error.status}) on ${what}`, resumeAt);
    }
    return error;
  }
}
