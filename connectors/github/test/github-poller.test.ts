// The poller against a local fake of the GitHub REST API: a first backfill over several pages,
// an idle poll of free 304s, a restart that resumes from the cursors, rate-limit pauses, retried
// 5xx answers, a repository that disappears, organisations, GHES and tokens.
import type { ChangeEventInput } from '@painchain/sdk';
import { createTestContext } from '@painchain/sdk/testkit';
import type { GithubConfig } from '../src/github-config.js';
import {
  createGithubConnectorDefinition,
  GithubConnector,
  type GithubConnectorOptions,
} from '../src/github-connector.js';
import { FakeGithub, SECONDARY_LIMIT_MESSAGE, type FakeRepository } from './fake-github.js';
import { ago, DAY, NOW, SEEDED_KINDS, seedApi, seedWeb, sha, TOKEN } from './github-seed.js';
import * as rest from './rest-fixtures.js';

/** Fast retries and waits; a sleep that records what it was asked to wait and returns at once. */
function knobs(extra: Partial<GithubConnectorOptions> = {}) {
  const sleeps: number[] = [];
  const options: GithubConnectorOptions = {
    retryAfterBaseValueMs: 5,
    concurrency: 2,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  };
  return { options, sleeps };
}

async function connector(
  config: GithubConfig,
  state: Map<string, unknown>,
  options: GithubConnectorOptions,
) {
  const test = createTestContext({ name: 'github-test', config, state });
  const definition = createGithubConnectorDefinition(options);
  const instance = definition.create(test.ctx) as GithubConnector;
  return { ...test, instance, poller: await instance.createPoller() };
}

const kinds = (events: readonly ChangeEventInput[]) =>
  events.reduce<Record<string, number>>((counts, event) => {
    counts[event.kind ?? 'other'] = (counts[event.kind ?? 'other'] ?? 0) + 1;
    return counts;
  }, {});

const config = (fake: FakeGithub, extra: Partial<GithubConfig> = {}): GithubConfig => ({
  baseUrl: fake.url,
  token: TOKEN,
  repositories: [
    { owner: 'acme', repo: 'api', service: 'api', environment: 'production', tags: ['team-a'] },
    { owner: 'acme', repo: 'web' },
  ],
  ...extra,
});

