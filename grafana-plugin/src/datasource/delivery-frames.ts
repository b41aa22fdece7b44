// Delivery performance (GET /api/v1/delivery) as data frames for Grafana's own panels: a time
// series per interval (for the services together, or one per service), one row for the whole
// range (stats, a table per service), or the deploys and restorations behind the numbers.
import { createDataFrame, FieldType, type DataFrame, type FieldConfig } from '@grafana/data';
import type { DeliveryAnswer, DeliveryDeploy, DeliveryFigures, DeliveryRestoration } from './types/api';
import { DEFAULT_DELIVERY_FIGURES, type DeliveryFigure, type DeliveryOptions } from './types/query';

export const DELIVERY_FRAME_NAME = 'delivery';
/** The figures that need lead time, the costly part: the collector follows a chain per deploy. */
export const LEAD_TIME_FIGURES: readonly DeliveryFigure[] = ['leadTimeMedian', 'leadTimeP90', 'withoutChain'];

/** Does a query need lead time? The deploys behind the numbers do; a figure list may not. */
export function needsLeadTime(options: DeliveryOptions): boolean {
  const figures = options.figures?.length ? options.figures : DEFAULT_DELIVERY_FIGURES;
  return options.format === 'changes' || figures.some((f) => LEAD_TIME_FIGURES.includes(f));
}
/** Where a deploy or a failure can be seen on the timeline, with its chain one click away. */
export const CHANGES_DASHBOARD_PATH = '/d/painchain-changes/changes';

interface FigureDefinition {
  /** The field's name: what a table's header and a legend say, and what overrides match. */
  name: string;
  unit: string;
  decimals?: number;
  description: string;
  value: (f: DeliveryFigures) => number | null;
}

export const FIGURE_DEFINITIONS: Record<DeliveryFigure, FigureDefinition> = {
  deployments: {
    name: 'Deployments',
    unit: 'none',
    decimals: 0,
    description: 'Successful deploys that put a new version in place (redeploys not counted)',
    value: (f) => f.deployments.count,
  },
  deploysPerDay: {
    name: 'Deploys per day',
    unit: 'none',
    decimals: 2,
    description: 'Deployment frequency: deployments divided by the days of the interval or range',
    value: (f) => f.deployments.perDay,
  },
  leadTimeMedian: {
    name: 'Lead time (median)',
    unit: 's',
    description: "Lead time for changes: the first code change of a deploy's chain to the deploy's end",
    value: (f) => f.leadTime?.medianSeconds ?? null,
  },
  leadTimeP90: {
    name: 'Lead time (p90)',
    unit: 's',
    description: '90% of deploys had a shorter lead time',
    value: (f) => f.leadTime?.p90Seconds ?? null,
  },
  changeFailureRate: {
    name: 'Change failure rate',
    unit: 'percentunit',
    description:
      'Share of deployments followed within the failure window by a rollback, a failed rollout, an alert or an incident',
    value: (f) => f.changeFailureRate.rate,
  },
  failedDeployments: {
    name: 'Failed deployments',
    unit: 'none',
    decimals: 0,
    description: 'Deployments counted as failed changes',
    value: (f) => f.changeFailureRate.failed,
  },
  timeToRestoreMedian: {
    name: 'Time to restore (median)',
    unit: 's',
    description: "An alert or incident's start to its end; a failed deploy to the next successful deploy or rollback",
    value: (f) => f.timeToRestore.medianSeconds,
  },
  timeToRestoreP90: {
    name: 'Time to restore (p90)',
    unit: 's',
    description: '90% of failures were restored faster',
    value: (f) => f.timeToRestore.p90Seconds,
  },
  withoutChain: {
    name: 'Deploys without a chain',
    unit: 'none',
    decimals: 0,
    description: 'Deployments whose chain holds no code change: their lead time is unknown, not guessed',
    value: (f) => f.leadTime?.withoutChain ?? null,
  },
  redeploys: {
    name: 'Redeploys',
    unit: 'none',
    decimals: 0,
    description: 'Successful deploys of the version already running',
    value: (f) => f.deployments.redeploys,
  },
  failedRollouts: {
    name: 'Failed rollouts',
    unit: 'none',
    decimals: 0,
    description: 'Deploys that failed',
    value: (f) => f.deployments.failedRollouts,
  },
  unrestored: {
    name: 'Unrestored failures',
    unit: 'none',
    decimals: 0,
    description: 'Alerts, incidents and failed deploys not restored yet',
    value: (f) => f.timeToRestore.unrestored,
  },
};

