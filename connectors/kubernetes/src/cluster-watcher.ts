// Everything the connector watches in one cluster: a ResourceWatch per resource (and namespace,
// when the options name namespaces) with the handler that turns its objects into changes, and the
// last touches every event gets (project mapping, environment) before it goes to the collector.
import type { ChangeEventInput, ConnectorContext, ProjectMapping } from '@painchain/sdk';
import { setMaxListeners } from 'node:events';
import { abortableSleep, backoffDelay, errorMessage } from '@painchain/sdk';
import { KubeApi, loadKubeConfig } from './kube-api.js';
import type {
  ClusterConfig,
  ResolvedKubernetesConfig,
  WatchableResource,
} from './kubernetes-config.js';
import { NamespaceEnvironments } from './namespace-environments.js';
import type { ChangeContext, ChangeDetector } from './normalize/change-detector.js';
import { configMapDetector } from './normalize/config-map-changes.js';
import { HELM_RELEASE_TYPE } from './normalize/helm-release.js';
import { revisionDetector } from './normalize/revision-changes.js';
import { secretDetector } from './normalize/secret-changes.js';
import { specDetector } from './normalize/spec-changes.js';
import {
  workloadDetector,
  type WorkloadKind,
  type WorkloadRecord,
} from './normalize/workload-changes.js';
import { ObjectChanges, type Emit, type WatchHandler } from './object-changes.js';
import { ResourceWatch, WATCH_BACKOFF, type Sleep } from './resource-watch.js';
import { WarningAlertsHandler } from './warning-alerts-handler.js';
import {
  collectionPath,
  NAMESPACES,
  RESOURCE_TYPES,
  type ResourceType,
} from './watched-resources.js';
import { WorkloadDirectory } from './workload-directory.js';

export interface ClusterWatcherOptions {
  cluster: ClusterConfig;
  config: ResolvedKubernetesConfig;
  ctx: ConnectorContext;
  mapping: ProjectMapping;
  secretKey: string;
  now: () => Date;
  sleep?: Sleep;
  /** Told whenever a watch lists, handles a change or fails. */
  onProgress: () => void;
}

/** One resource to watch: where, with which selectors, handled how. */
interface WatchPlan {
  type: ResourceType;
  /** Name in the state keys: `deployments`, `argoproj.io/applications`. */
  name: string;
  fieldSelector?: string;
  handler: (key: string) => WatchHandler;
}

export class ClusterWatcher {
  readonly watches: ResourceWatch[] = [];
  private readonly directory = new WorkloadDirectory();
  private environments: NamespaceEnvironments | undefined;
  /** Set when the kubeconfig could not be read: shown in the health details. */
  loadError = '';

  constructor(private readonly options: ClusterWatcherOptions) {}

  get name(): string {
    return this.options.cluster.name;
  }

  /** Runs until the connector stops; a cluster that cannot be reached never stops the others. */
  async run(): Promise<void> {
    const { cluster, ctx } = this.options;
    const signal = ctx.signal;
    let api: KubeApi | undefined;
    for (let failures = 1; !api && !signal.aborted; failures += 1) {
      try {
        api = new KubeApi(loadKubeConfig(cluster));
        this.loadError = '';
      } catch (error) {
        this.loadError = errorMessage(error);
        ctx.logger.error(
          { cluster: cluster.name, err: { message: this.loadError } },
          'cannot load the kubeconfig',
        );
        this.options.onProgress();
        await (this.options.sleep ?? abortableSleep)(backoffDelay(WATCH_BACKOFF, failures), signal);
      }
    }
    if (!api) return;

    // Every watch of the cluster listens for the stop: one listener each on a signal of its own,
    // so that a cluster with many collections does not look like a listener leak.
    const scope = new AbortController();
    const stop = () => scope.abort();
    signal.addEventListener('abort', stop, { once: true });
    const plans = this.plans();
    const namespaces = cluster.namespaces?.length ? cluster.namespaces : [undefined];
    setMaxListeners(10 + 2 * (plans.length + 1) * namespaces.length, scope.signal);

    const running: Promise<void>[] = [];
    const environmentLabel = this.options.config.environmentLabel;
    if (environmentLabel) {
      // Namespaces first: the first changes should already carry their environment.
      this.environments = new NamespaceEnvironments(environmentLabel);
      const watch = this.watch(
        api,
        scope.signal,
        undefined,
        { name: 'namespaces', type: NAMESPACES, handler: () => this.environments! },
        false,
      );
      running.push(watch.run());
      await this.settled(watch);
    }
    for (const plan of plans) {
      for (const namespace of plan.type.namespaced ? namespaces : [undefined]) {
        running.push(this.watch(api, scope.signal, namespace, plan, true).run());
      }
    }
    this.options.onProgress();
    await Promise.all(running);
    signal.removeEventListener('abort', stop);
  }

