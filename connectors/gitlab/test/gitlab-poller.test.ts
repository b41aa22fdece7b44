// The poller against a local fake of GitLab's REST API: a backfill over several pages with its
// progress, an idle poll, a restart that resumes from the stored cursors without duplicates or
// gaps, rate limits (RateLimit-* spent, 429 with Retry-After), retried 5xx, an unreachable
// project among reachable ones, a refused token, and a group's projects.
import type { ChangeEventInput } from '@painchain/sdk';
import { AuthenticationError } from '@painchain/sdk';
import { createTestContext } from '@painchain/sdk/testkit';
import type { GitlabConfig } from '../src/gitlab-config.js';
import {
  createGitlabConnectorDefinition,
  type GitlabConnector,
  type GitlabConnectorOptions,
} from '../src/gitlab-connector.js';
import { FakeGitlab } from './fake-gitlab.js';
import {
  ago,
  commit,
  DAY,
  deployment,
  HOUR,
  mergeRequest,
  MINUTE,
  NOW,
  pipeline,
  project,
  push,
  release,
  seed,
  tag,
  TOKEN,
} from './gitlab-seed.js';

/** Waits that return at once but are remembered; `onSleep` may change the world meanwhile. */
function knobs(onSleep?: (ms: number) => void) {
  const sleeps: number[] = [];
  const options: GitlabConnectorOptions = {
    retryBaseMs: 5,
    concurrency: 2,
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
      onSleep?.(ms);
    },
  };
  return { options, sleeps };
}

async function start(
  config: GitlabConfig,
  state: Map<string, unknown>,
  options: GitlabConnectorOptions,
) {
  const test = createTestContext({ name: 'gitlab-test', config, state });
  const instance = createGitlabConnectorDefinition(options).create(test.ctx) as GitlabConnector;
  return { ...test, poller: await instance.createPoller() };
}

const kinds = (events: readonly ChangeEventInput[]) =>
  events.reduce<Record<string, number>>((counts, event) => {
    counts[event.kind ?? 'other'] = (counts[event.kind ?? 'other'] ?? 0) + 1;
    return counts;
  }, {});
const keys = (events: readonly ChangeEventInput[]) => events.map((event) => event.externalId!);

const configFor = (fake: FakeGitlab, extra: Partial<GitlabConfig> = {}): GitlabConfig => ({
  host: fake.url,
  token: TOKEN,
  projects: [
    {
      path: 'acme/platform/api',
      service: 'api',
      environment: 'production',
      tags: ['team-a'],
      branches: ['release'],
    },
    { id: 12 },
  ],
  tags: ['gitlab'],
  ...extra,
});

