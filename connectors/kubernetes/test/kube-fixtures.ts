// The objects of testdata/ (Kubernetes documentation examples, a Helm release) typed with
// client-node's models, and the changes a cluster makes to them: controller status updates, a
// Helm release Secret as Helm's driver writes it, kubelet Warning events.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type {
  CoreV1Event,
  V1ConfigMap,
  V1Deployment,
  V1DeploymentStatus,
  V1HorizontalPodAutoscaler,
  V1Ingress,
  V1Secret,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { Wire } from '../src/kube-object.js';

const testdata = (file: string) => new URL(`../testdata/${file}`, import.meta.url);
const load = <T>(file: string): T => parse(readFileSync(testdata(file), 'utf8')) as T;

export const NAMESPACE = 'default';

/** A documentation example, placed in `namespace` (the examples leave it to kubectl). */
function example<T extends { metadata?: object }>(file: string, namespace: string): T {
  const object = load<T>(file);
  return { ...object, metadata: { ...object.metadata, namespace } };
}

export const nginxDeployment = (namespace = NAMESPACE) =>
  example<Wire<V1Deployment>>('nginx-deployment.yaml', namespace);
export const gameDemoConfigMap = (namespace = NAMESPACE) =>
  example<Wire<V1ConfigMap>>('game-demo-configmap.yaml', namespace);
export const mySecret = (namespace = NAMESPACE) =>
  example<Wire<V1Secret>>('mysecret.yaml', namespace);
export const phpApacheHpa = (namespace = NAMESPACE) =>
  example<Wire<V1HorizontalPodAutoscaler>>('php-apache-hpa.yaml', namespace);
export const minimalIngress = (namespace = NAMESPACE) =>
  example<Wire<V1Ingress>>('minimal-ingress.yaml', namespace);

/** The plain values of mysecret.yaml and of the Helm release's values: never to be seen again. */
export const SECRET_VALUES = [
  'admin',
  '1f2d1e2e67df',
  'YWRtaW4=',
  'MWYyZDFlMmU2N2Rm',
  'helm-value-s3cr3t-Zq81',
];

/** The nginx Deployment with another image: `kubectl set image … nginx=<image>`. */
export function withImage(deployment: Wire<V1Deployment>, image: string): Wire<V1Deployment> {
  const copy = structuredClone(deployment);
  copy.spec!.template.spec!.containers[0]!.image = image;
  return copy;
}

export function withReplicas(deployment: Wire<V1Deployment>, replicas: number): Wire<V1Deployment> {
  const copy = structuredClone(deployment);
  copy.spec!.replicas = replicas;
  return copy;
}

/** `kubectl rollout restart`: a template annotation with the time. */
export function restarted(deployment: Wire<V1Deployment>, at: Date): Wire<V1Deployment> {
  const copy = structuredClone(deployment);
  const metadata = (copy.spec!.template.metadata ??= {});
  metadata.annotations = {
    ...metadata.annotations,
    'kubectl.kubernetes.io/restartedAt': at.toISOString(),
  };
  return copy;
}

/**
 * The Deployment controller's status as the Deployment docs show it: rolling out (progressing),
 * complete (NewReplicaSetAvailable), or stuck (ProgressDeadlineExceeded).
 */
export function deploymentStatus(
  deployment: Wire<V1Deployment>,
  phase: 'progressing' | 'complete' | 'deadline',
  at: Date,
): Wire<V1DeploymentStatus> {
  const desired = deployment.spec?.replicas ?? 1;
  const generation = deployment.metadata?.generation ?? 1;
  const time = at.toISOString();
  const replicaSet = `${deployment.metadata?.name}-4262182780`;
  const available = {
    type: 'Available',
    status: 'True',
    reason: 'MinimumReplicasAvailable',
    message: 'Deployment has minimum availability.',
    lastUpdateTime: time,
    lastTransitionTime: time,
  };
  const condition = (status: string, reason: string, message: string) => ({
    type: 'Progressing',
    status,
    reason,
    message: `ReplicaSet "${replicaSet}" ${message}.`,
    lastUpdateTime: time,
    lastTransitionTime: time,
  });
  // While rolling out, one new pod runs beside the old ones (maxSurge).
  const rolling = {
    observedGeneration: generation,
    replicas: desired + 1,
    updatedReplicas: 1,
    readyReplicas: desired,
    availableReplicas: desired,
    unavailableReplicas: 1,
  };
  switch (phase) {
    case 'progressing':
      return {
        ...rolling,
        conditions: [available, condition('True', 'ReplicaSetUpdated', 'is progressing')],
      };
    case 'complete':
      return {
        observedGeneration: generation,
        replicas: desired,
        updatedReplicas: desired,
        readyReplicas: desired,
        availableReplicas: desired,
        conditions: [
          available,
          condition('True', 'NewReplicaSetAvailable', 'has successfully progressed'),
        ],
      };
    case 'deadline':
      return {
        ...rolling,
        conditions: [
          available,
          condition('False', 'ProgressDeadlineExceeded', 'has timed out progressing'),
        ],
      };
  }
}

interface HelmReleaseJson {
  name: string;
  version: number;
  namespace: string;
  info: { status: string; description: string; last_deployed: string };
  chart: { metadata: { version: string; appVersion: string } };
}

/**
 * A Helm release Secret as Helm 3's Secret driver writes it: the release JSON gzipped and
 * base64-encoded into `data.release` (which the API then base64-encodes once more on the wire).
 */
export function helmReleaseSecret(
  change: {
    revision: number;
    status: string;
    description?: string;
    chartVersion?: string;
    deployedAt?: Date;
  },
  namespace = 'shop',
): Wire<V1Secret> {
  const release = JSON.parse(
    readFileSync(testdata('helm-release.json'), 'utf8'),
  ) as HelmReleaseJson;
  release.version = change.revision;
  release.namespace = namespace;
  release.info.status = change.status;
  release.info.description =
    change.description ?? (change.revision === 1 ? 'Install complete' : 'Upgrade complete');
  if (change.chartVersion) release.chart.metadata.version = change.chartVersion;
  if (change.deployedAt) release.info.last_deployed = change.deployedAt.toISOString();
  const helmEncoded = gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: {
      name: `sh.helm.release.v1.${release.name}.v${change.revision}`,
      namespace,
      labels: {
        name: release.name,
        owner: 'helm',
        status: change.status,
        version: String(change.revision),
      },
    },
    data: { release: Buffer.from(helmEncoded).toString('base64') },
  };
}

/** backoff-event.yaml for another pod, count and time: what the kubelet writes as it retries. */
export function backoffEvent(
  pod: string,
  count: number,
  at: Date,
  options: { namespace?: string; name?: string; reason?: string; message?: string } = {},
): Wire<CoreV1Event> {
  const event = load<Wire<CoreV1Event>>('backoff-event.yaml');
  const namespace = options.namespace ?? NAMESPACE;
  return {
    ...event,
    metadata: { name: options.name ?? `${pod}.17a1b5c0a1f3e2d4`, namespace },
    involvedObject: { ...event.involvedObject, name: pod, namespace },
    reason: options.reason ?? event.reason,
    message: options.message ?? event.message,
    count,
    lastTimestamp: at.toISOString(),
    firstTimestamp: count === 1 ? at.toISOString() : event.firstTimestamp,
  };
}