describe('polling a fake GitHub: backfill, idle, restart', () => {
  let fake: FakeGithub;
  let api: FakeRepository;
  const state = new Map<string, unknown>();
  const all: ChangeEventInput[] = [];

  beforeAll(async () => {
    fake = await FakeGithub.start({ token: TOKEN });
    api = seedApi(fake);
    seedWeb(fake);
  });
  afterAll(() => fake.close());

  test('the first start reads the whole window, page by page, and reports its progress', async () => {
    const { options } = knobs();
    const run = await connector(config(fake), state, options);
    const summary = await run.poller.cycle();
    all.push(...run.emitted);

    expect(summary).toMatchObject({ targets: 2, failures: [], backfill: true });
    expect(run.violations).toEqual([]);
    expect(kinds(run.emitted)).toEqual(SEEDED_KINDS);
    // Link pagination followed to the end of the window: commits 100 + 100 + 30.
    const commitPages = fake.requests
      .filter((r) => r.path === '/repos/acme/api/commits')
      .map((r) => r.query.get('page'));
    expect(commitPages).toEqual(expect.arrayContaining([null, '2', '3']));
    // Nothing from before the window.
    const windowStart = NOW - 30 * DAY;
    for (const event of run.emitted.filter((e) => e.kind === 'push')) {
      expect(Date.parse(String(event.timestamp))).toBeGreaterThanOrEqual(windowStart);
    }
    // The repository mapping applies to polled events.
    expect(run.emitted.find((e) => e.project === 'acme/api')).toMatchObject({
      service: 'api',
      environment: 'production',
      tags: ['team-a'],
    });
    const rollback = run.emitted.find((e) => e.kind === 'rollback');
    expect(rollback).toMatchObject({
      externalId: 'deploy:acme/api:3',
      environment: 'production',
      status: 'succeeded',
    });

    const progress = run.health.filter((h) => h.progress).map((h) => h.progress);
    expect(progress[0]).toEqual({ phase: 'backfill', done: 0, total: 2, unit: 'repositories' });
    expect(progress.at(-1)).toEqual({ phase: 'backfill', done: 2, total: 2, unit: 'repositories' });
    expect(run.health.at(-1)).toMatchObject({
      progress: null,
      lastSyncAt: expect.any(Date),
      details: expect.objectContaining({
        repositories: 2,
        failing: 0,
        rateLimitRemaining: fake.remaining,
      }),
    });
    expect(state.get('backfill')).toEqual({ completedAt: expect.any(String) });
  });

  test('an idle poll makes only conditional requests, all answered 304: no rate limit spent', async () => {
    const { options } = knobs();
    const run = await connector(config(fake), state, options);
    const mark = fake.requests.length;
    const summary = await run.poller.cycle();
    const requests = fake.requests.slice(mark);
    expect(summary).toMatchObject({ events: 0, failures: [], backfill: false });
    expect(run.emitted).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.status !== 304)).toEqual([]);
    expect(requests.every((r) => r.conditional)).toBe(true);
    expect(fake.pointsSpent(mark)).toBe(0);
  });

  test('after a restart, polling resumes from the stored cursors: new changes once, nothing re-read', async () => {
    const main = api.branches.get('main')!;
    main.unshift(
      rest.commit('acme', 'api', {
        sha: sha(9999),
        parents: [main[0]!.sha],
        message: 'hotfix',
        date: ago(60_000),
      }),
    );
    api.pulls.push(
      rest.pullRequest('acme', 'api', {
        number: 131,
        title: 'New feature',
        state: 'open',
        createdAt: ago(120_000),
        updatedAt: ago(60_000),
        headRef: 'feature-131',
        headSha: sha(131, 'h'),
      }),
    );
    const running = api.runs.find((r) => r.id === 5119)!;
    Object.assign(running, { status: 'completed', conclusion: 'success', updated_at: ago(30_000) });
    api.statuses.get(4)!.unshift(
      rest.deploymentStatus('acme', 'api', {
        deploymentId: 4,
        state: 'success',
        environment: 'staging',
        at: ago(20_000),
      }),
    );
    api.tags.unshift(rest.tag('acme', 'api', 'v1.2.0', sha(9999)));

    const { options } = knobs();
    // A new connector (a restart) with the state the store kept.
    const run = await connector(config(fake), state, options);
    const summary = await run.poller.cycle();
    expect(summary.failures).toEqual([]);
    const ids = run.emitted.map((e) => e.externalId);
    expect(ids).toEqual(
      expect.arrayContaining([
        `push:acme/api:refs/heads/main:${sha(9999)}`,
        'pr:acme/api:131',
        'run:acme/api:5119:1',
        'deploy:acme/api:4',
        'tag:acme/api:v1.2.0',
      ]),
    );
    // Only the changes: no commit, PR, deployment or release of the backfill is read again.
    expect(run.emitted.filter((e) => e.kind === 'push')).toHaveLength(1);
    // The PR updated last at the cursor's instant is read again (ties are kept, not risked).
    expect(
      run.emitted.filter((e) => e.kind === 'pull_request').map((e) => e.refs?.pullRequest),
    ).toEqual([130, 131]);
    expect(run.emitted.filter((e) => e.kind === 'deploy')).toHaveLength(1);
    expect(run.emitted.filter((e) => e.kind === 'release')).toHaveLength(0);
    expect(run.emitted.find((e) => e.externalId === 'run:acme/api:5119:1')).toMatchObject({
      status: 'succeeded',
    });
    expect(run.emitted.find((e) => e.externalId === 'deploy:acme/api:4')).toMatchObject({
      status: 'succeeded',
      environment: 'staging',
    });
    // Every change there is, each under one key: union of both runs, no key twice within a run.
    all.push(...run.emitted);
    expect(new Set(run.emitted.map((e) => e.externalId)).size).toBe(run.emitted.length);

    const mark = fake.requests.length;
    await (await connector(config(fake), state, options)).poller.cycle();
    expect(fake.pointsSpent(mark)).toBe(0);
  });
});

