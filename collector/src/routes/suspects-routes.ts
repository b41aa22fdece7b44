// GET /api/v1/suspects: the changes that may explain an incident, ranked, with reasons.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ChangeEvent as ChangeEventSchema } from '@painchain/sdk';
import { Type, type Static } from 'typebox';
import { GRAFANA_ALERTS_CONNECTOR } from '../drilldown/grafana-alerts.js';
import type { SuspectFinder } from '../drilldown/suspect-finder.js';
import { Errors } from '../errors.js';
import { parseInstant } from '../ingest/normalize.js';
import type { LinkStore } from '../store/link-store.js';
import { ErrorResponse } from './error-response.js';

/** The event schema without its $id: a response may hold it several times. */
const ChangeEvent = Type.Object(ChangeEventSchema.properties);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DURATION = /^(\d+)\s*(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const SuspectSchema = Type.Object({
  event: ChangeEvent,
  score: Type.Number({ minimum: 0, maximum: 100 }),
  factors: Type.Object({
    time: Type.Number(),
    kind: Type.Number(),
    scope: Type.Number(),
    status: Type.Number(),
    chain: Type.Optional(Type.Number()),
  }),
  reasons: Type.Array(Type.String()),
  via: Type.Optional(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      key: Type.String(),
      value: Type.String(),
    }),
  ),
});

export const SuspectsResponse = Type.Object({
  at: Type.String(),
  window: Type.Object({ from: Type.String(), to: Type.String() }),
  scope: Type.Object({
    service: Type.Union([Type.String(), Type.Null()]),
    environment: Type.Union([Type.String(), Type.Null()]),
    project: Type.Union([Type.String(), Type.Null()]),
  }),
  alert: Type.Optional(Type.Union([ChangeEvent, Type.Null()])),
  verdict: Type.Enum(['suspects', 'no_change_correlated']),
  message: Type.String(),
  threshold: Type.Number(),
  suspects: Type.Array(SuspectSchema),
});

export interface SuspectsRoutesOptions {
  suspects: SuspectFinder;
  links: LinkStore;
  lookbackMinutes: number;
  maxLookbackMinutes: number;
}

/** `90m`, `2h`, `1d`, `45s` → milliseconds; throws invalid_query with what is allowed. */
export function parseLookback(text: string, maxMinutes: number): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new Errors.InvalidQuery(
      `lookback must be a positive duration like 30m, 2h or 1d (got "${text.slice(0, 40)}")`,
    );
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms <= 0) throw new Errors.InvalidQuery('lookback must be longer than 0');
  if (ms > maxMinutes * 60_000) {
    throw new Errors.InvalidQuery(
      `lookback must be at most ${maxMinutes} minutes (drilldown.maxLookbackMinutes)`,
    );
  }
  return ms;
}

export const suspectsRoutes: FastifyPluginAsyncTypebox<SuspectsRoutesOptions> = async (
  app,
  { suspects, links, lookbackMinutes, maxLookbackMinutes },
) => {
  app.get(
    '/api/v1/suspects',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['drilldown'],
        summary: 'Ranked changes that may explain an incident',
        description:
          'Changes in the lookback window before `at`, and rollouts still running at `at`, scored by closeness in time, kind, scope match and status; each with its reasons in words. `alert` (the id of an alert event) takes `at`, service, environment and project from it; parameters given override it. docs/drilldown.md explains the ranking.',
        querystring: Type.Object(
          {
            at: Type.Optional(Type.String({ description: 'RFC 3339 or epoch ms; default now' })),
            alert: Type.Optional(
              Type.String({ maxLength: 64, description: 'id of an alert event' }),
            ),
            service: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
            environment: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
            project: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
            lookback: Type.Optional(
              Type.String({
                maxLength: 16,
                description: `30m, 2h, 1d; default ${lookbackMinutes}m`,
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: SuspectsResponse, '4xx': ErrorResponse },
      },
    },
    async (request) => {
      const { tenant } = request.principal;
      const query = request.query;
      let alert: Static<typeof ChangeEvent> | undefined;
      if (query.alert !== undefined) {
        alert = UUID.test(query.alert) ? (await links.get(tenant, query.alert))?.event : undefined;
        if (!alert) throw new Errors.NotFound(`No event ${query.alert}`);
      }
      let at = alert ? new Date(alert.timestamp) : new Date();
      if (query.at !== undefined) {
        const parsed = parseInstant(query.at);
        if (typeof parsed === 'string') throw new Errors.InvalidTime(`at ${parsed}`);
        at = parsed;
      }
      const lookbackMs =
        query.lookback === undefined
          ? lookbackMinutes * 60_000
          : parseLookback(query.lookback, maxLookbackMinutes);
      const answer = await suspects.rank(
        tenant,
        {
          at,
          service: query.service ?? alert?.service ?? undefined,
          environment: query.environment ?? alert?.environment ?? undefined,
          // An alert without a place label has the placeholder project: it says nothing.
          project:
            query.project ??
            (alert && alert.project !== GRAFANA_ALERTS_CONNECTOR ? alert.project : undefined),
        },
        lookbackMs,
      );
      return alert ? { ...answer, alert } : answer;
    },
  );
};
