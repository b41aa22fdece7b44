// The supervisor directly, with small timings: what is live when, who hears of changes, the
// run's signal reaching the sink, and emits refused once the run is stopped.
import { Type } from 'typebox';
import type { ChangeEventInput } from '../change-event.js';
import type {
  Connector,
  ConnectorContext,
  ConnectorDefinition,
  ConnectorLogger,
  ConnectorState,
  EmitResult,
} from '../connector.js';
import { ConnectorSupervisor, type SupervisorTiming } from './connector-supervisor.js';
import type { SupervisedState } from './connector-status.js';

const event: ChangeEventInput = {
  connector: 'demo',
  kind: 'deploy',
  title: 'deploy api',
  project: 'acme/api',
  timestamp: '2026-11-25T10:00:00Z',
};

const silent: ConnectorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

const memoryState = (): ConnectorState => {
  const values = new Map<string, unknown>();
  return {
    get: async <T>(key: string) => values.get(key) as T | undefined,
    set: async (key, value) => {
      values.set(key, value);
    },
    delete: async (key) => {
      values.delete(key);
    },
  };
};

const FAST: Partial<SupervisorTiming> = {
  backoff: { initialMs: 5, maxMs: 10, factor: 2 },
  stableAfterMs: 60_000,
  stopTimeoutMs: 500,
  startupGraceMs: 5,
  progressLogIntervalMs: 0,
};

const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/** Waits (a few ms at a time) until `check` holds; fails after a second. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 1_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A connector type whose runs do what `run` says; every context it was given is kept. */
function demo(run: (ctx: ConnectorContext, attempt: number) => Promise<void>) {
  const contexts: ConnectorContext[] = [];
  const definition: ConnectorDefinition = {
    type: 'demo',
    description: 'a connector for supervisor tests',
    kinds: ['deploy'],
    configSchema: Type.Object({}),
    defaultConfig: () => ({}),
    create: (ctx): Connector => {
      contexts.push(ctx);
      return { run: () => run(ctx, contexts.length) };
    },
  };
  return { definition, contexts };
}

function supervise(
  definition: ConnectorDefinition,
  timing: Partial<SupervisorTiming> = FAST,
  onChange?: () => void,
) {
  const sunk: { events: ChangeEventInput[]; signal: AbortSignal }[] = [];
  const supervisor = new ConnectorSupervisor({
    name: 'demo-1',
    definition,
    config: {},
    logger: silent,
    state: memoryState(),
    sink: async (events, signal): Promise<EmitResult> => {
      sunk.push({ events, signal });
      return {
        ids: events.map((_, i) => `id-${i}`),
        created: events.length,
        updated: 0,
        unchanged: 0,
      };
    },
    timing,
    onChange,
  });
  return { supervisor, sunk };
}

