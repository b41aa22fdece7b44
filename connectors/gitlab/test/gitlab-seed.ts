// Data for the fake GitLab, built in the shapes @gitbeaker/rest declares (a field GitLab answers
// that the type lacks, or the reverse, fails to compile): projects with commits, merge requests,
// pipelines, deployments, releases and tags, dated relative to now.
import { createHash } from 'node:crypto';
import type {
  CommitSchema,
  MergeRequestSchema,
  PipelineSchema,
  ReleaseSchema,
  TagSchema,
} from '@gitbeaker/rest';
import type { FakeDeployment, FakeGitlab, FakeProject } from './fake-gitlab.js';

export const TOKEN = 'glpat-test-token';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Whole seconds, as GitLab's times are in these tests. */
export const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
export const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

/** A stable 40-hex SHA from any text. */
export const sha = (text: string) => createHash('sha1').update(text).digest('hex');

const user = {
  id: 7,
  name: 'Ada Lovelace',
  username: 'ada',
  state: 'active',
  avatar_url: '',
  web_url: 'https://gitlab.example/ada',
};

export function project(
  fake: FakeGitlab,
  id: number,
  path: string,
  extra: Partial<FakeProject> = {},
): FakeProject {
  const name = path.split('/').at(-1)!;
  const namespace = path.split('/').slice(0, -1);
  return fake.add({
    body: {
      id,
      name,
      path: name,
      path_with_namespace: path,
      name_with_namespace: path.replace(/\//g, ' / '),
      description: null,
      default_branch: 'main',
      web_url: `${fake.url}/${path}`,
      archived: false,
      created_at: ago(400 * DAY),
      last_activity_at: ago(HOUR),
      visibility: 'private',
    },
    groups: namespace.map((_, index) => namespace.slice(0, index + 1).join('/')),
    branches: new Map([['main', []]]),
    mergeRequests: [],
    pipelines: [],
    deployments: [],
    releases: [],
    tags: [],
    gone: false,
    ...extra,
  });
}

export function commit(p: FakeProject, title: string, at: string, parents = 1): CommitSchema {
  const id = sha(`${p.body.path_with_namespace}:${title}`);
  return {
    id,
    short_id: id.slice(0, 8),
    title,
    message: `${title}\n`,
    author_name: 'Ada Lovelace',
    author_email: 'ada@example.com',
    authored_date: at,
    committer_name: 'Ada Lovelace',
    committer_email: 'ada@example.com',
    committed_date: at,
    created_at: at,
    parent_ids: Array.from({ length: parents }, (_, i) => sha(`${id}:parent:${i}`)),
    web_url: `${p.body.web_url}/-/commit/${id}`,
  };
}

/** Puts commits on a branch's first-parent chain, newest first. */
export function push(p: FakeProject, branch: string, ...commits: CommitSchema[]): void {
  const list = p.branches.get(branch) ?? [];
  p.branches.set(branch, [...commits.reverse(), ...list]);
}

export function mergeRequest(
  p: FakeProject,
  iid: number,
  state: 'opened' | 'merged' | 'closed',
  updatedAt: string,
): MergeRequestSchema {
  const head = sha(`${p.body.path_with_namespace}:mr:${iid}:head`);
  const merged = state === 'merged';
  return {
    id: p.body.id * 1000 + iid,
    iid,
    project_id: p.body.id,
    title: `Change number ${iid}`,
    description: `Does thing ${iid}`,
    state,
    created_at: ago(20 * DAY),
    updated_at: updatedAt,
    web_url: `${p.body.web_url}/-/merge_requests/${iid}`,
    merged_by: merged ? user : null,
    merged_at: merged ? updatedAt : null,
    closed_by: state === 'closed' ? user : null,
    closed_at: state === 'closed' ? updatedAt : null,
    target_branch: 'main',
    source_branch: `feature-${iid}`,
    user_notes_count: 0,
    upvotes: 0,
    downvotes: 0,
    author: user,
    assignees: [],
    assignee: null,
    reviewers: [],
    source_project_id: p.body.id,
    target_project_id: p.body.id,
    labels: [],
    draft: false,
    work_in_progress: false,
    milestone: null,
    merge_when_pipeline_succeeds: false,
    merge_status: 'can_be_merged',
    detailed_merge_status: merged ? 'not_open' : 'mergeable',
    sha: head,
    merge_commit_sha: merged ? sha(`${p.body.path_with_namespace}:mr:${iid}:merge`) : null,
    squash_commit_sha: null,
    discussion_locked: null,
    should_remove_source_branch: null,
    force_remove_source_branch: true,
    reference: `!${iid}`,
    references: {
      short: `!${iid}`,
      relative: `!${iid}`,
      full: `${p.body.path_with_namespace}!${iid}`,
    },
    time_stats: {
      time_estimate: 0,
      total_time_spent: 0,
      human_time_estimate: null,
      human_total_time_spent: null,
    },
    squash: false,
    task_completion_status: { count: 0, completed_count: 0 },
    prepared_at: ago(20 * DAY),
    has_conflicts: false,
    blocking_discussions_resolved: true,
    approvals_before_merge: null,
  };
}

export function pipeline(
  p: FakeProject,
  id: number,
  status: string,
  createdAt: string,
  updatedAt: string,
): PipelineSchema {
  return {
    id,
    iid: id - 1000,
    project_id: p.body.id,
    sha: sha(`${p.body.path_with_namespace}:pipeline:${id}`),
    ref: 'main',
    status,
    source: 'push',
    created_at: createdAt,
    updated_at: updatedAt,
    web_url: `${p.body.web_url}/-/pipelines/${id}`,
  };
}

export function deployment(
  p: FakeProject,
  id: number,
  environment: string,
  status: FakeDeployment['status'],
  updatedAt: string,
): FakeDeployment {
  const commitSha = sha(`${p.body.path_with_namespace}:deploy:${id}`);
  const createdAt = new Date(Date.parse(updatedAt) - 5 * MINUTE).toISOString();
  return {
    id,
    iid: id,
    ref: 'main',
    sha: commitSha,
    created_at: createdAt,
    updated_at: updatedAt,
    status,
    user: { ...user, created_at: ago(900 * DAY) },
    environment: {
      id: 1,
      name: environment,
      slug: environment,
      external_url: `https://${environment}.example.com`,
      state: 'available',
      tier: environment === 'production' ? 'production' : 'staging',
      created_at: ago(100 * DAY),
      updated_at: updatedAt,
    },
    deployable: {
      id: 5000 + id,
      name: `deploy-${environment}`,
      ref: 'main',
      stage: 'deploy',
      status,
      tag: false,
      created_at: createdAt,
      started_at: createdAt,
      finished_at: updatedAt,
      commit: commit(p, `Deployed change ${id}`, createdAt),
    },
  };
}

export function release(p: FakeProject, tag: string, createdAt: string): ReleaseSchema {
  return {
    name: `Version ${tag}`,
    tag_name: tag,
    description: `Notes for ${tag}`,
    created_at: createdAt,
    released_at: createdAt,
    upcoming_release: false,
    author: user,
    commit: commit(p, `Release ${tag}`, createdAt),
    milestones: null,
    commit_path: `/${p.body.path_with_namespace}/-/commit/${sha(tag)}`,
    tag_path: `/${p.body.path_with_namespace}/-/tags/${tag}`,
    assets: { count: 0, sources: [], links: [], evidence_file_path: '' },
    evidences: null,
    _links: {
      closed_issues_url: '',
      closed_merge_requests_url: '',
      edit_url: '',
      merged_merge_requests_url: '',
      opened_issues_url: '',
      opened_merge_requests_url: '',
      self: '',
    },
  };
}

export function tag(p: FakeProject, name: string, committedAt: string): TagSchema {
  const target = commit(p, `Tagged ${name}`, committedAt);
  return {
    commit: target,
    release: { tag_name: name, description: '' },
    name,
    target: sha(`${p.body.path_with_namespace}:tag-object:${name}`),
    message: `Version ${name}`,
    protected: false,
    created_at: committedAt,
  };
}

/** `acme/platform/api` with a busy history (several pages) and `acme/web` with a little. */
export function seed(fake: FakeGitlab) {
  const api = project(fake, 11, 'acme/platform/api');
  const web = project(fake, 12, 'acme/web');
  // 130 commits on main: two pages of 100.
  push(
    api,
    'main',
    ...Array.from({ length: 130 }, (_, i) => commit(api, `api change ${i}`, ago((130 - i) * HOUR))),
  );
  push(api, 'release', commit(api, 'hotfix on release', ago(3 * HOUR)));
  api.mergeRequests.push(
    ...Array.from({ length: 105 }, (_, i) =>
      mergeRequest(api, i + 1, i % 3 === 0 ? 'merged' : 'opened', ago((110 - i) * HOUR)),
    ),
  );
  api.pipelines.push(
    pipeline(api, 2001, 'success', ago(5 * HOUR), ago(5 * HOUR - 4 * MINUTE)),
    pipeline(api, 2002, 'failed', ago(4 * HOUR), ago(4 * HOUR - 6 * MINUTE)),
    pipeline(api, 2003, 'running', ago(10 * MINUTE), ago(9 * MINUTE)),
  );
  api.deployments.push(
    deployment(api, 301, 'staging', 'success', ago(6 * HOUR)),
    deployment(api, 302, 'production', 'success', ago(2 * HOUR)),
  );
  api.releases.push(release(api, 'v1.0.0', ago(10 * DAY)), release(api, 'v1.1.0', ago(2 * DAY)));
  api.tags.push(
    tag(api, 'v1.0.0', ago(10 * DAY)),
    tag(api, 'v1.1.0', ago(2 * DAY)),
    tag(api, 'v0.1.0', ago(200 * DAY)),
  );
  push(web, 'main', commit(web, 'web change', ago(2 * HOUR)));
  web.pipelines.push(pipeline(web, 3001, 'success', ago(2 * HOUR), ago(2 * HOUR - MINUTE)));
  return { api, web };
}
