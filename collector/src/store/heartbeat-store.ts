// Heartbeats of standalone connectors: the last report of each, per tenant.
import type { Heartbeat, HeartbeatRecord } from '@painchain/sdk';
import type { Db } from './db.js';

/** A stored heartbeat: the report as the route validated it, and when it came. */
export interface HeartbeatRow extends HeartbeatRecord {
  firstSeenAt: Date;
}

export class HeartbeatStore {
  constructor(private readonly db: Db) {}

  async record(
    tenant: string,
    name: string,
    report: Heartbeat,
    intervalSeconds: number,
    at: Date,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO connector_heartbeats (tenant, name, type, report, interval_seconds, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $6)
       ON CONFLICT (tenant, name) DO UPDATE SET
         type = EXCLUDED.type, report = EXCLUDED.report,
         interval_seconds = EXCLUDED.interval_seconds, last_seen_at = EXCLUDED.last_seen_at`,
      [tenant, name, report.type, JSON.stringify(report), intervalSeconds, at],
    );
  }

  async list(tenant: string): Promise<HeartbeatRow[]> {
    const { rows } = await this.db.query<{
      name: string;
      type: string;
      report: Heartbeat;
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
      tenant,
      report: r.report,
      intervalSeconds: r.interval_seconds,
      firstSeenAt: r.first_seen_at,
      lastSeenAt: r.last_seen_at,
    }));
  }
}
