// POST /api/v1/alerts/grafana: Grafana's webhook contact point. Each alert instance is recorded
// on the timeline (kind alert), and the answer names the top suspects of every firing alert.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  alertToEvent,
  GrafanaWebhook,
  type AlertLabelMapping,
} from '../drilldown/grafana-alerts.js';
import type { SuspectFinder } from '../drilldown/suspect-finder.js';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import { ErrorResponse } from './error-response.js';

/** Suspects named per firing alert in the answer (the full list is one /suspects call away). */
const TOP_SUSPECTS = 3;

const AlertOutcome = Type.Object({
  fingerprint: Type.String(),
  id: Type.Optional(
    Type.String({ description: 'The stored alert event (absent while it waits in the spool)' }),
  ),
  status: Type.Enum(['firing', 'resolved']),
  verdict: Type.Optional(Type.Enum(['suspects', 'no_change_correlated'])),
  suspects: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      score: Type.Number(),
      reasons: Type.Array(Type.String()),
      url: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

const AlertsResponse = Type.Object({
  ids: Type.Array(Type.String()),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  spooled: Type.Optional(
    Type.Integer({ description: 'Alerts kept on disk while the store is unreachable (202)' }),
  ),
  alerts: Type.Array(AlertOutcome),
});

export interface GrafanaAlertsRoutesOptions {
  pipeline: IngestPipeline;
  suspects: SuspectFinder;
  labels: AlertLabelMapping;
  lookbackMinutes: number;
}

export const grafanaAlertsRoutes: FastifyPluginAsyncTypebox<GrafanaAlertsRoutesOptions> = async (
  app,
  { pipeline, suspects, labels, lookbackMinutes },
) => {
  app.post(
    '/api/v1/alerts/grafana',
    {
      config: { scope: 'ingest', basicAuth: true },
      schema: {
        tags: ['drilldown'],
        summary: "Grafana alerting's webhook contact point",
        description:
          'Records each alert instance as a change of kind alert (firing → started; resolved → succeeded, with its end), one event per fingerprint and start, and answers the top suspects of each firing alert. Authenticate as the contact point sends it: `Authorization: Bearer <token>`, or basic auth with the token as the password.',
        body: GrafanaWebhook,
        response: {
          200: AlertsResponse,
          202: AlertsResponse,
          '4xx': ErrorResponse,
          503: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const { tenant } = request.principal;
      const { alerts } = request.body;
      const { spooled, ...stored } = await pipeline.ingest(
        tenant,
        alerts.map((alert) => alertToEvent(alert, labels)),
        { pathOf: (i) => `/alerts/${i}`, schemaChecked: true, origin: 'webhook' },
      );
      // Kept for later: nothing to rank suspects against until the store is back.
      if (spooled > 0)
        return reply.code(202).send({
          ...stored,
          spooled,
          alerts: alerts.map((alert) => ({
            fingerprint: alert.fingerprint,
            status: alert.status,
            suspects: [],
          })),
        });
      const outcomes = await Promise.all(
        alerts.map(async (alert, i) => {
          const id = stored.ids[i]!;
          if (alert.status !== 'firing') {
            return { fingerprint: alert.fingerprint, id, status: alert.status, suspects: [] };
          }
          const event = alertToEvent(alert, labels);
          const answer = await suspects.rank(
            tenant,
            {
              at: new Date(alert.startsAt),
              service: event.service,
              environment: event.environment,
            },
            lookbackMinutes * 60_000,
          );
          return {
            fingerprint: alert.fingerprint,
            id,
            status: alert.status,
            verdict: answer.verdict,
            suspects: answer.suspects.slice(0, TOP_SUSPECTS).map((suspect) => ({
              id: suspect.event.id,
              title: suspect.event.title,
              score: suspect.score,
              reasons: suspect.reasons,
              url: suspect.event.url,
            })),
          };
        }),
      );
      return { ...stored, alerts: outcomes };
    },
  );
};
