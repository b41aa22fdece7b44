// GET /api/v1/delivery: the four DORA keys per day or week and per service, computed from the
// stored changes; with ?explain=true every figure lists the ids of the changes it counted.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../config/config-schema.js';
import { DEPLOY_OUTCOMES, FAILURE_REASONS } from '../delivery/delivery-figures.js';
import {
  canonicalTimeZone,
  INTERVAL_UNITS,
  intervalCountBound,
  isTimeZone,
} from '../delivery/delivery-intervals.js';
import { DeliveryMetrics, type DeliveryQuery } from '../delivery/delivery-metrics.js';
import { Errors } from '../errors.js';
import { parseInstant, unstorableText } from '../ingest/normalize.js';
import type { Db } from '../store/db.js';
import { ErrorResponse } from './error-response.js';
import { splitCommaFilters } from './events-routes.js';

const DAY = 86_400_000;
/** The range when a request gives none: the last 30 days. */
const DEFAULT_RANGE_DAYS = 30;
/** Intervals one answer may hold: a year of days, or ten of weeks. */
const MAX_INTERVALS = 600;

const Seconds = Type.Union([Type.Number(), Type.Null()]);
const Ids = Type.Optional(Type.Array(Type.String()));

export const FiguresSchema = Type.Object({
  deployments: Type.Object(
    {
      count: Type.Integer({ description: 'successful deploys that put a new version in place' }),
      perDay: Type.Number(),
      redeploys: Type.Integer({ description: 'successful deploys of the version already running' }),
      failedRollouts: Type.Integer(),
      inProgress: Type.Integer(),
      ids: Ids,
      redeployIds: Ids,
      failedRolloutIds: Ids,
      inProgressIds: Ids,
    },
    { description: 'Deployment frequency' },
  ),
  leadTime: Type.Optional(
    Type.Object(
      {
        count: Type.Integer({ description: 'deploys whose chain holds a code change' }),
        medianSeconds: Seconds,
        p90Seconds: Seconds,
        withoutChain: Type.Integer({ description: 'deploys whose lead time is unknown' }),
        ids: Ids,
        withoutChainIds: Ids,
      },
      {
        description:
          'Lead time for changes: first code change of the chain to the deploy’s end; absent with leadTime=false',
      },
    ),
  ),
  changeFailureRate: Type.Object(
    {
      rate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
      failed: Type.Integer(),
      deployments: Type.Integer(),
      ids: Ids,
    },
    { description: 'Share of deploys followed by a rollback, failed rollout, alert or incident' },
  ),
  timeToRestore: Type.Object(
    {
      count: Type.Integer(),
      medianSeconds: Seconds,
      p90Seconds: Seconds,
      unrestored: Type.Integer(),
      ids: Ids,
      unrestoredIds: Ids,
    },
    { description: 'Alert or incident start to end; failed deploy to the next successful one' },
  ),
});

const ServiceFigures = Type.Object({
  service: Type.Union([Type.String(), Type.Null()]),
  ...FiguresSchema.properties,
});

const ChangeRef = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  timestamp: Type.String(),
});

const DeployDetailSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  service: Type.Union([Type.String(), Type.Null()]),
  environment: Type.String(),
  timestamp: Type.String(),
  endTimestamp: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.String(), Type.Null()]),
  version: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Enum(DEPLOY_OUTCOMES),
  leadTime: Type.Optional(
    Type.Union([
      Type.Object({ seconds: Type.Number(), from: ChangeRef, truncated: Type.Boolean() }),
      Type.Object({
        seconds: Type.Null(),
        unknown: Type.Enum(['no_chain', 'no_code_change']),
      }),
    ]),
  ),
  failures: Type.Optional(
    Type.Array(Type.Object({ reason: Type.Enum(FAILURE_REASONS), ...ChangeRef.properties })),
  ),
});

const RestorationDetailSchema = Type.Object({
  failure: Type.Object({
    ...ChangeRef.properties,
    service: Type.Union([Type.String(), Type.Null()]),
    environment: Type.String(),
  }),
  alsoFailed: Type.Array(Type.String()),
  restoredAt: Type.Union([Type.String(), Type.Null()]),
  restoredBy: Type.Union([ChangeRef, Type.Null()]),
  seconds: Seconds,
});

