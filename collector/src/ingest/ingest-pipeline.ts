// The one path every change takes into the store, whether it came over HTTP, from a webhook or
// from an in-process connector: validate → normalize → upsert (idempotent) → notify listeners.
// With a spool, changes the store cannot take now (it is unreachable, or earlier changes still
// wait in the spool) are appended to the spool instead and stored in order when it is back.
import { Compile } from 'typebox/compile';
import { ChangeEventInput, type ChangeEvent, type EmitResult } from '@painchain/sdk';
import type { FastifyBaseLogger } from 'fastify';
import { Errors } from '../errors.js';
import type { EventStore } from '../store/event-store.js';
import { isStoreUnreachable, type StoreHealth } from '../store/store-health.js';
import type { Metrics } from '../telemetry/metrics.js';
import { InvalidEventsError } from './invalid-events-error.js';
import { schemaProblems } from './schema-problems.js';
import { SpoolFullError, type Origin, type Spool, type SpoolRecord } from './spool.js';
import { SpoolDrainer } from './spool-drainer.js';
import { retentionOf } from '../config/config-schema.js';
import { GroupCommit } from './group-commit.js';
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
  /** Who sent it, for the spool's limits; `connector` (an in-process poll or watch) by default. */
  origin?: Origin;
}

/** The spool and how much of it each origin may fill. */
export interface Durability {
  spool: Spool;
  health: StoreHealth;
  /** A cheap round trip to the store, for the drainer to learn it is back. */
  ping: () => Promise<void>;
  /** Bytes of waiting records beyond which a change from this origin is refused (503). */
  limitBytes: Record<Origin, number>;
  /** Drainer pauses (tests shorten them). */
  retryMs?: number;
}

/** What an ingest did: stored (ids and counts), or kept in the spool for later. */
export interface IngestResult extends EmitResult {
  /** Events appended to the spool (0 when stored now); their ids come when they are stored. */
  spooled: number;
}

const checkInput = Compile(ChangeEventInput);
/** Enough detail to fix a batch, without answering megabytes of errors. */
const MAX_DETAILS = 100;

export class IngestPipeline {
  readonly #listeners: ChangeListener[] = [];
  readonly #drainer: SpoolDrainer | undefined;
  readonly #group: GroupCommit;

  constructor(
    store: EventStore,
    private readonly options: Omit<NormalizeOptions, 'now'> & {
      now?: () => Date;
      /** Retention of the tenants whose own differs from retentionDays. */
      tenantRetentionDays?: Readonly<Record<string, number>>;
      /** Group commits written at once (GroupCommitOptions.lanes). */
      writeLanes?: number;
    },
    private readonly metrics: Metrics,
    private readonly log: FastifyBaseLogger,
    private readonly durability?: Durability,
  ) {
    // A failure that is the store's (unreachable, a timeout) is every grouped request's; any
    // other is narrowed down to the request whose events caused it.
    this.#group = new GroupCommit(store, {
      lanes: options.writeLanes,
      sharedFailure: isStoreUnreachable,
      onGroup: (requests) => metrics.ingestGroupRequests.observe(requests),
    });
    if (durability)
      this.#drainer = new SpoolDrainer({
        spool: durability.spool,
        health: durability.health,
        ping: durability.ping,
        store: (record) => this.#store(record.tenant, record.events).then(() => undefined),
        log,
        retryMs: durability.retryMs,
      });
  }

  /** Starts draining what an earlier run left in the spool. */
  start(): void {
    this.#drainer?.kick();
  }

  /** Stops draining (the spool keeps what is left for the next start). */
  async stop(): Promise<void> {
    await this.#drainer?.stop();
  }

  onChange(listener: ChangeListener): void {
    this.#listeners.push(listener);
    this.#group.returnChanged = true;
  }

  /** Stores a batch all-or-nothing; throws InvalidEventsError with every problem found. */
  async ingest(tenant: string, inputs: unknown[], opts: IngestOptions = {}): Promise<IngestResult> {
    const pathOf = opts.pathOf ?? ((i: number) => `/${i}`);
    const now = this.options.now?.() ?? new Date();
    const retention = retentionOf(this.options, tenant);
    const normalizeOptions: NormalizeOptions = {
      ...this.options,
      now,
      retentionDays: retention.days,
      retentionSetting: retention.setting,
    };
    const details: Problem[] = [];
    const normalized: NormalizedEvent[] = [];

    inputs.forEach((input, i) => {
      if (!opts.schemaChecked && !checkInput.Check(input)) {
        details.push(...schemaProblems(checkInput.Errors(input), pathOf(i)));
        return;
      }
      const result = normalizeEvent(input as ChangeEventInput, normalizeOptions, pathOf(i));
      if (result.ok) normalized.push(result.event);
      else details.push(...result.problems);
    });
    if (details.length > 0) throw new InvalidEventsError(details.slice(0, MAX_DETAILS));

    const durable = this.durability;
    if (!durable) return { ...(await this.#store(tenant, normalized)), spooled: 0 };
    // Earlier changes still waiting go first: storing this one now would overtake them.
    if (!durable.health.up || durable.spool.bytes > 0)
      return this.#spool(durable, tenant, normalized, opts.origin ?? 'connector');
    try {
      return { ...(await this.#store(tenant, normalized)), spooled: 0 };
    } catch (err) {
      if (!isStoreUnreachable(err)) throw err;
      // It may even have been committed before the connection broke: storing it again from the
      // spool then finds it `unchanged`.
      return this.#spool(durable, tenant, normalized, opts.origin ?? 'connector');
    }
  }

  async #spool(
    durable: Durability,
    tenant: string,
    events: NormalizedEvent[],
    origin: Origin,
  ): Promise<IngestResult> {
    const record: SpoolRecord = { tenant, origin, receivedAt: new Date().toISOString(), events };
    try {
      await durable.spool.append(record, durable.limitBytes[origin]);
    } catch (err) {
      if (err instanceof SpoolFullError) throw new Errors.StoreUnavailable();
      throw err;
    }
    this.metrics.eventsSpooled.inc({ origin }, events.length);
    this.#drainer?.kick();
    return { ids: [], created: 0, updated: 0, unchanged: 0, spooled: events.length };
  }

  /** Upsert, count, tell the listeners: for a request now, or a spooled record later. */
  async #store(tenant: string, normalized: NormalizedEvent[]): Promise<EmitResult> {
    const { results, changed } = await this.#group.write(tenant, normalized);
    const counts = { created: 0, updated: 0, unchanged: 0 };
    results.forEach((r, i) => {
      counts[r.outcome] += 1;
      this.metrics.eventsIngested.inc({
        connector: this.metrics.connectorLabel(normalized[i]!.connector),
        outcome: r.outcome,
      });
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
