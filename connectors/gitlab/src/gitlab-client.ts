// GitLab's REST API v4 through @gitbeaker/rest, with our own request handler plugged in where
// gitbeaker takes one (`requesterFn`): gitbeaker keeps its resources, query encoding and Link
// pagination; the handler adds what a poller needs and gitbeaker's default lacks — stop that
// cuts every request and wait short, the RateLimit-* budget and Retry-After honoured, bounded
// retries of 5xx, and GitLab's answers as the errors the SDK's poll scheduler acts on.
import { Gitlab } from '@gitbeaker/rest';
import {
  createRequesterFn,
  type FormattedResponse,
  type RequestOptions,
  type ResponseBodyTypes,
} from '@gitbeaker/requester-utils';
import {
  abortableSleep,
  AuthenticationError,
  NotFoundError,
  RateLimitedError,
  type ConnectorLogger,
} from '@painchain/sdk';

/** Waits up to this long for a rate limit happen inline; longer ones pause the project instead. */
export const DEFAULT_MAX_INLINE_WAIT_SECONDS = 5;
/** Further attempts after a 5xx or a network error. */
export const DEFAULT_RETRIES = 3;
export const DEFAULT_RETRY_BASE_MS = 500;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** A 429 that says nothing of when to come back: come back after this long. */
const FALLBACK_RATE_LIMIT_WAIT_MS = 60_000;
const RETRIED_STATUSES = new Set([500, 502, 503, 504]);

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface GitlabClientOptions {
  /** GitLab's root URL: https://gitlab.com or a self-managed instance. */
  host: string;
  token: string | undefined;
  /** The connector's stop: aborts requests in flight and every wait. */
  signal: AbortSignal;
  logger: ConnectorLogger;
  maxInlineWaitSeconds?: number;
  retries?: number;
  retryBaseMs?: number;
  requestTimeoutMs?: number;
  /** Inline waits (tests record them instead of waiting). */
  sleep?: Sleep;
}

/** What GitLab's RateLimit-* headers last said, and counts for this process. */
export interface RateLimitBudget {
  limit: number | null;
  remaining: number | null;
  resetAt: Date | null;
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Attempts repeated after a 5xx, a network error or a short rate-limit wait. */
  retries: number;
}

export type GitlabApi = InstanceType<typeof Gitlab<false>>;

const numberHeader = (headers: Headers, name: string): number | null => {
  const text = headers.get(name);
  if (text === null || text.trim() === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
};

/** GitLab's error body (`{"message": …}` or `{"error": …}`) in one line, for messages. */
async function errorText(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    const said = body.message ?? body.error;
    if (typeof said === 'string') return said;
    if (said !== undefined) return JSON.stringify(said);
  } catch {
    // Not JSON: a proxy's page, say. Its first line is enough.
  }
  return text.split('\n', 1)[0]!.slice(0, 200) || response.statusText;
}

async function bodyOf(response: Response): Promise<ResponseBodyTypes> {
  if (response.status === 204) return null;
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (type === 'application/json') return (await response.json()) as ResponseBodyTypes;
  return response.text();
}

export class GitlabClient {
  readonly api: GitlabApi;
  readonly budget: RateLimitBudget = {
    limit: null,
    remaining: null,
    resetAt: null,
    requests: 0,
    retries: 0,
  };
  private readonly sleep: Sleep;

  constructor(private readonly options: GitlabClientOptions) {
    this.sleep = options.sleep ?? abortableSleep;
    const requesterFn = createRequesterFn(
      // gitbeaker's own options handler already turned headers, token and query into strings.
      async (_service, request) => request,
      (endpoint, request) => this.send(endpoint, (request ?? {}) as RequestOptions),
    );
    const common = {
      host: options.host,
      requesterFn,
      queryTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // gitbeaker's client-side limiter guesses GitLab.com's limits; GitLab's own RateLimit-*
      // headers (self-managed instances set their own) are what this handler goes by.
      rateLimits: {},
    };
    this.api = options.token ? new Gitlab({ ...common, token: options.token }) : new Gitlab(common);
  }

