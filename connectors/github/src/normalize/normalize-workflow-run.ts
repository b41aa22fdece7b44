// workflow_run → one `pipeline` event per run and attempt, whose status moves from started to
// running to its conclusion; a re-run (attempt 2) is a change of its own.
import type { ChangeEventInput } from '@painchain/sdk';
import type { GhWorkflowRun } from '../github-types.js';
import { changeEvent, notBefore, statusWord } from '@painchain/sdk';
import { GITHUB, runStatus } from './github-words.js';

export const workflowRunExternalId = (
  project: string,
  run: Pick<GhWorkflowRun, 'id' | 'run_attempt'>,
) => `run:${project}:${run.id}:${run.run_attempt ?? 1}`;

/** `workflowName`: the webhook's `workflow.name`, for runs whose own name is empty. */
export function normalizeWorkflowRun(
  project: string,
  run: GhWorkflowRun,
  workflowName?: string,
): ChangeEventInput {
  const status = runStatus(run.status, run.conclusion);
  const attempt = run.run_attempt ?? 1;
  const start = run.run_started_at ?? run.created_at;
  const name = run.name || workflowName || `workflow ${run.workflow_id}`;
  const where = run.head_branch ? ` on ${run.head_branch}` : '';
  return changeEvent({
    connector: GITHUB,
    externalId: workflowRunExternalId(project, run),
    kind: 'pipeline',
    status,
    title: `${name} #${run.run_number}${attempt > 1 ? ` (attempt ${attempt})` : ''} ${statusWord(status)}${where}`,
    project,
    timestamp: start,
    endTimestamp: run.status === 'completed' ? notBefore(run.updated_at, start) : undefined,
    updatedAt: run.updated_at,
    author: run.triggering_actor?.login ?? run.actor?.login,
    url: run.html_url,
    refs: {
      commit: run.head_sha,
      branch: run.head_branch ?? undefined,
      pipeline: run.id,
      pullRequest: run.pull_requests?.[0]?.number,
    },
    data: {
      workflow: name,
      runNumber: run.run_number,
      attempt,
      trigger: run.event,
      conclusion: run.conclusion ?? undefined,
    },
  });
}
