// Delivery performance (the four DORA keys) of a tenant's services in an environment, per day or
// week: deployment frequency, lead time for changes, change failure rate and time to restore,
// each traceable to the changes it counted. docs/delivery-metrics.md defines every figure and
// its edge cases; this file follows it step by step.
import type { Config } from '../config/config-schema.js';
import { drilldownFinders } from '../drilldown/drilldown-finders.js';
import type { Db } from '../store/db.js';
import { LinkStore } from '../store/link-store.js';
import {
  emptySlice,
  figuresOf,
  type ChangeRef,
  type DeployDetail,
  type DeployOutcome,
  type FailureReason,
  type Figures,
  type RestorationDetail,
  type Slice,
} from './delivery-figures.js';
import {
  intervalDays,
  intervalsOf,
  type Interval,
  type IntervalUnit,
} from './delivery-intervals.js';
import { DeliveryStore, placeKey, type DeliveryRow, type Place } from './delivery-store.js';
import { LeadTimes } from './lead-times.js';

export type DeliverySettings = Config['delivery'];

export interface DeliveryQuery {
  from: Date;
  to: Date;
  /** Services asked about; none means every service with a rollout or a signal in the range. */
  services?: readonly string[];
  environments: readonly string[];
  interval: IntervalUnit;
  timeZone: string;
  explain: boolean;
  /** Follow each deployment's chain for its lead time (the costly part); false leaves it out. */
  leadTime: boolean;
}

export type ServiceFigures = Figures & { service: string | null };

export interface DeliveryAnswer {
  from: string;
  to: string;
  environments: string[];
  interval: IntervalUnit;
  timezone: string;
  failureWindowHours: number;
  services: (string | null)[];
  total: Figures;
  byService: ServiceFigures[];
  intervals: { start: string; end: string; total: Figures; services: ServiceFigures[] }[];
  /** With explain: every deploy in the range and every restoration, with what was found. */
  changes?: { deploys: DeployDetail[]; restorations: RestorationDetail[] };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How far before the range the version a place last ran is looked for (to tell a redeploy). */
const REDEPLOY_LOOKBACK_DAYS = 90;

/** A deploy's status, as the figures read it; a deploy sent without one counts as done. */
function outcomeOf(status: string | null): Exclude<DeployOutcome, 'redeploy'> {
  switch (status) {
    case null:
    case 'succeeded':
      return 'deployment';
    case 'failed':
      return 'failed';
    case 'started':
    case 'in_progress':
      return 'in_progress';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'unknown';
  }
}

const iso = (d: Date | null) => d?.toISOString() ?? null;
const refOf = (row: DeliveryRow): ChangeRef => ({
  id: row.id,
  kind: row.kind,
  title: row.title,
  timestamp: row.ts.toISOString(),
});
/** When a rollout was done: its end, or its start when it reported none. */
const doneAt = (row: DeliveryRow) => (row.end_ts ?? row.ts).getTime();
const isSignal = (row: DeliveryRow) => row.kind === 'alert' || row.kind === 'incident';
const isResolved = (row: DeliveryRow) =>
  row.end_ts !== null && row.status !== 'started' && row.status !== 'in_progress';

export class DeliveryMetrics {
  /**
   * Wired once for the route and the benchmark: lead times follow the chains of
   * GET /api/v1/events/{id}/chain, with the drilldown's settings, so lead time starts where the
   * chain a person opens in Grafana starts.
   */
  static over(db: Db, drilldown: Config['drilldown'], delivery: DeliverySettings): DeliveryMetrics {
    const { chains } = drilldownFinders(new LinkStore(db), drilldown);
    return new DeliveryMetrics(new DeliveryStore(db), new LeadTimes(chains), delivery);
  }

  constructor(
    private readonly store: DeliveryStore,
    private readonly leadTimes: LeadTimes,
    private readonly settings: DeliverySettings,
  ) {}

