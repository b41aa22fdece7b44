// The conformance test every connector runs: its default config is valid, and it starts, stops
// on abort and starts again cleanly, twice, without emitting after stop.
import { CHANGE_KINDS } from '../change-event.js';
import type { ConnectorDefinition } from '../connector.js';
import { checkOptions, formatOptionProblems } from '../options/check-options.js';
import { schemaProblems } from './assert-valid-events.js';
import { createTestContext } from './create-test-context.js';

export interface ConformanceOptions {
  /** Options to run with instead of defaultConfig() (which is still checked against the schema). */
  config?: unknown;
  /** How long the connector runs before abort, and how long late emits are watched for after. */
  settleMs?: number;
  /** How long run() may take to settle after abort. */
  timeoutMs?: number;
}

export const DEFAULT_CONFORMANCE_SETTLE_MS = 50;
export const DEFAULT_CONFORMANCE_TIMEOUT_MS = 2_000;
const ROUNDS = 2;
const TYPE_PATTERN = /^[a-z0-9][a-z0-9_.-]*$/;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const lines = (problems: readonly string[]) => `\n  ${problems.join('\n  ')}`;

type Settled = { state: 'resolved' } | { state: 'rejected'; error: unknown };

/** Rejects with an Error naming the connector and every problem found in the failing step. */
export async function checkConformance(
  definition: ConnectorDefinition,
  options: ConformanceOptions = {},
): Promise<void> {
  const settleMs = options.settleMs ?? DEFAULT_CONFORMANCE_SETTLE_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONFORMANCE_TIMEOUT_MS;
  const fail = (message: string) =>
    new Error(`checkConformance(${definition.type || '<no type>'}): ${message}`);

  const shape: string[] = [];
  if (!TYPE_PATTERN.test(definition.type)) {
    shape.push(`type "${definition.type}" must match ${TYPE_PATTERN.source}`);
  }
  const unknownKinds = definition.kinds.filter((kind) => !CHANGE_KINDS.includes(kind));
  if (unknownKinds.length > 0) shape.push(`kinds not in CHANGE_KINDS: ${unknownKinds.join(', ')}`);
  if (shape.length > 0) throw fail(`invalid definition:${lines(shape)}`);

  let defaults: unknown;
  try {
    defaults = definition.defaultConfig();
  } catch (error) {
    throw fail(`defaultConfig() threw: ${messageOf(error)}`);
  }
  const defaultProblems = schemaProblems(definition.configSchema, defaults, 'defaultConfig()');
  if (defaultProblems.length > 0) {
    throw fail(`defaultConfig() does not validate against configSchema:${lines(defaultProblems)}`);
  }
  // The options as the collector would run them: defaults applied, schema and validate() passed.
  const checked = checkOptions(
    definition,
    options.config === undefined ? defaults : options.config,
  );
  if (!checked.ok) {
    const which = options.config === undefined ? 'defaultConfig()' : 'options.config';
    throw fail(
      `${which} is refused by checkOptions:${lines(formatOptionProblems(checked.problems))}`,
    );
  }
  const config = checked.options;

  // One state across rounds, as a restarted instance finds its cursors in the store.
  const state = new Map<string, unknown>();
  for (let round = 1; round <= ROUNDS; round += 1) {
    const step = (message: string) => fail(`round ${round} of ${ROUNDS}: ${message}`);
    const test = createTestContext({ name: `conformance-${definition.type}`, config, state });

    let running: Promise<void>;
    try {
      running = Promise.resolve(definition.create(test.ctx).run());
    } catch (error) {
      throw step(`create() or run() threw: ${messageOf(error)}`);
    }
    let settledAs: Settled | undefined;
    const settled = running.then(
      (): Settled => (settledAs ??= { state: 'resolved' }),
      (error: unknown): Settled => (settledAs ??= { state: 'rejected', error }),
    );

    await sleep(settleMs);
    if (test.violations.length > 0) throw step(`before abort:${lines(test.violations)}`);
    if (settledAs) {
      const how =
        settledAs.state === 'resolved' ? 'resolved' : `rejected (${messageOf(settledAs.error)})`;
      throw step(`run() ${how} before abort; it must keep running until ctx.signal is aborted`);
    }

    test.abort();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      settled,
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      throw step(
        `run() did not settle within ${timeoutMs} ms after abort; every wait and request must honour ctx.signal`,
      );
    }
    if (outcome.state === 'rejected') {
      throw step(`run() rejected after abort (${messageOf(outcome.error)}); a clean stop resolves`);
    }

    // Late timers and callbacks of a connector that "stopped" show up here.
    await sleep(settleMs);
    if (test.violations.length > 0) throw step(`after abort:${lines(test.violations)}`);
    const undeclared = test.emitted.filter(
      (event) => event.kind !== undefined && !definition.kinds.includes(event.kind),
    );
    if (undeclared.length > 0) {
      const kinds = [...new Set(undeclared.map((event) => event.kind))].join(', ');
      throw step(`emitted kinds not declared in definition.kinds: ${kinds}`);
    }
  }
}
