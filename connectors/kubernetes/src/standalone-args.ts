// The Kubernetes connector's part of the standalone command line: one cluster from a kubeconfig
// (or the pod's service account) without writing an options file. The rest is the SDK's.
import type { StandaloneCliSpec } from '@painchain/sdk/standalone';
import { kubernetesConnector } from './kubernetes-connector.js';

export const KUBERNETES_CLI: StandaloneCliSpec<typeof kubernetesConnector.configSchema> = {
  definition: kubernetesConnector,
  command: 'painchain-kubernetes',
  summary: 'the Kubernetes connector as its own process (in the cluster or beside it)',
  flags: {
    cluster: {
      valueName: 'NAME',
      description: 'name of the cluster in projects (default: the context name, or "in-cluster")',
    },
    'in-cluster': { valueName: 'true', description: 'use the pod service account' },
    kubeconfig: { valueName: 'FILE', description: 'kubeconfig file (default: $KUBECONFIG)' },
    context: {
      valueName: 'NAME',
      description: 'kubeconfig context (default: its current-context)',
    },
    namespace: { valueName: 'NS', description: 'watch only this namespace', multiple: true },
    environment: { valueName: 'ENV', description: 'environment of every change in the cluster' },
  },
  notes: `Without --options, one cluster is watched: --in-cluster true, or --kubeconfig (or $KUBECONFIG).
Clusters given in the options file are kept; the flags add one more.`,
  applyArgs(options, flags, env) {
    const inCluster = flags['in-cluster']?.at(-1);
    if (inCluster !== undefined && inCluster !== 'true' && inCluster !== 'false') {
      throw new Error('--in-cluster takes true or false');
    }
    const kubeconfig =
      flags.kubeconfig?.at(-1) ??
      (inCluster === 'true' ? undefined : env.KUBECONFIG?.split(':')[0]);
    const context = flags.context?.at(-1);
    const given = Object.keys(flags).some((flag) => (flags[flag] ?? []).length > 0);
    const clusters = (options.clusters as unknown[] | undefined) ?? [];
    // An options file with clusters and no flags: nothing to add.
    if (!given && clusters.length > 0) return;
    if (inCluster !== 'true' && !kubeconfig) {
      throw new Error(
        'say where the cluster is: --in-cluster true, --kubeconfig FILE or $KUBECONFIG',
      );
    }
    const name =
      flags.cluster?.at(-1) ?? (inCluster === 'true' ? 'in-cluster' : (context ?? 'default'));
    const namespaces = flags.namespace ?? [];
    const environment = flags.environment?.at(-1);
    options.clusters = [
      ...clusters,
      {
        name,
        ...(inCluster === 'true' ? { inCluster: true } : { kubeconfig }),
        ...(context ? { context } : {}),
        ...(namespaces.length > 0 ? { namespaces } : {}),
        ...(environment ? { environment } : {}),
      },
    ];
  },
};
