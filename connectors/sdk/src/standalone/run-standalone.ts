// Runs one connector outside the collector: the same ConnectorDefinition under the same
// supervisor as in-process, with events POSTed to a collector, state kept in a file, and
// heartbeats so that `GET /api/v1/connectors` shows it like an in-process one.
import type { TSchema } from 'typebox';
import type { ConnectorDefinition, ConnectorLogger, ConnectorState } from '../connector.js';
import { formatOptionProblems, checkOptions } from '../options/check-options.js';
import { ConnectorSupervisor, type SupervisorTiming } from '../supervisor/connector-supervisor.js';
import { DEFAULT_HEARTBEAT_SECONDS, heartbeatOf } from '../supervisor/heartbeat.js';
import type { CollectorClient } from './collector-client.js';

export interface StandaloneOptions<S extends TSchema> {
  definition: ConnectorDefinition<S>;
  /** Instance name, as the collector lists it; lower case letters, digits, `_ . -`. */
  name: string;
  /** The connector's options (as under `options:` in painchain.yaml); checked here. */
  options: unknown;
  collector: CollectorClient;
  state: ConnectorState;
  logger: ConnectorLogger;
  /** Abort to stop: the run is told to stop, a last heartbeat says `stopped`. */
  signal: AbortSignal;
  heartbeatSeconds?: number;
  timing?: Partial<SupervisorTiming>;
}

export { DEFAULT_HEARTBEAT_SECONDS };
/** Delay of the heartbeat sent after a change, so that several changes make one. */
const PROMPT_HEARTBEAT_MS = 1_000;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Resolves once `signal` aborted and the run stopped; rejects only for invalid options. */
export async function runStandalone<S extends TSchema>(
  options: StandaloneOptions<S>,
): Promise<void> {
  const { definition, name, collector, logger, signal } = options;
  const checked = checkOptions(definition, options.options);
  if (!checked.ok) {
    const lines = formatOptionProblems(checked.problems);
    throw new Error(`invalid options for connector ${name}:\n  ${lines.join('\n  ')}`);
  }
  const heartbeatSeconds = options.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS;

  let soon: ReturnType<typeof setTimeout> | undefined;
  const supervisor = new ConnectorSupervisor({
    name,
    definition: definition as ConnectorDefinition,
    config: checked.options,
    logger,
    state: options.state,
    sink: (events, runSignal) => collector.postEvents(events, runSignal),
    timing: options.timing,
    // A state change, a finished sync or a progress step is worth telling soon, but not more
    // than once a second.
    onChange: () => {
      soon ??= setTimeout(() => {
        soon = undefined;
        void beat();
      }, PROMPT_HEARTBEAT_MS);
    },
  });
  const beat = async () => {
    try {
      await collector.heartbeat(
        name,
        heartbeatOf(definition.type, supervisor.snapshot(), heartbeatSeconds),
      );
    } catch (error) {
      logger.warn({ err: { message: messageOf(error) } }, 'heartbeat to the collector failed');
    }
  };
  const timer = setInterval(() => void beat(), heartbeatSeconds * 1000);
  try {
    supervisor.start();
    void beat();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await supervisor.stop();
  } finally {
    clearInterval(timer);
    clearTimeout(soon);
    await beat();
  }
}