describe('polling a fake GitLab: backfill, idle, restart', () => {
  let fake: FakeGitlab;
  beforeEach(async () => {
    fake = await FakeGitlab.start({ token: TOKEN });
  });
  afterEach(async () => {
    await fake.close();
  });

  test('the first poll reads the history window of every project to the last page, with progress', async () => {
    seed(fake);
    const { options } = knobs();
    const run = await start(configFor(fake), new Map(), options);
    const summary = await run.poller.cycle();

    expect(summary).toEqual({
      targets: 2,
      events: run.emitted.length,
      failures: [],
      backfill: true,
    });
    expect(run.violations).toEqual([]);
    const api = run.emitted.filter((event) => event.project === 'acme/platform/api');
    // 130 + 1 commits, 105 MRs (35 merged: a merge each), 3 pipelines, 2 deployments,
    // 2 releases, 2 tags (v0.1.0 is older than the 30-day window).
    expect(kinds(api)).toEqual({
      push: 131,
      pull_request: 105,
      merge: 35,
      pipeline: 3,
      deploy: 2,
      release: 2,
      tag: 2,
    });
    expect(kinds(run.emitted.filter((event) => event.project === 'acme/web'))).toEqual({
      push: 1,
      pipeline: 1,
    });
    expect(new Set(keys(run.emitted)).size).toBe(run.emitted.length);
    // Pagination to the end: X-Next-Page for commits, Link for merge requests.
    expect(
      fake.requests
        .filter(
          (r) =>
            r.path.endsWith('/repository/commits') &&
            r.query.get('ref_name') === 'main' &&
            r.path.includes('/11/'),
        )
        .map((r) => r.query.get('page')),
    ).toEqual(['1', '2']);
    expect(fake.count(/\/projects\/11\/merge_requests$/)).toBe(2);
    expect(
      fake.requests.find((r) => r.path.endsWith('/merge_requests'))!.query.get('updated_after'),
    ).toBe(ago(30 * DAY));
    // Commits oldest first, with the branch and the configured mapping.
    const pushes = api.filter((event) => event.kind === 'push' && event.refs?.branch === 'main');
    expect(pushes[0]!.title).toMatch(/^Commit [0-9a-f]{7} to main: api change 0$/);
    expect(pushes.at(-1)!.title).toMatch(/api change 129$/);
    expect(api[0]).toMatchObject({
      service: 'api',
      environment: 'production',
      tags: ['gitlab', 'team-a'],
    });
    // The project configured by id got its path from GitLab.
    expect(run.emitted.find((event) => event.project === 'acme/web')).toMatchObject({
      tags: ['gitlab'],
    });
    // A deployment keeps its own environment; the configured one fills only where GitLab says none.
    expect(api.filter((e) => e.kind === 'deploy').map((e) => e.environment)).toEqual([
      'staging',
      'production',
    ]);

    const progress = run.health.filter((h) => h.progress).map((h) => h.progress);
    expect(progress).toEqual([
      { phase: 'backfill', done: 0, total: 2, unit: 'projects' },
      { phase: 'backfill', done: 1, total: 2, unit: 'projects' },
      { phase: 'backfill', done: 2, total: 2, unit: 'projects' },
    ]);
    expect(run.health.at(-1)).toMatchObject({
      message: 'polling 2 projects',
      details: { rateLimitLimit: 2000, rateLimitRemaining: expect.any(Number) },
    });
  });

  test('an idle poll emits nothing and writes no state', async () => {
    seed(fake);
    const state = new Map<string, unknown>();
    const { options } = knobs();
    const run = await start(configFor(fake), state, options);
    await run.poller.cycle();
    const before = structuredClone([...state.entries()]);
    const emitted = run.emitted.length;
    const idle = await run.poller.cycle();
    expect(idle).toMatchObject({ events: 0, failures: [], backfill: false });
    expect(run.emitted.length).toBe(emitted);
    expect([...state.entries()]).toEqual(before);
  });

  test('a restart resumes from the stored cursors: only what changed, nothing twice, nothing lost', async () => {
    const { api, web } = seed(fake);
    const state = new Map<string, unknown>();
    const first = await start(configFor(fake), state, knobs().options);
    await first.poller.cycle();
    const seenFirst = new Set(keys(first.emitted));

    // While the connector is down: news in every resource, some of it just older than the
    // last marks (a late-committed update), and a pipeline that finished.
    push(
      api,
      'main',
      commit(api, 'after restart', ago(30 * MINUTE)),
      commit(api, 'after restart 2', ago(20 * MINUTE)),
    );
    api.mergeRequests.push(mergeRequest(api, 106, 'opened', ago(15 * MINUTE)));
    api.mergeRequests.find((mr) => mr.iid === 2)!.updated_at = ago(14 * MINUTE);
    const running = api.pipelines.find((p) => p.id === 2003)!;
    Object.assign(running, { status: 'success', updated_at: ago(MINUTE) });
    api.deployments.push(deployment(api, 303, 'production', 'running', ago(2 * MINUTE)));
    api.releases.push(release(api, 'v1.2.0', ago(5 * MINUTE)));
    api.tags.push(tag(api, 'v1.2.0', ago(5 * MINUTE)));
    web.pipelines.push(pipeline(web, 3002, 'pending', ago(MINUTE), ago(MINUTE)));

    const second = await start(configFor(fake), state, knobs().options);
    const summary = await second.poller.cycle();
    expect(summary.backfill).toBe(false);
    expect(keys(second.emitted).sort()).toEqual([
      'deploy:acme/platform/api:303',
      'mr:acme/platform/api:106',
      'mr:acme/platform/api:2',
      'pipeline:acme/platform/api:2003',
      'pipeline:acme/web:3002',
      expect.stringMatching(/^push:acme\/platform\/api:main:[0-9a-f]{40}$/),
      expect.stringMatching(/^push:acme\/platform\/api:main:[0-9a-f]{40}$/),
      'release:acme/platform/api:v1.2.0',
      expect.stringMatching(/^tag:acme\/platform\/api:v1\.2\.0:[0-9a-f]{40}$/),
    ]);
    // New changes are new keys; updates reuse the key of the change they update.
    expect(seenFirst.has('pipeline:acme/platform/api:2003')).toBe(true);
    expect(
      second.emitted.find((e) => e.externalId === 'pipeline:acme/platform/api:2003'),
    ).toMatchObject({
      status: 'succeeded',
      updatedAt: ago(MINUTE),
    });
    expect(second.emitted.filter((e) => e.kind === 'push').map((e) => e.title)).toEqual([
      expect.stringMatching(/after restart$/),
      expect.stringMatching(/after restart 2$/),
    ]);
    // The merge requests were asked for from a little before the last one seen (MR 105).
    const asked = fake.requests
      .filter((r) => r.path === '/api/v4/projects/11/merge_requests')
      .at(-1)!;
    expect(Date.parse(asked.query.get('updated_after')!)).toBe(
      Date.parse(ago(6 * HOUR)) - 5 * MINUTE,
    );
  });
});

