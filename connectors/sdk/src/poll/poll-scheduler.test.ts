// The poll scheduler over a real in-memory context (createTestContext) and a small source that
// stands in for an external system: backfill and its progress, cursors in state, the project
// mapping, chunked emits, failing targets and their backoff, rate limits, stop.
import type { ChangeEventInput } from '../change-event.js';
import { ProjectMapping } from '../events/project-mapping.js';
import { createTestContext } from '../testkit/create-test-context.js';
import {
  EMIT_CHUNK,
  PollScheduler,
  type PollContext,
  type PollOutcome,
  type PollSchedulerOptions,
  type PollSource,
  type PollTarget,
} from './poll-scheduler.js';
import { AuthenticationError, NotFoundError, RateLimitedError } from './source-errors.js';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const INTERVAL_MS = 10_000;

interface Cursor {
  seq: number;
}

/** A change as the stand-in source knows it: a sequence number per project. */
const change = (project: string, seq: number): ChangeEventInput => ({
  connector: 'fake',
  externalId: `${project}#${seq}`,
  kind: 'push',
  title: `change ${seq} of ${project}`,
  project,
  timestamp: new Date(T0 - 60_000 + seq).toISOString(),
});

/**
 * A source of numbered changes per project: each poll emits what is newer than its cursor, then
 * checkpoints. `behave` may replace a poll of one project (throw, emit more, abort).
 */
class FakeSource implements PollSource<string, Cursor> {
  readonly unit = { one: 'repository', other: 'repositories' };
  /** How many changes each project has; add to one to make news. */
  readonly changes = new Map<string, number>();
  /** The cursor every poll was given, per project, in order. */
  readonly cursors = new Map<string, (Cursor | undefined)[]>();
  behave = new Map<string, (ctx: PollContext<Cursor>) => Promise<PollOutcome | void>>();
  describeFailure?: (error: unknown) => string | undefined;

  constructor(projects: Record<string, number>) {
    for (const [project, count] of Object.entries(projects)) this.changes.set(project, count);
  }

  async targets(): Promise<PollTarget<string>[]> {
    return [...this.changes.keys()].map((project) => ({
      key: project,
      label: project,
      value: project,
    }));
  }

  polls(project: string): number {
    return this.cursors.get(project)?.length ?? 0;
  }

  async poll(project: string, ctx: PollContext<Cursor>): Promise<PollOutcome | void> {
    this.cursors.set(project, [...(this.cursors.get(project) ?? []), ctx.cursor]);
    const special = this.behave.get(project);
    if (special) return special(ctx);
    const from = ctx.cursor?.seq ?? 0;
    const to = this.changes.get(project) ?? 0;
    const events: ChangeEventInput[] = [];
    for (let seq = from + 1; seq <= to; seq += 1) events.push(change(project, seq));
    await ctx.emit(events);
    await ctx.checkpoint({ seq: to });
  }
}

/** A Map that counts writes per key: what the store would be asked to write. */
class CountingMap extends Map<string, unknown> {
  readonly writes = new Map<string, number>();
  override set(key: string, value: unknown): this {
    // Map's constructor calls set() before the field exists.
    this.writes?.set(key, (this.writes.get(key) ?? 0) + 1);
    return super.set(key, value);
  }
}

