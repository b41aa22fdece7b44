// Connectors: the status of every one (in-process from the runner, standalone from their
// heartbeats) and the heartbeat route standalone connectors call to register and report.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ConnectorName,
  ConnectorStatus,
  DEFAULT_HEARTBEAT_SECONDS,
  Heartbeat,
  MISSED_HEARTBEATS,
  statusFromHeartbeat,
} from '@painchain/sdk';
import { Type } from 'typebox';
import { Errors } from '../errors.js';
import type { ConnectorRunner } from '../runner/connector-runner.js';
import type { HeartbeatStore } from '../store/heartbeat-store.js';
import { ErrorResponse } from './error-response.js';

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
      const standalone = (await heartbeats.list(tenant)).map((record) =>
        statusFromHeartbeat(record, at),
      );
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
