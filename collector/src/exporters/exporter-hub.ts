// Feeds every configured exporter from the ingest pipeline's change listener, after the store
// committed: one bounded queue per instance, so that no exporter can fail or slow ingest.
import { checkOptions, formatOptionProblems, type ChangeEvent } from '@painchain/sdk';
import type { Config } from '../config/config-schema.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { ExporterDefinition, ExporterLogger } from './exporter-definition.js';
import { ExporterQueue } from './exporter-queue.js';

/** How long closing waits for queued changes to be sent, then for shutdown(), in all. */
export const EXPORTERS_CLOSE_GRACE_MS = 5_000;

export type ExporterInstanceSpec = Config['exporters'][number];

export interface ExporterHubOptions {
  /** The registry: one definition per exporter type. */
  readonly definitions: readonly ExporterDefinition[];
  readonly instances: readonly ExporterInstanceSpec[];
  readonly metrics: Metrics;
  readonly logger: ExporterLogger;
  readonly closeGraceMs?: number;
}

interface Pending {
  readonly spec: ExporterInstanceSpec;
  readonly definition: ExporterDefinition;
  readonly options: unknown;
}

export class ExporterHub {
  readonly #pending: Pending[];
  readonly #queues: ExporterQueue[] = [];
  #state: 'new' | 'started' | 'closed' = 'new';

  /** Throws, listing every problem, when an enabled instance cannot run (load-config says it first). */
  constructor(private readonly options: ExporterHubOptions) {
    const problems: string[] = [];
    this.#pending = options.instances.flatMap((spec, index) => {
      if (!spec.enabled) return [];
      const where = `exporters[${index}] (${spec.name})`;
      const definition = options.definitions.find((d) => d.type === spec.type);
      if (!definition) {
        const known = options.definitions.map((d) => d.type).join(', ') || 'none';
        problems.push(`${where}: unknown exporter type "${spec.type}" (known: ${known})`);
        return [];
      }
      const checked = checkOptions(definition, spec.options);
      if (!checked.ok) {
        problems.push(...formatOptionProblems(checked.problems).map((line) => `${where}: ${line}`));
        return [];
      }
      return [{ spec, definition, options: checked.options }];
    });
    if (problems.length > 0) {
      throw new Error(`invalid exporter configuration:\n  ${problems.join('\n  ')}`);
    }
    for (const { spec } of this.#pending) {
      // Present at 0 from the start, so that rates and alerts work before the first change.
      const exporter = spec.name;
      options.metrics.exporterExported.inc({ exporter }, 0);
      options.metrics.exporterDropped.inc({ exporter }, 0);
      options.metrics.exporterFailures.inc({ exporter }, 0);
      options.metrics.exporterQueued.set({ exporter }, 0);
    }
  }

  /** How many exporter instances are enabled: none means the pipeline need not listen. */
  get size(): number {
    return this.#pending.length;
  }

  /** Creates every instance; one whose create() throws is left out, logged and counted. */
  start(): void {
    if (this.#state !== 'new') return;
    this.#state = 'started';
    const { metrics } = this.options;
    for (const { spec, definition, options } of this.#pending) {
      const exporter = spec.name;
      const logger = this.options.logger.child({ exporter, type: spec.type });
      try {
        const instance = definition.create({ name: exporter, options, logger });
        this.#queues.push(
          new ExporterQueue({
            name: exporter,
            exporter: instance,
            queueSize: spec.queueSize,
            batchSize: spec.batchSize,
            timeoutMs: spec.timeoutSeconds * 1000,
            logger,
            counters: {
              exported: metrics.exporterExported.labels({ exporter }),
              dropped: metrics.exporterDropped.labels({ exporter }),
              failures: metrics.exporterFailures.labels({ exporter }),
              queued: metrics.exporterQueued.labels({ exporter }),
            },
          }),
        );
      } catch (err) {
        metrics.exporterFailures.inc({ exporter });
        logger.error({ err }, 'exporter could not be created: it exports nothing until a restart');
      }
    }
  }

  /** The pipeline's change listener: hands the committed changes to every queue, never waits. */
  readonly onChange = (tenant: string, events: ChangeEvent[]): void => {
    for (const queue of this.#queues) queue.offer(tenant, events);
  };

  /** Sends what is queued for a bounded time, then shuts every exporter down. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const deadline = Date.now() + (this.options.closeGraceMs ?? EXPORTERS_CLOSE_GRACE_MS);
    await Promise.all(this.#queues.map((queue) => queue.close(deadline)));
  }
}
