// The Kubernetes connector: its definition for the collector's registry, and the connector itself,
// which watches every configured cluster until stopped and reports what it sees. With leases
// (collector replicas on one database) each cluster is watched by the replica holding its lease.
import { randomBytes } from 'node:crypto';
import {
  abortableSleep,
  LeasedSources,
  ProjectMapping,
  type Connector,
  type ConnectorContext,
  type ConnectorDefinition,
  type SourceLeases,
} from '@painchain/sdk';
// Type only: the watcher (and @kubernetes/client-node, ~70 MB of a process's memory once loaded)
// is imported when a cluster is watched, not by every collector that registers the type.
import type { ClusterWatcher } from './cluster-watcher.js';
import {
  KubernetesConfig,
  defaultKubernetesConfig,
  resolveKubernetesConfig,
  validateKubernetesConfig,
  type ClusterConfig,
  type ResolvedKubernetesConfig,
} from './kubernetes-config.js';
import type { Sleep } from './resource-watch.js';

/** Knobs for tests; painchain.yaml never sets these. */
export interface KubernetesConnectorOptions {
  now?: () => Date;
  /** Backoff waits (reconnects); tests make them short. */
  sleep?: Sleep;
}

/** State key of the key that secret digests are made with. */
export const SECRET_DIGEST_KEY = 'secret-digest-key';
/** Nothing to watch: run() waits for the stop in steps a timer can hold (under 2^31 ms). */
const IDLE_WAIT_MS = 24 * 60 * 60_000;
/** Health is reported at most this often while frames stream in. */
const HEALTH_INTERVAL_MS = 1_000;

export class KubernetesConnector implements Connector {
  private readonly config: ResolvedKubernetesConfig;
  private readonly mapping: ProjectMapping;
  private clusters: ClusterWatcher[] = [];
  /** With leases: the configured clusters another replica watches. */
  private elsewhere = 0;
  private reportedAt = Number.NEGATIVE_INFINITY;
  private reportedMessage = '';

  constructor(
    private readonly ctx: ConnectorContext<KubernetesConfig>,
    private readonly options: KubernetesConnectorOptions = {},
  ) {
    this.config = resolveKubernetesConfig(ctx.config);
    // Namespaces and names in Kubernetes are case-sensitive.
    this.mapping = new ProjectMapping(this.config.projects, {
      tags: this.config.tags,
      caseSensitive: true,
    });
  }

  async run(): Promise<void> {
    const { ctx, config } = this;
    if (config.clusters.length === 0) {
      ctx.reportHealth({ message: 'idle: no clusters configured', details: { clusters: 0 } });
      while (!ctx.signal.aborted) await abortableSleep(IDLE_WAIT_MS, ctx.signal);
      return;
    }
    const { ClusterWatcher } = await import('./cluster-watcher.js');
    const secretKey = await this.secretDigestKey();
    const now = this.options.now ?? (() => new Date());
    const watcher = (cluster: ClusterConfig, signal: AbortSignal) =>
      new ClusterWatcher({
        cluster,
        config,
        ctx: { ...ctx, signal },
        mapping: this.mapping,
        secretKey,
        now,
        sleep: this.options.sleep,
        onProgress: () => this.report(),
      });
    if (ctx.leases) return this.runLeased(ctx.leases, watcher);
    this.clusters = config.clusters.map((cluster) => watcher(cluster, ctx.signal));
    await Promise.all(this.clusters.map((cluster) => cluster.run()));
  }

