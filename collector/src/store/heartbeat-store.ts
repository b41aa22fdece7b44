// Heartbeats of standalone connectors: the last report of each, per tenant.
import type { Db } from './db.js';

export interface HeartbeatRow {
  name: string;
  type: string;
  report: Record<string, unknown>;
  intervalSeconds: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export class HeartbeatStore {
  constructor(private readonly db: Db) {}

  async record(
    tenant: string,
    name: string,
    type: string,
    report: Record<string, unknown>,
    intervalSeconds: number,
    at: Date,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO connector_heartbeats (tenant, name, type, report, interval_seconds, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $6)
       ON CONFLICT (tenant, name) DO UPDATE SET
         type = EXCLUDED.type, report = EXCLUDED.report,
         interval_seconds = EXCLUDED.interval_seconds, last_seen_at = EXCLUDED.last_seen_at`,
      [tenant, name, type, JSON.stringify(report), intervalSeconds, at],
    );
  }

  async list(tenant: string): Promise<HeartbeatRow[]> {
    const { rows } = await this.db.query<{
      name: string;
      type: string;
      report: Record<string, unknown>;
      interval_seconds: number;
      first_seen_at: Date;
      last_seen_at: Date;
    }>(
      `SELECT name, type, report, interval_seconds, first_seen_at, last_seen_at
         FROM connector_heartbeats WHERE tenant = $1 ORDER BY name`,
      [tenant],
    );
    return rows.map((r) => ({
      name: r.name,
      type: r.type,
      report: r.report,
      intervalSeconds: r.interval_seconds,
      firstSeenAt: r.first_seen_at,
      lastSeenAt: r.last_seen_at,
    }));
  }
}
