// `node connectors/github/dist/bench/bench/idle-poll.js`: the rate-limit points one idle poll of
// 50 repositories spends (target 0: every request conditional, every answer a free 304), against
// the local fake GitHub. Prints one JSON line on stdout; the backfill before it is reported too.
import { createTestContext } from '@painchain/sdk/testkit';
import { createGithubConnectorDefinition, type GithubConnector } from '@painchain/connector-github';
import { FakeGithub } from '../test/fake-github.js';
import * as rest from '../test/rest-fixtures.js';

const REPOSITORIES = 50;
const HOUR = 60 * 60 * 1000;
const TOKEN = 'ghp_bench000000000000000000000000000000000';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const sha = (repo: number, n: number) =>
  `${repo.toString(16).padStart(4, '0')}${n.toString(16).padStart(36, '0')}`;

/** A small but complete repository: commits, pull requests, runs, a deployment, releases, tags. */
function seed(fake: FakeGithub, index: number): void {
  const name = `service-${index}`;
  const repo = fake.repository('bench', name);
  const commits = Array.from({ length: 20 }, (_, n) =>
    rest.commit('bench', name, {
      sha: sha(index, n),
      parents: n === 0 ? [] : [sha(index, n - 1)],
      message: `change ${n}`,
      date: ago((20 - n) * 6 * HOUR),
    }),
  );
  repo.branches.set('main', commits.reverse());
  for (let n = 1; n <= 5; n += 1) {
    const at = ago(n * 10 * HOUR);
    repo.pulls.push(
      rest.pullRequest('bench', name, {
        number: n,
        title: `PR ${n}`,
        state: 'closed',
        createdAt: at,
        updatedAt: at,
        closedAt: at,
        mergedAt: at,
        mergeCommitSha: sha(index, 100 + n),
        headRef: `feature-${n}`,
        headSha: sha(index, 200 + n),
      }),
    );
    repo.runs.push(
      rest.workflowRun('bench', name, {
        id: index * 1000 + n,
        runNumber: n,
        status: 'completed',
        conclusion: 'success',
        createdAt: at,
        updatedAt: at,
        headSha: sha(index, n),
        branch: 'main',
      }),
    );
  }
  repo.deployments.push(
    rest.deployment('bench', name, {
      id: index * 10 + 5,
      sha: sha(index, 19),
      ref: 'main',
      environment: 'production',
      createdAt: ago(HOUR),
    }),
  );
  repo.statuses.set(index * 10 + 5, [
    rest.deploymentStatus('bench', name, {
      deploymentId: index * 10 + 5,
      state: 'success',
      environment: 'production',
      at: ago(HOUR - 60_000),
    }),
  ]);
  repo.releases.push(
    rest.release('bench', name, { id: index * 10 + 1, tag: 'v1.0.0', createdAt: ago(48 * HOUR) }),
  );
  repo.tags.push(rest.tag('bench', name, 'v1.0.0', sha(index, 10)));
}

async function main(): Promise<void> {
  const fake = await FakeGithub.start({ token: TOKEN });
  try {
    for (let i = 0; i < REPOSITORIES; i += 1) seed(fake, i);
    const state = new Map<string, unknown>();
    const definition = createGithubConnectorDefinition();
    const config = {
      baseUrl: fake.url,
      token: TOKEN,
      repositories: Array.from({ length: REPOSITORIES }, (_, i) => ({
        owner: 'bench',
        repo: `service-${i}`,
      })),
    };
    const cycle = async () => {
      const test = createTestContext({ name: 'bench', config, state });
      const poller = await (definition.create(test.ctx) as GithubConnector).createPoller();
      const mark = fake.requests.length;
      const started = performance.now();
      const summary = await poller.cycle();
      return {
        ms: Math.round(performance.now() - started),
        requests: fake.requests.length - mark,
        points: fake.pointsSpent(mark),
        events: test.emitted.length,
        failures: summary.failures.length,
      };
    };
    const backfill = await cycle();
    const idle = await cycle();
    const figure = {
      benchmark: 'github_idle_poll',
      repositories: REPOSITORIES,
      rate_limit_points_per_idle_cycle: idle.points,
      target: 0,
      pass: idle.points === 0 && idle.failures === 0,
      idle_requests: idle.requests,
      idle_cycle_ms: idle.ms,
      backfill_requests: backfill.requests,
      backfill_points: backfill.points,
      backfill_events: backfill.events,
      backfill_ms: backfill.ms,
    };
    process.stdout.write(`${JSON.stringify(figure)}\n`);
    if (!figure.pass) process.exitCode = 1;
  } finally {
    await fake.close();
  }
}

void main();
