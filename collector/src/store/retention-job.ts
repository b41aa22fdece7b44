// Retention: events that started more than `store.retentionDays` ago are deleted, at start-up
// and then every hour, in the background of a running collector.
import type { FastifyBaseLogger } from 'fastify';
import type { EventStore } from './event-store.js';
import { isStoreUnreachable } from './store-health.js';

/** Hourly is plenty: retention is counted in days, and each run deletes at most an hour's worth. */
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 86_400_000;

export interface RetentionJobOptions {
  store: Pick<EventStore, 'deleteOlderThan'>;
  retentionDays: number;
  logger: Pick<FastifyBaseLogger, 'debug' | 'info' | 'error'>;
  intervalMs?: number;
}

export class RetentionJob {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;

  constructor(private readonly options: RetentionJobOptions) {}

  /** Runs once now and then on every interval; the timer never keeps the process alive. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#tick(), this.options.intervalMs ?? RETENTION_INTERVAL_MS);
    this.#timer.unref();
    this.#tick();
  }

  /** Stops the timer and waits for a run in progress, so that the store can close after it. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** Deletes what is older than the retention at `now`; returns how many events went. */
  async runOnce(now: Date = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.options.retentionDays * DAY_MS);
    const removed = await this.options.store.deleteOlderThan(cutoff);
    if (removed > 0) this.options.logger.info({ removed, cutoff }, 'retention: removed old events');
    return removed;
  }

  #tick(): void {
    // A slow delete (a large first run) is not stacked with the next one.
    if (this.#running) return;
    this.#running = this.runOnce()
      .catch((err: unknown) => {
        // An outage is logged once by StoreHealth; the next tick tries again.
        if (isStoreUnreachable(err))
          this.options.logger.debug({ err }, 'retention skipped: store unreachable');
        else this.options.logger.error({ err }, 'retention failed');
        return 0;
      })
      .finally(() => {
        this.#running = undefined;
      });
  }
}
