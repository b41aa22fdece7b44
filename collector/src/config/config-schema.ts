// The schema of painchain.yaml: validated at start-up, before anything runs.
import { CHANGE_KINDS, type ChangeKind } from '@painchain/sdk';
import { Type, type Static } from 'typebox';

export const DEFAULT_PORT = 8000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = '.painchain/data';
export const DEFAULT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_BATCH_EVENTS = 5000;
/** How far in the future a timestamp may lie (clock skew between systems). */
export const DEFAULT_MAX_FUTURE_SECONDS = 24 * 60 * 60;
/** 18 months. */
export const DEFAULT_RETENTION_DAYS = 548;
export const DEFAULT_POOL_SIZE = 10;
/** A replica that stops renewing its leases loses them after this long (docs/scaling.md). */
export const DEFAULT_LEASE_TTL_SECONDS = 30;
/** The window of `server.rateLimit` when only `max` is given. */
export const DEFAULT_RATE_LIMIT_WINDOW_SECONDS = 60;
/** Timeouts and limits that keep a slow or hostile peer (client or database) from holding us. */
export const SERVER_LIMIT_DEFAULTS = {
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  idleTimeoutMs: 5_000,
  maxConnections: 1024,
  maxWritesInProgress: 64,
  retryAfterSeconds: 5,
} as const;
export const STORE_TIMEOUT_DEFAULTS = { statementTimeoutMs: 10_000, connectTimeoutMs: 5_000 };
export const SPOOL_LIMIT_DEFAULTS = { limitBytes: 1024 ** 3, apiLimitBytes: 256 * 1024 ** 2 };
/** Tenant of a token or connector that names none. */
export const DEFAULT_TENANT = 'default';
export const DEFAULT_LOG_LEVEL = 'info';
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
/** Changes an exporter may have waiting; more are dropped (and counted) rather than held. */
export const DEFAULT_EXPORTER_QUEUE_SIZE = 10_000;
/** Changes per export call. */
export const DEFAULT_EXPORTER_BATCH_SIZE = 512;
/** How long one export call may take before it counts as failed. */
export const DEFAULT_EXPORTER_TIMEOUT_SECONDS = 30;

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const TENANT_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
const TenantName = Type.String({ minLength: 1, maxLength: 64, pattern: TENANT_PATTERN });

export const TokenConfig = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'Shown in logs instead of the token',
    }),
    token: Type.String({
      minLength: 16,
      description: 'The secret; write ${ENV_VAR}, never the value itself',
    }),
    scopes: Type.Array(Type.Enum(SCOPES), { minItems: 1, uniqueItems: true }),
    tenant: Type.Optional(TenantName),
  },
  { additionalProperties: false },
);
export type TokenConfig = Static<typeof TokenConfig>;

export const ConnectorInstanceConfig = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_.-]*$' }),
    type: Type.String({ minLength: 1 }),
    tenant: Type.Optional(TenantName),
    enabled: Type.Optional(Type.Boolean()),
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type ConnectorInstanceConfig = Static<typeof ConnectorInstanceConfig>;

export const ExporterInstanceConfig = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_.-]*$' }),
    type: Type.String({ minLength: 1 }),
    enabled: Type.Optional(Type.Boolean()),
    queueSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })),
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type ExporterInstanceConfig = Static<typeof ExporterInstanceConfig>;

/** Chains and suspect ranking (docs/drilldown.md). */
export const DrilldownConfig = Type.Object(
  {
    lookbackMinutes: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_080, description: 'default window before an alert' }),
    ),
    maxLookbackMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 43_200 })),
    halfLifeMinutes: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 10_080, description: 'time factor halves' }),
    ),
    threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    maxSuspects: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    chainShare: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    chainHorizonDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
    chainMaxEvents: Type.Optional(Type.Integer({ minimum: 2, maximum: 5_000 })),
    // Merged over the defaults: name only the kinds to change; an unknown kind is a mistake.
    kindWeights: Type.Optional(
      Type.Partial(Type.Record(Type.Enum(CHANGE_KINDS), Type.Number({ minimum: 0, maximum: 10 })), {
        additionalProperties: false,
      }),
    ),
  },
  { additionalProperties: false },
);

const LabelNames = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
  minItems: 1,
  maxItems: 10,
});