export const DeliveryResponse = Type.Object({
  from: Type.String(),
  to: Type.String(),
  environments: Type.Array(Type.String()),
  interval: Type.Enum(INTERVAL_UNITS),
  timezone: Type.String(),
  failureWindowHours: Type.Integer(),
  services: Type.Array(Type.Union([Type.String(), Type.Null()])),
  total: FiguresSchema,
  byService: Type.Array(ServiceFigures),
  intervals: Type.Array(
    Type.Object({
      start: Type.String(),
      end: Type.String(),
      total: FiguresSchema,
      services: Type.Array(ServiceFigures),
    }),
  ),
  changes: Type.Optional(
    Type.Object({
      deploys: Type.Array(DeployDetailSchema),
      restorations: Type.Array(RestorationDetailSchema),
    }),
  ),
});

const Many = (maxLength: number, what: string) =>
  Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength }), {
      minItems: 1,
      maxItems: 100,
      description: `${what}; repeat the parameter or separate values by commas for several`,
    }),
  );

export interface DeliveryRoutesOptions {
  db: Db;
  drilldown: Config['drilldown'];
  delivery: Config['delivery'];
  now?: () => Date;
}

export const deliveryRoutes: FastifyPluginAsyncTypebox<DeliveryRoutesOptions> = async (
  app,
  { db, drilldown, delivery, now = () => new Date() },
) => {
  const metrics = DeliveryMetrics.over(db, drilldown, delivery);

  app.get(
    '/api/v1/delivery',
    {
      config: { scope: 'read' },
      preValidation: splitCommaFilters,
      schema: {
        tags: ['delivery'],
        summary: 'Delivery performance: the four DORA keys per day or week and per service',
        description:
          'Deployment frequency, lead time for changes (median and p90), change failure rate and time to restore, per interval and service, from the stored deploys, their chains, rollbacks, failed rollouts, alerts and incidents. `explain=true` lists the ids of the changes behind every figure. docs/delivery-metrics.md defines each figure.',
        querystring: Type.Object(
          {
            from: Type.Optional(
              Type.String({ description: 'RFC 3339 or epoch ms; default 30 days before `to`' }),
            ),
            to: Type.Optional(
              Type.String({ description: 'RFC 3339 or epoch ms, exclusive; default now' }),
            ),
            service: Many(256, 'services; default every service with a deploy or a signal'),
            environment: Many(128, `environments; default ${delivery.environment}`),
            interval: Type.Optional(Type.Enum(INTERVAL_UNITS, { description: 'default day' })),
            timezone: Type.Optional(
              Type.String({
                maxLength: 64,
                description: 'IANA zone the days and weeks start in; default UTC',
              }),
            ),
            explain: Type.Optional(
              Type.Boolean({ description: 'list the ids of the changes behind every figure' }),
            ),
            leadTime: Type.Optional(
              Type.Boolean({
                description:
                  'false: skip lead time (no chain is followed, the figures have no leadTime); default true',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: DeliveryResponse, '4xx': ErrorResponse },
      },
    },
    async (request) => {
      const query = request.query;
      for (const [name, raw] of Object.entries(query))
        for (const value of [raw].flat())
          if (typeof value === 'string' && unstorableText(value))
            throw new Errors.InvalidQuery(`${name} ${unstorableText(value)}`);
      const instant = (name: 'from' | 'to'): Date | undefined => {
        const raw = query[name];
        if (raw === undefined) return undefined;
        const parsed = parseInstant(raw);
        if (typeof parsed === 'string') throw new Errors.InvalidTime(`${name} ${parsed}`);
        return parsed;
      };
      const to = instant('to') ?? now();
      const from = instant('from') ?? new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY);
      if (from >= to) throw new Errors.InvalidTime('from must be before to');
      if (to.getTime() - from.getTime() > delivery.maxRangeDays * DAY)
        throw new Errors.InvalidQuery(
          `the range from … to may span at most ${delivery.maxRangeDays} days (delivery.maxRangeDays)`,
        );
      const interval = query.interval ?? 'day';
      if (intervalCountBound(from, to, interval) > MAX_INTERVALS)
        throw new Errors.InvalidQuery(
          `at most ${MAX_INTERVALS} intervals per answer: ask for interval=week or a shorter range`,
        );
      const zone = query.timezone ?? 'UTC';
      if (!isTimeZone(zone))
        throw new Errors.InvalidQuery(
          `timezone must be an IANA time zone such as UTC or Europe/Berlin (got "${zone.slice(0, 64)}")`,
        );
      const asked: DeliveryQuery = {
        from,
        to,
        services: query.service ? [...new Set(query.service)] : undefined,
        environments: query.environment ? [...new Set(query.environment)] : [delivery.environment],
        interval,
        timeZone: canonicalTimeZone(zone),
        explain: query.explain ?? false,
        leadTime: query.leadTime ?? true,
      };
      return metrics.measure(request.principal.tenant, asked);
    },
  );
};
