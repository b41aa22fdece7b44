// A store task run now and then on an interval in the background of a running collector: the
// storage job (hourly) and the fold of facet counts (every few seconds).
import type { FastifyBaseLogger } from 'fastify';
import { isStoreUnreachable } from './store-health.js';

export interface PeriodicJobOptions {
  /** The task's name in the log: "<what> failed", "<what> skipped: store unreachable". */
  what: string;
  intervalMs: number;
  run: () => Promise<unknown>;
  logger: Pick<FastifyBaseLogger, 'debug' | 'error'>;
}

export class PeriodicJob {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(private readonly options: PeriodicJobOptions) {}

  /** Runs once now and then on every interval; the timer never keeps the process alive. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#tick(), this.options.intervalMs);
    this.#timer.unref();
    this.#tick();
  }

  /** Stops the timer and waits for a run in progress, so that the store can close after it. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #tick(): void {
    // A slow run (a large first retention pass) is not stacked with the next one.
    if (this.#running) return;
    const { what, logger } = this.options;
    this.#running = this.options
      .run()
      .catch((err: unknown) => {
        // An outage is logged once by StoreHealth; the next tick tries again.
        if (isStoreUnreachable(err)) logger.debug({ err }, `${what} skipped: store unreachable`);
        else logger.error({ err }, `${what} failed`);
      })
      .finally(() => {
        this.#running = undefined;
      });
  }
}