/** Grafana alerts recorded on the timeline: which labels say service, environment, project. */
export const AlertsConfig = Type.Object(
  {
    labels: Type.Optional(
      Type.Object(
        {
          service: Type.Optional(LabelNames),
          environment: Type.Optional(LabelNames),
          project: Type.Optional(LabelNames),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const GrafanaConfig = Type.Object(
  {
    url: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'where /go/changes sends people' }),
    ),
    changesDashboardUid: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  },
  { additionalProperties: false },
);

/** Delivery performance, the four DORA keys (docs/delivery-metrics.md). */
export const DeliveryConfig = Type.Object(
  {
    environment: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'measured when a request names none; alerts without one are about it',
      }),
    ),
    failureWindowHours: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 720,
        description: 'a rollback, failed rollout or alert this long after a deploy fails it',
      }),
    ),
    restoreHorizonDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
    maxRangeDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3660 })),
  },
  { additionalProperties: false },
);
export const DEFAULT_DELIVERY_ENVIRONMENT = 'production';
export const DEFAULT_FAILURE_WINDOW_HOURS = 24;
export const DEFAULT_RESTORE_HORIZON_DAYS = 30;
export const DEFAULT_DELIVERY_MAX_RANGE_DAYS = 366;

export const DEFAULT_ALERT_LABELS = {
  service: ['service', 'app', 'job'],
  environment: ['env', 'environment'],
  project: ['namespace', 'cluster'],
} as const;
export const DEFAULT_LOOKBACK_MINUTES = 120;
export const DEFAULT_MAX_LOOKBACK_MINUTES = 7 * 24 * 60;
export const DEFAULT_CHAIN_HORIZON_DAYS = 30;
export const DEFAULT_CHAIN_MAX_EVENTS = 200;
export const DEFAULT_CHANGES_DASHBOARD_UID = 'painchain-changes';

