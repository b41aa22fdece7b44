// The Kubernetes connector's options (under `options:` in painchain.yaml): one TypeBox schema, the
// named defaults, and the checks a schema cannot express, reported all at once.
import type { OptionProblem, ProjectDefaults } from '@painchain/sdk';
import { Type, type Static } from 'typebox';

/** The built-in resources the connector can watch; `watch` in the options picks among them. */
export const WATCHABLE_RESOURCES = [
  'deployments',
  'statefulsets',
  'daemonsets',
  'configmaps',
  'secrets',
  'helmreleases',
  'events',
  'ingresses',
  'services',
  'horizontalpodautoscalers',
  'cronjobs',
  'poddisruptionbudgets',
  'networkpolicies',
] as const;
export type WatchableResource = (typeof WATCHABLE_RESOURCES)[number];

/** The Warning reasons that say pods are failing (kubelet, scheduler): each becomes an alert. */
export const DEFAULT_WARNING_REASONS = [
  'BackOff',
  'CrashLoopBackOff',
  'OOMKilling',
  'FailedScheduling',
  'Unhealthy',
  'FailedMount',
];
/** Where the service name comes from, first label found wins. */
export const DEFAULT_SERVICE_LABELS = ['app.kubernetes.io/name', 'app'];
/** HPA flapping: replica changes of one workload within this many minutes are one scale event. */
export const DEFAULT_SCALE_MIN_INTERVAL_MINUTES = 5;
/** Warning events of one object and reason within this many minutes are one alert. */
export const DEFAULT_ALERT_WINDOW_MINUTES = 10;
/** ConfigMap values, when shown at all, are cut to this many characters. */
export const DEFAULT_MAX_VALUE_LENGTH = 80;

const Name = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: 63,
    pattern: '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$',
    description,
  });

const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 32 });

export const ClusterConfig = Type.Object(
  {
    name: Name('the cluster as it appears in every project: <name>/<namespace>'),
    kubeconfig: Type.Optional(
      Type.String({ minLength: 1, description: 'path of a kubeconfig file' }),
    ),
    kubeconfigData: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'a whole kubeconfig as YAML text: write ${KUBECONFIG_PROD}',
      }),
    ),
    context: Type.Optional(
      Type.String({
        minLength: 1,
        description: "kubeconfig context; the file's current-context by default",
      }),
    ),
    inCluster: Type.Optional(
      Type.Boolean({
        description: 'use the pod service account (the connector runs in this cluster)',
      }),
    ),
    namespaces: Type.Optional(
      Type.Array(Name('namespace'), {
        uniqueItems: true,
        maxItems: 200,
        description: 'watch only these namespaces (a namespaced Role is enough); all by default',
      }),
    ),
    labelSelector: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description: 'only objects matching this label selector',
      }),
    ),
    environment: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'environment of every change in this cluster',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ClusterConfig = Static<typeof ClusterConfig>;

export const ProjectConfig = Type.Object(
  {
    project: Type.String({ minLength: 1, maxLength: 512, description: '<cluster>/<namespace>' }),
    service: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    environment: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false },
);

export const CustomResourceConfig = Type.Object(
  {
    group: Type.String({
      minLength: 1,
      maxLength: 253,
      description: 'API group, e.g. argoproj.io',
    }),
    version: Type.String({ minLength: 1, maxLength: 63, pattern: '^v[0-9a-z]+$' }),
    resource: Type.String({
      minLength: 1,
      maxLength: 63,
      pattern: '^[a-z0-9]+$',
      description: 'plural resource name, e.g. applications',
    }),
    namespaced: Type.Optional(Type.Boolean({ description: 'true by default' })),
    kind: Type.Optional(
      Type.Union([Type.Literal('deploy'), Type.Literal('config')], {
        description:
          'deploy: a new value at revisionPath is a deploy (status from statusPath); config: a field diff of spec',
      }),
    ),
    revisionPath: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'dotted path of the deployed revision, e.g. status.sync.revision',
      }),
    ),
    statusPath: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'dotted path of the health or phase, e.g. status.health.status',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CustomResourceConfig = Static<typeof CustomResourceConfig>;

export const KubernetesConfig = Type.Object(
  {
    clusters: Type.Optional(Type.Array(ClusterConfig, { maxItems: 50 })),
    watch: Type.Optional(
      Type.Array(Type.Enum(WATCHABLE_RESOURCES), {
        uniqueItems: true,
        description: 'resources to watch; all by default',
      }),
    ),
    customResources: Type.Optional(Type.Array(CustomResourceConfig, { maxItems: 20 })),
    serviceLabels: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 317 }), {
        minItems: 1,
        maxItems: 10,
        description: 'labels naming the service, first found wins',
      }),
    ),
    environmentLabel: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 317,
        description: 'namespace label naming the environment (then namespaces are watched too)',
      }),
    ),
    projects: Type.Optional(Type.Array(ProjectConfig, { maxItems: 2000 })),
    scaleMinIntervalMinutes: Type.Optional(Type.Number({ minimum: 0, maximum: 1440 })),
    alertWindowMinutes: Type.Optional(Type.Number({ minimum: 1, maximum: 1440 })),
    warningReasons: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
        uniqueItems: true,
        maxItems: 100,
      }),
    ),
    showConfigMapValues: Type.Optional(
      Type.Boolean({
        description: 'show old → new ConfigMap values (truncated); keys only by default',
      }),
    ),
    maxValueLength: Type.Optional(Type.Integer({ minimum: 8, maximum: 1000 })),
    ignoreAnnotations: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 317 }), {
        maxItems: 100,
        description: 'more annotations that churn and must not count as changes',
      }),
    ),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false },
);
export type KubernetesConfig = Static<typeof KubernetesConfig>;

