// Grafana's webhook contact point payload, and each of its alerts as a change of kind `alert`:
// one event per alert instance (fingerprint + start), `started` while firing, `succeeded` with
// an end once resolved. Labels say service, environment and project, as configured.
import type { ChangeEventInput } from '@painchain/sdk';
import { Type, type Static } from 'typebox';

const Labels = Type.Record(Type.String({ maxLength: 1024 }), Type.String({ maxLength: 10_000 }), {
  maxProperties: 200,
});
const Url = Type.String({ maxLength: 4096 });

/** One alert instance as Grafana sends it; extra fields are allowed (they differ by version). */
export const GrafanaAlert = Type.Object({
  status: Type.Enum(['firing', 'resolved']),
  labels: Labels,
  annotations: Type.Optional(Labels),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.Optional(Type.String({ maxLength: 64 })),
  fingerprint: Type.String({ minLength: 1, maxLength: 128 }),
  generatorURL: Type.Optional(Url),
  silenceURL: Type.Optional(Url),
  dashboardURL: Type.Optional(Url),
  panelURL: Type.Optional(Url),
  values: Type.Optional(
    Type.Union([
      Type.Record(Type.String({ maxLength: 256 }), Type.Union([Type.Number(), Type.Null()])),
      Type.Null(),
    ]),
  ),
  valueString: Type.Optional(Type.String({ maxLength: 10_000 })),
});
export type GrafanaAlert = Static<typeof GrafanaAlert>;

export const GrafanaWebhook = Type.Object(
  {
    receiver: Type.String({ maxLength: 512 }),
    status: Type.Enum(['firing', 'resolved']),
    alerts: Type.Array(GrafanaAlert, { maxItems: 1000 }),
    groupLabels: Type.Optional(Labels),
    commonLabels: Type.Optional(Labels),
    commonAnnotations: Type.Optional(Labels),
    externalURL: Type.Optional(Url),
    orgId: Type.Optional(Type.Integer()),
    title: Type.Optional(Type.String({ maxLength: 10_000 })),
    message: Type.Optional(Type.String({ maxLength: 100_000 })),
  },
  { $id: 'GrafanaWebhook' },
);
export type GrafanaWebhook = Static<typeof GrafanaWebhook>;

export interface AlertLabelMapping {
  readonly service: readonly string[];
  readonly environment: readonly string[];
  readonly project: readonly string[];
}

/** Grafana's "not ended" time: the zero time of Go. */
const ZERO_TIME = /^0001-01-01/;
/** The connector name alerts are stored under. */
export const GRAFANA_ALERTS_CONNECTOR = 'grafana';

const first = (labels: Record<string, string>, names: readonly string[]) =>
  names.map((name) => labels[name]).find((value) => value !== undefined && value !== '');

/** Where the alert is: `cluster/namespace` when both are labels (a Kubernetes project), else the first mapped label. */
function projectOf(labels: Record<string, string>, mapping: AlertLabelMapping): string {
  if (labels.cluster && labels.namespace && mapping.project.includes('namespace')) {
    return `${labels.cluster}/${labels.namespace}`;
  }
  return first(labels, mapping.project) ?? GRAFANA_ALERTS_CONNECTOR;
}

export function alertToEvent(alert: GrafanaAlert, mapping: AlertLabelMapping): ChangeEventInput {
  const { labels } = alert;
  const annotations = alert.annotations ?? {};
  const resolved = alert.status === 'resolved';
  const endsAt = alert.endsAt && !ZERO_TIME.test(alert.endsAt) ? alert.endsAt : undefined;
  const name = labels.alertname ?? 'alert';
  const summary = annotations.summary ?? annotations.title;
  const event: ChangeEventInput = {
    connector: GRAFANA_ALERTS_CONNECTOR,
    externalId: `${alert.fingerprint}:${alert.startsAt}`,
    kind: 'alert',
    status: resolved ? 'succeeded' : 'started',
    title: `${resolved ? 'Resolved' : 'Firing'}: ${name}${summary ? ` — ${summary}` : ''}`,
    project: projectOf(labels, mapping),
    timestamp: alert.startsAt,
    // A late "firing" repeat (dated by its start) never overwrites "resolved" (dated by its end).
    updatedAt: resolved && endsAt ? endsAt : alert.startsAt,
    data: {
      fingerprint: alert.fingerprint,
      labels,
      ...(alert.values ? { values: alert.values } : {}),
      ...(alert.generatorURL ? { generatorURL: alert.generatorURL } : {}),
      ...(alert.silenceURL ? { silenceURL: alert.silenceURL } : {}),
      ...(alert.dashboardURL ? { dashboardURL: alert.dashboardURL } : {}),
    },
    tags: labels.severity ? ['alert', `severity:${labels.severity}`] : ['alert'],
  };
  const service = first(labels, mapping.service);
  const environment = first(labels, mapping.environment);
  if (service) event.service = service;
  if (environment) event.environment = environment;
  if (resolved && endsAt) event.endTimestamp = endsAt;
  const description = annotations.description ?? alert.valueString;
  if (description) event.description = description;
  const url = alert.panelURL || alert.dashboardURL || alert.generatorURL;
  if (url && /^https?:\/\//.test(url)) event.url = url;
  return event;
}
