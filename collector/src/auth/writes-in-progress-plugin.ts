// Writes in progress are bounded (`server.maxWritesInProgress`): a request with a body (ingest,
// webhooks, alerts, CDEvents) waits for a slot before its body is read and parsed, and keeps it
// until its answer is sent. Under a burst the store is what everyone waits for; without a bound,
// every waiting request held its parsed body and normalized events meanwhile, and the objects of
// hundreds of requests lived long enough to be promoted to V8's old generation: the collector's
// memory grew with the number of senders (docs/benchmarks.md, "Memory"). With it, the others wait
// unread in their sockets: the same throughput (the store is the bottleneck), memory bounded by
// the slots. A request waiting too long still meets `server.requestTimeoutMs` (408).
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Metrics } from '../telemetry/metrics.js';

export interface WritesInProgressOptions {
  max: number;
  metrics: Metrics;
}

const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

/** A counting semaphore that admits in arrival order. */
export class Slots {
  readonly #waiting: (() => void)[] = [];
  #free: number;

  constructor(max: number) {
    this.#free = max;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves when a slot is held: at once while one is free. */
  acquire(): Promise<void> | undefined {
    if (this.#free > 0) {
      this.#free -= 1;
      return undefined;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free += 1;
  }
}

const writesInProgressPlugin: FastifyPluginAsync<WritesInProgressOptions> = async (
  app,
  { max, metrics },
) => {
  const slots = new Slots(max);
  metrics.beforeScrape(() => metrics.writesWaiting.set(slots.waiting));
  app.addHook('onRequest', async (request, reply) => {
    if (!WRITE_METHODS.has(request.method)) return;
    const held = slots.acquire();
    // The response's close comes once, whether it was sent or the client went away first.
    const release = () => slots.release();
    if (held) {
      let closed = false;
      reply.raw.once('close', () => {
        closed = true;
      });
      await held;
      if (closed) return release();
    }
    reply.raw.once('close', release);
  });
};

export const writesInProgress = fp(writesInProgressPlugin, {
  name: 'painchain-writes-in-progress',
  dependencies: ['painchain-auth'],
});
