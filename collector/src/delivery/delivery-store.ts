// The rows delivery performance is computed from, read in two statements: the rollouts (deploys
// and rollbacks) and the signals (alerts and incidents) of the services and environments asked
// about, and the version each service last ran before the range (to tell a redeploy). Every
// statement is parameterized, scoped to one tenant, and served by the (tenant, kind, ts) and
// (tenant, service, ts) indexes.
import type { Db } from '../store/db.js';

/** Kinds that put a version into an environment, or take one back out. */
export const ROLLOUT_KINDS = ['deploy', 'rollback'] as const;
/** Kinds that say a service is hurting. */
export const SIGNAL_KINDS = ['alert', 'incident'] as const;

/** One rollout or signal, with only what the figures need. */
export interface DeliveryRow {
  id: string;
  kind: 'deploy' | 'rollback' | 'alert' | 'incident';
  status: string | null;
  title: string;
  service: string | null;
  environment: string | null;
  ts: Date;
  end_ts: Date | null;
  /** refs.version, else refs.image, else refs.commit: what a redeploy repeats. */
  version: string | null;
}

export interface DeliveryScope {
  /** Services asked about; none means every service. */
  services?: readonly string[];
  environments: readonly string[];
  /** Signals that name no environment are taken to be about this one. */
  signalEnvironment: string;
}

/** A service in an environment: where versions follow each other. */
export interface Place {
  service: string;
  environment: string;
}

const VERSION = `coalesce(nullif(refs ->> 'version', ''), nullif(refs ->> 'image', ''),
                          nullif(refs ->> 'commit', ''))`;
const COLUMNS = `id, kind, status, title, service, environment, ts, end_ts, ${VERSION} AS version`;

export class DeliveryStore {
  constructor(private readonly db: Db) {}

  /** The statement behind rows(): exposed so that a test or the bench can run exactly it. */
  rowsQuery(tenant: string, scope: DeliveryScope, from: Date, until: Date) {
    const params: unknown[] = [
      tenant,
      [...ROLLOUT_KINDS, ...SIGNAL_KINDS],
      from,
      until,
      [...scope.environments],
      [...SIGNAL_KINDS],
      // A signal without an environment counts where the default environment is asked about.
      scope.environments.includes(scope.signalEnvironment),
    ];
    let services = '';
    if (scope.services) {
      params.push([...scope.services]);
      services = ` AND service = ANY($${params.length}::text[])`;
    }
    return {
      sql: `SELECT ${COLUMNS} FROM events
             WHERE tenant = $1 AND kind = ANY($2::text[]) AND ts >= $3 AND ts < $4
               AND (environment = ANY($5::text[])
                    OR (environment IS NULL AND kind = ANY($6::text[]) AND $7::boolean))
               AND (service IS NOT NULL OR kind <> ALL($6::text[]))${services}
             ORDER BY ts, id`,
      params,
    };
  }

  /** Rollouts and signals that started in [from, until), oldest first. */
  async rows(
    tenant: string,
    scope: DeliveryScope,
    from: Date,
    until: Date,
  ): Promise<DeliveryRow[]> {
    const { sql, params } = this.rowsQuery(tenant, scope, from, until);
    const { rows } = await this.db.query<DeliveryRow>(sql, params);
    return rows;
  }

  /** The statement behind versionsBefore(). */
  versionsBeforeQuery(tenant: string, places: readonly Place[], before: Date, since: Date) {
    return {
      sql: `SELECT p.service, p.environment, last.version
              FROM unnest($2::text[], $3::text[]) AS p(service, environment)
              CROSS JOIN LATERAL (
                SELECT ${VERSION} AS version FROM events
                 WHERE tenant = $1 AND service = p.service AND environment = p.environment
                   AND kind IN ('deploy', 'rollback') AND (status = 'succeeded' OR status IS NULL)
                   AND ts < $4 AND ts >= $5
                 ORDER BY ts DESC, id DESC LIMIT 1
              ) AS last`,
      params: [
        tenant,
        places.map((p) => p.service),
        places.map((p) => p.environment),
        before,
        since,
      ],
    };
  }

  /**
   * The version of the last successful deploy or rollback of each place that started in
   * [since, before): what was running when the range began. Places without one are left out.
   */
  async versionsBefore(
    tenant: string,
    places: readonly Place[],
    before: Date,
    since: Date,
  ): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    if (places.length === 0) return found;
    const { sql, params } = this.versionsBeforeQuery(tenant, places, before, since);
    const { rows } = await this.db.query<Place & { version: string | null }>(sql, params);
    for (const row of rows) found.set(placeKey(row.service, row.environment), row.version);
    return found;
  }
}

/** One string per place, for maps: service and environment never hold NUL (the store refuses it). */
export const placeKey = (service: string | null, environment: string | null): string =>
  `${service ?? ''}\u0000${environment ?? ''}`;
