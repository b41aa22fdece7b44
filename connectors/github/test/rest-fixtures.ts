// GitHub REST objects for the fake server, typed by @octokit/openapi-types so that what the
// poller reads in tests has the real API's shape, not a shape we made up.
import type { components } from '@octokit/openapi-types';

type S = components['schemas'];

const API = 'https://api.github.com';
const WEB = 'https://github.com';
let nextId = 1_000;
const id = () => (nextId += 1);

export function user(login: string): S['simple-user'] {
  const url = `${API}/users/${login}`;
  return {
    login,
    id: id(),
    node_id: `U_${login}`,
    avatar_url: `https://avatars.githubusercontent.com/u/1?v=4`,
    gravatar_id: '',
    url,
    html_url: `${WEB}/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: 'User',
    site_admin: false,
  };
}

export function minimalRepository(owner: string, repo: string): S['minimal-repository'] {
  const url = `${API}/repos/${owner}/${repo}`;
  return {
    id: id(),
    node_id: `R_${owner}_${repo}`,
    name: repo,
    full_name: `${owner}/${repo}`,
    owner: user(owner),
    private: false,
    html_url: `${WEB}/${owner}/${repo}`,
    description: null,
    fork: false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    hooks_url: `${url}/hooks`,
  };
}

export function fullRepository(
  owner: string,
  repo: string,
  defaultBranch: string,
  archived = false,
): S['full-repository'] {
  const { permissions: _permissions, ...minimal } = minimalRepository(owner, repo);
  return {
    ...minimal,
    git_url: `git://github.com/${owner}/${repo}.git`,
    ssh_url: `git@github.com:${owner}/${repo}.git`,
    clone_url: `${WEB}/${owner}/${repo}.git`,
    mirror_url: null,
    svn_url: `${WEB}/${owner}/${repo}`,
    homepage: null,
    language: 'TypeScript',
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 100,
    default_branch: defaultBranch,
    open_issues_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    archived,
    disabled: false,
    pushed_at: '2026-01-01T00:00:00Z',
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    subscribers_count: 1,
    network_count: 0,
    license: null,
    forks: 0,
    open_issues: 0,
    watchers: 0,
  };
}

export function commit(
  owner: string,
  repo: string,
  options: { sha: string; parents: string[]; message: string; date: string; author?: string },
): S['commit'] {
  const url = `${API}/repos/${owner}/${repo}/commits/${options.sha}`;
  const person = { name: options.author ?? 'Mona', email: 'mona@example.com', date: options.date };
  return {
    url,
    sha: options.sha,
    node_id: `C_${options.sha}`,
    html_url: `${WEB}/${owner}/${repo}/commit/${options.sha}`,
    comments_url: `${url}/comments`,
    commit: {
      url: `${API}/repos/${owner}/${repo}/git/commits/${options.sha}`,
      author: person,
      committer: person,
      message: options.message,
      comment_count: 0,
      tree: {
        sha: 'f'.repeat(40),
        url: `${API}/repos/${owner}/${repo}/git/trees/${'f'.repeat(40)}`,
      },
    },
    author: user(options.author ?? 'mona'),
    committer: user('web-flow'),
    parents: options.parents.map((sha) => ({
      sha,
      url: `${API}/repos/${owner}/${repo}/commits/${sha}`,
      html_url: `${WEB}/${owner}/${repo}/commit/${sha}`,
    })),
  };
}

export function pullRequest(
  owner: string,
  repo: string,
  options: {
    number: number;
    title: string;
    state: 'open' | 'closed';
    createdAt: string;
    updatedAt: string;
    closedAt?: string;
    mergedAt?: string;
    mergeCommitSha?: string;
    headRef: string;
    headSha: string;
    base?: string;
    author?: string;
  },
): S['pull-request-simple'] {
  const url = `${API}/repos/${owner}/${repo}/pulls/${options.number}`;
  const repository = minimalRepository(owner, repo) as unknown as S['repository'];
  const branch = (ref: string, sha: string) => ({
    label: `${owner}:${ref}`,
    ref,
    repo: repository,
    sha,
    user: user(owner),
  });
  return {
    url,
    id: id(),
    node_id: `PR_${options.number}`,
    html_url: `${WEB}/${owner}/${repo}/pull/${options.number}`,
    diff_url: `${WEB}/${owner}/${repo}/pull/${options.number}.diff`,
    patch_url: `${WEB}/${owner}/${repo}/pull/${options.number}.patch`,
    issue_url: `${API}/repos/${owner}/${repo}/issues/${options.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${API}/repos/${owner}/${repo}/pulls/comments{/number}`,
    comments_url: `${API}/repos/${owner}/${repo}/issues/${options.number}/comments`,
    statuses_url: `${API}/repos/${owner}/${repo}/statuses/${options.headSha}`,
    number: options.number,
    state: options.state,
    locked: false,
    title: options.title,
    user: user(options.author ?? 'mona'),
    body: null,
    labels: [],
    milestone: null,
    created_at: options.createdAt,
    updated_at: options.updatedAt,
    closed_at: options.closedAt ?? null,
    merged_at: options.mergedAt ?? null,
    merge_commit_sha: options.mergeCommitSha ?? null,
    assignee: null,
    head: branch(options.headRef, options.headSha),
    base: branch(options.base ?? 'main', '0'.repeat(39) + '1'),
    _links: {
      self: { href: url },
      html: { href: `${WEB}/${owner}/${repo}/pull/${options.number}` },
      issue: { href: `${API}/repos/${owner}/${repo}/issues/${options.number}` },
      comments: { href: `${API}/repos/${owner}/${repo}/issues/${options.number}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${API}/repos/${owner}/${repo}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${API}/repos/${owner}/${repo}/statuses/${options.headSha}` },
    },
    author_association: 'MEMBER',
    auto_merge: null,
  };
}

