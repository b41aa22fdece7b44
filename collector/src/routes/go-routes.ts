// GET /go/changes: one link from an alert notification to the Grafana "Changes" dashboard, with
// the service and environment variables set and the time range around the alert. The target is
// always the configured Grafana URL and the dashboard's fixed path: never an open redirect.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Errors } from '../errors.js';
import { parseInstant } from '../ingest/normalize.js';
import { ErrorResponse } from './error-response.js';

/** The range shown after the alert: the recovery, or what happened next. */
const AFTER_MS = 15 * 60_000;

export interface GoRoutesOptions {
  grafanaUrl: string | undefined;
  dashboardUid: string;
  lookbackMinutes: number;
}

export const goRoutes: FastifyPluginAsyncTypebox<GoRoutesOptions> = async (
  app,
  { grafanaUrl, dashboardUid, lookbackMinutes },
) => {
  app.get(
    '/go/changes',
    {
      schema: {
        tags: ['drilldown'],
        summary: 'Redirect to the Changes dashboard around an alert',
        description:
          'For links in alert notifications (no token: a browser follows it). 302 to `grafana.url` + the Changes dashboard with `var-service`, `var-environment` and the range from `at` − lookback to `at` + 15 min.',
        querystring: Type.Object(
          {
            service: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
            environment: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
            at: Type.Optional(Type.String({ maxLength: 64, description: 'RFC 3339 or epoch ms' })),
          },
          { additionalProperties: false },
        ),
        response: { '4xx': ErrorResponse },
      },
    },
    async (request, reply) => {
      if (!grafanaUrl) throw new Errors.GrafanaNotConfigured();
      const { service, environment } = request.query;
      let at = new Date();
      if (request.query.at !== undefined) {
        const parsed = parseInstant(request.query.at);
        if (typeof parsed === 'string') throw new Errors.InvalidTime(`at ${parsed}`);
        at = parsed;
      }
      const params = new URLSearchParams({
        from: String(at.getTime() - lookbackMinutes * 60_000),
        to: String(at.getTime() + AFTER_MS),
      });
      if (service) params.set('var-service', service);
      if (environment) params.set('var-environment', environment);
      const target = new URL(`${grafanaUrl}/d/${encodeURIComponent(dashboardUid)}/changes`);
      target.search = params.toString();
      return reply.redirect(target.toString(), 302);
    },
  );
};
