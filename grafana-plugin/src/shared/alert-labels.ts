// Where an alert is, from its labels: the collector's default label mapping (docs/drilldown.md,
// "Grafana alerts"), so that a link from an alert instance asks about the same place the
// collector records for that alert.
export interface Place {
  service?: string;
  environment?: string;
  project?: string;
}

/** First match wins, as in the collector's `alerts.labels` defaults. */
export const PLACE_LABELS = {
  service: ['service', 'app', 'job'],
  environment: ['env', 'environment'],
  project: ['namespace', 'cluster'],
} as const;

const first = (labels: Record<string, string>, names: readonly string[]): string | undefined =>
  names.map((name) => labels[name]).find((value) => typeof value === 'string' && value !== '');

export function placeFromLabels(labels: Record<string, string> | undefined | null): Place {
  if (!labels) {
    return {};
  }
  const place: Place = {};
  const service = first(labels, PLACE_LABELS.service);
  const environment = first(labels, PLACE_LABELS.environment);
  // A Kubernetes project is `cluster/namespace`, the way the Kubernetes connector names it.
  const project =
    labels.cluster && labels.namespace ? `${labels.cluster}/${labels.namespace}` : first(labels, PLACE_LABELS.project);
  if (service) {
    place.service = service;
  }
  if (environment) {
    place.environment = environment;
  }
  if (project) {
    place.project = project;
  }
  return place;
}
