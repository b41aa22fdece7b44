// The poll scheduler under leases, as collector replicas sharing one database run it: schedulers
// over one state (the store's connector_state) and one lease table (the test kit's, with the
// collector store's rules, on a clock the test moves). What is checked: who polls what, that no
// target is polled by two replicas at once, and that a handover repeats and skips nothing.
import type { ChangeEventInput } from '../change-event.js';
import { createTestContext } from '../testkit/create-test-context.js';
import { MemoryLeases } from '../testkit/memory-leases.js';
import {
  PollScheduler,
  type PollContext,
  type PollOutcome,
  type PollSource,
  type PollTarget,
} from './poll-scheduler.js';
import { AuthenticationError } from './source-errors.js';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const TTL_MS = 30_000;
const INTERVAL_MS = 60_000;
const PROJECTS = ['acme/api', 'acme/db', 'acme/ops', 'acme/web'];

interface Cursor {
  seq: number;
}

const change = (project: string, seq: number): ChangeEventInput => ({
  connector: 'fake',
  externalId: `${project}#${seq}`,
  kind: 'push',
  title: `change ${seq} of ${project}`,
  project,
  timestamp: new Date(T0 - 60_000 + seq).toISOString(),
});

/**
 * The source system all replicas read: numbered changes per project. It notes which replica
 * polls what, and any moment two replicas poll the same project.
 */
class World {
  readonly changes: Map<string, number>;
  readonly polls: string[] = [];
  readonly overlaps: string[] = [];
  private readonly inFlight = new Map<string, string>();
  /** Replaces a replica's poll of a project once (a test's hook into the middle of a poll). */
  readonly once = new Map<string, (ctx: PollContext<Cursor>) => Promise<void>>();

  constructor(projects: readonly string[]) {
    this.changes = new Map(projects.map((project) => [project, 1]));
  }

  source(replica: string): PollSource<string, Cursor> {
    return {
      unit: { one: 'repository', other: 'repositories' },
      targets: async (): Promise<PollTarget<string>[]> =>
        [...this.changes.keys()].map((project) => ({
          key: project,
          label: project,
          value: project,
        })),
      poll: async (project, ctx): Promise<PollOutcome | void> => {
        const other = this.inFlight.get(project);
        if (other !== undefined) this.overlaps.push(`${replica} and ${other} on ${project}`);
        this.inFlight.set(project, replica);
        this.polls.push(`${replica} ${project}`);
        try {
          // Other replicas' work gets its turn while this one is in flight.
          await new Promise((resolve) => setImmediate(resolve));
          const hook = this.once.get(`${replica} ${project}`);
          this.once.delete(`${replica} ${project}`);
          if (hook) await hook(ctx);
          const events: ChangeEventInput[] = [];
          for (let seq = (ctx.cursor?.seq ?? 0) + 1; seq <= this.changes.get(project)!; seq += 1) {
            events.push(change(project, seq));
          }
          await ctx.emit(events);
          await ctx.checkpoint({ seq: this.changes.get(project)! });
        } finally {
          this.inFlight.delete(project);
        }
      },
    };
  }

  /** A new change in every project. */
  advance(): void {
    for (const [project, seq] of this.changes) this.changes.set(project, seq + 1);
  }

  /** Every change there is, as externalIds. */
  all(): string[] {
    return [...this.changes].flatMap(([project, last]) =>
      Array.from({ length: last }, (_, i) => `${project}#${i + 1}`),
    );
  }
}

function cluster(options: { projects?: readonly string[]; renewEveryMs?: number } = {}) {
  let now = T0;
  const { projects = PROJECTS, renewEveryMs } = options;
  const leases = new MemoryLeases({ ttlMs: TTL_MS, now: () => now, renewEveryMs });
  const state = new Map<string, unknown>();
  const world = new World(projects);
  const replica = (name: string, sleep?: (ms: number) => Promise<void>) => {
    const test = createTestContext({ name, config: {}, state, leases: leases.for(name) });
    const scheduler = new PollScheduler<string, Cursor>({
      source: world.source(name),
      ctx: test.ctx,
      intervalMs: INTERVAL_MS,
      now: () => new Date(now),
      sleep: sleep ?? (async () => undefined),
    });
    return { ...test, scheduler, name };
  };
  return {
    leases,
    state,
    world,
    replica,
    advanceClock: (ms: number) => {
      now += ms;
    },
  };
}

const polledBy = (world: World, replica: string) =>
  world.polls.filter((poll) => poll.startsWith(`${replica} `)).map((poll) => poll.split(' ')[1]);

