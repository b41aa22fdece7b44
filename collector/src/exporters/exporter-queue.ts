// One exporter instance's bounded queue: changes wait here and are sent in batches, one call in
// flight at a time. Offering never waits and never throws, so ingest cannot be failed or slowed
// by an exporter; what does not fit is dropped and counted.
import type { ChangeEvent } from '@painchain/sdk';
import type { Exporter, ExporterLogger } from './exporter-definition.js';

/** The counters of one instance (prom-client children, labelled with its name). */
export interface ExporterCounters {
  exported: { inc(value: number): void };
  dropped: { inc(value: number): void };
  failures: { inc(value?: number): void };
  queued: { set(value: number): void };
}

export interface ExporterQueueOptions {
  name: string;
  exporter: Exporter;
  /** Most events waiting; more are dropped (the newest, so what waits keeps its order). */
  queueSize: number;
  /** Most events per export call. */
  batchSize: number;
  /** How long one export call may take before it counts as failed and the queue moves on. */
  timeoutMs: number;
  counters: ExporterCounters;
  logger: ExporterLogger;
}

interface Chunk {
  tenant: string;
  events: ChangeEvent[];
}

export class ExporterQueue {
  readonly #chunks: Chunk[] = [];
  #size = 0;
  #draining: Promise<void> | undefined;
  #inFlight: AbortController | undefined;
  /** No more offers are taken (closing). */
  #closed = false;
  /** Closing ran out of time: nothing more is sent. */
  #abandoned = false;

  constructor(private readonly options: ExporterQueueOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** Queues what fits and starts sending; the rest is dropped and counted. Never throws. */
  offer(tenant: string, events: readonly ChangeEvent[]): void {
    if (events.length === 0) return;
    const room = this.#closed ? 0 : Math.max(0, this.options.queueSize - this.#size);
    const kept = events.slice(0, room);
    const dropped = events.length - kept.length;
    if (dropped > 0) {
      this.options.counters.dropped.inc(dropped);
      this.options.logger.debug({ dropped }, 'exporter queue full: changes dropped');
    }
    if (kept.length === 0) return;
    this.#chunks.push({ tenant, events: kept });
    this.#size += kept.length;
    this.options.counters.queued.set(this.#size);
    this.#draining ??= this.#drain();
  }

  /**
   * Sends what is queued until `deadline` (epoch ms), then abandons the call in flight, drops
   * (and counts) what is left and shuts the exporter down, bounded by the same deadline.
   */
  async close(deadline: number): Promise<void> {
    this.#closed = true;
    const left = () => Math.max(0, deadline - Date.now());
    if (this.#draining) await settledWithin(this.#draining, left());
    this.#abandoned = true;
    this.#inFlight?.abort(new Error('the collector is closing'));
    await this.#draining;
    if (this.#size > 0) this.options.counters.dropped.inc(this.#size);
    this.#chunks.length = 0;
    this.#size = 0;
    this.options.counters.queued.set(0);
    // At least a moment to release connections, even when the flush used all the grace.
    const shutdown = Promise.resolve()
      .then(() => this.options.exporter.shutdown())
      .catch((err: unknown) => this.options.logger.warn({ err }, 'exporter shutdown failed'));
    if (!(await settledWithin(shutdown, Math.max(left(), MIN_SHUTDOWN_MS)))) {
      this.options.logger.warn('exporter shutdown did not finish in time');
    }
  }

  async #drain(): Promise<void> {
    // Yield first: #draining is assigned before the loop can end, and its end clears it in the
    // same step as the last check, so an offer never finds a finished drain still marked running.
    await undefined;
    try {
      while (this.#size > 0 && !this.#abandoned) {
        const { tenant, events } = this.#take();
        await this.#send(tenant, events);
      }
    } finally {
      this.#draining = undefined;
    }
  }

  /** Up to batchSize events from the head of the queue, all of the head's tenant. */
  #take(): Chunk {
    const head = this.#chunks[0]!;
    const events: ChangeEvent[] = [];
    while (this.#chunks.length > 0 && events.length < this.options.batchSize) {
      const chunk = this.#chunks[0]!;
      if (chunk.tenant !== head.tenant) break;
      const room = this.options.batchSize - events.length;
      if (chunk.events.length <= room) {
        events.push(...chunk.events);
        this.#chunks.shift();
      } else {
        events.push(...chunk.events.slice(0, room));
        chunk.events = chunk.events.slice(room);
      }
    }
    this.#size -= events.length;
    this.options.counters.queued.set(this.#size);
    return { tenant: head.tenant, events };
  }

  async #send(tenant: string, events: ChangeEvent[]): Promise<void> {
    const { exporter, timeoutMs, counters, logger } = this.options;
    const controller = new AbortController();
    this.#inFlight = controller;
    const timer = setTimeout(
      () => controller.abort(new Error(`export took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      await Promise.race([
        // Promise.resolve().then: a synchronous throw in export() is a failure like any other.
        Promise.resolve().then(() =>
          exporter.export(tenant, events, { signal: controller.signal }),
        ),
        // A call that never settles is left behind when its signal aborts: the queue moves on.
        rejectOnAbort(controller.signal),
      ]);
      counters.exported.inc(events.length);
    } catch (err) {
      counters.failures.inc();
      logger.warn({ err, events: events.length }, 'export failed');
    } finally {
      clearTimeout(timer);
      if (this.#inFlight === controller) this.#inFlight = undefined;
    }
  }
}

const MIN_SHUTDOWN_MS = 1000;

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
  );
}

/** True when `promise` settled (either way) within `ms`; never rejects. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
