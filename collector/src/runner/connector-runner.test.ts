// The runner's lifecycle as the operator sees it: status(), the events the pipeline receives, the
// log. The connectors are small stand-ins for external plugins; the runner is the real one.
import {
  abortableSleep,
  type ChangeEventInput,
  type ConnectorContext,
  type ConnectorDefinition,
  type ConnectorState,
  type EmitResult,
} from '@painchain/sdk';
import { pino } from 'pino';
import { Type } from 'typebox';
import {
  ConnectorRunner,
  type ConnectorInstanceSpec,
  type ConnectorRunnerDeps,
  type EmitTarget,
} from './connector-runner.js';

const Options = Type.Object({ intervalMs: Type.Optional(Type.Integer({ minimum: 1 })) });
type Options = { intervalMs?: number };

interface LogLine {
  level: number;
  msg: string;
  connector?: string;
  retryInMs?: number;
  progress?: { percent: number | null };
  [key: string]: unknown;
}
const INFO = 30;
const ERROR = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** Resolves after `ms`, or at once when the signal is aborted. */
const pause = abortableSleep;

const deploy = (n: number): ChangeEventInput => ({
  connector: 'stub',
  kind: 'deploy',
  title: `deploy ${n}`,
  project: 'acme/api',
  timestamp: Date.now(),
});

function definition(
  type: string,
  create: (ctx: ConnectorContext<Options>) => { run(): Promise<void> },
): ConnectorDefinition<typeof Options> {
  return {
    type,
    description: `${type} stand-in`,
    kinds: ['deploy'],
    configSchema: Options,
    defaultConfig: () => ({}),
    create,
  };
}

/** Emits a deploy every few ms until aborted. */
const ticker = definition('ticker', (ctx) => ({
  async run() {
    let n = 0;
    while (!ctx.signal.aborted) {
      await ctx.emit(deploy(++n));
      await pause(ctx.config.intervalMs ?? 3, ctx.signal);
    }
  },
}));

/** Idle until aborted, saying nothing: only the startup grace makes it `running`. */
const silent = definition('silent', (ctx) => ({ run: () => pause(60_000, ctx.signal) }));

function instance(name: string, type: string, extra: Partial<ConnectorInstanceSpec> = {}) {
  return { name, type, tenant: 'acme', enabled: true, options: {}, ...extra };
}

const runners: ConnectorRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
});

function setup(
  definitions: ConnectorDefinition[],
  instances: ConnectorInstanceSpec[],
  overrides: Partial<ConnectorRunnerDeps> = {},
) {
  const received: { target: EmitTarget; events: ChangeEventInput[] }[] = [];
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const states = new Map<string, Map<string, unknown>>();
  const stateFor = (tenant: string, name: string): ConnectorState => {
    const key = `${tenant}/${name}`;
    const values = states.get(key) ?? new Map<string, unknown>();
    states.set(key, values);
    return {
      get: async <T>(k: string) => values.get(k) as T | undefined,
      set: async (k, v) => void values.set(k, v),
      delete: async (k) => void values.delete(k),
    };
  };
  const emit = async (target: EmitTarget, events: ChangeEventInput[]): Promise<EmitResult> => {
    received.push({ target, events });
    return {
      ids: events.map((_, i) => `id-${received.length}-${i}`),
      created: events.length,
      updated: 0,
      unchanged: 0,
    };
  };
  const runner = new ConnectorRunner({
    definitions,
    instances,
    logger,
    emit,
    stateFor,
    backoff: { initialMs: 20, maxMs: 80, factor: 2 },
    stopTimeoutMs: 300,
    startupGraceMs: 20,
    progressLogIntervalMs: 50,
    ...overrides,
  });
  runners.push(runner);
  const eventCount = () => received.reduce((sum, batch) => sum + batch.events.length, 0);
  const statusOf = (name: string) => {
    const found = runner.status().find((s) => s.name === name);
    if (!found) throw new Error(`no status for ${name}`);
    return found;
  };
  return { runner, received, logs, eventCount, statusOf };
}

