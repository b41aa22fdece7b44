// The lookups behind chains and suspects: changes sharing a correlation key (the `links` column,
// derived from refs by migration 003 and served by a GIN index), changes in a time window, and
// rollouts still open at an instant. Every statement is parameterized and scoped to one tenant.
import type { ChangeEvent } from '@painchain/sdk';
import type { Db } from './db.js';
import { rowToEvent, SELECT_COLUMNS, type EventRow } from './event-store.js';

/** A change with the correlation keys the store derived from its refs. */
export interface LinkedChange {
  event: ChangeEvent;
  links: string[];
}

type LinkedRow = EventRow & { links: string[] };

const toLinked = (row: LinkedRow): LinkedChange => ({ event: rowToEvent(row), links: row.links });

/** A service in an environment: what an incident is about. */
export interface OtherPlace {
  service: string;
  environment: string;
}

/** Kinds that are signals about a change rather than changes: never a suspect. */
export const SIGNAL_KINDS = ['alert', 'incident'] as const;
/** Kinds whose run can still be under way when an alert fires. */
export const ROLLOUT_KINDS = ['deploy', 'rollback', 'scale', 'infra', 'config'] as const;

export class LinkStore {
  constructor(private readonly db: Db) {}

  async get(tenant: string, id: string): Promise<LinkedChange | undefined> {
    const { rows } = await this.db.query<LinkedRow>(
      `SELECT ${SELECT_COLUMNS}, links FROM events WHERE tenant = $1 AND id = $2::uuid`,
      [tenant, id],
    );
    return rows[0] ? toLinked(rows[0]) : undefined;
  }

  /** The statement behind linked(): exposed so that a test can EXPLAIN exactly what runs. */
  linkedQuery(tenant: string, keys: readonly string[], from: Date, to: Date, limit: number) {
    return {
      sql: `SELECT ${SELECT_COLUMNS}, links FROM events
             WHERE tenant = $1 AND links && $2::text[] AND ts >= $3 AND ts <= $4
             ORDER BY ts, id LIMIT $5`,
      params: [tenant, keys, from, to, limit],
    };
  }

  /** Changes carrying any of `keys`, oldest first, started within [from, to]. */
  async linked(
    tenant: string,
    keys: readonly string[],
    from: Date,
    to: Date,
    limit: number,
  ): Promise<LinkedChange[]> {
    if (keys.length === 0) return [];
    const { sql, params } = this.linkedQuery(tenant, keys, from, to, limit);
    const { rows } = await this.db.query<LinkedRow>(sql, params);
    return rows.map(toLinked);
  }

  /** The statement behind between(). */
  betweenQuery(tenant: string, from: Date, to: Date, limit: number, unless?: OtherPlace) {
    const params: unknown[] = [tenant, from, to, [...SIGNAL_KINDS], limit];
    let elsewhere = '';
    if (unless) {
      params.push(unless.service, unless.environment);
      // Known to be another service in another environment: it cannot score high enough.
      elsewhere =
        ' AND NOT (coalesce(service <> $6, false) AND coalesce(environment <> $7, false))';
    }
    return {
      sql: `SELECT ${SELECT_COLUMNS}, links FROM events
             WHERE tenant = $1 AND ts >= $2 AND ts <= $3 AND kind <> ALL($4::text[])${elsewhere}
             ORDER BY ts DESC, id DESC LIMIT $5`,
      params,
    };
  }

  /**
   * Changes (not alerts) that started within [from, to], newest first; with `unless`, without
   * those known to be of another service in another environment.
   */
  async between(
    tenant: string,
    from: Date,
    to: Date,
    limit: number,
    unless?: OtherPlace,
  ): Promise<LinkedChange[]> {
    const { sql, params } = this.betweenQuery(tenant, from, to, limit, unless);
    const { rows } = await this.db.query<LinkedRow>(sql, params);
    return rows.map(toLinked);
  }

  /** The statement behind openAt(). */
  openAtQuery(tenant: string, at: Date, since: Date, before: Date, limit: number) {
    return {
      sql: `SELECT ${SELECT_COLUMNS}, links FROM events
             WHERE tenant = $1 AND kind = ANY($2::text[]) AND ts >= $3 AND ts < $4
               AND (status IN ('started', 'in_progress') OR end_ts >= $5)
             ORDER BY ts DESC, id DESC LIMIT $6`,
      params: [tenant, [...ROLLOUT_KINDS], since, before, at, limit],
    };
  }

  /**
   * Rollouts that started in [since, before) and were still running at `at`: not finished yet,
   * or finished only after it.
   */
  async openAt(
    tenant: string,
    at: Date,
    since: Date,
    before: Date,
    limit: number,
  ): Promise<LinkedChange[]> {
    const { sql, params } = this.openAtQuery(tenant, at, since, before, limit);
    const { rows } = await this.db.query<LinkedRow>(sql, params);
    return rows.map(toLinked);
  }
}
