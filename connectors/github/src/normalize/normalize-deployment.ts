// deployment / deployment_status (and polled deployments with their latest status) → one
// `deploy` event per deployment id, with its environment and latest state; `rollback` when the
// caller (which knows the environment's history) says it redeploys an older version.
import type { ChangeEventInput, ChangeStatus } from '@painchain/sdk';
import type { GhDeployment, GhDeploymentStatus } from '../github-types.js';
import { changeEvent, isSha, notBefore, shortSha, statusWord } from '@painchain/sdk';
import { GITHUB } from './github-words.js';

/** States after which a deployment's status no longer changes (inactive: superseded later). */
export const TERMINAL_DEPLOYMENT_STATES: ReadonlySet<string> = new Set([
  'success',
  'failure',
  'error',
  'inactive',
]);

/** GitHub's deployment state → ours; `inactive` (a newer deployment replaced it) keeps the last one. */
export function deploymentStatus(state: string | undefined): ChangeStatus | undefined {
  switch (state) {
    case undefined:
    case 'pending':
    case 'queued':
      return 'started';
    case 'in_progress':
      return 'in_progress';
    case 'success':
      return 'succeeded';
    case 'failure':
    case 'error':
      return 'failed';
    case 'inactive':
      return undefined;
    default:
      return 'unknown';
  }
}

export const deploymentExternalId = (project: string, id: number) => `deploy:${project}:${id}`;

export function normalizeDeployment(
  project: string,
  repositoryUrl: string,
  deployment: GhDeployment,
  latest: GhDeploymentStatus | undefined,
  rollback: boolean,
): ChangeEventInput {
  const status = deploymentStatus(latest?.state);
  const environment = latest?.environment || deployment.environment;
  const version = isSha(deployment.ref)
    ? shortSha(deployment.sha)
    : `${deployment.ref} (${shortSha(deployment.sha)})`;
  const what = rollback
    ? `Rollback of ${environment} to ${version}`
    : `Deploy ${version} to ${environment}`;
  const terminal =
    latest !== undefined &&
    TERMINAL_DEPLOYMENT_STATES.has(latest.state) &&
    latest.state !== 'inactive';
  return changeEvent({
    connector: GITHUB,
    externalId: deploymentExternalId(project, deployment.id),
    kind: rollback ? 'rollback' : 'deploy',
    status,
    title: status ? `${what} ${statusWord(status)}` : what,
    description: deployment.description ?? undefined,
    project,
    environment,
    timestamp: deployment.created_at,
    endTimestamp: terminal ? notBefore(latest.updated_at, deployment.created_at) : undefined,
    // A status given in the same second as the creation is newer than it: the bare creation
    // snapshot is dated a millisecond earlier so that it never overwrites that status.
    updatedAt: latest
      ? latest.updated_at
      : new Date(Date.parse(deployment.created_at) - 1).toISOString(),
    author: deployment.creator?.login,
    url: latest?.log_url || latest?.target_url || `${repositoryUrl}/deployments`,
    refs: {
      commit: deployment.sha,
      ref: isSha(deployment.ref) ? undefined : deployment.ref,
    },
    data: {
      deploymentId: deployment.id,
      task: deployment.task === 'deploy' ? undefined : deployment.task,
      state: latest?.state ?? 'created',
      environmentUrl: latest?.environment_url || undefined,
      production: deployment.production_environment,
    },
  });
}