export function workflowRun(
  owner: string,
  repo: string,
  options: {
    id: number;
    runNumber: number;
    attempt?: number;
    status: 'queued' | 'in_progress' | 'completed';
    conclusion?: 'success' | 'failure' | 'cancelled';
    createdAt: string;
    updatedAt: string;
    headSha: string;
    branch: string;
    name?: string;
  },
): S['workflow-run'] {
  const url = `${API}/repos/${owner}/${repo}/actions/runs/${options.id}`;
  const repository = minimalRepository(owner, repo);
  return {
    id: options.id,
    name: options.name ?? 'CI',
    node_id: `WFR_${options.id}`,
    check_suite_id: options.id + 1,
    head_branch: options.branch,
    head_sha: options.headSha,
    path: '.github/workflows/ci.yml',
    run_number: options.runNumber,
    run_attempt: options.attempt ?? 1,
    event: 'push',
    status: options.status,
    conclusion: options.conclusion ?? null,
    workflow_id: 42,
    url,
    html_url: `${WEB}/${owner}/${repo}/actions/runs/${options.id}`,
    pull_requests: [],
    created_at: options.createdAt,
    updated_at: options.updatedAt,
    actor: user('mona'),
    triggering_actor: user('mona'),
    run_started_at: options.createdAt,
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    check_suite_url: `${API}/repos/${owner}/${repo}/check-suites/${options.id + 1}`,
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    workflow_url: `${API}/repos/${owner}/${repo}/actions/workflows/42`,
    head_commit: null,
    repository,
    head_repository: repository,
    display_title: 'Build',
  };
}

export function deployment(
  owner: string,
  repo: string,
  options: { id: number; sha: string; ref: string; environment: string; createdAt: string },
): S['deployment'] {
  const url = `${API}/repos/${owner}/${repo}/deployments/${options.id}`;
  return {
    url,
    id: options.id,
    node_id: `DE_${options.id}`,
    sha: options.sha,
    ref: options.ref,
    task: 'deploy',
    payload: {},
    environment: options.environment,
    description: null,
    creator: user('deployer'),
    created_at: options.createdAt,
    updated_at: options.createdAt,
    statuses_url: `${url}/statuses`,
    repository_url: `${API}/repos/${owner}/${repo}`,
    production_environment: options.environment === 'production',
  };
}

export function deploymentStatus(
  owner: string,
  repo: string,
  options: {
    deploymentId: number;
    state: 'queued' | 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';
    environment: string;
    at: string;
  },
): S['deployment-status'] & { state: string } {
  const deploymentUrl = `${API}/repos/${owner}/${repo}/deployments/${options.deploymentId}`;
  const statusId = id();
  return {
    url: `${deploymentUrl}/statuses/${statusId}`,
    id: statusId,
    node_id: `DES_${statusId}`,
    state: options.state,
    creator: user('deployer'),
    description: '',
    environment: options.environment,
    target_url: '',
    log_url: `${WEB}/${owner}/${repo}/actions/runs/1`,
    created_at: options.at,
    updated_at: options.at,
    deployment_url: deploymentUrl,
    repository_url: `${API}/repos/${owner}/${repo}`,
  };
}

export function release(
  owner: string,
  repo: string,
  options: { id: number; tag: string; createdAt: string; publishedAt?: string; draft?: boolean },
): S['release'] {
  const url = `${API}/repos/${owner}/${repo}/releases/${options.id}`;
  return {
    url,
    html_url: `${WEB}/${owner}/${repo}/releases/tag/${options.tag}`,
    assets_url: `${url}/assets`,
    upload_url: `https://uploads.github.com/repos/${owner}/${repo}/releases/${options.id}/assets{?name,label}`,
    tarball_url: `${API}/repos/${owner}/${repo}/tarball/${options.tag}`,
    zipball_url: `${API}/repos/${owner}/${repo}/zipball/${options.tag}`,
    id: options.id,
    node_id: `RE_${options.id}`,
    tag_name: options.tag,
    target_commitish: 'main',
    name: options.tag,
    draft: options.draft ?? false,
    prerelease: false,
    created_at: options.createdAt,
    published_at: options.draft ? null : (options.publishedAt ?? options.createdAt),
    author: user('mona'),
    assets: [],
  };
}

export function tag(owner: string, repo: string, name: string, sha: string): S['tag'] {
  return {
    name,
    commit: { sha, url: `${API}/repos/${owner}/${repo}/commits/${sha}` },
    zipball_url: `${API}/repos/${owner}/${repo}/zipball/refs/tags/${name}`,
    tarball_url: `${API}/repos/${owner}/${repo}/tarball/refs/tags/${name}`,
    node_id: `REF_${name}`,
  };
}