describe('ConnectorRunner', () => {
  it('runs enabled instances, hands their events to emit by tenant and instance, and stores none after stop', async () => {
    const { runner, received, eventCount, statusOf } = setup(
      [ticker],
      [instance('tick-a', 'ticker'), instance('tick-off', 'ticker', { enabled: false })],
    );
    runner.start();
    await waitFor(() => eventCount() >= 3, 'three events');

    const running = statusOf('tick-a');
    expect(running).toMatchObject({
      type: 'ticker',
      tenant: 'acme',
      mode: 'in-process',
      state: 'running',
      restarts: 0,
      lastError: null,
    });
    expect(running.eventsEmitted).toBeGreaterThanOrEqual(3);
    expect(Date.parse(running.lastEventAt ?? '')).not.toBeNaN();
    expect(statusOf('tick-off')).toMatchObject({
      state: 'disabled',
      startedAt: null,
      eventsEmitted: 0,
    });
    expect(new Set(received.map((batch) => JSON.stringify(batch.target)))).toEqual(
      new Set([JSON.stringify({ tenant: 'acme', connector: 'tick-a' })]),
    );

    await runner.stop();
    const storedAtStop = eventCount();
    expect(statusOf('tick-a').state).toBe('stopped');
    expect(statusOf('tick-a').eventsEmitted).toBe(storedAtStop);
    await sleep(30);
    expect(eventCount()).toBe(storedAtStop);
  });

  it('filters status by tenant', () => {
    const { runner } = setup(
      [silent],
      [instance('one', 'silent'), instance('two', 'silent', { tenant: 'globex' })],
    );
    expect(runner.status('globex').map((s) => s.name)).toEqual(['two']);
    expect(runner.status().map((s) => s.name)).toEqual(['one', 'two']);
    expect(runner.status('nobody')).toEqual([]);
  });

  it('restarts a failing connector with capped exponential backoff until it runs', async () => {
    let runs = 0;
    const flaky = definition('flaky', (ctx) => ({
      async run() {
        runs += 1;
        if (runs <= 3) {
          await sleep(2);
          throw new Error(`boom ${runs}`);
        }
        ctx.reportHealth({ message: 'watching 1 repository' });
        await pause(60_000, ctx.signal);
      },
    }));
    const { runner, logs, statusOf } = setup([flaky], [instance('flaky-1', 'flaky')], {
      backoff: { initialMs: 20, factor: 2, maxMs: 50 },
    });
    runner.start();

    await waitFor(() => statusOf('flaky-1').state === 'backoff', 'first backoff');
    const backingOff = statusOf('flaky-1');
    expect(backingOff.lastError?.message).toBe('boom 1');
    expect(backingOff.restarts).toBe(0);
    expect(Date.parse(backingOff.nextRestartAt ?? '')).toBeGreaterThan(
      Date.parse(backingOff.lastError?.at ?? ''),
    );

    await waitFor(() => statusOf('flaky-1').state === 'running', 'running after three failures');
    expect(statusOf('flaky-1')).toMatchObject({
      restarts: 3,
      lastError: { message: 'boom 3' },
      nextRestartAt: null,
      health: { message: 'watching 1 repository' },
    });
    // Delays 20, 40, then capped at 50, each shortened by at most 20 % jitter.
    const delays = logs.flatMap((line) => (line.retryInMs === undefined ? [] : [line.retryInMs]));
    expect(delays).toHaveLength(3);
    expect(delays[0]).toBeGreaterThanOrEqual(16);
    expect(delays[0]).toBeLessThanOrEqual(20);
    expect(delays[1]).toBeGreaterThanOrEqual(32);
    expect(delays[1]).toBeLessThanOrEqual(40);
    expect(delays[2]).toBeGreaterThanOrEqual(40);
    expect(delays[2]).toBeLessThanOrEqual(50);
  });

  it('counts a throw in create() and a run() that returns before stop as failures, and stop() cuts the backoff wait short', async () => {
    let creates = 0;
    const thrower = definition('thrower', () => {
      creates += 1;
      throw new Error('token rejected');
    });
    const quitter = definition('quitter', () => ({ run: async () => undefined }));
    const { runner, statusOf } = setup(
      [thrower, quitter],
      [instance('thrower-1', 'thrower'), instance('quitter-1', 'quitter')],
      { backoff: { initialMs: 150, factor: 2, maxMs: 1_000 } },
    );
    runner.start();
    await waitFor(
      () => runner.status().every((s) => s.state === 'backoff'),
      'both connectors in backoff',
    );
    expect(statusOf('thrower-1').lastError?.message).toBe('token rejected');
    expect(statusOf('quitter-1').lastError?.message).toBe('run() returned before stop');

    const before = Date.now();
    await runner.stop();
    expect(Date.now() - before).toBeLessThan(100);
    expect(runner.status().map((s) => [s.state, s.nextRestartAt])).toEqual([
      ['stopped', null],
      ['stopped', null],
    ]);
    await sleep(200);
    expect(creates).toBe(1);
    expect(statusOf('thrower-1').restarts).toBe(0);
  });

  it('keeps only the error message: no stack or attached secrets in status or log', async () => {
    const leaky = definition('leaky', () => ({
      async run() {
        const error = new Error('request failed with 401');
        Object.assign(error, { headers: { authorization: 'Bearer s3cr3t-token' } });
        throw error;
      },
    }));
    const { runner, logs, statusOf } = setup([leaky], [instance('leaky-1', 'leaky')]);
    runner.start();
    await waitFor(() => statusOf('leaky-1').lastError !== null, 'a recorded error');
    expect(statusOf('leaky-1').lastError?.message).toBe('request failed with 401');
    const everything = JSON.stringify(runner.status()) + JSON.stringify(logs);
    expect(everything).not.toContain('s3cr3t-token');
    expect(JSON.stringify(runner.status())).not.toMatch(/at .*connector-runner/);
  });

  it('resets the backoff after a run that stayed up past stableAfterMs', async () => {
    // Without the reset the delays would be 10, 100, 1000 ms and three restarts would take > 1 s.
    const tired = definition('tired', (ctx) => ({
      async run() {
        await pause(40, ctx.signal);
        if (!ctx.signal.aborted) throw new Error('lost the watch');
      },
    }));
    const { runner, logs, statusOf } = setup([tired], [instance('tired-1', 'tired')], {
      backoff: { initialMs: 10, factor: 10, maxMs: 10_000 },
      stableAfterMs: 30,
    });
    runner.start();
    await waitFor(() => statusOf('tired-1').restarts >= 3, 'three restarts', 600);
    const delays = logs.flatMap((line) => (line.retryInMs === undefined ? [] : [line.retryInMs]));
    expect(Math.max(...delays)).toBeLessThanOrEqual(10);
  });

  it('stop() gives up on a connector that ignores abort after the timeout, and refuses its later emits', async () => {
    let release = () => {};
    let lateEmit: Promise<unknown> | undefined;
    const deaf = definition('deaf', (ctx) => ({
      run: () =>
        new Promise<void>((resolve) => {
          release = resolve;
          ctx.signal.addEventListener('abort', () => {
            setTimeout(() => {
              lateEmit = ctx.emit(deploy(1));
              lateEmit.catch(() => undefined);
            }, 60);
          });
        }),
    }));
    const { runner, received, logs, statusOf } = setup([deaf], [instance('deaf-1', 'deaf')], {
      stopTimeoutMs: 30,
    });
    runner.start();

    const before = Date.now();
    await runner.stop();
    const took = Date.now() - before;
    expect(took).toBeGreaterThanOrEqual(25);
    expect(took).toBeLessThan(200);
    expect(statusOf('deaf-1').state).toBe('stopped');
    expect(
      logs.some(
        (line) =>
          line.level === ERROR && line.connector === 'deaf-1' && /did not stop/.test(line.msg),
      ),
    ).toBe(true);

    await waitFor(() => lateEmit !== undefined, 'the late emit');
    await expect(lateEmit).rejects.toThrow(/"deaf-1" is stopped: emit\(\) after stop is refused/);
    expect(received).toEqual([]);
    await expect(runner.stop()).resolves.toBeUndefined();
    release();
  });

  it('refuses emits left over from a run that failed', async () => {
    let leftover: Promise<unknown> | undefined;
    const sloppy = definition('sloppy', (ctx) => ({
      async run() {
        setTimeout(() => {
          leftover = ctx.emit(deploy(1));
          leftover.catch(() => undefined);
        }, 10);
        throw new Error('crashed');
      },
    }));
    const { runner, received } = setup([sloppy], [instance('sloppy-1', 'sloppy')], {
      backoff: { initialMs: 1_000, factor: 2, maxMs: 1_000 },
    });
    runner.start();
    await waitFor(() => leftover !== undefined, 'the leftover emit');
    await expect(leftover).rejects.toThrow(/is stopped/);
    expect(received).toEqual([]);
  });

  it('shows reported progress and health in status, and logs progress at most once per interval', async () => {
    const lastSyncAt = new Date(Date.now() - 5_000);
    const backfill = definition('backfill', (ctx) => ({
      async run() {
        for (let done = 1; done <= 10; done += 1) {
          ctx.reportHealth({ progress: { phase: 'backfill', done, total: 200, unit: 'runs' } });
        }
        await pause(70, ctx.signal);
        ctx.reportHealth({ progress: { phase: 'backfill', done: 150, total: 200, unit: 'runs' } });
        ctx.reportHealth({
          message: 'backfilling acme/api',
          lastSyncAt,
          details: { rateLimitRemaining: 4200 },
        });
        await pause(60_000, ctx.signal);
      },
    }));
    const { runner, logs, statusOf } = setup([backfill], [instance('backfill-1', 'backfill')]);
    runner.start();
    await waitFor(() => statusOf('backfill-1').health.message !== null, 'the health message');

    expect(statusOf('backfill-1').health).toEqual({
      message: 'backfilling acme/api',
      lastSyncAt: lastSyncAt.toISOString(),
      lagSeconds: 5,
      progress: { phase: 'backfill', done: 150, total: 200, unit: 'runs', percent: 75 },
      details: { rateLimitRemaining: 4200 },
    });
    const progressLines = logs.filter((line) => line.level === INFO && line.progress !== undefined);
    expect(progressLines.map((line) => line.msg)).toEqual([
      'backfill: 1/200 runs (0.5%)',
      'backfill: 150/200 runs (75%)',
    ]);
  });

  it("is 'starting' until the connector shows life or the grace period ends", async () => {
    const chatty = definition('chatty', (ctx) => ({
      async run() {
        ctx.reportHealth({ message: 'connected' });
        await pause(60_000, ctx.signal);
      },
    }));
    const { runner, statusOf } = setup(
      [silent, chatty],
      [instance('silent-1', 'silent'), instance('chatty-1', 'chatty')],
      { startupGraceMs: 40 },
    );
    expect(statusOf('silent-1').state).toBe('stopped');
    runner.start();
    expect(statusOf('silent-1').state).toBe('starting');
    expect(statusOf('chatty-1').state).toBe('running');
    await waitFor(() => statusOf('silent-1').state === 'running', 'running after the grace period');
  });

  it('refuses a configuration it cannot run, listing every problem', () => {
    expect(
      () =>
        new ConnectorRunner({
          definitions: [ticker],
          instances: [
            instance('a', 'ticker', { options: { intervalMs: 'fast' } }),
            instance('a', 'ticker'),
            instance('b', 'gitlab'),
            instance('c', 'not-installed', { enabled: false }),
          ],
          logger: pino({ level: 'silent' }),
          emit: async () => ({ ids: [], created: 0, updated: 0, unchanged: 0 }),
          stateFor: () => {
            throw new Error('unused');
          },
        }),
    ).toThrow(
      /connectors\[0\] \(a\): options\.intervalMs: must be an integer, got a string\n\s+connectors\[1\] \(a\): name "a" is used twice in tenant "acme"\n\s+connectors\[2\] \(b\): unknown connector type "gitlab" \(known: ticker\)$/,
    );
  });

  it('stops idempotently and cannot be started again', async () => {
    const { runner, statusOf } = setup([silent], [instance('silent-1', 'silent')]);
    runner.start();
    await Promise.all([runner.stop(), runner.stop()]);
    await runner.stop();
    expect(statusOf('silent-1').state).toBe('stopped');
    expect(() => runner.start()).toThrow(/after stop\(\)/);
  });
});
