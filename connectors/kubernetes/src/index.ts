// @painchain/connector-kubernetes: the definition the collector registers, and the parts tests
// and the standalone process use.
export {
  createKubernetesConnectorDefinition,
  kubernetesConnector,
  KubernetesConnector,
  SECRET_DIGEST_KEY,
  type KubernetesConnectorOptions,
} from './kubernetes-connector.js';
export {
  DEFAULT_ALERT_WINDOW_MINUTES,
  DEFAULT_SCALE_MIN_INTERVAL_MINUTES,
  DEFAULT_SERVICE_LABELS,
  DEFAULT_WARNING_REASONS,
  KubernetesConfig,
  WATCHABLE_RESOURCES,
  defaultKubernetesConfig,
  resolveKubernetesConfig,
  validateKubernetesConfig,
  type ClusterConfig,
  type ResolvedKubernetesConfig,
  type WatchableResource,
} from './kubernetes-config.js';
export {
  collectionPath,
  rbacRules,
  RESOURCE_TYPES,
  type ResourceType,
} from './watched-resources.js';
export {
  decodeHelmRelease,
  HELM_RELEASE_TYPE,
  type HelmRelease,
} from './normalize/helm-release.js';
export type { KubeObject, Wire } from './kube-object.js';
export { KUBERNETES_CLI } from './standalone-args.js';
