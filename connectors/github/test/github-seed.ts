// The content of the fake GitHub the poller suites read: two repositories of acme with a month
// and more of history (commits over several pages, pull requests, runs, deployments with a
// rollback, releases and tags), dated relative to now.
import { FakeGithub, type FakeRepository } from './fake-github.js';
import * as rest from './rest-fixtures.js';

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;
export const NOW = Date.now();
export const ago = (ms: number) => new Date(NOW - ms).toISOString();
export const sha = (n: number, prefix = 'c') => `${prefix}${n.toString(16).padStart(39, '0')}`;
export const TOKEN = 'ghp_testtoken0000000000000000000000000000';

/** What the seed holds in the 30-day window, by kind (acme/api and acme/web together). */
export const SEEDED_KINDS = {
  push: 233,
  pull_request: 120,
  merge: 40,
  pipeline: 120,
  deploy: 3,
  rollback: 1,
  release: 2,
};

/** A linear history on `branch`, newest first: 20 commits older than 30 days, 230 within. */
export function seedCommits(repo: FakeRepository, count: { old: number; recent: number }) {
  const commits = [];
  let n = 0;
  for (let i = 0; i < count.old; i += 1) commits.push({ n: n++, at: ago(40 * DAY - i * 6 * HOUR) });
  for (let i = 0; i < count.recent; i += 1)
    commits.push({ n: n++, at: ago(29 * DAY - i * 3 * HOUR) });
  repo.branches.set(
    repo.defaultBranch,
    commits
      .map(({ n: k, at }) =>
        rest.commit(repo.owner, repo.repo, {
          sha: sha(k),
          parents: k === 0 ? [] : [sha(k - 1)],
          message: `change ${k}\n\nbody`,
          date: at,
        }),
      )
      .reverse(),
  );
}

export function seedApi(fake: FakeGithub): FakeRepository {
  const api = fake.repository('acme', 'api');
  seedCommits(api, { old: 20, recent: 230 });
  for (let n = 1; n <= 130; n += 1) {
    const updated = ago((130 - n) * 6 * HOUR + HOUR);
    const closed = n % 3 === 0 || n % 5 === 0;
    api.pulls.push(
      rest.pullRequest('acme', 'api', {
        number: n,
        title: `PR ${n}`,
        state: closed ? 'closed' : 'open',
        createdAt: ago((130 - n) * 6 * HOUR + 5 * HOUR),
        updatedAt: updated,
        closedAt: closed ? updated : undefined,
        mergedAt: n % 3 === 0 ? updated : undefined,
        mergeCommitSha: n % 3 === 0 ? sha(n, 'm') : undefined,
        headRef: `feature-${n}`,
        headSha: sha(n, 'h'),
      }),
    );
  }
  for (let i = 0; i < 120; i += 1) {
    const created = ago(20 * DAY - i * 4 * HOUR);
    const last = i === 119;
    api.runs.push(
      rest.workflowRun('acme', 'api', {
        id: 5000 + i,
        runNumber: i + 1,
        status: last ? 'in_progress' : 'completed',
        conclusion: last ? undefined : i % 10 === 0 ? 'failure' : 'success',
        createdAt: created,
        updatedAt: created,
        headSha: sha(i + 100),
        branch: 'main',
      }),
    );
  }
  const deploys: [number, string, string, number, 'success' | 'in_progress'][] = [
    [1, sha(1, 'a'), 'production', 5 * DAY, 'success'],
    [2, sha(2, 'b'), 'production', 4 * DAY, 'success'],
    [3, sha(1, 'a'), 'production', 3 * DAY, 'success'],
    [4, sha(3, 'c'), 'staging', HOUR, 'in_progress'],
  ];
  for (const [id, commit, environment, age, state] of deploys) {
    api.deployments.push(
      rest.deployment('acme', 'api', {
        id,
        sha: commit,
        ref: 'main',
        environment,
        createdAt: ago(age),
      }),
    );
    api.statuses.set(id, [
      rest.deploymentStatus('acme', 'api', {
        deploymentId: id,
        state,
        environment,
        at: ago(age - 60_000),
      }),
    ]);
  }
  api.releases.push(
    rest.release('acme', 'api', { id: 11, tag: 'v1.0.0', createdAt: ago(10 * DAY) }),
    rest.release('acme', 'api', { id: 12, tag: 'v1.1.0', createdAt: ago(2 * DAY) }),
    rest.release('acme', 'api', { id: 13, tag: 'v1.2.0-draft', createdAt: ago(DAY), draft: true }),
  );
  api.tags.push(
    rest.tag('acme', 'api', 'v1.1.0', sha(200)),
    rest.tag('acme', 'api', 'v1.0.0', sha(150)),
  );
  return api;
}

export function seedWeb(fake: FakeGithub): FakeRepository {
  const web = fake.repository('acme', 'web');
  seedCommits(web, { old: 0, recent: 3 });
  return web;
}