  /**
   * Watches the clusters this replica holds a lease on, and claims again every renewal period:
   * a cluster gained (a replica stopped or died) is watched from its saved resourceVersions, one
   * held beyond this replica's share is stopped and then given up, a lost one is stopped.
   */
  private async runLeased(
    leases: SourceLeases,
    watcher: (cluster: ClusterConfig, signal: AbortSignal) => ClusterWatcher,
  ): Promise<void> {
    const { ctx, config } = this;
    const leased = new LeasedSources(leases, { logger: ctx.logger });
    const names = config.clusters.map((cluster) => cluster.name);
    const running = new Map<string, Promise<void>>();
    try {
      while (!ctx.signal.aborted) {
        const { gained, surplus } = await leased.claim(names);
        if (surplus.length > 0) {
          await leased.release(surplus, () =>
            Promise.all(surplus.map((name) => running.get(name))),
          );
        }
        for (const name of gained) {
          const cluster = config.clusters.find((candidate) => candidate.name === name)!;
          const watch = watcher(cluster, AbortSignal.any([ctx.signal, leased.signalOf(name)]));
          this.clusters.push(watch);
          // A cluster lost and gained again waits for its previous watcher to end first.
          const previous = running.get(name) ?? Promise.resolve();
          const run: Promise<void> = previous
            .then(() => watch.run())
            .finally(() => {
              if (running.get(name) === run) running.delete(name);
              this.clusters = this.clusters.filter((candidate) => candidate !== watch);
              this.report();
            });
          running.set(name, run);
        }
        this.elsewhere = names.length - leased.list().length;
        this.report();
        await abortableSleep(leases.renewEveryMs, ctx.signal);
      }
    } finally {
      // Watchers end (and save their positions) before another replica may take their clusters.
      await leased.release(leased.list(), () => Promise.all(running.values()));
      await leased.leave();
    }
  }

  /** Made once per instance and kept in its state: digests stay comparable across restarts. */
  private async secretDigestKey(): Promise<string> {
    const stored = await this.ctx.state.get<string>(SECRET_DIGEST_KEY);
    if (stored) return stored;
    const key = randomBytes(32).toString('hex');
    await this.ctx.state.set(SECRET_DIGEST_KEY, key);
    return key;
  }

  /** What /api/v1/connectors shows: watches synced and failing, per cluster and in total. */
  private report(): void {
    const watches = this.clusters.flatMap((cluster) => cluster.watches);
    const synced = watches.filter((watch) => watch.synced).length;
    const failing = watches.filter((watch) => watch.stats.failures > 0 && !watch.synced).length;
    const unreadable = this.clusters.filter((cluster) => cluster.loadError);
    const all = watches.length > 0 && synced === watches.length;
    const clusters = this.clusters.length;
    const elsewhere = this.elsewhere ? ` (${this.elsewhere} more on other replicas)` : '';
    const standingBy = clusters === 0 && this.elsewhere > 0;
    const message =
      unreadable.length > 0
        ? `cannot read the kubeconfig of ${unreadable.map((c) => c.name).join(', ')}: ${unreadable[0]!.loadError}`
        : standingBy
          ? `standing by: ${this.elsewhere} cluster${this.elsewhere === 1 ? '' : 's'} watched by other replicas`
          : all
            ? `watching ${watches.length} collections in ${clusters} cluster${clusters === 1 ? '' : 's'}${elsewhere}`
            : `listing: ${synced} of ${watches.length} collections read${failing ? `, ${failing} failing` : ''}${elsewhere}`;
    // A new message at once; the same one (a stream of changes) at most every interval.
    const now = Date.now();
    if (message === this.reportedMessage && now - this.reportedAt < HEALTH_INTERVAL_MS) return;
    this.reportedAt = now;
    this.reportedMessage = message;
    this.ctx.reportHealth({
      message,
      ...(all ? { lastSyncAt: new Date() } : {}),
      progress:
        all || standingBy
          ? null
          : { phase: 'initial list', done: synced, total: watches.length, unit: 'collections' },
      details: {
        clusters,
        ...(this.elsewhere > 0 ? { clustersOnOtherReplicas: this.elsewhere } : {}),
        watches: watches.length,
        synced,
        failing,
        relists: watches.reduce((sum, watch) => sum + watch.stats.relists, 0),
        changesSeen: watches.reduce((sum, watch) => sum + watch.stats.frames, 0),
      },
    });
  }
}

/** The definition, with test knobs; the registry uses `kubernetesConnector`. */
export function createKubernetesConnectorDefinition(
  options: KubernetesConnectorOptions = {},
): ConnectorDefinition<typeof KubernetesConfig> {
  return {
    type: 'kubernetes',
    description:
      'Kubernetes clusters: rollouts (deploys, rollbacks, restarts) with their outcome, scaling, ConfigMap, Secret (never values) and spec changes, Helm releases, and Warning events as alerts, from list and watch',
    kinds: ['deploy', 'rollback', 'scale', 'config', 'alert'],
    configSchema: KubernetesConfig,
    defaultConfig: defaultKubernetesConfig,
    validate: validateKubernetesConfig,
    create: (ctx) => new KubernetesConnector(ctx, options),
  };
}

export const kubernetesConnector = createKubernetesConnectorDefinition();