const NO_SERVICE = '(no service)';
const serviceName = (service: string | null) => service ?? NO_SERVICE;

const OUTCOME_WORDS: Record<DeliveryDeploy['outcome'], string> = {
  deployment: 'deployment',
  redeploy: 'redeploy (version already running)',
  failed: 'failed rollout',
  in_progress: 'in progress',
  cancelled: 'cancelled',
  unknown: 'status unknown',
};

const REASON_WORDS: Record<string, string> = {
  rollback: 'rolled back',
  failed_rollout: 'failed rollout',
  alert: 'alert',
  incident: 'incident',
};

function figureFields(figures: DeliveryFigure[], rows: DeliveryFigures[], labels?: Record<string, string>) {
  return figures.map((key) => {
    const d = FIGURE_DEFINITIONS[key];
    const config: FieldConfig = { unit: d.unit, description: d.description };
    if (d.decimals !== undefined) {
      config.decimals = d.decimals;
    }
    return { name: d.name, type: FieldType.number, values: rows.map(d.value), config, labels };
  });
}

/** A link to the Changes dashboard around a span of time, where each change's chain is one click away. */
export function changesDashboardUrl(fromMs: number, toMs: number, environment: string): string {
  const pad = 15 * 60_000;
  const params = new URLSearchParams({
    from: String(fromMs - pad),
    to: String(toMs + pad),
    'var-environment': environment,
  });
  return `${CHANGES_DASHBOARD_PATH}?${params}`;
}

const TIMELINE_LINK = { title: 'Open on the timeline (its chain in the drawer)', url: '${__data.fields.timeline}' };
const hidden: FieldConfig = { custom: { hidden: true } };

function deploysFrame(refId: string, deploys: DeliveryDeploy[]): DataFrame {
  const ms = (iso: string) => Date.parse(iso);
  const lead = (d: DeliveryDeploy) => (d.leadTime && d.leadTime.seconds !== null ? d.leadTime.seconds : null);
  return createDataFrame({
    refId,
    name: 'Deploys',
    meta: { preferredVisualisationType: 'table' },
    fields: [
      { name: 'Time', type: FieldType.time, values: deploys.map((d) => ms(d.timestamp)) },
      { name: 'Service', type: FieldType.string, values: deploys.map((d) => serviceName(d.service)) },
      {
        name: 'Deploy',
        type: FieldType.string,
        values: deploys.map((d) => d.title),
        config: { links: [TIMELINE_LINK] },
      },
      { name: 'Counted as', type: FieldType.string, values: deploys.map((d) => OUTCOME_WORDS[d.outcome]) },
      { name: 'Lead time', type: FieldType.number, values: deploys.map(lead), config: { unit: 's' } },
      {
        name: 'Lead time from',
        type: FieldType.string,
        values: deploys.map((d) =>
          !d.leadTime
            ? ''
            : d.leadTime.seconds !== null
              ? `${d.leadTime.from.kind}: ${d.leadTime.from.title}`
              : d.leadTime.unknown === 'no_chain'
                ? 'unknown: no chain'
                : 'unknown: no code change in its chain'
        ),
      },
      {
        name: 'Failed because',
        type: FieldType.string,
        values: deploys.map((d) =>
          (d.failures ?? []).map((f) => `${REASON_WORDS[f.reason] ?? f.reason}: ${f.title}`).join('; ')
        ),
      },
      { name: 'id', type: FieldType.string, values: deploys.map((d) => d.id) },
      {
        name: 'timeline',
        type: FieldType.string,
        values: deploys.map((d) => {
          const start = d.leadTime && d.leadTime.seconds !== null ? ms(d.leadTime.from.timestamp) : ms(d.timestamp);
          return changesDashboardUrl(start, ms(d.endTimestamp ?? d.timestamp), d.environment);
        }),
        config: hidden,
      },
    ],
  });
}

