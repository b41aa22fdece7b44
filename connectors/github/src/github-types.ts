// The fields of GitHub's payloads this connector reads, as structural types that both the
// webhook payloads and the REST API's objects satisfy (test/rest-shapes.test.ts checks the
// latter against @octokit/openapi-types). Everything else in a payload is ignored.

export interface GhUser {
  login: string;
}

export interface GhRepository {
  full_name: string;
  html_url: string;
  /** Epoch seconds in push payloads, RFC 3339 elsewhere. */
  pushed_at?: number | string | null;
}

export interface GhPushCommit {
  id: string;
  message: string;
  timestamp: string;
  url: string;
  author?: { name?: string; username?: string } | null;
}

export interface GhPushPayload {
  ref: string;
  before: string;
  after: string;
  created: boolean;
  deleted: boolean;
  forced: boolean;
  compare: string;
  commits: GhPushCommit[];
  head_commit: GhPushCommit | null;
  pusher: { name?: string };
  sender?: GhUser | null;
  repository: GhRepository;
}

/** A commit as `GET /repos/{owner}/{repo}/commits` lists it. */
export interface GhCommit {
  sha: string;
  html_url: string;
  commit: {
    message: string;
    author: { name?: string; date?: string } | null;
    committer: { name?: string; date?: string } | null;
  };
  author: GhUser | null | Record<string, never>;
  parents: { sha: string }[];
}

export interface GhPullRequest {
  number: number;
  title: string;
  html_url: string;
  state: string;
  draft?: boolean;
  user: GhUser | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  merged_at: string | null;
  merge_commit_sha: string | null;
  merged_by?: GhUser | null;
  head: { ref: string; sha: string };
  base: { ref: string };
}

export interface GhWorkflowRun {
  id: number;
  name?: string | null;
  run_number: number;
  run_attempt?: number;
  status: string | null;
  conclusion: string | null;
  event: string;
  head_branch: string | null;
  head_sha: string;
  html_url: string;
  created_at: string;
  updated_at: string;
  run_started_at?: string | null;
  workflow_id: number;
  actor?: GhUser | null;
  triggering_actor?: GhUser | null;
  pull_requests?: { number: number }[] | null;
}

export interface GhCheckSuite {
  id: number;
  head_branch: string | null;
  head_sha: string;
  status: string | null;
  conclusion: string | null;
  created_at?: string | null;
  updated_at?: string | null;
  app: { slug?: string; name: string } | null;
  pull_requests?: { number: number }[] | null;
}

export interface GhDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description?: string | null;
  creator: GhUser | null;
  created_at: string;
  updated_at: string;
  production_environment?: boolean;
  transient_environment?: boolean;
}

export interface GhDeploymentStatus {
  id: number;
  state: string;
  environment?: string;
  description?: string | null;
  created_at: string;
  updated_at: string;
  target_url?: string | null;
  log_url?: string;
  environment_url?: string;
  creator?: GhUser | null;
}

export interface GhRelease {
  id: number;
  tag_name: string;
  name: string | null;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  published_at: string | null;
  html_url: string;
  target_commitish: string;
  author: GhUser | null;
}

/** A tag as `GET /repos/{owner}/{repo}/tags` lists it. */
export interface GhTag {
  name: string;
  commit: { sha: string };
}

export interface GhPackage {
  id: number;
  name: string;
  namespace?: string;
  package_type: string;
  html_url: string;
  updated_at?: string | null;
  package_version: {
    id: number;
    version: string;
    name?: string;
    html_url?: string;
    package_url?: string;
    created_at?: string;
    updated_at?: string;
    author?: GhUser | null;
    container_metadata?: {
      tag?: { name?: string; digest?: string } | null;
      manifest?: { digest?: string } | null;
      labels?: { revision?: string } | null;
    } | null;
  } | null;
}
