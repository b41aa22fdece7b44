// Leases of connector sources in the store (migration 004): the collector's side of the SDK's
// SourceLeases, one holder per replica. Expiry is judged by the database's clock, the one clock
// every replica shares, unless a clock is injected (tests move it by hand).
import { createHash } from 'node:crypto';
import type { LeaseClaim, SourceLeases } from '@painchain/sdk';
import type { Db } from './db.js';

/** Renewals per TTL: a lease outlives two missed renewals. */
export const RENEWALS_PER_TTL = 3;

export interface LeaseStoreOptions {
  /** This replica: server.replicaId. */
  readonly holder: string;
  readonly ttlMs: number;
  /** The time leases are judged at; the database's own clock when absent. */
  readonly now?: () => Date;
}

/** One source's lease, as `/api/v1/connectors` shows it. */
export interface LeaseRow {
  connector: string;
  source: string;
  /** The replica holding it; null while it is free or expired (nobody polls it right now). */
  holder: string | null;
  acquiredAt: Date | null;
  expiresAt: Date | null;
}

/**
 * The order in which a holder prefers sources: its own pseudo-random one, so that replicas
 * claiming at the same time mostly want different rows; the same in SQL and here.
 */
const preference = (source: string, holder: string) =>
  createHash('md5').update(`${source}${holder}`).digest('hex');

// `$at` is the injected time or NULL for the database's clock; the TTL is in milliseconds.
const AT = (n: number) => `coalesce($${n}::timestamptz, now())`;
const UNTIL = (at: number, ttl: number) =>
  `(${AT(at)} + $${ttl}::double precision * interval '1 millisecond')`;

export class LeaseStore {
  constructor(
    private readonly db: Db,
    private readonly options: LeaseStoreOptions,
  ) {}

