// The one path every change takes into the store, whether it came over HTTP, from a webhook or
// from an in-process connector: validate → normalize → upsert (idempotent) → notify listeners.
import { Compile } from 'typebox/compile';
import { ChangeEventInput, type ChangeEvent, type EmitResult } from '@painchain/sdk';
import type { FastifyBaseLogger } from 'fastify';
import type { EventStore } from '../store/event-store.js';
import type { Metrics } from '../telemetry/metrics.js';
import { InvalidEventsError } from './invalid-events-error.js';
import { schemaProblems } from './schema-problems.js';
import {
  normalizeEvent,
  type NormalizedEvent,
  type NormalizeOptions,
  type Problem,
} from './normalize.js';

/** Called after a batch is committed with the events it created or changed. */
export type ChangeListener = (tenant: string, events: ChangeEvent[]) => void | Promise<void>;

export interface IngestOptions {
  /** JSON pointer of event i in the request body, for error details (`/events/3`). */
  pathOf?: (index: number) => string;
  /** The input was already checked against the ChangeEventInput schema (HTTP routes). */
  schemaChecked?: boolean;
}

const checkInput = Compile(ChangeEventInput);
/** Enough detail to fix a batch, without answering megabytes of errors. */
const MAX_DETAILS = 100;

export class IngestPipeline {
  readonly #listeners: ChangeListener[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly options: Omit<NormalizeOptions, 'now'> & { now?: () => Date },
    private readonly metrics: Metrics,
    private readonly log: FastifyBaseLogger,
  ) {}

  onChange(listener: ChangeListener): void {
    this.#listeners.push(listener);
  }

  /** Stores a batch all-or-nothing; throws InvalidEventsError with every problem found. */
  async ingest(tenant: string, inputs: unknown[], opts: IngestOptions = {}): Promise<EmitResult> {
    const pathOf = opts.pathOf ?? ((i: number) => `/${i}`);
    const now = this.options.now?.() ?? new Date();
    const details: Problem[] = [];
    const normalized: NormalizedEvent[] = [];

    inputs.forEach((input, i) => {
      if (!opts.schemaChecked && !checkInput.Check(input)) {
        details.push(...schemaProblems(checkInput.Errors(input), pathOf(i)));
        return;
      }
      const result = normalizeEvent(input as ChangeEventInput, { ...this.options, now }, pathOf(i));
      if (result.ok) normalized.push(result.event);
      else details.push(...result.problems);
    });
    if (details.length > 0) throw new InvalidEventsError(details.slice(0, MAX_DETAILS));

    const { results, changed } = await this.store.upsert(tenant, normalized, {
      returnChanged: this.#listeners.length > 0,
    });
    const counts = { created: 0, updated: 0, unchanged: 0 };
    results.forEach((r, i) => {
      counts[r.outcome] += 1;
      this.metrics.eventsIngested.inc({ connector: normalized[i]!.connector, outcome: r.outcome });
    });

    for (const listener of this.#listeners) {
      // A listener (exporter) failing must never fail an ingest that is already committed.
      Promise.resolve()
        .then(() => listener(tenant, changed))
        .catch((err: unknown) => this.log.error({ err }, 'change listener failed'));
    }
    return { ids: results.map((r) => r.id), ...counts };
  }
}
