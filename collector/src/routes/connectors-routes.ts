// Connectors: the status of every one (in-process from the runner, standalone from their
// heartbeats) and the heartbeat route standalone connectors call to register and report.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { Errors } from '../errors.js';
import { parseInstant } from '../ingest/normalize.js';
import {
  ConnectorStatus,
  type ConnectorRunner,
  type ConnectorStatus as Status,
} from '../runner/connector-runner.js';
import type { HeartbeatRow, HeartbeatStore } from '../store/heartbeat-store.js';
import { ErrorResponse } from './error-response.js';

export const DEFAULT_HEARTBEAT_SECONDS = 30;
/** Missing this many heartbeats in a row makes a standalone connector `unresponsive`. */
export const MISSED_HEARTBEATS = 3;

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Time = Type.String({ maxLength: 64, description: 'RFC 3339' });

export const Heartbeat = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_.-]*$' }),
    state: Type.Enum(['starting', 'running', 'backoff', 'stopped']),
    intervalSeconds: Type.Optional(
      Type.Integer({ minimum: 5, maximum: 3600, description: 'When to expect the next heartbeat' }),
    ),
    restarts: Type.Optional(Type.Integer({ minimum: 0 })),
    startedAt: Type.Optional(Nullable(Time)),
    lastError: Type.Optional(
      Nullable(
        Type.Object(
          { message: Type.String({ maxLength: 500 }), at: Time },
          { additionalProperties: false },
        ),
      ),
    ),
    health: Type.Optional(
      Type.Object(
        {
          message: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
          lastSyncAt: Type.Optional(Nullable(Time)),
          progress: Type.Optional(
            Nullable(
              Type.Object(
                {
                  phase: Type.String({ maxLength: 64 }),
                  done: Type.Number({ minimum: 0 }),
                  total: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
                  unit: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
                },
                { additionalProperties: false },
              ),
            ),
          ),
          details: Type.Optional(
            Type.Record(
              Type.String({ maxLength: 64 }),
              Type.Union([
                Type.String({ maxLength: 256 }),
                Type.Number(),
                Type.Boolean(),
                Type.Null(),
              ]),
              {
                maxProperties: 32,
              },
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
type Heartbeat = Type.Static<typeof Heartbeat>;

const iso = (s: string | null | undefined): string | null => {
  if (!s) return null;
  const d = parseInstant(s);
  return typeof d === 'string' ? null : d.toISOString();
};

/** A heartbeat row as the same status shape the runner gives for in-process connectors. */
export function standaloneStatus(row: HeartbeatRow, now: Date): Status {
  const r = row.report as Heartbeat;
  const silentFor = (now.getTime() - row.lastSeenAt.getTime()) / 1000;
  const lastSyncAt = iso(r.health?.lastSyncAt);
  const p = r.health?.progress;
  return {
    name: row.name,
    type: row.type,
    tenant: '',
    mode: 'standalone',
    state:
      silentFor > row.intervalSeconds * MISSED_HEARTBEATS && r.state !== 'stopped'
        ? 'unresponsive'
        : r.state,
    restarts: r.restarts ?? 0,
    startedAt: iso(r.startedAt),
    lastError: r.lastError
      ? { message: r.lastError.message, at: iso(r.lastError.at) ?? row.lastSeenAt.toISOString() }
      : null,
    nextRestartAt: null,
    health: {
      message: r.health?.message ?? null,
      lastSyncAt,
      lagSeconds: lastSyncAt
        ? Math.max(0, Math.round((now.getTime() - Date.parse(lastSyncAt)) / 1000))
        : null,
      progress: p
        ? {
            phase: p.phase,
            done: p.done,
            total: p.total ?? null,
            unit: p.unit ?? null,
            percent: p.total ? Math.round((p.done / p.total) * 1000) / 10 : null,
          }
        : null,
      details: { ...(r.health?.details ?? {}), lastHeartbeatAt: row.lastSeenAt.toISOString() },
    },
    eventsEmitted: r.eventsEmitted ?? 0,
    lastEventAt: iso(r.lastEventAt),
  };
}

export const connectorsRoutes: FastifyPluginAsyncTypebox<{
  runner: ConnectorRunner;
  heartbeats: HeartbeatStore;
  now: () => Date;
}> = async (app, { runner, heartbeats, now }) => {
  app.get(
    '/api/v1/connectors',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['connectors'],
        summary: 'Every connector of this tenant and its state',
        description:
          'In-process connectors (run by this collector) and standalone ones (known from their heartbeats).',
        response: {
          200: Type.Object({ connectors: Type.Array(ConnectorStatus) }),
          '4xx': ErrorResponse,
        },
      },
    },
    async (request) => {
      const { tenant } = request.principal;
      const at = now();
      const standalone = (await heartbeats.list(tenant)).map((row) => ({
        ...standaloneStatus(row, at),
        tenant,
      }));
      return { connectors: [...runner.status(tenant), ...standalone] };
    },
  );

  app.post(
    '/api/v1/connectors/:name/heartbeat',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['connectors'],
        summary: 'Register a standalone connector and report its state',
        description: `The first heartbeat registers the connector. Send one every intervalSeconds (default ${DEFAULT_HEARTBEAT_SECONDS}); after ${MISSED_HEARTBEATS} missed ones it shows as unresponsive.`,
        params: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_.-]*$' }),
        }),
        body: Heartbeat,
        response: {
          200: Type.Object({
            name: Type.String(),
            receivedAt: Type.String(),
            nextHeartbeatWithinSeconds: Type.Integer(),
          }),
          '4xx': ErrorResponse,
        },
      },
    },
    async (request) => {
      const { tenant } = request.principal;
      const { name } = request.params;
      if (runner.status(tenant).some((c) => c.name === name))
        throw new Errors.ConnectorNameTaken(name);
      const interval = request.body.intervalSeconds ?? DEFAULT_HEARTBEAT_SECONDS;
      const at = now();
      await heartbeats.record(tenant, name, request.body.type, request.body, interval, at);
      return { name, receivedAt: at.toISOString(), nextHeartbeatWithinSeconds: interval };
    },
  );
};