describe('polling a fake GitLab: limits and failures', () => {
  let fake: FakeGitlab;
  beforeEach(async () => {
    fake = await FakeGitlab.start({ token: TOKEN });
  });
  afterEach(async () => {
    await fake.close();
  });

  test('a spent RateLimit budget pauses the project until the reset, then the poll goes on where it stopped', async () => {
    seed(fake);
    fake.budget.remaining = 5; // spent a few requests into the first project
    fake.budget.resetAt = Math.floor(Date.now() / 1000) + 600;
    const { options, sleeps } = knobs(() => {
      fake.budget.remaining = fake.budget.limit; // the window rolls over while the poller waits
    });
    const run = await start(configFor(fake), new Map(), { ...options, concurrency: 1 });
    const summary = await run.poller.cycle();

    expect(summary.failures).toEqual([]);
    // One pause of about ten minutes (the reset), not a crash and not a busy loop.
    const pauses = sleeps.filter((ms) => ms > 60_000);
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toBeGreaterThan(590_000);
    expect(run.health.some((h) => h.message?.startsWith('rate limited until '))).toBe(true);
    // Everything arrived once: what was read before the pause was checkpointed, not read again.
    expect(run.emitted.length).toBe(new Set(keys(run.emitted)).size);
    expect(kinds(run.emitted)).toMatchObject({ push: 132, pull_request: 105, pipeline: 4 });
    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(0);
  });

  test('a 429 with a short Retry-After is waited out inline and the request repeated', async () => {
    seed(fake);
    fake.faults.push({
      match: /\/pipelines$/,
      status: 429,
      headers: { 'retry-after': '2' },
      repeat: 1,
    });
    const { options, sleeps } = knobs();
    const run = await start(configFor(fake), new Map(), options);
    const summary = await run.poller.cycle();
    expect(summary.failures).toEqual([]);
    expect(sleeps).toContain(2000);
    expect(kinds(run.emitted).pipeline).toBe(4);
  });

  test('a 429 asking for a long wait becomes a pause of the project (Retry-After honoured)', async () => {
    seed(fake);
    fake.faults.push({
      match: /\/projects\/12\/pipelines$/,
      status: 429,
      headers: { 'retry-after': '120' },
      repeat: 1,
    });
    const { options, sleeps } = knobs();
    const run = await start(configFor(fake), new Map(), options);
    const summary = await run.poller.cycle();
    expect(summary.failures).toEqual([]);
    expect(sleeps.some((ms) => ms > 110_000 && ms <= 120_000)).toBe(true);
    expect(run.emitted.filter((e) => e.externalId === 'pipeline:acme/web:3001')).toHaveLength(1);
  });

  test('5xx answers are retried with backoff; one that persists fails only its resource', async () => {
    seed(fake);
    fake.faults.push(
      {
        match: /\/projects\/11\/pipelines$/,
        status: 502,
        body: { message: 'Bad Gateway' },
        repeat: 2,
      },
      {
        match: /\/projects\/11\/deployments$/,
        status: 500,
        body: { message: '500 Internal Server Error' },
        repeat: 100,
      },
    );
    const { options } = knobs();
    const run = await start(configFor(fake), new Map(), options);
    const summary = await run.poller.cycle();
    expect(fake.count(/\/projects\/11\/pipelines$/)).toBe(3);
    expect(summary.failures).toEqual([
      'acme/platform/api deployments: GitLab answered 500 500 Internal Server Error to GET /api/v4/projects/11/deployments (after 4 attempts)',
    ]);
    expect(kinds(run.emitted.filter((e) => e.project === 'acme/platform/api'))).toMatchObject({
      pipeline: 3,
      push: 131,
    });
    expect(kinds(run.emitted)).not.toHaveProperty('deploy');
  });

  test('an unreachable project fails alone: the others are polled and the backfill is tried again', async () => {
    seed(fake);
    project(fake, 13, 'acme/gone', { gone: true });
    const state = new Map<string, unknown>();
    const config = configFor(fake, {
      projects: [{ path: 'acme/gone' }, { path: 'acme/platform/api' }, { path: 'acme/web' }],
    });
    const run = await start(config, state, knobs().options);
    const summary = await run.poller.cycle();
    expect(summary.failures).toEqual([
      'acme/gone: not found (GET /api/v4/projects/acme%2Fgone: 404 404 Not Found): deleted, moved, or the token cannot see it',
    ]);
    expect(new Set(run.emitted.map((e) => e.project))).toEqual(
      new Set(['acme/platform/api', 'acme/web']),
    );
    expect(state.has('backfill')).toBe(false);
    expect(state.has('cursor:acme/gone')).toBe(false);
  });

  test('a refused token stops the run with an AuthenticationError (the supervisor backs off)', async () => {
    seed(fake);
    const run = await start(configFor(fake, { token: 'glpat-wrong' }), new Map(), knobs().options);
    await expect(run.poller.cycle()).rejects.toThrow(AuthenticationError);
    await expect(
      (
        await start(configFor(fake, { token: 'glpat-wrong' }), new Map(), knobs().options)
      ).poller.cycle(),
    ).rejects.toThrow(/GitLab refused the token \(401 401 Unauthorized\)/);
    expect(run.emitted).toEqual([]);
  });

  test('a pipeline polled while running and again once it succeeded is one change that moved on', async () => {
    const api = project(fake, 11, 'acme/platform/api');
    const p = pipeline(api, 4001, 'pending', ago(3 * MINUTE), ago(3 * MINUTE));
    api.pipelines.push(p);
    const run = await start(
      configFor(fake, { projects: [{ path: 'acme/platform/api' }] }),
      new Map(),
      knobs().options,
    );
    await run.poller.cycle();
    Object.assign(p, { status: 'running', updated_at: ago(2 * MINUTE) });
    await run.poller.cycle();
    Object.assign(p, { status: 'success', updated_at: ago(MINUTE) });
    await run.poller.cycle();
    expect(run.emitted.map((e) => [e.externalId, e.status, e.updatedAt])).toEqual([
      ['pipeline:acme/platform/api:4001', 'started', ago(3 * MINUTE)],
      ['pipeline:acme/platform/api:4001', 'in_progress', ago(2 * MINUTE)],
      ['pipeline:acme/platform/api:4001', 'succeeded', ago(MINUTE)],
    ]);
    expect(run.emitted[2]).toMatchObject({
      endTimestamp: ago(MINUTE),
      title: 'Pipeline #4001 succeeded on main',
    });
  });
});

