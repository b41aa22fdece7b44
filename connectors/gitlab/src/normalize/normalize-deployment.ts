// Deployment Hook and polled deployments → one `deploy` change per deployment, in its
// environment, its status following GitLab's (created → running → success / failed / canceled).
import type { ChangeEventInput } from '@painchain/sdk';
import { changeEvent, firstLine, isoTime, isSha, notBefore, statusWord } from '@painchain/sdk';
import type { DeploymentHook, PolledDeployment, ProjectInfo } from './gitlab-payloads.js';
import { GITLAB, gitlabStatus, stateTime } from './gitlab-words.js';

export const deploymentKey = (project: string, id: number) => `deploy:${project}:${id}`;

const titleOf = (environment: string, word: string, subject: string | undefined) =>
  `Deploy to ${environment} ${word}${subject ? `: ${subject}` : ''}`;

/** The hook names the commit by `short_sha`; the full SHA is the last segment of `commit_url`. */
function commitOf(hook: DeploymentHook): string | undefined {
  const last = hook.commit_url?.split('/').at(-1);
  if (last && isSha(last) && (!hook.short_sha || last.startsWith(hook.short_sha))) return last;
  return hook.short_sha || undefined;
}

export function normalizeDeploymentHook(hook: DeploymentHook): ChangeEventInput {
  const project = hook.project.path_with_namespace;
  const { status, phase } = gitlabStatus(hook.status);
  const changedAt = isoTime(hook.status_changed_at) ?? hook.status_changed_at;
  return changeEvent({
    connector: GITLAB,
    project,
    externalId: deploymentKey(project, hook.deployment_id),
    kind: 'deploy',
    status,
    title: titleOf(hook.environment, statusWord(status), firstLine(hook.commit_title)),
    environment: hook.environment,
    // Each delivery is dated by its status change; the store keeps the earliest as the start.
    timestamp: changedAt,
    endTimestamp: phase === 'finished' ? changedAt : undefined,
    updatedAt: stateTime([hook.status_changed_at], phase),
    author: hook.user?.username,
    url: hook.deployable_url || undefined,
    refs: { commit: commitOf(hook), branch: hook.ref || undefined },
    data: {
      deploymentId: hook.deployment_id,
      gitlabStatus: hook.status,
      tier: hook.environment_tier || undefined,
      environmentUrl: hook.environment_external_url || undefined,
      jobId: hook.deployable_id || undefined,
    },
  });
}

export function normalizeDeployment(
  project: ProjectInfo,
  deployment: PolledDeployment,
): ChangeEventInput {
  const { status, phase } = gitlabStatus(deployment.status);
  const created = isoTime(deployment.created_at) ?? deployment.created_at;
  const updated = isoTime(deployment.updated_at) ?? created;
  const environment = deployment.environment.name;
  const job = deployment.deployable;
  return changeEvent({
    connector: GITLAB,
    project: project.path,
    externalId: deploymentKey(project.path, deployment.id),
    kind: 'deploy',
    status,
    title: titleOf(environment, statusWord(status), firstLine(job?.commit?.title)),
    environment,
    timestamp: created,
    endTimestamp: phase === 'finished' ? notBefore(updated, created) : undefined,
    updatedAt: updated,
    author: deployment.user?.username,
    url: job ? `${project.webUrl}/-/jobs/${job.id}` : `${project.webUrl}/-/environments`,
    refs: { commit: deployment.sha, branch: deployment.ref || undefined },
    data: {
      deploymentId: deployment.id,
      iid: deployment.iid,
      gitlabStatus: deployment.status,
      tier: deployment.environment.tier || undefined,
      environmentUrl: deployment.environment.external_url || undefined,
      jobId: job?.id,
    },
  });
}
