// The change event contract v1 (DESIGN.md): one TypeBox schema that is both the TypeScript type
// and the JSON Schema the collector validates requests with.
import { Type, type Static } from 'typebox';

export const CHANGE_KINDS = [
  'deploy',
  'rollback',
  'pipeline',
  'push',
  'merge',
  'pull_request',
  'release',
  'tag',
  'config',
  'scale',
  'infra',
  'feature_flag',
  'alert',
  'incident',
  'other',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const CHANGE_STATUSES = [
  'started',
  'in_progress',
  'succeeded',
  'failed',
  'cancelled',
  'unknown',
] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

export const MAX_TITLE_LENGTH = 300;

/** Lower-case identifier for a source system: `github`, `gitlab`, `kubernetes`, `ci`, ... */
const ConnectorName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  description: 'Source system: github, gitlab, kubernetes, argocd, ci, ... (stored in lower case)',
});

/**
 * RFC 3339 text (with a zone offset) or epoch milliseconds, as Grafana sends them.
 * One `type` list instead of anyOf keeps validation errors to one readable line; the
 * collector parses and range-checks the value itself.
 */
export const Timestamp = Type.Unsafe<string | number>({
  type: ['string', 'integer'],
  description: 'RFC 3339 time with offset (2026-11-25T10:00:00Z) or epoch milliseconds',
  examples: ['2026-11-25T10:00:00Z'],
});

const ShortText = (description: string, maxLength = 1024) =>
  Type.String({ maxLength, description });

export const ChangeRefs = Type.Object(
  {
    commit: Type.Optional(ShortText('commit SHA the change is about', 128)),
    commits: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 1000 })),
    branch: Type.Optional(ShortText('branch name', 512)),
    tag: Type.Optional(ShortText('tag name', 512)),
    pullRequest: Type.Optional(
      Type.Unsafe<string | number>({
        type: ['string', 'integer'],
        description: 'pull/merge request number or id',
      }),
    ),
    image: Type.Optional(ShortText('container image, name@digest or name:tag')),
    pipeline: Type.Optional(
      Type.Unsafe<string | number>({
        type: ['string', 'integer'],
        description: 'pipeline or run id',
      }),
    ),
    version: Type.Optional(ShortText('released or deployed version', 256)),
  },
  {
    additionalProperties: Type.Unsafe<string | number | string[]>({
      type: ['string', 'integer', 'array'],
      items: { type: 'string' },
    }),
    description:
      'Correlation keys that link the change to others (commit → pipeline → image → rollout)',
  },
);
export type ChangeRefs = Static<typeof ChangeRefs>;

/** What a client or connector sends. Only `title`, `connector`, `project`, `timestamp` are required. */
export const ChangeEventInput = Type.Object(
  {
    connector: ConnectorName,
    externalId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 512,
        description:
          'Idempotency key within (tenant, connector); derived from a content hash when absent',
      }),
    ),
    kind: Type.Optional(Type.Enum(CHANGE_KINDS, { description: 'Defaults to `other`' })),
    status: Type.Optional(Type.Enum(CHANGE_STATUSES)),
    title: Type.String({
      minLength: 1,
      maxLength: 10_000,
      description: `One line; trimmed and clamped to ${MAX_TITLE_LENGTH} characters`,
    }),
    description: Type.Optional(Type.String({ maxLength: 100_000, description: 'Markdown' })),
    project: Type.String({
      minLength: 1,
      maxLength: 512,
      description: 'Repository path (acme/api) or cluster/namespace',
    }),
    service: Type.Optional(Type.String({ maxLength: 256 })),
    environment: Type.Optional(Type.String({ maxLength: 128 })),
    timestamp: Timestamp,
    endTimestamp: Type.Optional(Timestamp),
    updatedAt: Type.Optional(Timestamp),
    author: Type.Optional(Type.String({ maxLength: 256 })),
    url: Type.Optional(Type.String({ maxLength: 2048 })),
    refs: Type.Optional(ChangeRefs),
    tags: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 64 }),
    ),
    data: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'Connector-specific detail' }),
    ),
  },
  { additionalProperties: false, $id: 'ChangeEventInput' },
);
export type ChangeEventInput = Static<typeof ChangeEventInput>;

/** A stored change, as the query API returns it. Times are RFC 3339 UTC. */
export const ChangeEvent = Type.Object(
  {
    id: Type.String({ description: 'Assigned by the collector (UUIDv7, time-ordered)' }),
    connector: Type.String(),
    externalId: Type.String(),
    kind: Type.Enum(CHANGE_KINDS),
    status: Type.Union([Type.Enum(CHANGE_STATUSES), Type.Null()]),
    title: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    project: Type.String(),
    service: Type.Union([Type.String(), Type.Null()]),
    environment: Type.Union([Type.String(), Type.Null()]),
    timestamp: Type.String(),
    endTimestamp: Type.Union([Type.String(), Type.Null()]),
    updatedAt: Type.Union([Type.String(), Type.Null()]),
    receivedAt: Type.String(),
    author: Type.Union([Type.String(), Type.Null()]),
    url: Type.Union([Type.String(), Type.Null()]),
    refs: Type.Record(Type.String(), Type.Unknown()),
    tags: Type.Array(Type.String()),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'ChangeEvent' },
);
export type ChangeEvent = Static<typeof ChangeEvent>;
