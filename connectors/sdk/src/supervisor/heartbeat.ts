// The heartbeat a standalone connector sends to its collector: one schema for the client that
// builds it and the route that accepts it, and the conversions to and from the status shape.
import { Type, type Static, type TSchema } from 'typebox';
import type { SupervisorSnapshot } from './connector-supervisor.js';
import {
  SUPERVISED_STATES,
  healthView,
  isoOrNull,
  type ConnectorStatus,
} from './connector-status.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Time = Type.String({ maxLength: 64, description: 'RFC 3339' });

export const HEARTBEAT_LIMITS = {
  message: 500,
  detailKeys: 32,
  detailKey: 64,
  detailText: 256,
  phase: 64,
  unit: 32,
} as const;
/** Missing this many heartbeats in a row makes a standalone connector `unresponsive`. */
export const MISSED_HEARTBEATS = 3;
export const DEFAULT_HEARTBEAT_SECONDS = 30;
export const CONNECTOR_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]*$/;
export const ConnectorName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: CONNECTOR_NAME_PATTERN.source,
  description: 'lower-case letters, digits, `_ . -`, starting with a letter or digit',
});

export const Heartbeat = Type.Object(
  {
    type: ConnectorName,
    state: Type.Enum(SUPERVISED_STATES),
    intervalSeconds: Type.Optional(
      Type.Integer({ minimum: 5, maximum: 3600, description: 'When to expect the next heartbeat' }),
    ),
    restarts: Type.Optional(Type.Integer({ minimum: 0 })),
    startedAt: Type.Optional(Nullable(Time)),
    lastError: Type.Optional(
      Nullable(
        Type.Object(
          { message: Type.String({ maxLength: HEARTBEAT_LIMITS.message }), at: Time },
          { additionalProperties: false },
        ),
      ),
    ),
    health: Type.Optional(
      Type.Object(
        {
          message: Type.Optional(Nullable(Type.String({ maxLength: HEARTBEAT_LIMITS.message }))),
          lastSyncAt: Type.Optional(Nullable(Time)),
          progress: Type.Optional(
            Nullable(
              Type.Object(
                {
                  phase: Type.String({ maxLength: HEARTBEAT_LIMITS.phase }),
                  done: Type.Number({ minimum: 0 }),
                  total: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
                  unit: Type.Optional(Nullable(Type.String({ maxLength: HEARTBEAT_LIMITS.unit }))),
                },
                { additionalProperties: false },
              ),
            ),
          ),
          details: Type.Optional(
            Type.Record(
              Type.String({ maxLength: HEARTBEAT_LIMITS.detailKey }),
              Type.Union([
                Type.String({ maxLength: HEARTBEAT_LIMITS.detailText }),
                Type.Number(),
                Type.Boolean(),
                Type.Null(),
              ]),
              { maxProperties: HEARTBEAT_LIMITS.detailKeys },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    eventsEmitted: Type.Optional(Type.Integer({ minimum: 0 })),
    lastEventAt: Type.Optional(Nullable(Time)),
  },
  { additionalProperties: false },
);
export type Heartbeat = Static<typeof Heartbeat>;

const cut = (text: string, max: number) => text.slice(0, max);

/** A supervisor's snapshot as a heartbeat, cut to the schema's limits. */
export function heartbeatOf(
  type: string,
  snapshot: SupervisorSnapshot,
  intervalSeconds: number,
): Heartbeat {
  const { health } = snapshot;
  const details = Object.fromEntries(
    Object.entries(health.details)
      .slice(0, HEARTBEAT_LIMITS.detailKeys)
      .map(([key, value]) => [
        cut(key, HEARTBEAT_LIMITS.detailKey),
        typeof value === 'string' ? cut(value, HEARTBEAT_LIMITS.detailText) : value,
      ]),
  );
  return {
    type,
    state: snapshot.state,
    intervalSeconds,
    restarts: snapshot.restarts,
    startedAt: snapshot.startedAt,
    lastError: snapshot.lastError && {
      message: cut(snapshot.lastError.message, HEARTBEAT_LIMITS.message),
      at: snapshot.lastError.at,
    },
    health: {
      message: health.message === null ? null : cut(health.message, HEARTBEAT_LIMITS.message),
      lastSyncAt: health.lastSyncAt,
      progress: health.progress && {
        phase: cut(health.progress.phase, HEARTBEAT_LIMITS.phase),
        done: health.progress.done,
        total: health.progress.total,
        unit:
          health.progress.unit === null ? null : cut(health.progress.unit, HEARTBEAT_LIMITS.unit),
      },
      details,
    },
    eventsEmitted: snapshot.eventsEmitted,
    lastEventAt: snapshot.lastEventAt,
  };
}

/** What the collector keeps of a standalone connector: its last heartbeat and when it came. */
export interface HeartbeatRecord {
  name: string;
  tenant: string;
  report: Heartbeat;
  intervalSeconds: number;
  lastSeenAt: Date;
}

/** A standalone connector's status from its last heartbeat: `unresponsive` once it fell silent. */
export function statusFromHeartbeat(record: HeartbeatRecord, now: Date): ConnectorStatus {
  const { report } = record;
  const silentFor = (now.getTime() - record.lastSeenAt.getTime()) / 1000;
  const health = healthView(
    {
      message: report.health?.message,
      lastSyncAt: report.health?.lastSyncAt,
      progress: report.health?.progress,
      details: report.health?.details,
    },
    now.getTime(),
  );
  return {
    name: record.name,
    type: report.type,
    tenant: record.tenant,
    mode: 'standalone',
    state:
      silentFor > record.intervalSeconds * MISSED_HEARTBEATS && report.state !== 'stopped'
        ? 'unresponsive'
        : report.state,
    restarts: report.restarts ?? 0,
    startedAt: isoOrNull(report.startedAt),
    lastError: report.lastError
      ? {
          message: report.lastError.message,
          at: isoOrNull(report.lastError.at) ?? record.lastSeenAt.toISOString(),
        }
      : null,
    nextRestartAt: null,
    health: {
      ...health,
      details: { ...health.details, lastHeartbeatAt: record.lastSeenAt.toISOString() },
    },
    eventsEmitted: report.eventsEmitted ?? 0,
    lastEventAt: isoOrNull(report.lastEventAt),
  };
}