/** A clock the test moves by hand. */
function clock(start = T0) {
  let now = start;
  return {
    now: () => new Date(now),
    at: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function setup(
  source: FakeSource,
  extra: Partial<Omit<PollSchedulerOptions<string, Cursor>, 'source' | 'ctx'>> & {
    state?: Map<string, unknown>;
  } = {},
) {
  const { state, ...options } = extra;
  const test = createTestContext({ name: 'fake', config: {}, state });
  const time = clock();
  const sleeps: number[] = [];
  const scheduler = new PollScheduler<string, Cursor>({
    source,
    ctx: test.ctx,
    intervalMs: INTERVAL_MS,
    now: time.now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { ...test, scheduler, time, sleeps };
}

const progressOf = (health: { progress?: unknown }[]) =>
  health.filter((report) => report.progress).map((report) => report.progress);

describe('PollScheduler: backfill and cursors', () => {
  test('the first cycle is a backfill that reports progress per target and is marked done at the end', async () => {
    const source = new FakeSource({ 'acme/api': 2, 'acme/web': 1 });
    const seenBackfillKey: boolean[] = [];
    const run = setup(source, { concurrency: 1 });
    source.behave.set('acme/web', async (ctx) => {
      seenBackfillKey.push(run.state.has('backfill'));
      await ctx.emit([change('acme/web', 1)]);
      await ctx.checkpoint({ seq: 1 });
    });

    const summary = await run.scheduler.cycle();

    expect(summary).toEqual({ targets: 2, events: 3, failures: [], backfill: true });
    expect(run.violations).toEqual([]);
    expect(run.emitted.map((event) => event.externalId)).toEqual([
      'acme/api#1',
      'acme/api#2',
      'acme/web#1',
    ]);
    expect(progressOf(run.health)).toEqual([
      { phase: 'backfill', done: 0, total: 2, unit: 'repositories' },
      { phase: 'backfill', done: 1, total: 2, unit: 'repositories' },
      { phase: 'backfill', done: 2, total: 2, unit: 'repositories' },
    ]);
    expect(run.health[0]!.message).toBe('backfill: 0 of 2 repositories, 0 events');
    expect(run.health.at(-2)!.message).toBe('backfill: 2 of 2 repositories, 3 events');
    expect(run.health.at(-1)).toEqual({
      message: 'polling 2 repositories',
      condition: 'ok',
      progress: null,
      lastSyncAt: new Date(T0),
      details: { repositories: 2, failing: 0 },
    });
    // Written once every target was read, not before.
    expect(seenBackfillKey).toEqual([false]);
    expect(run.state.get('backfill')).toEqual({ completedAt: new Date(T0).toISOString() });

    const next = await run.scheduler.cycle();
    expect(next.backfill).toBe(false);
    expect(progressOf(run.health.slice(4))).toEqual([]);
  });

  test('cursors are saved per target under cursor:<key>, and an unchanged cursor is not written again', async () => {
    const source = new FakeSource({ 'acme/api': 2, 'acme/web': 1 });
    const state = new CountingMap();
    const run = setup(source, { state });

    await run.scheduler.cycle();
    expect(state.get('cursor:acme/api')).toEqual({ seq: 2 });
    expect(state.get('cursor:acme/web')).toEqual({ seq: 1 });
    expect(state.writes.get('cursor:acme/api')).toBe(1);

    // An idle cycle checkpoints the same cursors: nothing is written.
    const idle = await run.scheduler.cycle();
    expect(idle).toMatchObject({ events: 0, failures: [], backfill: false });
    expect(state.writes.get('cursor:acme/api')).toBe(1);
    expect(state.writes.get('cursor:acme/web')).toBe(1);
    expect(state.writes.get('backfill')).toBe(1);

    source.changes.set('acme/api', 3);
    const news = await run.scheduler.cycle();
    expect(news.events).toBe(1);
    expect(run.emitted.map((event) => event.externalId)).toEqual([
      'acme/api#1',
      'acme/api#2',
      'acme/web#1',
      'acme/api#3',
    ]);
    expect(state.get('cursor:acme/api')).toEqual({ seq: 3 });
    expect(state.writes.get('cursor:acme/api')).toBe(2);
    expect(state.writes.get('cursor:acme/web')).toBe(1);
  });

  test('each cycle gives a target the cursor stored by the last one, also after a restart', async () => {
    const source = new FakeSource({ 'acme/api': 2 });
    const state = new Map<string, unknown>();
    const first = setup(source, { state });
    await first.scheduler.cycle();
    source.changes.set('acme/api', 4);
    await first.scheduler.cycle();
    expect(source.cursors.get('acme/api')).toEqual([undefined, { seq: 2 }]);

    // A new scheduler over the same store: no backfill again, polling resumes from the cursor.
    const restarted = setup(source, { state });
    const summary = await restarted.scheduler.cycle();
    expect(summary).toMatchObject({ backfill: false, events: 0 });
    expect(source.cursors.get('acme/api')).toEqual([undefined, { seq: 2 }, { seq: 4 }]);
    expect(restarted.emitted).toEqual([]);
  });

  test('a cursor is not saved when the events before it could not be emitted: the next cycle reads them again', async () => {
    const source = new FakeSource({ 'acme/api': 1 });
    const run = setup(source);
    source.behave.set('acme/api', async (ctx) => {
      // The pipeline refuses this one (an empty title), so emit() rejects before the checkpoint.
      await ctx.emit([{ ...change('acme/api', 1), title: '' }]);
      await ctx.checkpoint({ seq: 1 });
    });

    const summary = await run.scheduler.cycle();
    expect(summary.failures).toEqual([expect.stringMatching(/^acme\/api: .*invalid change event/)]);
    expect(run.state.has('cursor:acme/api')).toBe(false);

    source.behave.delete('acme/api');
    await run.scheduler.cycle();
    expect(source.cursors.get('acme/api')).toEqual([undefined, undefined]);
    expect(run.emitted.map((event) => event.externalId)).toEqual(['acme/api#1']);
    expect(run.state.get('cursor:acme/api')).toEqual({ seq: 1 });
  });
});

describe('PollScheduler: what is emitted', () => {
  test('polled events get service, environment and tags from the project mapping', async () => {
    const source = new FakeSource({ 'Acme/API': 1, 'acme/web': 0 });
    const mapping = new ProjectMapping(
      [
        {
          project: 'acme/api',
          service: 'api',
          environment: 'production',
          tags: ['team-a', 'fake'],
        },
      ],
      { tags: ['fake'] },
    );
    const run = setup(source, { mapping, concurrency: 1 });
    source.behave.set('acme/web', async (ctx) => {
      await ctx.emit([{ ...change('acme/web', 1), environment: 'staging', tags: ['web'] }]);
    });

    await run.scheduler.cycle();

    expect(run.emitted).toEqual([
      {
        ...change('Acme/API', 1),
        service: 'api',
        environment: 'production',
        tags: ['fake', 'team-a'],
      },
      { ...change('acme/web', 1), environment: 'staging', tags: ['web', 'fake'] },
    ]);
  });

  test(`a large poll is emitted in chunks of ${EMIT_CHUNK} events, all counted`, async () => {
    const total = EMIT_CHUNK * 2 + 1;
    const source = new FakeSource({ 'acme/api': total });
    const test = createTestContext({ name: 'fake', config: {} });
    const batches: number[] = [];
    const scheduler = new PollScheduler<string, Cursor>({
      source,
      ctx: {
        ...test.ctx,
        emit: (events) => {
          batches.push(Array.isArray(events) ? events.length : 1);
          return test.ctx.emit(events);
        },
      },
      intervalMs: INTERVAL_MS,
    });

    const summary = await scheduler.cycle();

    expect(batches).toEqual([EMIT_CHUNK, EMIT_CHUNK, 1]);
    expect(summary.events).toBe(total);
    expect(test.emitted).toHaveLength(total);
    expect(test.emitted.at(-1)!.externalId).toBe(`acme/api#${total}`);
    expect(test.health.at(-2)!.message).toBe(`backfill: 1 of 1 repository, ${total} events`);
  });

  test('problems of a target that was otherwise read are listed as "label problem"; the sync still counts', async () => {
    const source = new FakeSource({ 'acme/api': 1 });
    const run = setup(source);
    source.behave.set('acme/api', async (ctx) => {
      await ctx.emit([change('acme/api', 1)]);
      await ctx.checkpoint({ seq: 1 });
      return { problems: ['deployments: 403 Forbidden', 'packages: 404 Not Found'] };
    });

    const summary = await run.scheduler.cycle();

    expect(summary.failures).toEqual([
      'acme/api deployments: 403 Forbidden',
      'acme/api packages: 404 Not Found',
    ]);
    expect(run.health.at(-1)).toMatchObject({
      message: 'polling 1 repository; 2 problems: acme/api deployments: 403 Forbidden',
      lastSyncAt: new Date(T0),
      details: { repositories: 1, failing: 2 },
    });
    expect(run.state.get('backfill')).toBeDefined();
    expect(run.state.get('cursor:acme/api')).toEqual({ seq: 1 });
  });
});

describe('PollScheduler: failing targets', () => {
  test('a target that throws fails only itself: the others are polled, the failure is reported', async () => {
    const source = new FakeSource({ 'acme/api': 1, 'acme/broken': 1, 'acme/web': 1 });
    const run = setup(source);
    source.behave.set('acme/broken', async () => {
      throw new Error('502 Bad Gateway');
    });

    const summary = await run.scheduler.cycle();

    expect(summary).toEqual({
      targets: 3,
      events: 2,
      failures: ['acme/broken: 502 Bad Gateway'],
      backfill: true,
    });
    expect(run.emitted.map((event) => event.project).sort()).toEqual(['acme/api', 'acme/web']);
    expect(run.health.at(-1)).toEqual({
      message: 'polling 3 repositories; 1 problem: acme/broken: 502 Bad Gateway',
      condition: 'degraded',
      progress: null,
      lastSyncAt: new Date(T0),
      details: { repositories: 3, failing: 1 },
    });
    // The backfill is not done while one target has not been read: the next cycle is one too.
    expect(run.state.has('backfill')).toBe(false);
    expect(run.state.has('cursor:acme/broken')).toBe(false);
    source.behave.delete('acme/broken');
    const next = await run.scheduler.cycle();
    expect(next).toMatchObject({ backfill: true, failures: [], events: 1 });
    expect(run.state.get('backfill')).toEqual({ completedAt: new Date(T0).toISOString() });
  });

  test('when every target failed, the health report has no lastSyncAt', async () => {
    const source = new FakeSource({ 'acme/api': 1, 'acme/web': 1 });
    const run = setup(source, { concurrency: 1 });
    const down = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    source.behave.set('acme/api', down);
    source.behave.set('acme/web', down);

    const summary = await run.scheduler.cycle();

    expect(summary.failures).toHaveLength(2);
    const last = run.health.at(-1)!;
    // It says so: failing, with the cause; the supervisor shows the connector as `error`.
    expect(last.message).toBe(
      'failing: no repository could be read; acme/api: connect ECONNREFUSED',
    );
    expect(last.condition).toBe('failing');
    expect(last).not.toHaveProperty('lastSyncAt');
    expect(run.health.some((report) => report.lastSyncAt !== undefined)).toBe(false);
  });

  test('a failing target is retried at the next cycle, then backed off (doubling, capped), and recovers', async () => {
    const source = new FakeSource({ 'acme/api': 1, 'acme/broken': 2 });
    const run = setup(source, { maxTargetBackoffMs: 3 * INTERVAL_MS });
    source.behave.set('acme/broken', async () => {
      throw new Error('500 Internal Server Error');
    });
    const failure = 'acme/broken: 500 Internal Server Error';
    const skipped = (times: number, at: number) =>
      `acme/broken: failing (${times} times), next try at ${new Date(at).toISOString()}`;

    // 1st failure: tried again at the very next cycle.
    expect((await run.scheduler.cycle()).failures).toEqual([failure]);
    run.time.advance(INTERVAL_MS);
    expect((await run.scheduler.cycle()).failures).toEqual([failure]);
    expect(source.polls('acme/broken')).toBe(2);
    const secondFailureAt = run.time.at();

    // 2nd failure: two intervals of rest, so the next cycle skips it.
    run.time.advance(INTERVAL_MS);
    const rest = await run.scheduler.cycle();
    expect(rest.failures).toEqual([skipped(2, secondFailureAt + 2 * INTERVAL_MS)]);
    expect(source.polls('acme/broken')).toBe(2);
    expect(source.polls('acme/api')).toBe(3);
    expect(run.health.at(-1)!.message).toBe(
      `polling 2 repositories; 1 problem: ${skipped(2, secondFailureAt + 2 * INTERVAL_MS)}`,
    );

    // 3rd failure: four intervals, capped at three.
    run.time.advance(INTERVAL_MS);
    expect((await run.scheduler.cycle()).failures).toEqual([failure]);
    const thirdFailureAt = run.time.at();
    run.time.advance(3 * INTERVAL_MS - 1);
    expect((await run.scheduler.cycle()).failures).toEqual([
      skipped(3, thirdFailureAt + 3 * INTERVAL_MS),
    ]);

    // Fixed: read from the start at its next try, and no longer failing after.
    source.behave.delete('acme/broken');
    run.time.advance(1);
    expect(await run.scheduler.cycle()).toMatchObject({ failures: [], events: 2 });
    run.time.advance(INTERVAL_MS);
    expect((await run.scheduler.cycle()).failures).toEqual([]);
    expect(source.polls('acme/broken')).toBe(5);
    expect(run.emitted.filter((event) => event.project === 'acme/broken')).toHaveLength(2);
    expect(run.health.at(-1)!.message).toBe('polling 2 repositories');
  });

  test('a target that is not found is reported with "not found:", unless the source words it itself', async () => {
    const source = new FakeSource({ 'acme/gone': 0, 'acme/renamed': 0, 'acme/flaky': 0 });
    source.behave.set('acme/gone', async () => {
      throw new NotFoundError('404 Not Found');
    });
    source.behave.set('acme/renamed', async () => {
      throw new NotFoundError('301 Moved Permanently');
    });
    source.behave.set('acme/flaky', async () => {
      throw new Error('socket hang up');
    });
    source.describeFailure = (error) =>
      error instanceof NotFoundError && error.message.startsWith('301')
        ? 'renamed; configure its new name'
        : undefined;

    const summary = await setup(source).scheduler.cycle();

    expect(summary.failures.sort()).toEqual([
      'acme/flaky: socket hang up',
      'acme/gone: not found: 404 Not Found',
      'acme/renamed: renamed; configure its new name',
    ]);
  });

  test('a refused credential stops the run: run() rejects with the AuthenticationError', async () => {
    const source = new FakeSource({ 'acme/api': 1, 'acme/web': 1 });
    source.behave.set('acme/web', async () => {
      throw new AuthenticationError('401 Bad credentials');
    });
    const run = setup(source, { concurrency: 1 });

    await expect(run.scheduler.run()).rejects.toThrow(AuthenticationError);
    await expect(setup(source).scheduler.run()).rejects.toThrow('401 Bad credentials');
    expect(run.sleeps).toEqual([]);
  });

  // Only an abort of ctx.signal is a stop: an AbortError of the source's own request timeout
  // must not count the target as read (no failure, backfill marked done, a false lastSyncAt).
  test('an AbortError that is not a stop fails the target like any other error', async () => {
    const source = new FakeSource({ 'acme/api': 1 });
    source.behave.set('acme/api', async () => {
      // As an AbortController of the source's own (a request timeout) rejects a request.
      throw Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    });
    const run = setup(source);

    const summary = await run.scheduler.cycle();

    expect(summary.failures).toEqual(['acme/api: This operation was aborted']);
    expect(run.state.has('backfill')).toBe(false);
    expect(run.health.at(-1)).not.toHaveProperty('lastSyncAt');
  });
});

describe('PollScheduler: rate limits', () => {
  test('a rate-limited target pauses until the limit resets, then is read again', async () => {
    const source = new FakeSource({ 'acme/api': 2, 'acme/web': 1 });
    const run = setup(source);
    const resumeAt = new Date(Date.now() + 30_000);
    let limited = false;
    source.behave.set('acme/api', async (ctx) => {
      if (!limited) {
        limited = true;
        // Part of the work got through before the limit hit.
        await ctx.emit([change('acme/api', 1)]);
        await ctx.checkpoint({ seq: 1 });
        throw new RateLimitedError('API rate limit exceeded', resumeAt);
      }
      await ctx.emit([change('acme/api', 2)]);
      await ctx.checkpoint({ seq: 2 });
    });

    const summary = await run.scheduler.cycle();

    expect(summary).toMatchObject({ failures: [], events: 3 });
    expect(run.sleeps).toHaveLength(1);
    expect(run.sleeps[0]).toBeGreaterThan(29_000);
    expect(run.sleeps[0]).toBeLessThanOrEqual(30_000);
    // The retry starts from what was checkpointed before the pause.
    expect(source.cursors.get('acme/api')).toEqual([undefined, { seq: 1 }]);
    const paused = run.health.find((report) => report.message?.startsWith('rate limited until'));
    expect(paused?.message).toMatch(/^rate limited until \d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(paused?.details).toMatchObject({ rateLimitedUntil: expect.any(String) });
    expect(run.state.get('cursor:acme/api')).toEqual({ seq: 2 });
    expect(run.state.has('backfill')).toBe(true);
  });

  test('a rate limit that should already be over still pauses at least a second: never a busy loop', async () => {
    const source = new FakeSource({ 'acme/api': 1 });
    const run = setup(source);
    let limited = false;
    source.behave.set('acme/api', async () => {
      if (limited) return;
      limited = true;
      throw new RateLimitedError('secondary rate limit', new Date(Date.now() - 60_000));
    });

    expect((await run.scheduler.cycle()).failures).toEqual([]);
    expect(run.sleeps).toEqual([1_000]);
  });

  test('a target still rate limited after five pauses is reported as failing', async () => {
    const source = new FakeSource({ 'acme/api': 1 });
    const run = setup(source);
    source.behave.set('acme/api', async () => {
      throw new RateLimitedError('API rate limit exceeded', new Date(0));
    });

    const summary = await run.scheduler.cycle();

    expect(run.sleeps).toEqual([1_000, 1_000, 1_000, 1_000, 1_000]);
    expect(summary.failures).toEqual(['acme/api: API rate limit exceeded']);
    expect(source.polls('acme/api')).toBe(6);
  });
});

describe('PollScheduler: run() and stop', () => {
  test('run() polls once per interval until the signal aborts, then resolves', async () => {
    const source = new FakeSource({ 'acme/api': 1 });
    const test = createTestContext({ name: 'fake', config: {} });
    const sleeps: number[] = [];
    const scheduler = new PollScheduler<string, Cursor>({
      source,
      ctx: test.ctx,
      intervalMs: INTERVAL_MS,
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length === 2) test.abort();
      },
    });

    await expect(scheduler.run()).resolves.toBeUndefined();

    expect(sleeps).toEqual([INTERVAL_MS, INTERVAL_MS]);
    expect(source.polls('acme/api')).toBe(2);
    expect(test.violations).toEqual([]);
  });

  test('a stop during a cycle makes run() resolve, and nothing is emitted or saved after it', async () => {
    const source = new FakeSource({ 'acme/api': 1, 'acme/web': 1, 'acme/docs': 1 });
    const run = setup(source, { concurrency: 1 });
    source.behave.set('acme/web', async (ctx) => {
      // The answer arrived, then the connector was told to stop.
      run.abort();
      await ctx.emit([change('acme/web', 1)]);
      await ctx.checkpoint({ seq: 1 });
    });

    await expect(run.scheduler.run()).resolves.toBeUndefined();

    expect(run.violations).toEqual([]);
    expect(run.emitted.map((event) => event.project)).toEqual(['acme/api']);
    expect(run.state.get('cursor:acme/api')).toEqual({ seq: 1 });
    expect(run.state.has('cursor:acme/web')).toBe(false);
    expect(source.polls('acme/docs')).toBe(0);
    expect(run.state.has('backfill')).toBe(false);
    expect(run.health.some((report) => report.message?.startsWith('polling'))).toBe(false);
    expect(run.sleeps).toEqual([]);
  });
});