  get holder(): string {
    return this.options.holder;
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  /** The leases of one connector instance, as this replica takes them. */
  forConnector(tenant: string, connector: string): SourceLeases {
    const { holder, ttlMs } = this.options;
    const scope = { tenant, connector };
    return {
      holder,
      ttlMs,
      renewEveryMs: Math.max(1, Math.floor(ttlMs / RENEWALS_PER_TTL)),
      claim: (sources) => this.claim(scope, sources),
      renew: (sources) => this.renew(scope, sources),
      release: (sources) => this.release(scope, sources),
      leave: () => this.leave(scope),
    };
  }

  /** Every lease of a tenant's connectors, by connector and source. */
  async list(tenant: string): Promise<LeaseRow[]> {
    const { rows } = await this.db.query<{
      connector: string;
      source: string;
      holder: string | null;
      acquired_at: Date | null;
      expires_at: Date | null;
    }>(
      `SELECT connector, source,
              CASE WHEN expires_at > ${AT(2)} THEN holder END AS holder,
              CASE WHEN expires_at > ${AT(2)} THEN acquired_at END AS acquired_at,
              CASE WHEN expires_at > ${AT(2)} THEN expires_at END AS expires_at
         FROM source_leases WHERE tenant = $1 ORDER BY connector, source`,
      [tenant, this.at()],
    );
    return rows.map((row) => ({
      connector: row.connector,
      source: row.source,
      holder: row.holder,
      acquiredAt: row.acquired_at,
      expiresAt: row.expires_at,
    }));
  }

  private at(): Date | null {
    return this.options.now?.() ?? null;
  }

  private async claim(scope: Scope, listed: readonly string[]): Promise<LeaseClaim> {
    const { holder, ttlMs } = this.options;
    const { tenant, connector } = scope;
    const sources = [...new Set(listed)];
    const at = this.at();

    await this.takePart(scope, at);
    const { rows: live } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM lease_claimants
        WHERE tenant = $1 AND connector = $2 AND expires_at > ${AT(3)}`,
      [tenant, connector, at],
    );
    const share = Math.ceil(sources.length / Math.max(1, live[0]?.n ?? 1));

    await this.db.query(
      `INSERT INTO source_leases (tenant, connector, source)
       SELECT $1, $2, s FROM unnest($3::text[]) AS s
       ON CONFLICT (tenant, connector, source) DO NOTHING`,
      [tenant, connector, sources],
    );
    // Sources no longer listed: this holder's leases on them end, and rows nobody holds go.
    await this.db.query(
      `DELETE FROM source_leases
        WHERE tenant = $1 AND connector = $2 AND NOT (source = ANY($3::text[]))
          AND (holder IS NULL OR holder = $4 OR expires_at <= ${AT(5)})`,
      [tenant, connector, sources, holder, at],
    );
    const renewed = await this.renewLeases(scope, sources, at);
    const wanted = share - renewed.length;
    const taken =
      wanted <= 0
        ? []
        : (
            await this.db.query<{ source: string }>(
              `WITH free AS (
                 SELECT source FROM source_leases
                  WHERE tenant = $1 AND connector = $2 AND source = ANY($3::text[])
                    AND (holder IS NULL OR expires_at <= ${AT(5)})
                  ORDER BY md5(source || $4), source
                  LIMIT $6
                  FOR UPDATE SKIP LOCKED)
               UPDATE source_leases AS l
                  SET holder = $4, acquired_at = ${AT(5)}, renewed_at = ${AT(5)},
                      expires_at = ${UNTIL(5, 7)}
                 FROM free
                WHERE l.tenant = $1 AND l.connector = $2 AND l.source = free.source
               RETURNING l.source`,
              [tenant, connector, sources, holder, at, wanted, ttlMs],
            )
          ).rows.map((row) => row.source);
    const held = [...renewed, ...taken].sort((a, b) =>
      preference(a, holder) < preference(b, holder) ? -1 : 1,
    );
    return { held, share };
  }

  private async renew(scope: Scope, sources: readonly string[]): Promise<string[]> {
    const at = this.at();
    await this.takePart(scope, at);
    return this.renewLeases(scope, sources, at);
  }

  private async release(scope: Scope, sources: readonly string[]): Promise<void> {
    if (sources.length === 0) return;
    await this.db.query(
      `UPDATE source_leases
          SET holder = NULL, acquired_at = NULL, renewed_at = NULL, expires_at = '-infinity'
        WHERE tenant = $1 AND connector = $2 AND holder = $3 AND source = ANY($4::text[])`,
      [scope.tenant, scope.connector, this.options.holder, [...sources]],
    );
  }

  private async leave(scope: Scope): Promise<void> {
    const params = [scope.tenant, scope.connector, this.options.holder];
    await this.db.query(
      `UPDATE source_leases
          SET holder = NULL, acquired_at = NULL, renewed_at = NULL, expires_at = '-infinity'
        WHERE tenant = $1 AND connector = $2 AND holder = $3`,
      params,
    );
    await this.db.query(
      'DELETE FROM lease_claimants WHERE tenant = $1 AND connector = $2 AND holder = $3',
      params,
    );
  }

  /** This replica takes part in the instance's leases (and the claimants that died are gone). */
  private async takePart(scope: Scope, at: Date | null): Promise<void> {
    const { tenant, connector } = scope;
    await this.db.query(
      `INSERT INTO lease_claimants (tenant, connector, holder, joined_at, expires_at)
       VALUES ($1, $2, $3, ${AT(4)}, ${UNTIL(4, 5)})
       ON CONFLICT (tenant, connector, holder) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
      [tenant, connector, this.options.holder, at, this.options.ttlMs],
    );
    await this.db.query(
      `DELETE FROM lease_claimants
        WHERE tenant = $1 AND connector = $2 AND expires_at <= ${AT(3)}`,
      [tenant, connector, at],
    );
  }

  /**
   * Renews this holder's leases on these sources, expired ones included while nobody else took
   * them (nobody polled in between); a lease another holder took is not renewed: it is lost.
   */
  private async renewLeases(
    scope: Scope,
    sources: readonly string[],
    at: Date | null,
  ): Promise<string[]> {
    if (sources.length === 0) return [];
    const { rows } = await this.db.query<{ source: string }>(
      `UPDATE source_leases SET renewed_at = ${AT(5)}, expires_at = ${UNTIL(5, 6)}
        WHERE tenant = $1 AND connector = $2 AND holder = $3 AND source = ANY($4::text[])
       RETURNING source`,
      [scope.tenant, scope.connector, this.options.holder, [...sources], at, this.options.ttlMs],
    );
    return rows.map((row) => row.source);
  }
}

interface Scope {
  readonly tenant: string;
  readonly connector: string;
}
