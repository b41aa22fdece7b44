// A stored change as OpenTelemetry log attributes: ours under `painchain.change.*`, and the
// semantic conventions' vcs.*, cicd.*, deployment.* and k8s.* where the change has the facts.
// Pure functions; the table in docs/opentelemetry.md says the same.
import type { Attributes } from '@opentelemetry/api';
import type { ChangeEvent, ChangeStatus } from '@painchain/sdk';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_K8S_CLUSTER_NAME,
  ATTR_K8S_DAEMONSET_NAME,
  ATTR_K8S_DEPLOYMENT_NAME,
  ATTR_K8S_NAMESPACE_NAME,
  ATTR_K8S_STATEFULSET_NAME,
} from '@opentelemetry/semantic-conventions';
// vcs.*, cicd.* and deployment.{id,name,status} are still "development" in semantic-conventions
// 1.45: they live in the incubating entry point, whose names may change in a minor release; the
// version is pinned exactly so that what we send changes only when we upgrade on purpose.
import {
  ATTR_CICD_PIPELINE_NAME,
  ATTR_CICD_PIPELINE_RESULT,
  ATTR_CICD_PIPELINE_RUN_ID,
  ATTR_CICD_PIPELINE_RUN_URL_FULL,
  ATTR_DEPLOYMENT_ID,
  ATTR_DEPLOYMENT_NAME,
  ATTR_DEPLOYMENT_STATUS,
  ATTR_VCS_CHANGE_ID,
  ATTR_VCS_CHANGE_STATE,
  ATTR_VCS_CHANGE_TITLE,
  ATTR_VCS_OWNER_NAME,
  ATTR_VCS_PROVIDER_NAME,
  ATTR_VCS_REF_HEAD_NAME,
  ATTR_VCS_REF_HEAD_REVISION,
  ATTR_VCS_REF_HEAD_TYPE,
  ATTR_VCS_REPOSITORY_NAME,
  ATTR_VCS_REPOSITORY_URL_FULL,
  CICD_PIPELINE_RESULT_VALUE_CANCELLATION,
  CICD_PIPELINE_RESULT_VALUE_ERROR,
  CICD_PIPELINE_RESULT_VALUE_FAILURE,
  CICD_PIPELINE_RESULT_VALUE_SKIP,
  CICD_PIPELINE_RESULT_VALUE_SUCCESS,
  CICD_PIPELINE_RESULT_VALUE_TIMEOUT,
  DEPLOYMENT_STATUS_VALUE_FAILED,
  DEPLOYMENT_STATUS_VALUE_SUCCEEDED,
  VCS_CHANGE_STATE_VALUE_CLOSED,
  VCS_CHANGE_STATE_VALUE_MERGED,
  VCS_CHANGE_STATE_VALUE_OPEN,
  VCS_REF_HEAD_TYPE_VALUE_BRANCH,
  VCS_REF_HEAD_TYPE_VALUE_TAG,
} from '@opentelemetry/semantic-conventions/incubating';

/** The event name of every change record. */
export const CHANGE_EVENT_NAME = 'painchain.change';

/** Connectors whose `project` is a repository path (`owner/repo`), named as vcs.provider.name says. */
const VCS_PROVIDERS = new Set(['github', 'gitlab', 'bitbucket', 'gitea']);
const PIPELINE_KINDS = new Set(['pipeline']);
const DEPLOY_KINDS = new Set(['deploy', 'rollback']);
const VCS_CHANGE_KINDS = new Set(['pull_request', 'merge']);

type CicdResult =
  | typeof CICD_PIPELINE_RESULT_VALUE_SUCCESS
  | typeof CICD_PIPELINE_RESULT_VALUE_FAILURE
  | typeof CICD_PIPELINE_RESULT_VALUE_ERROR
  | typeof CICD_PIPELINE_RESULT_VALUE_TIMEOUT
  | typeof CICD_PIPELINE_RESULT_VALUE_CANCELLATION
  | typeof CICD_PIPELINE_RESULT_VALUE_SKIP;

/**
 * cicd.pipeline.result of a finished pipeline; undefined while it runs or when unknown. A finer
 * word from the source (GitHub's `conclusion`, a CDEvent's `outcome`) tells timeout, skip and
 * error apart from a plain failure.
 */
export function pipelineResult(
  status: ChangeStatus | null,
  detail?: unknown,
): CicdResult | undefined {
  const word = typeof detail === 'string' ? detail.toLowerCase() : undefined;
  if (word === 'timed_out' || word === 'timeout') return CICD_PIPELINE_RESULT_VALUE_TIMEOUT;
  if (word === 'skipped' || word === 'skip') return CICD_PIPELINE_RESULT_VALUE_SKIP;
  switch (status) {
    case 'succeeded':
      return CICD_PIPELINE_RESULT_VALUE_SUCCESS;
    case 'failed':
      return word === 'error'
        ? CICD_PIPELINE_RESULT_VALUE_ERROR
        : CICD_PIPELINE_RESULT_VALUE_FAILURE;
    case 'cancelled':
      return CICD_PIPELINE_RESULT_VALUE_CANCELLATION;
    default:
      return undefined;
  }
}

/** deployment.status: only the two outcomes the convention defines; nothing while it runs. */
export function deploymentStatus(status: ChangeStatus | null): string | undefined {
  if (status === 'succeeded') return DEPLOYMENT_STATUS_VALUE_SUCCEEDED;
  if (status === 'failed') return DEPLOYMENT_STATUS_VALUE_FAILED;
  return undefined;
}