describe('polling a group', () => {
  test('every unarchived project of the group and its subgroups, Link pages to the end', async () => {
    const fake = await FakeGitlab.start();
    try {
      for (let id = 1; id <= 102; id += 1) project(fake, 100 + id, `big/team-${id % 2}/p${id}`);
      const archived = project(fake, 99, 'big/old');
      archived.body.archived = true;
      const run = await start({ host: fake.url, group: 'big' }, new Map(), knobs().options);
      const summary = await run.poller.cycle();
      expect(summary.targets).toBe(102);
      const listing = fake.requests.filter((r) => r.path === '/api/v4/groups/big/projects');
      expect(listing.map((r) => r.query.get('page'))).toEqual([null, '2']);
      expect(listing[0]!.query.get('include_subgroups')).toBe('true');
      expect(listing[0]!.query.get('archived')).toBe('false');
    } finally {
      await fake.close();
    }
  });

  test('with a token, offset pages to the end; configured projects keep their own options', async () => {
    const fake = await FakeGitlab.start({ token: TOKEN });
    try {
      const { api } = seed(fake);
      api.branches.set('release', []);
      const run = await start(
        {
          host: fake.url,
          token: TOKEN,
          group: 'acme',
          projects: [{ path: 'acme/platform/api', service: 'api' }],
        },
        new Map(),
        knobs().options,
      );
      const summary = await run.poller.cycle();
      expect(summary).toMatchObject({ targets: 2, failures: [] });
      const listing = fake.requests.filter((r) => r.path === '/api/v4/groups/acme/projects');
      expect(listing).toHaveLength(1);
      expect(run.emitted.find((e) => e.project === 'acme/platform/api')).toMatchObject({
        service: 'api',
      });
      expect(run.emitted.some((e) => e.project === 'acme/web')).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
