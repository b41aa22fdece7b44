// The schema of painchain.yaml: validated at start-up, before anything runs.
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
/** Tenant of a token or connector that names none. */
export const DEFAULT_TENANT = 'default';
export const DEFAULT_LOG_LEVEL = 'info';
/** Changes an exporter may have waiting; more are dropped (and counted) rather than held. */
export const DEFAULT_EXPORTER_QUEUE_SIZE = 10_000;
/** Changes per export call. */
export const DEFAULT_EXPORTER_BATCH_SIZE = 512;
/** How long one export call may take before it counts as failed. */
export const DEFAULT_EXPORTER_TIMEOUT_SECONDS = 30;

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const TenantName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
});

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

export const ConfigFile = Type.Object(
  {
    server: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Type.String({ minLength: 1 })),
          port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
          bodyLimitBytes: Type.Optional(Type.Integer({ minimum: 1024 })),
          trustProxy: Type.Optional(Type.Boolean()),
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
        },
        { additionalProperties: false },
      ),
    ),
    connectors: Type.Optional(Type.Array(ConnectorInstanceConfig)),
    exporters: Type.Optional(Type.Array(ExporterInstanceConfig)),
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
  };
  readonly store: {
    /** Postgres URL, or undefined for embedded PGlite in dataDir. */
    readonly url: string | undefined;
    readonly dataDir: string;
    readonly poolSize: number;
    readonly retentionDays: number;
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
  readonly log: { readonly level: string };
  readonly connectors: readonly (Required<Omit<ConnectorInstanceConfig, 'options'>> & {
    readonly options: Record<string, unknown>;
  })[];
  readonly exporters: readonly (Required<Omit<ExporterInstanceConfig, 'options'>> & {
    readonly options: Record<string, unknown>;
  })[];
}
