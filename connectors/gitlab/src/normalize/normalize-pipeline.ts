// Pipeline Hook and polled pipelines → one `pipeline` change per pipeline id, its status moving
// pending → running → success / failed / canceled; Job Hook → a `pipeline` change per job (jobs
// that deploy to an environment, or all when configured).
import type { ChangeEventInput } from '@painchain/sdk';
import { changeEvent, isoTime, notBefore, statusWord } from '@painchain/sdk';
import type { JobHook, PipelineHook, PolledPipeline, ProjectInfo } from './gitlab-payloads.js';
import { GITLAB, gitlabStatus, refOf, seconds, stateTime } from './gitlab-words.js';

export const pipelineKey = (project: string, id: number) => `pipeline:${project}:${id}`;
export const jobKey = (project: string, id: number) => `job:${project}:${id}`;

const on = (ref: string | undefined) => (ref ? ` on ${ref}` : '');

export function normalizePipelineHook(hook: PipelineHook): ChangeEventInput {
  const pipeline = hook.object_attributes;
  const project = hook.project.path_with_namespace;
  const { status, phase } = gitlabStatus(pipeline.status);
  const created = isoTime(pipeline.created_at) ?? pipeline.created_at;
  const finished = phase === 'finished' ? isoTime(pipeline.finished_at) : undefined;
  const builds = hook.builds ?? [];
  // The latest moment the payload shows: its own times and those of its jobs.
  const updatedAt = stateTime(
    [
      pipeline.created_at,
      pipeline.finished_at,
      ...builds.flatMap((build) => [build.created_at, build.started_at, build.finished_at]),
    ],
    phase,
  );
  const upstream = hook.source_pipeline?.project?.path_with_namespace;
  return changeEvent({
    connector: GITLAB,
    project,
    externalId: pipelineKey(project, pipeline.id),
    kind: 'pipeline',
    status,
    title: `Pipeline #${pipeline.id} ${statusWord(status)}${on(pipeline.ref)}`,
    timestamp: created,
    endTimestamp: finished ? notBefore(finished, created) : undefined,
    updatedAt,
    author: hook.user?.username,
    url: pipeline.url ?? `${hook.project.web_url}/-/pipelines/${pipeline.id}`,
    refs: {
      commit: pipeline.sha,
      ...refOf(pipeline.ref, pipeline.tag),
      pipeline: pipeline.id,
      pullRequest: hook.merge_request?.iid,
    },
    data: {
      name: pipeline.name || undefined,
      iid: pipeline.iid,
      gitlabStatus: pipeline.status,
      source: pipeline.source,
      durationSeconds: seconds(pipeline.duration),
      stages: pipeline.stages ?? undefined,
      upstream: upstream ? `${upstream}#${hook.source_pipeline.pipeline_id}` : undefined,
    },
  });
}

/**
 * A pipeline from the list endpoint, which answers no start or finish times: the last update
 * of a finished pipeline is when it finished.
 */
export function normalizePipeline(
  project: ProjectInfo,
  pipeline: PolledPipeline,
): ChangeEventInput {
  const { status, phase } = gitlabStatus(pipeline.status);
  const created = isoTime(pipeline.created_at) ?? pipeline.created_at;
  const updated = isoTime(pipeline.updated_at) ?? created;
  const finished = phase === 'finished' ? (isoTime(pipeline.finished_at) ?? updated) : undefined;
  return changeEvent({
    connector: GITLAB,
    project: project.path,
    externalId: pipelineKey(project.path, pipeline.id),
    kind: 'pipeline',
    status,
    title: `Pipeline #${pipeline.id} ${statusWord(status)}${on(pipeline.ref)}`,
    timestamp: created,
    endTimestamp: finished ? notBefore(finished, created) : undefined,
    updatedAt: updated,
    author: pipeline.user?.username,
    url: pipeline.web_url,
    refs: { commit: pipeline.sha, branch: pipeline.ref || undefined, pipeline: pipeline.id },
    data: {
      iid: pipeline.iid,
      gitlabStatus: pipeline.status,
      source: pipeline.source,
      durationSeconds: seconds(pipeline.duration),
    },
  });
}

export function normalizeJobHook(hook: JobHook): ChangeEventInput {
  const project = hook.project.path_with_namespace;
  const { status, phase } = gitlabStatus(hook.build_status);
  const created = isoTime(hook.build_created_at) ?? hook.build_created_at;
  const finished = phase === 'finished' ? isoTime(hook.build_finished_at) : undefined;
  const environment = hook.environment ?? undefined;
  const failed = status === 'failed';
  return changeEvent({
    connector: GITLAB,
    project,
    externalId: jobKey(project, hook.build_id),
    kind: 'pipeline',
    status,
    title: `Job ${hook.build_name} ${statusWord(status)}${on(hook.ref)}${environment ? ` (${environment.name})` : ''}`,
    environment: environment?.name,
    timestamp: created,
    endTimestamp: finished ? notBefore(finished, created) : undefined,
    updatedAt: stateTime(
      [hook.build_created_at, hook.build_started_at, hook.build_finished_at],
      phase,
    ),
    author: hook.user?.username ?? hook.user?.name,
    url: `${hook.project.web_url}/-/jobs/${hook.build_id}`,
    refs: { commit: hook.sha, ...refOf(hook.ref, hook.tag), pipeline: hook.pipeline_id },
    data: {
      job: hook.build_name,
      stage: hook.build_stage,
      gitlabStatus: hook.build_status,
      durationSeconds: seconds(hook.build_duration),
      failureReason: failed ? hook.build_failure_reason : undefined,
      allowFailure: hook.build_allow_failure || undefined,
      environmentAction: environment?.action,
      retries: hook.retries_count || undefined,
    },
  });
}