  async measure(tenant: string, query: DeliveryQuery): Promise<DeliveryAnswer> {
    const { from, to, settings } = { ...query, settings: this.settings };
    const windowMs = settings.failureWindowHours * HOUR;
    // Signals up to the failure window after the range still judge the range's last deploys,
    // and a failed deploy's restoring rollout may come up to restoreHorizonDays later.
    const until = new Date(to.getTime() + Math.max(windowMs, settings.restoreHorizonDays * DAY));
    const scope = {
      services: query.services,
      environments: query.environments,
      signalEnvironment: settings.environment,
    };
    const rows = (await this.store.rows(tenant, scope, from, until)).map((row) =>
      isSignal(row) && row.environment === null
        ? { ...row, environment: settings.environment }
        : row,
    );
    const inRange = (row: DeliveryRow) => row.ts < to;

    const places = new Map<string, DeliveryRow[]>();
    for (const row of rows) {
      const key = placeKey(row.service, row.environment);
      const list = places.get(key);
      if (list) list.push(row);
      else places.set(key, [row]);
    }

    const outcomes = await this.outcomes(tenant, places, from);
    const deploys = new Map<string, DeployDetail>();
    for (const row of rows) {
      if (row.kind !== 'deploy' || !inRange(row)) continue;
      deploys.set(row.id, {
        id: row.id,
        title: row.title,
        service: row.service,
        environment: row.environment!,
        timestamp: row.ts.toISOString(),
        endTimestamp: iso(row.end_ts),
        status: row.status,
        version: row.version,
        outcome: outcomes.get(row.id)!,
      });
    }

    if (query.leadTime) await this.addLeadTimes(tenant, rows, deploys);
    this.addFailures(places, deploys, outcomes, windowMs);
    const restorations = this.restorations(places, outcomes, inRange);

    return this.answer(query, [...deploys.values()], restorations);
  }

  /** Each deploy's outcome; a success repeating the version its place already ran is a redeploy. */
  private async outcomes(
    tenant: string,
    places: Map<string, DeliveryRow[]>,
    from: Date,
  ): Promise<Map<string, DeployOutcome>> {
    const withService: Place[] = [];
    for (const rows of places.values()) {
      const first = rows.find((r) => r.kind === 'deploy' && outcomeOf(r.status) === 'deployment');
      if (first?.service && first.version)
        withService.push({ service: first.service, environment: first.environment! });
    }
    const running = await this.store.versionsBefore(
      tenant,
      withService,
      from,
      new Date(from.getTime() - REDEPLOY_LOOKBACK_DAYS * DAY),
    );
    const outcomes = new Map<string, DeployOutcome>();
    for (const [key, rows] of places) {
      let current = running.get(key) ?? null;
      for (const row of rows) {
        // A rollback puts its version back in place: deploying the rolled-back one again is new.
        if (row.kind === 'rollback' && outcomeOf(row.status) === 'deployment') {
          current = row.version;
          continue;
        }
        if (row.kind !== 'deploy') continue;
        const outcome = outcomeOf(row.status);
        if (outcome !== 'deployment') {
          outcomes.set(row.id, outcome);
          continue;
        }
        const repeat = row.version !== null && row.version === current;
        outcomes.set(row.id, repeat ? 'redeploy' : 'deployment');
        current = row.version;
      }
    }
    return outcomes;
  }

  /** Lead times of the range's counted deploys, through their chains. */
  private async addLeadTimes(
    tenant: string,
    rows: readonly DeliveryRow[],
    deploys: Map<string, DeployDetail>,
  ): Promise<void> {
    const counted = rows.filter((r) => deploys.get(r.id)?.outcome === 'deployment');
    const starts = await this.leadTimes.startsOf(tenant, counted);
    for (const row of counted) {
      const start = starts.get(row.id)!;
      const detail = deploys.get(row.id)!;
      detail.leadTime = start.first
        ? {
            seconds: (doneAt(row) - Date.parse(start.first.timestamp)) / 1000,
            from: start.first as ChangeRef,
            truncated: start.truncated,
          }
        : { seconds: null, unknown: start.unknown };
    }
  }

  /**
   * Each rollback, failed rollout, alert and incident counts against the last counted deploy of
   * its place that started before it, when it came within the failure window after that deploy
   * was done: one signal fails at most one deploy.
   */
  private addFailures(
    places: Map<string, DeliveryRow[]>,
    deploys: Map<string, DeployDetail>,
    outcomes: Map<string, DeployOutcome>,
    windowMs: number,
  ): void {
    for (const rows of places.values()) {
      let last: DeliveryRow | undefined;
      for (const row of rows) {
        if (row.kind === 'deploy' && outcomes.get(row.id) === 'deployment') {
          last = row;
          continue;
        }
        const reason: FailureReason | undefined =
          row.kind === 'alert' || row.kind === 'incident'
            ? row.kind
            : row.kind === 'rollback'
              ? 'rollback'
              : outcomes.get(row.id) === 'failed'
                ? 'failed_rollout'
                : undefined;
        if (!reason || !last || row.ts.getTime() > doneAt(last) + windowMs) continue;
        // Deploys after the range judge nothing that is reported.
        const detail = deploys.get(last.id);
        if (!detail) continue;
        detail.failures = [...(detail.failures ?? []), { reason, ...refOf(row) }];
      }
    }
  }

