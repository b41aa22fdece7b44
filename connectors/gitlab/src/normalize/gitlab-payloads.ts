// The GitLab payloads normalization reads: @gitbeaker/rest's own webhook and REST types, widened
// where GitLab sends fields those types leave out (checked against GitLab's documented examples).
import type {
  CommitSchema,
  DeployableSchema,
  DeploymentSchema,
  EnvironmentSchema,
  ExpandedPipelineSchema,
  MergeRequestSchema,
  PipelineSchema,
  ProjectSchema,
  ReleaseSchema,
  TagSchema,
  WebhookDeploymentEventSchema,
  WebhookFeatureFlagEventSchema,
  WebhookJobEventSchema,
  WebhookMergeRequestEventSchema,
  WebhookPipelineEventSchema,
  WebhookPushEventSchema,
  WebhookReleaseEventSchema,
  WebhookTagEventSchema,
} from '@gitbeaker/rest';

export type PushHook = WebhookPushEventSchema;
/** GitLab sends `user_username` with tag pushes too; gitbeaker declares it for pushes only. */
export type TagPushHook = WebhookTagEventSchema & { user_username?: string };
export type PipelineHook = WebhookPipelineEventSchema;
export type JobHook = WebhookJobEventSchema;
export type FeatureFlagHook = WebhookFeatureFlagEventSchema;
export type ReleaseHook = WebhookReleaseEventSchema;

/** gitbeaker's type lacks `action`, `url`, `state` words and the commits GitLab sends. */
export type MergeRequestHook = WebhookMergeRequestEventSchema & {
  object_attributes: {
    action?: string;
    url?: string;
    merge_commit_sha?: string | null;
    last_commit?: { id: string; title?: string; url?: string } | null;
  };
};

/** Newer GitLab adds the deployed `ref`; the full SHA is otherwise only in `commit_url`. */
export type DeploymentHook = WebhookDeploymentEventSchema & { ref?: string };

// What polling reads of the REST answers: gitbeaker's schemas, narrowed to the fields used (the
// list endpoints answer fewer fields than the single-item schemas declare).

export type PolledProject = Pick<
  ProjectSchema,
  'id' | 'path_with_namespace' | 'default_branch' | 'web_url' | 'archived'
>;
export type PolledCommit = Pick<
  CommitSchema,
  | 'id'
  | 'title'
  | 'message'
  | 'author_name'
  | 'created_at'
  | 'committed_date'
  | 'web_url'
  | 'parent_ids'
>;
export type PolledMergeRequest = Pick<
  MergeRequestSchema,
  | 'id'
  | 'iid'
  | 'title'
  | 'description'
  | 'state'
  | 'created_at'
  | 'updated_at'
  | 'merged_at'
  | 'closed_at'
  | 'web_url'
  | 'source_branch'
  | 'target_branch'
  | 'sha'
  | 'merge_commit_sha'
  | 'squash_commit_sha'
  | 'author'
  | 'merged_by'
  | 'draft'
>;
export type PolledPipeline = Pick<
  PipelineSchema,
  'id' | 'iid' | 'sha' | 'ref' | 'status' | 'source' | 'created_at' | 'updated_at' | 'web_url'
> &
  Partial<Pick<ExpandedPipelineSchema, 'started_at' | 'finished_at' | 'duration' | 'user'>>;
export type PolledDeployment = Pick<
  DeploymentSchema,
  'id' | 'iid' | 'ref' | 'sha' | 'created_at' | 'updated_at' | 'status' | 'user'
> & {
  environment: Pick<EnvironmentSchema, 'id' | 'name' | 'external_url'> &
    Partial<Pick<EnvironmentSchema, 'tier'>>;
  deployable:
    (Pick<DeployableSchema, 'id' | 'name'> & Partial<Pick<DeployableSchema, 'commit'>>) | null;
};
export type PolledRelease = Pick<
  ReleaseSchema,
  'name' | 'tag_name' | 'description' | 'created_at' | 'released_at' | 'upcoming_release'
> & { author: Pick<ReleaseSchema['author'], 'username'> | null; commit: Pick<CommitSchema, 'id'> };
export type PolledTag = Pick<TagSchema, 'name' | 'target' | 'message' | 'created_at'> & {
  commit: Pick<CommitSchema, 'id' | 'created_at' | 'committed_date' | 'author_name'>;
};

/** Where a polled item's events point: the project's path and web URL. */
export interface ProjectInfo {
  path: string;
  webUrl: string;
}