  private watch(
    api: KubeApi,
    signal: AbortSignal,
    namespace: string | undefined,
    plan: WatchPlan,
    resume: boolean,
  ): ResourceWatch {
    const { cluster, ctx } = this.options;
    const key = [cluster.name, plan.name, namespace].filter(Boolean).join('/');
    const watch = new ResourceWatch({
      api,
      path: collectionPath(plan.type, namespace),
      labelSelector: cluster.labelSelector,
      fieldSelector: plan.fieldSelector,
      checkpointKey: resume ? `resourceVersion:${key}` : undefined,
      state: ctx.state,
      handler: plan.handler(key),
      logger: ctx.logger,
      signal,
      sleep: this.options.sleep,
      onProgress: () => this.options.onProgress(),
    });
    this.watches.push(watch);
    return watch;
  }

  /** Until the watch has listed once or failed once (then the others start anyway). */
  private async settled(watch: ResourceWatch): Promise<void> {
    const signal = this.options.ctx.signal;
    while (!signal.aborted && !watch.synced && watch.stats.failures === 0) {
      await abortableSleep(20, signal);
    }
  }

  private plans(): WatchPlan[] {
    const { config, secretKey, ctx } = this.options;
    const base: ChangeContext = {
      cluster: this.options.cluster.name,
      now: this.options.now,
      serviceLabels: config.serviceLabels,
      ignoreAnnotations: config.ignoreAnnotations,
      maxValueLength: config.maxValueLength,
    };
    const objects =
      <R>(detector: ChangeDetector<R>, onRecord?: (uid: string, record: R | undefined) => void) =>
      (key: string): WatchHandler =>
        new ObjectChanges<R>({ key, state: ctx.state, detector, emit: this.emit, onRecord });
    const plans: WatchPlan[] = [];
    const workloads: [keyof typeof RESOURCE_TYPES, WorkloadKind][] = [
      ['deployments', 'Deployment'],
      ['statefulsets', 'StatefulSet'],
      ['daemonsets', 'DaemonSet'],
    ];
    for (const [name, kind] of workloads) {
      if (!config.watch.has(name)) continue;
      const detector = workloadDetector(kind, {
        ...base,
        scaleMinIntervalMs: config.scaleMinIntervalMs,
      });
      plans.push({
        name,
        type: RESOURCE_TYPES[name],
        handler: objects<WorkloadRecord>(detector, (uid, record) =>
          this.directory.update(uid, record),
        ),
      });
    }
    if (config.watch.has('configmaps')) {
      plans.push({
        name: 'configmaps',
        type: RESOURCE_TYPES.configmaps,
        handler: objects(
          configMapDetector({ ...base, showConfigMapValues: config.showConfigMapValues }),
        ),
      });
    }
    const plain = config.watch.has('secrets');
    const helm = config.watch.has('helmreleases');
    if (plain || helm) {
      plans.push({
        name: 'secrets',
        type: RESOURCE_TYPES.secrets,
        // Only Helm's Secrets when ordinary ones are not followed: the server filters them.
        fieldSelector: plain ? undefined : `type=${HELM_RELEASE_TYPE}`,
        handler: objects(secretDetector({ ...base, secretKey, plain, helm })),
      });
    }
    if (config.watch.has('events')) {
      plans.push({
        name: 'events',
        type: RESOURCE_TYPES.events,
        fieldSelector: 'type=Warning',
        handler: (key) =>
          new WarningAlertsHandler({
            key,
            state: ctx.state,
            emit: this.emit,
            context: {
              cluster: base.cluster,
              now: base.now,
              windowMs: config.alertWindowMs,
              reasons: config.warningReasons,
              workloadOf: (namespace, pod) => this.directory.workloadOf(namespace, pod),
            },
          }),
      });
    }
    for (const [name, type] of Object.entries(RESOURCE_TYPES)) {
      if (!type.specDiff || !config.watch.has(name as WatchableResource)) continue;
      plans.push({ name, type, handler: objects(specDetector(type.kind, base)) });
    }
    for (const custom of config.customResources) {
      const type: ResourceType = {
        group: custom.group,
        version: custom.version,
        plural: custom.resource,
        kind: custom.resource,
        namespaced: custom.namespaced,
      };
      const kind = kindName(custom.resource);
      plans.push({
        name: `${custom.group}/${custom.resource}`,
        type,
        handler: objects<unknown>(
          (custom.kind === 'deploy'
            ? revisionDetector(kind, custom, base)
            : specDetector(kind, base)) as ChangeDetector<unknown>,
        ),
      });
    }
    return plans;
  }

  /** Project mapping first (explicit config), then the namespace's label, then the cluster's. */
  private readonly emit: Emit = async (events: ChangeEventInput[]) => {
    const { mapping, cluster, ctx } = this.options;
    const mapped = mapping.apply(events).map((event) => {
      if (event.environment) return event;
      const namespace = event.project.slice(cluster.name.length + 1);
      const environment = this.environments?.environmentOf(namespace) ?? cluster.environment;
      return environment ? { ...event, environment } : event;
    });
    ctx.logger.debug(
      { cluster: cluster.name, changes: mapped.map((event) => event.title) },
      'changes recorded',
    );
    await ctx.emit(mapped);
  };
}

/** `applications` → `Application`, for titles: the API only names the plural here. */
function kindName(plural: string): string {
  const singular = plural.endsWith('ies')
    ? `${plural.slice(0, -3)}y`
    : plural.endsWith('ses')
      ? plural.slice(0, -2)
      : plural.replace(/s$/, '');
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}