/** vcs.change.state of a pull/merge request from its status. */
export function vcsChangeState(kind: string, status: ChangeStatus | null): string | undefined {
  if (kind === 'merge') return VCS_CHANGE_STATE_VALUE_MERGED;
  if (status === 'succeeded') return VCS_CHANGE_STATE_VALUE_MERGED;
  if (status === 'cancelled' || status === 'failed') return VCS_CHANGE_STATE_VALUE_CLOSED;
  if (status === 'started' || status === 'in_progress') return VCS_CHANGE_STATE_VALUE_OPEN;
  return undefined;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== ''
    ? value
    : typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : undefined;

/** The repository's own URL: the event's link cut just after the project path (host-agnostic). */
function repositoryUrl(url: string | null, project: string): string | undefined {
  if (!url) return undefined;
  const at = url.indexOf(`/${project}`);
  if (at < 0) return undefined;
  const end = at + project.length + 1;
  const next = url[end];
  return next === undefined || next === '/' || next === '?' || next === '#'
    ? url.slice(0, end)
    : undefined;
}

/** k8s.<kind>.name for the workload kinds the conventions name. */
const WORKLOAD_ATTRIBUTES: Record<string, string> = {
  deployment: ATTR_K8S_DEPLOYMENT_NAME,
  statefulset: ATTR_K8S_STATEFULSET_NAME,
  daemonset: ATTR_K8S_DAEMONSET_NAME,
};

export function changeAttributes(event: ChangeEvent): Attributes {
  const { refs, data } = event;
  const attributes: Attributes = {};
  const put = (key: string, value: string | undefined) => {
    if (value !== undefined) attributes[key] = value;
  };

  put('painchain.change.id', event.id);
  put('painchain.change.kind', event.kind);
  put('painchain.change.status', event.status ?? undefined);
  put('painchain.change.connector', event.connector);
  put('painchain.change.project', event.project);
  put('painchain.change.service', event.service ?? undefined);
  put('painchain.change.environment', event.environment ?? undefined);
  put('painchain.change.external_id', event.externalId);
  put('painchain.change.url', event.url ?? undefined);
  put('painchain.change.author', event.author ?? undefined);
  if (event.tags.length > 0) attributes['painchain.change.tags'] = [...event.tags];

  // vcs.*: for changes from a code host, whose project is the repository path.
  if (VCS_PROVIDERS.has(event.connector)) {
    put(ATTR_VCS_PROVIDER_NAME, event.connector);
    const slash = event.project.lastIndexOf('/');
    put(ATTR_VCS_REPOSITORY_NAME, event.project.slice(slash + 1));
    if (slash > 0) put(ATTR_VCS_OWNER_NAME, event.project.slice(0, slash));
    put(ATTR_VCS_REPOSITORY_URL_FULL, repositoryUrl(event.url, event.project));
  }
  const branch = text(refs.branch);
  const tag = text(refs.tag);
  if (branch !== undefined) {
    put(ATTR_VCS_REF_HEAD_NAME, branch);
    put(ATTR_VCS_REF_HEAD_TYPE, VCS_REF_HEAD_TYPE_VALUE_BRANCH);
  } else if (tag !== undefined) {
    put(ATTR_VCS_REF_HEAD_NAME, tag);
    put(ATTR_VCS_REF_HEAD_TYPE, VCS_REF_HEAD_TYPE_VALUE_TAG);
  }
  put(ATTR_VCS_REF_HEAD_REVISION, text(refs.commit));
  if (VCS_CHANGE_KINDS.has(event.kind)) {
    put(ATTR_VCS_CHANGE_ID, text(refs.pullRequest));
    put(ATTR_VCS_CHANGE_TITLE, event.title);
    put(ATTR_VCS_CHANGE_STATE, vcsChangeState(event.kind, event.status));
  }

  // cicd.*: pipeline runs.
  if (PIPELINE_KINDS.has(event.kind)) {
    put(ATTR_CICD_PIPELINE_NAME, text(data.pipelineName) ?? text(data.workflow));
    put(ATTR_CICD_PIPELINE_RUN_ID, text(refs.pipeline));
    put(ATTR_CICD_PIPELINE_RUN_URL_FULL, event.url ?? undefined);
    put(ATTR_CICD_PIPELINE_RESULT, pipelineResult(event.status, data.conclusion ?? data.outcome));
  }

  // deployment.*: the environment of any change that has one; the rest for deploys.
  put(ATTR_DEPLOYMENT_ENVIRONMENT_NAME, event.environment ?? undefined);
  if (DEPLOY_KINDS.has(event.kind)) {
    put(ATTR_DEPLOYMENT_ID, text(data.deploymentId));
    put(ATTR_DEPLOYMENT_NAME, event.service ?? undefined);
    put(ATTR_DEPLOYMENT_STATUS, deploymentStatus(event.status));
  }

  // k8s.*: what the Kubernetes connector records in data (cluster, namespace, Kind/name).
  put(ATTR_K8S_CLUSTER_NAME, text(data.cluster));
  put(ATTR_K8S_NAMESPACE_NAME, text(data.namespace));
  const workload = text(data.workload) ?? text(data.object);
  const [workloadKind, ...name] = workload?.split('/') ?? [];
  const workloadAttribute = WORKLOAD_ATTRIBUTES[workloadKind?.toLowerCase() ?? ''];
  if (workloadAttribute && name.length > 0) put(workloadAttribute, name.join('/'));
  return attributes;
}
