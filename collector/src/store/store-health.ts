// Is the store reachable? Learned from every statement (a failure of the "cannot reach it" kind
// marks it down, any success marks it up) and from the spool drainer's pings. One log line per
// change of state, never one per failed request: during an outage every request would fail.
import type { Logger } from 'pino';
import { aroundDb, type Db } from './db.js';

/** Socket errors, pg's client-side timeouts, PostgreSQL's connection and shutdown classes. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '08000',
  '08001',
  '08003',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  // statement_timeout: the server is there but does not answer in time; for a caller the same.
  '57014',
]);
const UNREACHABLE_MESSAGES =
  /Connection terminated|trying to connect|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed/i;

/** Does this error say the store cannot be reached now (rather than that the statement is wrong)? */
export function isStoreUnreachable(err: unknown): boolean {
  // Duck-typed: socket errors are made by Node's core, whose Error is another realm's under a
  // VM sandbox (jest), so `instanceof Error` can be false for them.
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return (
    UNREACHABLE_CODES.has(String(code)) ||
    (typeof message === 'string' && UNREACHABLE_MESSAGES.test(message))
  );
}

export type StoreState = 'up' | 'down';

export class StoreHealth {
  #state: StoreState = 'up';
  #since = Date.now();
  #reason: string | undefined;
  /** Times it went down: a statement that began before the last one says nothing about now. */
  #downs = 0;
  readonly #listeners: ((state: StoreState) => void)[] = [];

  constructor(
    private readonly kind: string,
    private readonly log?: Pick<Logger, 'warn' | 'info'>,
  ) {}

  get state(): StoreState {
    return this.#state;
  }

  get up(): boolean {
    return this.#state === 'up';
  }

  /** Pass to markUp() the value read when a statement began. */
  get downs(): number {
    return this.#downs;
  }

  /** Why it is down (the last error's message), for /readyz. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /** Milliseconds in the current state. */
  get forMs(): number {
    return Date.now() - this.#since;
  }

  onChange(listener: (state: StoreState) => void): void {
    this.#listeners.push(listener);
  }

  markDown(err: unknown): void {
    const message = (err as { message?: unknown } | undefined)?.message;
    this.#reason = typeof message === 'string' ? message : String(err);
    if (this.#state === 'down') return;
    this.#downs += 1;
    this.#transition('down');
    this.log?.warn(
      { store: this.kind, reason: this.#reason },
      'store unreachable: changes are spooled to disk until it is back',
    );
  }

  /**
   * A statement succeeded. `downsBefore`: health.downs when it began; a statement that was
   * already under way when the store went down (it finished just in time) does not bring it up.
   */
  markUp(downsBefore = this.#downs): void {
    if (this.#state === 'up' || downsBefore !== this.#downs) return;
    const downMs = this.forMs;
    this.#reason = undefined;
    this.#transition('up');
    this.log?.info(
      { store: this.kind, downSeconds: Math.round(downMs / 100) / 10 },
      'store reachable again',
    );
  }

  #transition(state: StoreState): void {
    this.#state = state;
    this.#since = Date.now();
    for (const listener of this.#listeners) listener(state);
  }
}

/**
 * The same Db, telling health about every call's outcome: statements (inside transactions too),
 * transactions as a whole (BEGIN or COMMIT can be what fails), pings.
 */
export function watchHealth(db: Db, health: StoreHealth): Db {
  return aroundDb(db, async (_call, run) => {
    const downsBefore = health.downs;
    try {
      const result = await run();
      health.markUp(downsBefore);
      return result;
    } catch (err) {
      if (isStoreUnreachable(err)) health.markDown(err);
      throw err;
    }
  });
}
