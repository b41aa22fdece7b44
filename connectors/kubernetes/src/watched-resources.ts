// The built-in resources the connector reads, where their collections live in the API, and the
// one RBAC rule list (get, list, watch) that the docs and the tests take from here.
import type { WatchableResource } from './kubernetes-config.js';

export interface ResourceType {
  /** '' for the core group (`/api/v1`). */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** A change of its spec is a config event with a field diff (the rest have their own rules). */
  specDiff?: boolean;
}

const core = (plural: string, kind: string): ResourceType => ({
  group: '',
  version: 'v1',
  plural,
  kind,
  namespaced: true,
});
const named = (group: string, version: string, plural: string, kind: string): ResourceType => ({
  group,
  version,
  plural,
  kind,
  namespaced: true,
});
const diffed = (type: ResourceType): ResourceType => ({ ...type, specDiff: true });

/** Helm release Secrets are read through the secrets collection. */
export const RESOURCE_TYPES: Record<Exclude<WatchableResource, 'helmreleases'>, ResourceType> = {
  deployments: named('apps', 'v1', 'deployments', 'Deployment'),
  statefulsets: named('apps', 'v1', 'statefulsets', 'StatefulSet'),
  daemonsets: named('apps', 'v1', 'daemonsets', 'DaemonSet'),
  configmaps: core('configmaps', 'ConfigMap'),
  secrets: core('secrets', 'Secret'),
  events: core('events', 'Event'),
  ingresses: diffed(named('networking.k8s.io', 'v1', 'ingresses', 'Ingress')),
  services: diffed(core('services', 'Service')),
  horizontalpodautoscalers: diffed(
    named('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler'),
  ),
  cronjobs: diffed(named('batch', 'v1', 'cronjobs', 'CronJob')),
  poddisruptionbudgets: diffed(
    named('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget'),
  ),
  networkpolicies: diffed(named('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy')),
};

export const NAMESPACES: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
};

/** `/apis/apps/v1/namespaces/shop/deployments`, or cluster-wide without a namespace. */
export function collectionPath(type: ResourceType, namespace?: string): string {
  const root = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  return type.namespaced && namespace
    ? `${root}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`
    : `${root}/${type.plural}`;
}

/** Read-only RBAC rules for the given resources: what the ClusterRole in the docs grants. */
export function rbacRules(
  types: readonly ResourceType[],
): { apiGroups: string[]; resources: string[]; verbs: string[] }[] {
  const byGroup = new Map<string, Set<string>>();
  for (const type of types) {
    const resources = byGroup.get(type.group) ?? new Set<string>();
    resources.add(type.plural);
    byGroup.set(type.group, resources);
  }
  return [...byGroup.entries()].map(([group, resources]) => ({
    apiGroups: [group],
    resources: [...resources].sort(),
    verbs: ['get', 'list', 'watch'],
  }));
}
