// The conformance kit must pass a well-behaved connector and fail each kind of misbehaviour.
import { Type } from 'typebox';
import type { ChangeEventInput } from '../change-event.js';
import type { ConnectorContext, ConnectorDefinition } from '../connector.js';
import { checkConformance } from './check-conformance.js';
import { abortableSleep } from '../abortable-sleep.js';

const Config = Type.Object({ intervalMs: Type.Integer({ minimum: 1 }) });
type Config = { intervalMs: number };

const event = (n: number): ChangeEventInput => ({
  connector: 'ticker',
  kind: 'deploy',
  title: `deploy ${n}`,
  project: 'acme/api',
  timestamp: Date.now(),
  externalId: `deploy-${n}`,
});

/** Resolves after `ms`, or at once when the signal is aborted. */
const pause = abortableSleep;

/** A connector stand-in whose run loop is given by the test. */
function definitionWith(
  run: (ctx: ConnectorContext<Config>) => Promise<void>,
  overrides: Partial<ConnectorDefinition<typeof Config>> = {},
): ConnectorDefinition<typeof Config> {
  return {
    type: 'ticker',
    description: 'emits a deploy every few milliseconds',
    kinds: ['deploy'],
    configSchema: Config,
    defaultConfig: () => ({ intervalMs: 5 }),
    create: (ctx) => ({ run: () => run(ctx) }),
    ...overrides,
  };
}

const wellBehaved = definitionWith(async (ctx) => {
  let n = (await ctx.state.get<number>('count')) ?? 0;
  while (!ctx.signal.aborted) {
    await ctx.emit(event(++n));
    await ctx.state.set('count', n);
    await pause(ctx.config.intervalMs, ctx.signal);
  }
});

describe('checkConformance', () => {
  it('passes a connector that emits valid events and stops on abort', async () => {
    await expect(checkConformance(wellBehaved, { settleMs: 20 })).resolves.toBeUndefined();
  });

  it('fails a connector that emits after abort, even when it swallows the error', async () => {
    const leaky = definitionWith(async (ctx) => {
      await pause(1_000, ctx.signal);
      setTimeout(() => {
        ctx.emit(event(1)).catch(() => undefined);
      }, 2);
    });
    await expect(checkConformance(leaky, { settleMs: 20 })).rejects.toThrow(
      /round 1 of 2: after abort:\n.*emit\(\) of 1 event\(s\) after ctx\.signal was aborted/,
    );
  });

  it('fails a connector that emits an invalid event, naming the field', async () => {
    const sloppy = definitionWith(async (ctx) => {
      const { project: _project, ...withoutProject } = event(1);
      await ctx.emit(withoutProject as ChangeEventInput).catch(() => undefined);
      await pause(1_000, ctx.signal);
    });
    await expect(checkConformance(sloppy, { settleMs: 20 })).rejects.toThrow(
      /before abort:\n\s+event\[0\]\/: .*project/,
    );
  });

  it('fails a default config that does not validate against the schema', async () => {
    const invalidDefaults = definitionWith(async () => undefined, {
      defaultConfig: () => ({ intervalMs: 0 }),
    });
    await expect(checkConformance(invalidDefaults)).rejects.toThrow(
      /defaultConfig\(\) does not validate against configSchema:\n\s+defaultConfig\(\)\/intervalMs/,
    );
  });

  it('fails a run that returns before abort', async () => {
    const quitter = definitionWith(async () => undefined);
    await expect(checkConformance(quitter, { settleMs: 10 })).rejects.toThrow(
      /run\(\) resolved before abort/,
    );
  });

  it('fails a run that ignores abort, after the timeout', async () => {
    let release = () => {};
    const deaf = definitionWith(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(checkConformance(deaf, { settleMs: 10, timeoutMs: 30 })).rejects.toThrow(
      /did not settle within 30 ms after abort/,
    );
    release();
  });

  it('fails a run that rejects when stopped', async () => {
    const grumpy = definitionWith(async (ctx) => {
      await pause(1_000, ctx.signal);
      throw new Error('aborted!');
    });
    await expect(checkConformance(grumpy, { settleMs: 10 })).rejects.toThrow(
      /run\(\) rejected after abort \(aborted!\)/,
    );
  });

  it('fails the second start when the connector cannot run twice', async () => {
    let runs = 0;
    const once = definitionWith(async (ctx) => {
      runs += 1;
      if (runs > 1) throw new Error('already started');
      await pause(1_000, ctx.signal);
    });
    await expect(checkConformance(once, { settleMs: 10 })).rejects.toThrow(
      /round 2 of 2: run\(\) rejected \(already started\) before abort/,
    );
  });

  it('fails events whose kind the definition does not declare', async () => {
    const undeclared = definitionWith(async (ctx) => {
      await ctx.emit({ ...event(1), kind: 'release' });
      await pause(1_000, ctx.signal);
    });
    await expect(checkConformance(undeclared, { settleMs: 10 })).rejects.toThrow(
      /kinds not declared in definition\.kinds: release/,
    );
  });
});