/** The options with every default applied: what the connector reads. */
export interface ResolvedKubernetesConfig {
  clusters: ClusterConfig[];
  watch: ReadonlySet<WatchableResource>;
  customResources: Required<CustomResourceConfig>[];
  serviceLabels: string[];
  environmentLabel: string | undefined;
  projects: ProjectDefaults[];
  scaleMinIntervalMs: number;
  alertWindowMs: number;
  warningReasons: ReadonlySet<string>;
  showConfigMapValues: boolean;
  maxValueLength: number;
  ignoreAnnotations: string[];
  tags: string[];
}

/** Options that make a valid connector watching nothing. */
export function defaultKubernetesConfig(): KubernetesConfig {
  return {
    clusters: [],
    watch: [...WATCHABLE_RESOURCES],
    serviceLabels: [...DEFAULT_SERVICE_LABELS],
    scaleMinIntervalMinutes: DEFAULT_SCALE_MIN_INTERVAL_MINUTES,
    alertWindowMinutes: DEFAULT_ALERT_WINDOW_MINUTES,
    warningReasons: [...DEFAULT_WARNING_REASONS],
    showConfigMapValues: false,
    maxValueLength: DEFAULT_MAX_VALUE_LENGTH,
  };
}

/** Every problem the schema cannot see, with its path below `options` and the fix in words. */
export function validateKubernetesConfig(config: KubernetesConfig): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const seen = new Map<string, number>();
  (config.clusters ?? []).forEach((cluster, index) => {
    const sources = [
      cluster.kubeconfig && 'kubeconfig',
      cluster.kubeconfigData && 'kubeconfigData',
      cluster.inCluster && 'inCluster',
    ].filter(Boolean);
    if (sources.length !== 1) {
      problems.push({
        path: ['clusters', index],
        message:
          sources.length === 0
            ? 'needs one of kubeconfig (a file), kubeconfigData (its text) or inCluster: true'
            : `set one of ${sources.join(', ')}, not several`,
      });
    }
    if (cluster.inCluster && cluster.context) {
      problems.push({
        path: ['clusters', index, 'context'],
        message: 'a context belongs to a kubeconfig; inCluster uses the pod service account',
      });
    }
    const earlier = seen.get(cluster.name);
    if (earlier !== undefined) {
      problems.push({
        path: ['clusters', index, 'name'],
        message: `${cluster.name} is listed twice (also clusters[${earlier}])`,
      });
    }
    seen.set(cluster.name, index);
  });
  (config.customResources ?? []).forEach((resource, index) => {
    if ((resource.kind ?? 'config') === 'deploy' && !resource.revisionPath) {
      problems.push({
        path: ['customResources', index, 'revisionPath'],
        message: 'kind deploy needs the path of the deployed revision (e.g. status.sync.revision)',
      });
    }
  });
  return problems;
}

/** Applies the defaults to options that passed validateKubernetesConfig (checked at load). */
export function resolveKubernetesConfig(config: KubernetesConfig): ResolvedKubernetesConfig {
  return {
    clusters: config.clusters ?? [],
    watch: new Set(config.watch ?? WATCHABLE_RESOURCES),
    customResources: (config.customResources ?? []).map((resource) => ({
      group: resource.group,
      version: resource.version,
      resource: resource.resource,
      namespaced: resource.namespaced ?? true,
      kind: resource.kind ?? 'config',
      revisionPath: resource.revisionPath ?? '',
      statusPath: resource.statusPath ?? '',
    })),
    serviceLabels: config.serviceLabels ?? [...DEFAULT_SERVICE_LABELS],
    environmentLabel: config.environmentLabel,
    projects: config.projects ?? [],
    scaleMinIntervalMs:
      (config.scaleMinIntervalMinutes ?? DEFAULT_SCALE_MIN_INTERVAL_MINUTES) * 60_000,
    alertWindowMs: (config.alertWindowMinutes ?? DEFAULT_ALERT_WINDOW_MINUTES) * 60_000,
    warningReasons: new Set(config.warningReasons ?? DEFAULT_WARNING_REASONS),
    showConfigMapValues: config.showConfigMapValues ?? false,
    maxValueLength: config.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH,
    ignoreAnnotations: config.ignoreAnnotations ?? [],
    tags: config.tags ?? [],
  };
}
