// Moves spooled changes into the store once it is reachable again, oldest first. While the
// store is down it pings with a growing pause (capped); a record the store refuses for a reason
// other than being unreachable (it never will take it) is set aside in spool.rejected.jsonl and
// logged, so that one bad record cannot hold back the rest.
import type { Logger } from 'pino';
import type { StoreHealth } from '../store/store-health.js';
import { isStoreUnreachable } from '../store/store-health.js';
import type { Spool, SpoolRecord } from './spool.js';

export interface SpoolDrainerOptions {
  spool: Spool;
  health: StoreHealth;
  /** A cheap round trip to the store (through the health-watching Db). */
  ping: () => Promise<void>;
  /** Stores one record's events (the pipeline's own path: upsert, metrics, listeners). */
  store: (record: SpoolRecord) => Promise<void>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** First pause after a failed ping; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Records read from the file at a time. */
  batch?: number;
}

export class SpoolDrainer {
  #running: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #drained = 0;
  #startedAt = 0;

  constructor(private readonly o: SpoolDrainerOptions) {
    // The store coming back wakes a drainer that is waiting out its pause.
    o.health.onChange((state) => {
      if (state === 'up') this.#wake?.();
    });
  }

  /** Starts draining if there is anything to drain and no drain is under way. */
  kick(): void {
    if (this.#stopped || this.#running || this.o.spool.records === 0) return;
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      // Records appended while the last batch was being acknowledged.
      if (this.o.spool.records > 0) this.kick();
    });
  }

  /** Waits for the drain under way to finish its current step, and starts no other. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#running;
  }

  async #drain(): Promise<void> {
    const { spool, health, log } = this.o;
    const retryMs = this.o.retryMs ?? 500;
    const maxRetryMs = this.o.maxRetryMs ?? 5000;
    let pause = retryMs;
    if (this.#drained === 0) {
      this.#startedAt = Date.now();
      log.info({ records: spool.records, bytes: spool.bytes }, 'draining the spool');
    }
    while (!this.#stopped && spool.records > 0) {
      if (!health.up) {
        const reachable = await this.o.ping().then(
          () => true,
          () => false,
        );
        if (!reachable) {
          await this.#sleep(pause);
          pause = Math.min(pause * 2, maxRetryMs);
          continue;
        }
      }
      pause = retryMs;
      const entries = await spool.peek(this.o.batch ?? 100);
      let done = 0;
      let end = 0;
      let events = 0;
      for (const entry of entries) {
        if (this.#stopped) break;
        try {
          await this.o.store(entry.record);
        } catch (err) {
          if (isStoreUnreachable(err)) break;
          const reason = err instanceof Error ? err.message : String(err);
          await spool.reject(entry, reason);
          log.error(
            { err, tenant: entry.record.tenant, events: entry.record.events.length },
            `a spooled record was refused by the store and set aside in ${spool.dir}`,
          );
        }
        done += 1;
        end = entry.end;
        events += entry.record.events.length;
      }
      if (done > 0) {
        await spool.acknowledge(end, done);
        this.#drained += events;
      }
    }
    if (spool.records === 0 && this.#drained > 0) {
      log.info(
        { events: this.#drained, seconds: Math.round((Date.now() - this.#startedAt) / 100) / 10 },
        'spool drained',
      );
      this.#drained = 0;
    }
  }

  /** A pause that the store coming back (or stop()) ends early. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    }).finally(() => {
      this.#wake = undefined;
    });
  }
}