  /**
   * Every alert and incident that started in the range, from its start to its end; and every run
   * of failed deploys of a place that started in the range, from the first of them to the end of
   * the next successful deploy or rollback.
   */
  private restorations(
    places: Map<string, DeliveryRow[]>,
    outcomes: Map<string, DeployOutcome>,
    inRange: (row: DeliveryRow) => boolean,
  ): RestorationDetail[] {
    const found: RestorationDetail[] = [];
    const failureOf = (row: DeliveryRow) => ({
      ...refOf(row),
      service: row.service,
      environment: row.environment!,
    });
    for (const rows of places.values()) {
      let open: { first: DeliveryRow; also: string[] } | undefined;
      const close = (by: DeliveryRow | null) => {
        if (open && inRange(open.first)) {
          found.push({
            failure: failureOf(open.first),
            alsoFailed: open.also,
            restoredAt: by ? new Date(doneAt(by)).toISOString() : null,
            restoredBy: by ? refOf(by) : null,
            seconds: by ? (doneAt(by) - open.first.ts.getTime()) / 1000 : null,
          });
        }
        open = undefined;
      };
      for (const row of rows) {
        if (isSignal(row)) {
          if (!inRange(row)) continue;
          const resolved = isResolved(row);
          found.push({
            failure: failureOf(row),
            alsoFailed: [],
            restoredAt: resolved ? row.end_ts!.toISOString() : null,
            restoredBy: null,
            seconds: resolved ? (row.end_ts!.getTime() - row.ts.getTime()) / 1000 : null,
          });
          continue;
        }
        const outcome = row.kind === 'deploy' ? outcomes.get(row.id) : outcomeOf(row.status);
        if (outcome === 'failed' && row.kind === 'deploy') {
          if (open) open.also.push(row.id);
          else open = { first: row, also: [] };
        } else if (outcome === 'deployment' || outcome === 'redeploy') {
          close(row);
        }
      }
      close(null);
    }
    return found.sort(
      (a, b) =>
        a.failure.timestamp.localeCompare(b.failure.timestamp) ||
        a.failure.id.localeCompare(b.failure.id),
    );
  }

  /** The slices: per interval and service, per interval, per service, and the whole range. */
  private answer(
    query: DeliveryQuery,
    deploys: DeployDetail[],
    restorations: RestorationDetail[],
  ): DeliveryAnswer {
    const { from, to, interval, timeZone } = query;
    const options = { explain: query.explain, leadTime: query.leadTime };
    const intervals = intervalsOf(from, to, interval, timeZone);
    const indexOf = (timestamp: string) => intervalIndex(intervals, Date.parse(timestamp));

    const seen = new Set<string | null>(query.services ?? []);
    if (!query.services) {
      for (const d of deploys) seen.add(d.service);
      for (const r of restorations) seen.add(r.failure.service);
    }
    const services = [...seen].sort((a, b) =>
      a === null ? 1 : b === null ? -1 : a.localeCompare(b),
    );

    const cells = new Map<string, Slice>();
    const cell = (i: number, service: string | null) => {
      const key = `${i}\u0000${service ?? ''}\u0000${service === null}`;
      let slice = cells.get(key);
      if (!slice) cells.set(key, (slice = emptySlice()));
      return slice;
    };
    for (const d of deploys) cell(indexOf(d.timestamp), d.service).deploys.push(d);
    for (const r of restorations)
      cell(indexOf(r.failure.timestamp), r.failure.service).restorations.push(r);

    const merge = (slices: Slice[]): Slice => ({
      deploys: slices.flatMap((s) => s.deploys),
      restorations: slices.flatMap((s) => s.restorations),
    });
    const rangeDays = (to.getTime() - from.getTime()) / DAY;
    const perInterval = intervals.map((span, i) => {
      const slices = services.map((service) => ({ service, slice: cell(i, service) }));
      const days = intervalDays(interval);
      return {
        start: span.start.toISOString(),
        end: span.end.toISOString(),
        total: figuresOf(merge(slices.map((s) => s.slice)), days, options),
        services: slices.map(({ service, slice }) => ({
          service,
          ...figuresOf(slice, days, options),
        })),
      };
    });
    const byService = services.map((service) => ({
      service,
      ...figuresOf(merge(intervals.map((_, i) => cell(i, service))), rangeDays, options),
    }));

    return {
      from: from.toISOString(),
      to: to.toISOString(),
      environments: [...query.environments],
      interval,
      timezone: timeZone,
      failureWindowHours: this.settings.failureWindowHours,
      services,
      total: figuresOf({ deploys, restorations }, rangeDays, options),
      byService,
      intervals: perInterval,
      ...(query.explain ? { changes: { deploys, restorations } } : {}),
    };
  }
}

/** The interval holding `ms` (intervals are contiguous and cover the range). */
function intervalIndex(intervals: readonly Interval[], ms: number): number {
  let low = 0;
  let high = intervals.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (intervals[mid]!.start.getTime() <= ms) low = mid;
    else high = mid - 1;
  }
  return low;
}