export const ConfigFile = Type.Object(
  {
    server: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Type.String({ minLength: 1 })),
          port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
          bodyLimitBytes: Type.Optional(Type.Integer({ minimum: 1024 })),
          trustProxy: Type.Optional(Type.Boolean()),
          replicaId: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 128,
              description:
                'this replica among those sharing the database: unique; hostname-pid by default',
            }),
          ),
          leaseTtlSeconds: Type.Optional(
            Type.Integer({
              minimum: 2,
              maximum: 3600,
              description: 'a replica that stops renewing its leases loses them after this long',
            }),
          ),
          requestTimeoutMs: Type.Optional(
            Type.Integer({
              minimum: 100,
              description: 'whole request, body included, must arrive within',
            }),
          ),
          headersTimeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
          idleTimeoutMs: Type.Optional(
            Type.Integer({
              minimum: 100,
              description: 'an idle keep-alive connection is closed after',
            }),
          ),
          maxConnections: Type.Optional(Type.Integer({ minimum: 1 })),
          maxWritesInProgress: Type.Optional(
            Type.Integer({
              minimum: 1,
              description: 'requests with a body read and handled at once; the others wait unread',
            }),
          ),
          retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
          rateLimit: Type.Optional(
            Type.Object(
              {
                max: Type.Integer({
                  minimum: 1,
                  description:
                    'requests per window per token (per client address on routes without a token)',
                }),
                windowSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    store: Type.Optional(
      Type.Object(
        {
          url: Type.Optional(
            Type.String({ description: 'postgres://… ; empty means embedded PGlite' }),
          ),
          dataDir: Type.Optional(Type.String({ minLength: 1 })),
          poolSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          retentionDays: Type.Optional(Type.Integer({ minimum: 1 })),
          tenantRetentionDays: Type.Optional(
            Type.Record(Type.String({ pattern: TENANT_PATTERN }), Type.Integer({ minimum: 1 }), {
              description: 'Days a change is kept, per tenant, where not retentionDays',
              // A key that is no tenant name is a mistake, not a tenant nobody can be.
              additionalProperties: false,
            }),
          ),
          statementTimeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
          connectTimeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
        },
        { additionalProperties: false },
      ),
    ),
    auth: Type.Optional(
      Type.Object(
        {
          disabled: Type.Optional(Type.Boolean()),
          tokens: Type.Optional(Type.Array(TokenConfig)),
        },
        { additionalProperties: false },
      ),
    ),
    ingest: Type.Optional(
      Type.Object(
        {
          maxBatchEvents: Type.Optional(
            Type.Integer({ minimum: 1, maximum: DEFAULT_MAX_BATCH_EVENTS }),
          ),
          maxFutureSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
          allowFutureTimestamps: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    log: Type.Optional(
      Type.Object(
        {
          level: Type.Optional(
            Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
          ),
          format: Type.Optional(
            Type.Enum(LOG_FORMATS, {
              description: 'auto: readable lines on a terminal, JSON lines otherwise',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    spool: Type.Optional(
      Type.Object(
        {
          dir: Type.Optional(
            Type.String({
              minLength: 1,
              description: 'default: the folder spool in store.dataDir',
            }),
          ),
          limitBytes: Type.Optional(Type.Integer({ minimum: 1024 })),
          apiLimitBytes: Type.Optional(Type.Integer({ minimum: 1024 })),
        },
        { additionalProperties: false },
      ),
    ),
    metrics: Type.Optional(
      Type.Object(
        {
          token: Type.Optional(Type.String({ minLength: 16 })),
          connectorLabels: Type.Optional(
            Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 200 }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    connectors: Type.Optional(Type.Array(ConnectorInstanceConfig)),
    exporters: Type.Optional(Type.Array(ExporterInstanceConfig)),
    drilldown: Type.Optional(DrilldownConfig),
    alerts: Type.Optional(AlertsConfig),
    grafana: Type.Optional(GrafanaConfig),
    delivery: Type.Optional(DeliveryConfig),
    opentelemetry: Type.Optional(
      Type.Object(
        {
          changeEvents: Type.Optional(
            Type.Boolean({
              description:
                'Emit each change as an OpenTelemetry log event. Unset: on when OTEL_EXPORTER_OTLP_ENDPOINT (or _LOGS_ENDPOINT) is set; false: never; true: always (OTLP default endpoint)',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ConfigFile = Static<typeof ConfigFile>;

/** The resolved configuration: every default applied, frozen. What the rest of the code reads. */
export interface Config {
  /** Where it came from, for messages; undefined when no file was given. */
  readonly source: string | undefined;
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimitBytes: number;
    readonly trustProxy: boolean;
    /** Who holds this collector's leases on connector sources (hostname-pid by default). */
    readonly replicaId: string;
    readonly leaseTtlSeconds: number;
    readonly requestTimeoutMs: number;
    readonly headersTimeoutMs: number;
    readonly idleTimeoutMs: number;
    readonly maxConnections: number;
    readonly maxWritesInProgress: number;
    readonly retryAfterSeconds: number;
    /** Requests per window per caller; undefined: no limit. */
    readonly rateLimit: { readonly max: number; readonly windowSeconds: number } | undefined;
  };
  readonly store: {
    /** Postgres URL, or undefined for embedded PGlite in dataDir. */
    readonly url: string | undefined;
    readonly dataDir: string;
    readonly poolSize: number;
    readonly retentionDays: number;
    /** Per-tenant retention where it differs from retentionDays. */
    readonly tenantRetentionDays: Readonly<Record<string, number>>;
    readonly statementTimeoutMs: number;
    readonly connectTimeoutMs: number;
  };
  readonly spool: {
    readonly dir: string;
    /** Waiting bytes beyond which webhooks and connectors' changes are refused. */
    readonly limitBytes: number;
    /** Waiting bytes beyond which the ingest API answers 503 (its callers can retry). */
    readonly apiLimitBytes: number;
  };
  readonly metrics: {
    readonly token: string | undefined;
    readonly connectorLabels: readonly string[];
  };
  readonly auth: {
    readonly disabled: boolean;
    readonly tokens: readonly Required<TokenConfig>[];
  };
  readonly ingest: {
    readonly maxBatchEvents: number;
    readonly maxFutureSeconds: number;
    readonly allowFutureTimestamps: boolean;
  };
  readonly log: { readonly level: string; readonly format: LogFormat };
  readonly connectors: readonly (Required<Omit<ConnectorInstanceConfig, 'options'>> & {
    readonly options: Record<string, unknown>;
  })[];
  readonly exporters: readonly (Required<Omit<ExporterInstanceConfig, 'options'>> & {
    readonly options: Record<string, unknown>;
  })[];
  readonly drilldown: {
    readonly lookbackMinutes: number;
    readonly maxLookbackMinutes: number;
    readonly halfLifeMinutes: number;
    readonly threshold: number;
    readonly maxSuspects: number;
    readonly chainShare: number;
    readonly chainHorizonDays: number;
    readonly chainMaxEvents: number;
    readonly kindWeights: Readonly<Record<ChangeKind, number>>;
  };
  readonly alerts: {
    readonly labels: {
      readonly service: readonly string[];
      readonly environment: readonly string[];
      readonly project: readonly string[];
    };
  };
  readonly grafana: { readonly url: string | undefined; readonly changesDashboardUid: string };
  readonly delivery: {
    readonly environment: string;
    readonly failureWindowHours: number;
    readonly restoreHorizonDays: number;
    readonly maxRangeDays: number;
  };
}

/**
 * How long a tenant's changes are kept: its own `store.tenantRetentionDays` entry, else
 * `store.retentionDays`; and the setting that says so (for messages). Ingest and the storage
 * job both ask here. Own keys only: a tenant named `constructor` has no entry of its own.
 */
export function retentionOf(
  store: {
    readonly retentionDays?: number;
    readonly tenantRetentionDays?: Readonly<Record<string, number>>;
  },
  tenant: string,
): { days: number | undefined; setting: string } {
  const own = store.tenantRetentionDays;
  return own && Object.hasOwn(own, tenant)
    ? { days: own[tenant], setting: `store.tenantRetentionDays.${tenant}` }
    : { days: store.retentionDays, setting: 'store.retentionDays' };
}