describe('PollScheduler with leases', () => {
  test('replicas split the targets: each polls what it holds, a joining one gets its share, nothing is read twice', async () => {
    const { world, replica, leases } = cluster();
    const a = replica('a');
    const b = replica('b');

    // Alone, a takes every target.
    expect(await a.scheduler.cycle()).toMatchObject({ targets: 4, elsewhere: 0 });
    // b takes part, but every lease is a's until a gives up its surplus.
    expect(await b.scheduler.cycle()).toMatchObject({ targets: 0, elsewhere: 4, events: 0 });
    expect(b.health.at(-1)).toMatchObject({
      message: 'polling 0 repositories (4 more on other replicas)',
      details: { repositories: 0, onOtherReplicas: 4 },
    });
    world.polls.length = 0;
    world.advance();
    expect(await a.scheduler.cycle()).toMatchObject({ targets: 2, elsewhere: 2, events: 2 });
    expect(await b.scheduler.cycle()).toMatchObject({ targets: 2, elsewhere: 2, events: 2 });
    expect(a.health.at(-1)!.message).toBe('polling 2 repositories (2 more on other replicas)');

    const ofA = polledBy(world, 'a');
    const ofB = polledBy(world, 'b');
    expect([...ofA, ...ofB].sort()).toEqual(PROJECTS);
    for (const project of ofA) expect(leases.holderOf(project!)).toBe('a');
    for (const project of ofB) expect(leases.holderOf(project!)).toBe('b');

    world.advance();
    await Promise.all([a.scheduler.cycle(), b.scheduler.cycle()]);
    expect(world.overlaps).toEqual([]);
    const emitted = [...a.emitted, ...b.emitted].map((event) => event.externalId);
    expect(emitted.sort()).toEqual(world.all().sort());
  });

  test('a stopped replica gives its targets up at once; a dead one loses them after the TTL, and the others read on from its cursors', async () => {
    const projects = [...PROJECTS, 'acme/cli', 'acme/docs'].sort();
    const { world, replica, leases, advanceClock } = cluster({ projects });
    const a = replica('a');
    const b = replica('b');
    const c = replica('c');
    for (const r of [a, b, c, a, b, c]) await r.scheduler.cycle();
    const holders = () => projects.map((p) => leases.holderOf(p) ?? '-').sort();
    expect(holders()).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);

    // c stops: run() ends and its leases are free at once, with no wait for the TTL.
    const heldByC = projects.filter((project) => leases.holderOf(project) === 'c');
    c.abort();
    await c.scheduler.run();
    for (const project of heldByC) expect(leases.holderOf(project)).toBeUndefined();
    world.advance();
    await a.scheduler.cycle();
    await b.scheduler.cycle();
    expect(holders()).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);

    // b dies (kill -9: it never gives anything up). Its changes keep coming.
    const heldByB = projects.filter((project) => leases.holderOf(project) === 'b');
    world.advance();
    advanceClock(TTL_MS - 1);
    await a.scheduler.cycle();
    // Not yet: for all a knows, b is only slow.
    for (const project of heldByB) expect(leases.holderOf(project)).toBe('b');
    advanceClock(1);
    world.polls.length = 0;
    expect(await a.scheduler.cycle()).toMatchObject({ targets: 6, elsewhere: 0 });
    expect(polledBy(world, 'a').sort()).toEqual(projects);

    // Every change was emitted once, by whichever replica held its project at the time.
    const emitted = [...a.emitted, ...b.emitted, ...c.emitted].map((event) => event.externalId);
    expect(emitted.sort()).toEqual(world.all().sort());
    expect(world.overlaps).toEqual([]);
  });

  test('a run that fails gives its leases up too', async () => {
    const { world, replica, leases } = cluster();
    const a = replica('a');
    world.once.set('a acme/api', async () => {
      throw new AuthenticationError('401 Bad credentials');
    });
    await expect(a.scheduler.run()).rejects.toThrow(AuthenticationError);
    for (const project of PROJECTS) expect(leases.holderOf(project)).toBeUndefined();
  });

  test('a poll whose lease was taken meanwhile stops: it emits and saves nothing more, and the new holder reads on from the cursor', async () => {
    // Renewals every 5 ms of real time, on the test's clock: a's renewal finds its lease taken.
    const { world, replica, leases, advanceClock, state } = cluster({
      projects: ['acme/api'],
      renewEveryMs: 5,
    });
    const a = replica('a');
    const b = replica('b');
    await a.scheduler.cycle();
    expect(state.get('cursor:acme/api')).toEqual({ seq: 1 });

    world.advance();
    world.once.set('a acme/api', async (ctx) => {
      // a stalls longer than the TTL in the middle of its poll; b takes the target over.
      advanceClock(TTL_MS);
      expect(await b.scheduler.cycle()).toMatchObject({ targets: 1, events: 1 });
      // a's next renewal finds the lease taken: its poll is told to stop.
      if (!ctx.signal.aborted) {
        await new Promise((resolve) =>
          ctx.signal.addEventListener('abort', resolve, { once: true }),
        );
      }
    });
    const stalled = await a.scheduler.cycle();

    expect(leases.holderOf('acme/api')).toBe('b');
    // a's late answer (change 2, which b emitted) was not emitted again, its cursor not saved.
    expect(a.emitted.map((event) => event.externalId)).toEqual(['acme/api#1']);
    expect(stalled).toMatchObject({ failures: [], events: 0 });
    expect(state.get('cursor:acme/api')).toEqual({ seq: 2 });
    // b reads on from the cursor it saved: change 3, and nothing twice.
    world.advance();
    await b.scheduler.cycle();
    expect([...a.emitted, ...b.emitted].map((event) => event.externalId)).toEqual([
      'acme/api#1',
      'acme/api#2',
      'acme/api#3',
    ]);
  });

  test('between cycles run() claims every renewal period, and polls at once a target it gains', async () => {
    const { world, replica, leases } = cluster();
    const a = replica('a');
    await a.scheduler.cycle();
    const slept: number[] = [];
    const b = replica('b', async (ms) => {
      slept.push(ms);
      // During b's third wait, a stops and gives everything up.
      if (slept.length === 3) await leases.for('a').leave();
      if (polledBy(world, 'b').length > 0) b.abort();
    });
    world.polls.length = 0;

    await b.scheduler.run();

    expect(slept.slice(0, 3)).toEqual([10_000, 10_000, 10_000]);
    // Gained after 30 of the 60 seconds: polled then, not a whole interval later.
    expect(polledBy(world, 'b').sort()).toEqual(PROJECTS);
    expect(slept.reduce((sum, ms) => sum + ms, 0)).toBeLessThan(INTERVAL_MS);
  });
});