describe('ConnectorSupervisor', () => {
  test('a live run takes emits from outside as its own, and the sink gets the run’s signal', async () => {
    const { definition, contexts } = demo(async (ctx) => {
      ctx.reportHealth({ message: 'listening' });
      await untilAborted(ctx.signal);
    });
    const { supervisor, sunk } = supervise(definition);
    supervisor.start();
    await until(() => supervisor.snapshot().state === 'running', 'running');

    const live = supervisor.live();
    expect(live).toBeDefined();
    await expect(live!.emit([event])).resolves.toMatchObject({ created: 1 });
    await contexts[0]!.emit(event);

    expect(sunk.map((call) => call.events)).toEqual([[event], [event]]);
    expect(sunk[0]!.signal.aborted).toBe(false);
    expect(supervisor.snapshot()).toMatchObject({
      eventsEmitted: 2,
      lastEventAt: expect.any(String),
    });

    await supervisor.stop();
    // The run's signal, as the sink saw it, is aborted by stop: in-flight writes are cut short.
    expect(sunk[0]!.signal.aborted).toBe(true);
    expect(sunk[1]!.signal).toBe(sunk[0]!.signal);
  });

  test('after stop, live() is undefined and emits are refused without reaching the sink', async () => {
    const { definition, contexts } = demo(async (ctx) => {
      ctx.reportHealth({ message: 'listening' });
      await untilAborted(ctx.signal);
    });
    const { supervisor, sunk } = supervise(definition);
    supervisor.start();
    await until(() => supervisor.snapshot().state === 'running', 'running');
    const live = supervisor.live()!;

    await supervisor.stop();

    expect(supervisor.snapshot().state).toBe('stopped');
    expect(supervisor.live()).toBeUndefined();
    await expect(contexts[0]!.emit(event)).rejects.toThrow(/emit\(\) after stop is refused/);
    await expect(live.emit([event])).rejects.toThrow(/emit\(\) after stop is refused/);
    expect(sunk).toEqual([]);
    expect(supervisor.snapshot().eventsEmitted).toBe(0);
  });

  test('a run in backoff is not live, nor after stop', async () => {
    const { definition } = demo(async () => {
      throw new Error('401 Bad credentials');
    });
    const { supervisor } = supervise(definition, {
      ...FAST,
      backoff: { initialMs: 60_000, maxMs: 60_000, factor: 2 },
    });
    supervisor.start();
    await until(() => supervisor.snapshot().state === 'backoff', 'backoff');

    expect(supervisor.live()).toBeUndefined();
    expect(supervisor.snapshot()).toMatchObject({
      lastError: { message: '401 Bad credentials' },
      nextRestartAt: expect.any(String),
    });
    await supervisor.stop();
    expect(supervisor.live()).toBeUndefined();
    expect(supervisor.snapshot()).toMatchObject({ state: 'stopped', nextRestartAt: null });
  });

  test('the run restarted after backoff is live', async () => {
    const { definition } = demo(async (ctx, attempt) => {
      if (attempt === 1) throw new Error('502 Bad Gateway');
      await untilAborted(ctx.signal);
    });
    const { supervisor } = supervise(definition);
    supervisor.start();
    await until(
      () => supervisor.snapshot().restarts === 1 && supervisor.live() !== undefined,
      'a live restarted run',
    );
    expect(supervisor.snapshot()).toMatchObject({
      restarts: 1,
      lastError: { message: '502 Bad Gateway' },
    });
    await supervisor.stop();
  });

  test('onChange is told of every change of state: starting, backoff, starting, running, stopped', async () => {
    const { definition } = demo(async (ctx, attempt) => {
      if (attempt === 1) throw new Error('502 Bad Gateway');
      await untilAborted(ctx.signal);
    });
    const seen: SupervisedState[] = [];
    let calls = 0;
    const { supervisor } = supervise(definition, FAST, () => {
      calls += 1;
      const state = supervisor.snapshot().state;
      if (seen.at(-1) !== state) seen.push(state);
    });
    supervisor.start();
    // Running after the startup grace, without any sign of life from the run.
    await until(() => seen.at(-1) === 'running', 'running');
    expect(seen).toEqual(['starting', 'backoff', 'starting', 'running']);

    const before = calls;
    await supervisor.stop();
    expect(supervisor.snapshot().state).toBe('stopped');
    // The move to `stopped` is a change of state too (standalone mode sends a heartbeat on it).
    expect(calls).toBeGreaterThan(before);
    expect(seen.at(-1)).toBe('stopped');
  });

  test('health reports reach onChange and the snapshot', async () => {
    const { definition } = demo(async (ctx) => {
      ctx.reportHealth({ message: 'backfill', progress: { phase: 'backfill', done: 1, total: 4 } });
      await untilAborted(ctx.signal);
    });
    let calls = 0;
    const { supervisor } = supervise(definition, FAST, () => {
      calls += 1;
    });
    supervisor.start();
    await until(() => supervisor.snapshot().health.message === 'backfill', 'the health report');
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(supervisor.snapshot().health.progress).toEqual({
      phase: 'backfill',
      done: 1,
      total: 4,
      unit: null,
      percent: 25,
    });
    await supervisor.stop();
  });
});
