// The HTTP client a standalone connector talks to its collector with: events to
// POST /api/v1/events, heartbeats to POST /api/v1/connectors/:name/heartbeat. Retries what is
// worth retrying (network errors, 429, 5xx) with capped exponential backoff; a 4xx is the
// caller's mistake and fails at once.
import type { ChangeEventInput } from '../change-event.js';
import type { EmitResult } from '../connector.js';
import { abortableSleep } from '../abortable-sleep.js';
import type { Heartbeat } from '../supervisor/heartbeat.js';

export interface CollectorClientOptions {
  /** Base URL of the collector, e.g. `http://localhost:8000`. */
  url: string;
  /** Bearer token with the `ingest` scope; none when the collector runs without tokens. */
  token?: string;
  /** Attempts after the first one for retryable failures. */
  retries?: number;
  /** Delay before the first retry; doubles per attempt. */
  retryDelayMs?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

export const DEFAULT_COLLECTOR_RETRIES = 5;
export const DEFAULT_COLLECTOR_RETRY_DELAY_MS = 500;
export const DEFAULT_COLLECTOR_TIMEOUT_MS = 30_000;
const MAX_RETRY_DELAY_MS = 30_000;

/** The collector answered with an error status (after retries, for retryable ones). */
export class CollectorRequestError extends Error {
  override readonly name = 'CollectorRequestError';
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

export class CollectorClient {
  private readonly base: string;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: CollectorClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.retries = options.retries ?? DEFAULT_COLLECTOR_RETRIES;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULT_COLLECTOR_RETRY_DELAY_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_COLLECTOR_TIMEOUT_MS;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Stores a batch (all or nothing); answers like ctx.emit(). */
  async postEvents(events: ChangeEventInput[], signal?: AbortSignal): Promise<EmitResult> {
    const body = (await this.send('/api/v1/events', { events }, signal)) as Partial<EmitResult>;
    return {
      ids: body.ids ?? [],
      created: body.created ?? 0,
      updated: body.updated ?? 0,
      unchanged: body.unchanged ?? 0,
    };
  }

  /**
   * Registers the connector (first call) and reports its state. One attempt: the next
   * heartbeat comes soon anyway, and a stopping connector must not wait on an absent collector.
   */
  async heartbeat(name: string, report: Heartbeat, signal?: AbortSignal): Promise<void> {
    const path = `/api/v1/connectors/${encodeURIComponent(name)}/heartbeat`;
    await this.send(path, report, signal, 0);
  }

  private async send(
    path: string,
    payload: unknown,
    signal?: AbortSignal,
    retries = this.retries,
  ): Promise<unknown> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    // The token goes in the header only; it is never part of an error message.
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const body = JSON.stringify(payload);
    for (let attempt = 0; ; attempt += 1) {
      let failure: CollectorRequestError;
      try {
        const timeout = AbortSignal.timeout(this.timeoutMs);
        const response = await this.fetchImpl(`${this.base}${path}`, {
          method: 'POST',
          headers,
          body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        const text = await response.text();
        if (response.ok) return text ? (JSON.parse(text) as unknown) : {};
        failure = new CollectorRequestError(
          `POST ${path}: ${response.status} ${describeError(text)}`,
          response.status,
        );
        if (response.status !== 429 && response.status < 500) throw failure;
      } catch (error) {
        if (error instanceof CollectorRequestError) throw error;
        if (signal?.aborted) throw signal.reason;
        failure = new CollectorRequestError(
          `POST ${path}: ${error instanceof Error ? error.message : String(error)}`,
          undefined,
        );
      }
      if (attempt >= retries) throw failure;
      const delay = Math.min(MAX_RETRY_DELAY_MS, this.retryDelayMs * 2 ** attempt);
      if (signal) {
        await abortableSleep(delay, signal);
        signal.throwIfAborted();
      } else {
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

/** The collector's `{error, message}` body in one line, or the start of whatever came back. */
function describeError(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === 'string') return `${parsed.error}: ${String(parsed.message ?? '')}`;
  } catch {
    // not JSON: fall through
  }
  return text.slice(0, 200);
}
