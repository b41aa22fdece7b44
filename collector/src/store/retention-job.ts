// The storage job: keeps the change table's monthly partitions ahead of time and applies
// retention, at start-up and then every hour, in the background of a running collector.
//
// Each run (docs/decisions/019-partitioned-events.md):
//   1. creates the partitions of this month and the next PARTITIONS_AHEAD, and of every month
//      with changes waiting in the default partition (a backfill, a far-future change) that
//      retention would still keep — those changes move in;
//   2. drops every partition whose whole month is older than the longest retention of any tenant
//      (with the changes' keys): a month goes at once, not row by row;
//   3. deletes, per tenant, the changes that started before that tenant's own retention
//      (`store.tenantRetentionDays`, else `store.retentionDays`): the rest of the oldest month;
//   4. removes the facet counts that fell to zero (docs/decisions/021-facet-counts.md).
import type { FastifyBaseLogger } from 'fastify';
import { partitionName, type EventStore } from './event-store.js';
import { PeriodicJob } from './periodic-job.js';
import { retentionOf } from '../config/config-schema.js';

/** Hourly is plenty: retention is counted in days, and each run deletes at most an hour's worth. */
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
/** Months created ahead of the current one: a run can be missed for weeks without harm. */
export const PARTITIONS_AHEAD = 2;
const DAY_MS = 86_400_000;

type StorageStore = Pick<
  EventStore,
  | 'deleteOlderThan'
  | 'tenants'
  | 'partitions'
  | 'monthsInDefault'
  | 'ensurePartition'
  | 'dropPartition'
  | 'pruneFacetCounts'
>;

export interface RetentionJobOptions {
  store: StorageStore;
  retentionDays: number;
  /** Tenants whose retention differs from retentionDays. */
  tenantRetentionDays?: Readonly<Record<string, number>>;
  logger: Pick<FastifyBaseLogger, 'debug' | 'info' | 'error'>;
  intervalMs?: number;
  /** The clock of the scheduled runs (tests move it by hand); the system's by default. */
  now?: () => Date;
}

/** What one run did. */
export interface StorageRun {
  /** Changes removed, by dropped partitions and by deletes. */
  removed: number;
  created: string[];
  dropped: string[];
}

/** The first instant of the month holding `at`, `months` later (UTC). */
const monthStart = (at: Date, months = 0) =>
  new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months));

export class RetentionJob {
  readonly #job: PeriodicJob;

  constructor(private readonly options: RetentionJobOptions) {
    this.#job = new PeriodicJob({
      what: 'retention',
      intervalMs: options.intervalMs ?? RETENTION_INTERVAL_MS,
      run: () => this.run(options.now?.()),
      logger: options.logger,
    });
  }

  /** Runs once now and then on every interval; the timer never keeps the process alive. */
  start(): void {
    this.#job.start();
  }

  /** Stops the timer and waits for a run in progress, so that the store can close after it. */
  async stop(): Promise<void> {
    await this.#job.stop();
  }

  /** The days a tenant's changes are kept. */
  retentionOf(tenant: string): number {
    return retentionOf(this.options, tenant).days ?? this.options.retentionDays;
  }

  /** Deletes what is older than the retention at `now`; returns how many events went. */
  async runOnce(now: Date = new Date()): Promise<number> {
    return (await this.run(now)).removed;
  }

  /** One run at `now`: partitions ahead and waiting months created, old ones dropped, rest deleted. */
  async run(now: Date = new Date()): Promise<StorageRun> {
    const { store, logger } = this.options;
    const cutoffOf = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const longest = Math.max(
      this.options.retentionDays,
      ...Object.values(this.options.tenantRetentionDays ?? {}),
    );
    // Before this instant nobody keeps anything: whole months there go.
    const dropBefore = cutoffOf(longest);

    // Each creation or drop runs on a maintenance connection of its own: only the months that
    // need one are asked for (a run usually has nothing to create and nothing to drop).
    const partitions = await store.partitions();
    const present = new Set(partitions.map((p) => p.name));
    const created: string[] = [];
    const wanted = [
      ...Array.from({ length: PARTITIONS_AHEAD + 1 }, (_, i) => monthStart(now, i)),
      ...(await store.monthsInDefault()).filter((m) => monthStart(m, 1) > dropBefore),
    ].filter((month) => !present.has(partitionName(month)));
    for (const month of wanted) {
      const name = await store.ensurePartition(month);
      if (name) created.push(name);
    }

    let removed = 0;
    const dropped: string[] = [];
    for (const partition of partitions.filter((p) => p.to <= dropBefore)) {
      removed += await store.dropPartition(partition);
      dropped.push(partition.name);
    }
    const tenants = await store.tenants();
    removed += await store.deleteOlderThan(
      new Map(tenants.map((tenant) => [tenant, cutoffOf(this.retentionOf(tenant))])),
    );

    // Facet counts that fell to zero (a status that moved on, deleted changes) go once an hour.
    await store.pruneFacetCounts();

    if (created.length > 0) logger.info({ partitions: created }, 'storage: partitions created');
    if (removed > 0 || dropped.length > 0)
      logger.info({ removed, dropped, before: dropBefore }, 'retention: removed old events');
    return { removed, created, dropped };
  }
}
