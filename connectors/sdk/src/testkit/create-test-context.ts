// An in-memory ConnectorContext for connector tests: records what the connector emits and
// reports, and fails loudly on invalid events or on emits after abort.
import type { ChangeEventInput } from '../change-event.js';
import type {
  ConnectorContext,
  ConnectorHealth,
  ConnectorLogger,
  ConnectorState,
  EmitResult,
} from '../connector.js';
import type { SourceLeases } from '../leases/source-leases.js';
import { changeEventProblems } from './assert-valid-events.js';

export interface TestContextOptions<C> {
  /** Instance name; `test` when not given. */
  name?: string;
  config: C;
  /** Aborting it aborts the context too (the test's own timeout, for instance). */
  signal?: AbortSignal;
  /** Start from (and keep writing to) this state, e.g. to run a connector twice over one store. */
  state?: Map<string, unknown>;
  /** Where the connector logs; silent when not given. */
  logger?: ConnectorLogger;
  /** Leases on the connector's sources (`MemoryLeases.for(replica)`); none by default. */
  leases?: SourceLeases;
}

export interface TestContext<C> {
  ctx: ConnectorContext<C>;
  /** Every valid event the connector emitted, in order. */
  emitted: ChangeEventInput[];
  /** Every reportHealth() call, in order. */
  health: ConnectorHealth[];
  /** The durable state, as JSON values (what the collector's store keeps). */
  state: Map<string, unknown>;
  /**
   * What the connector did wrong, even if it caught the Error that emit() threw:
   * invalid events and emits after abort. Empty for a well-behaved connector.
   */
  violations: string[];
  abort(): void;
}

const silentLogger: ConnectorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** Round-trips through JSON as a real store would, so a connector cannot rely on Dates or Maps surviving. */
function toJsonValue(key: string, value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new Error(
      `state.set("${key}"): value is not JSON-serializable: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (text === undefined) {
    throw new Error(`state.set("${key}"): value is not JSON-serializable (${typeof value})`);
  }
  return JSON.parse(text);
}

export function createTestContext<C>(options: TestContextOptions<C>): TestContext<C> {
  const name = options.name ?? 'test';
  const controller = new AbortController();
  const signal = options.signal
    ? AbortSignal.any([controller.signal, options.signal])
    : controller.signal;
  const emitted: ChangeEventInput[] = [];
  const health: ConnectorHealth[] = [];
  const state = options.state ?? new Map<string, unknown>();
  const violations: string[] = [];
  // Mimics the pipeline's idempotency: the same externalId again updates the stored event.
  const idsByExternalId = new Map<string, string>();
  let nextId = 1;

  const connectorState: ConnectorState = {
    get: async <T>(key: string) =>
      state.has(key) ? (structuredClone(state.get(key)) as T) : undefined,
    set: async (key, value) => {
      state.set(key, toJsonValue(key, value));
    },
    delete: async (key) => {
      state.delete(key);
    },
  };

  const emit = async (input: ChangeEventInput | ChangeEventInput[]): Promise<EmitResult> => {
    const events = Array.isArray(input) ? input : [input];
    if (signal.aborted) {
      const problem = `emit() of ${events.length} event(s) after ctx.signal was aborted`;
      violations.push(problem);
      throw new Error(`${name}: ${problem}; a connector must stop emitting once it is stopped`);
    }
    const problems = changeEventProblems(events);
    if (problems.length > 0) {
      violations.push(...problems);
      throw new Error(`${name}: emit() got invalid change event(s):\n  ${problems.join('\n  ')}`);
    }
    const result: EmitResult = { ids: [], created: 0, updated: 0, unchanged: 0 };
    for (const event of events) {
      const known =
        event.externalId === undefined ? undefined : idsByExternalId.get(event.externalId);
      const id = known ?? `${name}-${nextId++}`;
      if (known) result.updated += 1;
      else result.created += 1;
      if (event.externalId !== undefined) idsByExternalId.set(event.externalId, id);
      result.ids.push(id);
      emitted.push(event);
    }
    return result;
  };

  const ctx: ConnectorContext<C> = {
    name,
    config: options.config,
    logger: options.logger ?? silentLogger,
    signal,
    state: connectorState,
    ...(options.leases ? { leases: options.leases } : {}),
    emit,
    reportHealth: (report) => {
      health.push({ ...report });
    },
  };

  return { ctx, emitted, health, state, violations, abort: () => controller.abort() };
}