describe('polling a fake GitHub: failures', () => {
  let fake: FakeGithub;
  beforeEach(async () => {
    fake = await FakeGithub.start({ token: TOKEN });
    seedApi(fake);
    seedWeb(fake);
  });
  afterEach(() => fake.close());

  test('a spent budget pauses polling until the reset, once, then it resumes (no spinning)', async () => {
    const { options, sleeps } = knobs({ maxInlineWaitSeconds: 0 });
    options.sleep = async (ms) => {
      sleeps.push(ms);
      // The time passes: the budget refills.
      fake.remaining = fake.limit;
    };
    const run = await connector(
      config(fake, { repositories: [{ owner: 'acme', repo: 'api' }] }),
      new Map(),
      options,
    );
    fake.exhaust(3600);
    const summary = await run.poller.cycle();
    expect(summary.failures).toEqual([]);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(3500 * 1000);
    expect(fake.requests.filter((r) => r.status === 403)).toHaveLength(1);
    expect(run.health.some((h) => /^rate limited until /.test(h.message ?? ''))).toBe(true);
    expect(run.emitted.length).toBeGreaterThan(400);
  });

  test('a secondary rate limit (403 with retry-after) is waited out and retried by the throttling plugin', async () => {
    const { options } = knobs();
    fake.fail({
      path: /^\/repos\/acme\/api\/pulls$/,
      status: 403,
      headers: { 'retry-after': '1' },
      body: { message: SECONDARY_LIMIT_MESSAGE },
      times: 1,
    });
    const run = await connector(config(fake), new Map(), options);
    const summary = await run.poller.cycle();
    expect(summary.failures).toEqual([]);
    const pulls = fake.requests.filter(
      (r) => r.path === '/repos/acme/api/pulls' && r.query.get('page') === null,
    );
    expect(pulls.map((r) => r.status)).toEqual([403, 200]);
    expect(run.emitted.filter((e) => e.kind === 'pull_request')).toHaveLength(120);
  });

  test('a 5xx answer is retried, and the poll completes', async () => {
    const { options } = knobs();
    fake.fail({ path: /^\/repos\/acme\/api\/releases$/, status: 502, times: 2 });
    const run = await connector(config(fake), new Map(), options);
    const summary = await run.poller.cycle();
    expect(summary.failures).toEqual([]);
    const releases = fake.requests.filter((r) => r.path === '/repos/acme/api/releases');
    expect(releases.map((r) => r.status)).toEqual([502, 502, 200]);
    expect(run.emitted.filter((e) => e.kind === 'release')).toHaveLength(2);
  });

  test('stopping does not wait for a pending retry (octokit waits 1 s, 4 s, 9 s between 5xx retries)', async () => {
    fake.fail({ path: /^\/repos\/acme\/api$/, status: 503, times: 10 });
    const run = await connector(config(fake), new Map(), { retryAfterBaseValueMs: 1000 });
    const running = run.instance.run();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopped = Date.now();
    run.abort();
    await expect(running).resolves.toBeUndefined();
    expect(Date.now() - stopped).toBeLessThan(500);
    expect(run.violations).toEqual([]);
  });

  test('a repository that disappears (404) is reported, and the others are still polled', async () => {
    const { options } = knobs();
    const state = new Map<string, unknown>();
    await (await connector(config(fake), state, options)).poller.cycle();
    fake.repository('acme', 'web').gone = true;
    const main = fake.repository('acme', 'api').branches.get('main')!;
    main.unshift(
      rest.commit('acme', 'api', {
        sha: sha(7777),
        parents: [main[0]!.sha],
        message: 'still here',
        date: ago(1000),
      }),
    );

    const run = await connector(config(fake), state, options);
    const summary = await run.poller.cycle();
    expect(summary.failures).toEqual([
      'acme/web: not found: deleted, renamed, or the token cannot see it',
    ]);
    expect(run.emitted.map((e) => e.externalId)).toEqual([
      `push:acme/api:refs/heads/main:${sha(7777)}`,
    ]);
    expect(run.health.at(-1)).toMatchObject({
      message: expect.stringContaining('acme/web: not found'),
      details: expect.objectContaining({ failing: 1 }),
    });
  });

  test('owner: every unarchived repository of the organisation is polled', async () => {
    fake.organisations.add('acme');
    fake.repository('acme', 'attic').archived = true;
    const { options } = knobs();
    const run = await connector(
      { baseUrl: fake.url, token: TOKEN, owner: 'acme', events: ['push'] },
      new Map(),
      options,
    );
    const summary = await run.poller.cycle();
    expect(summary).toMatchObject({ targets: 2, failures: [] });
    expect(new Set(run.emitted.map((e) => e.project))).toEqual(new Set(['acme/api', 'acme/web']));
  });

  test('GitHub Enterprise Server: the API under /api/v3 of another host', async () => {
    const { options } = knobs();
    const run = await connector(
      config(fake, { baseUrl: `${fake.url}/api/v3`, events: ['release'] }),
      new Map(),
      options,
    );
    const summary = await run.poller.cycle();
    expect(summary.failures).toEqual([]);
    expect(kinds(run.emitted)).toEqual({ release: 2 });
  });

  test('a token GitHub refuses fails the run with a clear error; the token is not in it', async () => {
    const { options } = knobs();
    const run = await connector(config(fake, { token: 'ghp_wrong' }), new Map(), options);
    const failed = run.instance.run();
    await expect(failed).rejects.toThrow(/GitHub refused the token \(401/);
    await expect(failed).rejects.not.toThrow(/ghp_wrong/);
  });

  test('the token is read from tokenFile before every poll (rotated installation tokens)', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(await mkdtemp(join(tmpdir(), 'painchain-gh-')), 'token');
    await writeFile(file, `${TOKEN}\n`);
    const { options } = knobs();
    const run = await connector(
      { baseUrl: fake.url, tokenFile: file, repositories: [{ owner: 'acme', repo: 'web' }] },
      new Map(),
      options,
    );
    const summary = await run.poller.cycle();
    expect(summary.failures).toEqual([]);
    expect(run.emitted).toHaveLength(3);
  });
});
