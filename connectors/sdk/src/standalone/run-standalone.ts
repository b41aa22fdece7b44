// Runs one connector outside the collector: the same ConnectorDefinition, with events POSTed to
// a collector and state kept in a file. Restarts a failed run with capped exponential backoff
// and sends heartbeats, so `GET /api/v1/connectors` shows it like an in-process one.
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import type { ChangeEventInput } from '../change-event.js';
import type {
  ConnectorContext,
  ConnectorDefinition,
  ConnectorHealth,
  ConnectorLogger,
  ConnectorState,
  EmitResult,
} from '../connector.js';
import type { CollectorClient, HeartbeatReport } from './collector-client.js';
import { abortableSleep } from '../abortable-sleep.js';

export interface StandaloneOptions<S extends TSchema> {
  definition: ConnectorDefinition<S>;
  /** Instance name, as the collector lists it; lower case letters, digits, `_ . -`. */
  name: string;
  /** The connector's options (as under `options:` in painchain.yaml); validated here. */
  options: unknown;
  collector: CollectorClient;
  state: ConnectorState;
  logger: ConnectorLogger;
  /** Abort to stop: the run is told to stop, a last heartbeat says `stopped`. */
  signal: AbortSignal;
  heartbeatSeconds?: number;
  backoff?: { initialMs: number; maxMs: number };
}

export const DEFAULT_HEARTBEAT_SECONDS = 30;
export const DEFAULT_STANDALONE_BACKOFF = { initialMs: 1_000, maxMs: 5 * 60_000 };
/** Delay of the heartbeat sent after a health report, so that several reports make one. */
const PROMPT_HEARTBEAT_MS = 1_000;
const MAX_DETAIL_KEYS = 32;
const MAX_TEXT = 256;
const MAX_ERROR_MESSAGE = 500;

/** Every problem with the options, one line each; empty when they are valid. */
export function optionProblems(schema: TSchema, options: unknown): string[] {
  return Compile(schema)
    .Errors(options)
    .map((error) => `options${error.instancePath}: ${error.message}`);
}

const messageOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_MESSAGE);

/** Health as the heartbeat schema accepts it: short strings, at most 32 details. */
function healthReport(health: ConnectorHealth): NonNullable<HeartbeatReport['health']> {
  const details = Object.fromEntries(
    Object.entries(health.details ?? {})
      .slice(0, MAX_DETAIL_KEYS)
      .map(([key, value]) => [
        key.slice(0, 64),
        typeof value === 'string' ? value.slice(0, MAX_TEXT) : value,
      ]),
  );
  return {
    message: health.message?.slice(0, MAX_ERROR_MESSAGE) ?? null,
    lastSyncAt: health.lastSyncAt?.toISOString() ?? null,
    progress: health.progress
      ? {
          phase: health.progress.phase.slice(0, 64),
          done: health.progress.done,
          total: health.progress.total ?? null,
          unit: health.progress.unit?.slice(0, 32) ?? null,
        }
      : null,
    details,
  };
}

/** Resolves once `signal` aborted and the run stopped; rejects only for invalid options. */
export async function runStandalone<S extends TSchema>(
  options: StandaloneOptions<S>,
): Promise<void> {
  const { definition, name, collector, logger, signal } = options;
  const withDefaults = Value.Default(definition.configSchema, Value.Clone(options.options));
  const problems = optionProblems(definition.configSchema, withDefaults);
  if (problems.length > 0) {
    throw new Error(`invalid options for connector ${name}:\n  ${problems.join('\n  ')}`);
  }
  const config = withDefaults as Static<S>;
  const heartbeatSeconds = options.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS;
  const backoff = options.backoff ?? DEFAULT_STANDALONE_BACKOFF;

  const report: Omit<HeartbeatReport, 'health'> & { health: ConnectorHealth } = {
    type: definition.type,
    state: 'starting',
    intervalSeconds: heartbeatSeconds,
    restarts: 0,
    startedAt: null,
    lastError: null,
    health: {},
    eventsEmitted: 0,
    lastEventAt: null,
  };
  const beat = async () => {
    try {
      await collector.heartbeat(name, { ...report, health: healthReport(report.health) });
    } catch (error) {
      logger.warn({ err: { message: messageOf(error) } }, 'heartbeat to the collector failed');
    }
  };
  const timer = setInterval(() => void beat(), heartbeatSeconds * 1000);
  // A finished sync or a progress step is worth telling soon, but not more than once a second.
  let soon: ReturnType<typeof setTimeout> | undefined;
  const beatSoon = () => {
    soon ??= setTimeout(() => {
      soon = undefined;
      void beat();
    }, PROMPT_HEARTBEAT_MS);
  };

  let failures = 0;
  try {
    while (!signal.aborted) {
      const launch = new AbortController();
      const stop = () => launch.abort();
      signal.addEventListener('abort', stop, { once: true });
      const ctx: ConnectorContext<Static<S>> = {
        name,
        config,
        logger,
        signal: launch.signal,
        state: options.state,
        emit: async (input: ChangeEventInput | ChangeEventInput[]): Promise<EmitResult> => {
          if (launch.signal.aborted) {
            throw new Error(`connector "${name}" is stopped: emit() after stop is refused`);
          }
          const events = Array.isArray(input) ? input : [input];
          if (events.length === 0) return { ids: [], created: 0, updated: 0, unchanged: 0 };
          const result = await collector.postEvents(events, launch.signal);
          report.eventsEmitted = (report.eventsEmitted ?? 0) + events.length;
          report.lastEventAt = new Date().toISOString();
          return result;
        },
        reportHealth: (health) => {
          report.health = { ...report.health, ...health };
          beatSoon();
        },
      };
      report.state = 'starting';
      report.startedAt = new Date().toISOString();
      report.health = { ...report.health, progress: null };
      logger.info({ restarts: report.restarts }, 'connector starting');
      const startedAt = Date.now();
      try {
        const running = definition.create(ctx).run();
        report.state = 'running';
        void beat();
        await running;
        if (!signal.aborted) throw new Error('run() returned before stop');
      } catch (error) {
        if (signal.aborted) break;
        // A run that stayed up a while starts the backoff over.
        if (Date.now() - startedAt > backoff.maxMs) failures = 0;
        failures += 1;
        const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (failures - 1));
        report.state = 'backoff';
        report.lastError = { message: messageOf(error), at: new Date().toISOString() };
        logger.warn(
          { err: { message: report.lastError.message }, retryInMs: delay },
          'connector failed; restarting after backoff',
        );
        void beat();
        await abortableSleep(delay, signal);
        if (!signal.aborted) report.restarts = (report.restarts ?? 0) + 1;
      } finally {
        launch.abort();
        signal.removeEventListener('abort', stop);
      }
    }
  } finally {
    clearInterval(timer);
    clearTimeout(soon);
    report.state = 'stopped';
    await beat();
    logger.info('connector stopped');
  }
}