  /** One API call: sent, retried or waited for as GitLab's answer says, then parsed. */
  private async send(endpoint: string, request: RequestOptions): Promise<FormattedResponse> {
    const { signal: stop, logger } = this.options;
    const retries = this.options.retries ?? DEFAULT_RETRIES;
    const base = request.prefixUrl?.endsWith('/') ? request.prefixUrl : `${request.prefixUrl}/`;
    const url = new URL(endpoint, base);
    url.search = request.searchParams ?? '';
    const what = `${request.method ?? 'GET'} ${url.pathname}`;
    for (let attempt = 0; ; attempt += 1) {
      await this.awaitBudget(what);
      stop.throwIfAborted();
      this.budget.requests += 1;
      let response: Response;
      try {
        response = await fetch(url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: request.signal ? AbortSignal.any([stop, request.signal]) : stop,
        });
      } catch (error) {
        if (stop.aborted) throw stop.reason;
        const reason =
          request.signal?.aborted === true
            ? `no answer within ${this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS} ms`
            : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
        if (attempt < retries) {
          await this.retryLater(attempt, `${what}: ${reason}`);
          continue;
        }
        throw new Error(`cannot reach GitLab at ${this.options.host} (${what}: ${reason})`);
      }
      this.observe(response.headers);
      if (response.ok) {
        return {
          body: await bodyOf(response),
          headers: Object.fromEntries(response.headers),
          status: response.status,
        };
      }
      const message = await errorText(response);
      if (response.status === 401) {
        throw new AuthenticationError(
          `GitLab refused the token (401 ${message}): check that it is valid, unexpired and has read_api`,
        );
      }
      if (response.status === 404 || response.status === 410) {
        throw new NotFoundError(`${what}: ${response.status} ${message}`);
      }
      if (response.status === 429) {
        const waitMs = this.retryAfterMs(response.headers);
        const inline =
          (this.options.maxInlineWaitSeconds ?? DEFAULT_MAX_INLINE_WAIT_SECONDS) * 1000;
        if (waitMs <= inline && attempt < retries) {
          logger.warn(
            { endpoint: url.pathname, waitMs },
            'GitLab rate limit: waiting before retrying',
          );
          this.budget.retries += 1;
          await this.sleep(waitMs, stop);
          continue;
        }
        throw new RateLimitedError(
          `GitLab rate limit (429) on ${what}`,
          new Date(Date.now() + waitMs),
        );
      }
      if (RETRIED_STATUSES.has(response.status) && attempt < retries) {
        await this.retryLater(attempt, `${what}: ${response.status} ${message}`);
        continue;
      }
      const tries = attempt > 0 ? ` (after ${attempt + 1} attempts)` : '';
      throw new Error(`GitLab answered ${response.status} ${message} to ${what}${tries}`);
    }
  }

  /** Exponential backoff with jitter, through the stop-aware sleep. */
  private async retryLater(attempt: number, reason: string): Promise<void> {
    const base = this.options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    const delay = base * 2 ** attempt * (0.5 + Math.random() / 2);
    this.options.logger.warn(
      { reason, attempt: attempt + 1, delayMs: Math.round(delay) },
      'GitLab request failed: retrying',
    );
    this.budget.retries += 1;
    await this.sleep(delay, this.options.signal);
    this.options.signal.throwIfAborted();
  }

  /**
   * When the last answer said the budget is spent, wait for its reset (short) or pause the
   * project until then (long) instead of spending a request on a certain 429.
   */
  private async awaitBudget(what: string): Promise<void> {
    const { remaining, resetAt } = this.budget;
    if (remaining !== 0 || !resetAt) return;
    const waitMs = resetAt.getTime() - Date.now();
    if (waitMs <= 0) return;
    const inline = (this.options.maxInlineWaitSeconds ?? DEFAULT_MAX_INLINE_WAIT_SECONDS) * 1000;
    if (waitMs > inline) {
      // The scheduler pauses until the reset; the next attempt after that asks GitLab again.
      this.budget.remaining = null;
      throw new RateLimitedError(
        `GitLab rate limit spent (RateLimit-Remaining: 0) before ${what}`,
        resetAt,
      );
    }
    await this.sleep(waitMs, this.options.signal);
    this.budget.remaining = null;
  }

  /** Retry-After (seconds or an HTTP date), else RateLimit-Reset, else a minute. */
  private retryAfterMs(headers: Headers): number {
    const retryAfter = headers.get('retry-after');
    if (retryAfter !== null && retryAfter.trim() !== '') {
      const asSeconds = Number(retryAfter);
      if (Number.isFinite(asSeconds)) return Math.max(0, asSeconds * 1000);
      const asDate = Date.parse(retryAfter);
      if (Number.isFinite(asDate)) return Math.max(0, asDate - Date.now());
    }
    const reset = numberHeader(headers, 'ratelimit-reset');
    if (reset !== null) return Math.max(0, reset * 1000 - Date.now());
    return FALLBACK_RATE_LIMIT_WAIT_MS;
  }

  private observe(headers: Headers): void {
    const remaining = numberHeader(headers, 'ratelimit-remaining');
    if (remaining === null) return;
    this.budget.remaining = remaining;
    this.budget.limit = numberHeader(headers, 'ratelimit-limit');
    const reset = numberHeader(headers, 'ratelimit-reset');
    this.budget.resetAt = reset === null ? null : new Date(reset * 1000);
  }
}
