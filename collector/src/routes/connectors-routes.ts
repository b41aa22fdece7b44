// Connectors: the status of every one (in-process from the runner, standalone from their
// heartbeats, with the replica holding each source's lease) and the heartbeat route standalone
// connectors call to register and report.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ConnectorName,
  ConnectorStatus,
  DEFAULT_HEARTBEAT_SECONDS,
  Heartbeat,
  MISSED_HEARTBEATS,
  statusFromHeartbeat,
} from '@painchain/sdk';
import { Type, type TSchema } from 'typebox';
import { Errors } from '../errors.js';
import type { ConnectorRunner } from '../runner/connector-runner.js';
import type { HeartbeatStore } from '../store/heartbeat-store.js';
import type { LeaseRow, LeaseStore } from '../store/lease-store.js';
import { ErrorResponse } from './error-response.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const LeaseView = Type.Object({
  source: Type.String({
    description: 'What is polled or watched: a repository, a project, a cluster',
  }),
  replica: Nullable(
    Type.String({
      description:
        'The collector replica (server.replicaId) holding the lease; null while none does',
    }),
  ),
  acquiredAt: Nullable(Type.String({ format: 'date-time' })),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
});

/** A connector's status, and for in-process ones which replica polls or watches each source. */
export const ConnectorView = Type.Object({
  ...ConnectorStatus.properties,
  leases: Type.Optional(
    Type.Array(LeaseView, {
      description:
        'In-process connectors that poll or watch: one lease per source, shared by the replicas on the store',
    }),
  ),
});

const leaseView = (row: LeaseRow) => ({
  source: row.source,
  replica: row.holder,
  acquiredAt: row.acquiredAt?.toISOString() ?? null,
  expiresAt: row.expiresAt?.toISOString() ?? null,
});

export const connectorsRoutes: FastifyPluginAsyncTypebox<{
  runner: ConnectorRunner;
  heartbeats: HeartbeatStore;
  leases: LeaseStore;
  now: () => Date;
}> = async (app, { runner, heartbeats, leases, now }) => {
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
          200: Type.Object({
            replica: Type.String({ description: 'The replica that answered (server.replicaId)' }),
            connectors: Type.Array(ConnectorView),
          }),
          '4xx': ErrorResponse,
        },
      },
    },
    async (request) => {
      const { tenant } = request.principal;
      const at = now();
      const standalone = (await heartbeats.list(tenant)).map((record) =>
        statusFromHeartbeat(record, at),
      );
      const leased = new Map<string, ReturnType<typeof leaseView>[]>();
      for (const row of await leases.list(tenant)) {
        const list = leased.get(row.connector) ?? [];
        list.push(leaseView(row));
        leased.set(row.connector, list);
      }
      const inProcess = runner
        .status(tenant)
        .map((status) => ({ ...status, leases: leased.get(status.name) ?? [] }));
      return { replica: leases.holder, connectors: [...inProcess, ...standalone] };
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
        params: Type.Object({ name: ConnectorName }),
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
      await heartbeats.record(tenant, name, request.body, interval, at);
      return { name, receivedAt: at.toISOString(), nextHeartbeatWithinSeconds: interval };
    },
  );
};