function restorationsFrame(refId: string, restorations: DeliveryRestoration[]): DataFrame {
  return createDataFrame({
    refId,
    name: 'Restorations',
    meta: { preferredVisualisationType: 'table' },
    fields: [
      { name: 'Time', type: FieldType.time, values: restorations.map((r) => Date.parse(r.failure.timestamp)) },
      { name: 'Service', type: FieldType.string, values: restorations.map((r) => serviceName(r.failure.service)) },
      {
        name: 'Failure',
        type: FieldType.string,
        values: restorations.map((r) => `${r.failure.kind}: ${r.failure.title}`),
        config: { links: [TIMELINE_LINK] },
      },
      {
        name: 'Restored by',
        type: FieldType.string,
        values: restorations.map((r) =>
          r.restoredBy ? r.restoredBy.title : r.restoredAt ? 'resolved' : 'not restored yet'
        ),
      },
      {
        name: 'Time to restore',
        type: FieldType.number,
        values: restorations.map((r) => r.seconds),
        config: { unit: 's' },
      },
      { name: 'id', type: FieldType.string, values: restorations.map((r) => r.failure.id) },
      {
        name: 'timeline',
        type: FieldType.string,
        values: restorations.map((r) => {
          const start = Date.parse(r.failure.timestamp);
          return changesDashboardUrl(start, r.restoredAt ? Date.parse(r.restoredAt) : start, r.failure.environment);
        }),
        config: hidden,
      },
    ],
  });
}

/** The frames one delivery query returns, shaped by its options. */
export function deliveryToFrames(refId: string, answer: DeliveryAnswer, options: DeliveryOptions = {}): DataFrame[] {
  const figures = options.figures?.length ? options.figures : DEFAULT_DELIVERY_FIGURES;
  const format = options.format ?? 'timeseries';
  const byService = options.groupBy === 'service';
  const custom = {
    environments: answer.environments,
    interval: answer.interval,
    timezone: answer.timezone,
    failureWindowHours: answer.failureWindowHours,
  };

  if (format === 'changes') {
    return [
      deploysFrame(refId, answer.changes?.deploys ?? []),
      restorationsFrame(refId, answer.changes?.restorations ?? []),
    ];
  }
  if (format === 'summary') {
    if (!byService) {
      return [
        createDataFrame({
          refId,
          name: DELIVERY_FRAME_NAME,
          meta: { custom },
          fields: figureFields(figures, [answer.total]),
        }),
      ];
    }
    return [
      createDataFrame({
        refId,
        name: DELIVERY_FRAME_NAME,
        meta: { custom, preferredVisualisationType: 'table' },
        fields: [
          { name: 'Service', type: FieldType.string, values: answer.byService.map((s) => serviceName(s.service)) },
          ...figureFields(figures, answer.byService),
        ],
      }),
    ];
  }

  const times = answer.intervals.map((i) => Date.parse(i.start));
  const timeField = { name: 'Time', type: FieldType.time, values: times, config: { interval: intervalMs(answer) } };
  if (!byService) {
    return [
      createDataFrame({
        refId,
        name: DELIVERY_FRAME_NAME,
        meta: { custom },
        fields: [
          timeField,
          ...figureFields(
            figures,
            answer.intervals.map((i) => i.total)
          ),
        ],
      }),
    ];
  }
  return answer.services.map((service, index) =>
    createDataFrame({
      refId,
      name: serviceName(service),
      meta: { custom },
      fields: [
        timeField,
        ...figureFields(
          figures,
          answer.intervals.map((i) => i.services[index]!),
          { service: serviceName(service) }
        ),
      ],
    })
  );
}

/** The interval's length: bar charts and "connect null values" use it. */
function intervalMs(answer: DeliveryAnswer): number {
  return (answer.interval === 'week' ? 7 : 1) * 86_400_000;
}
