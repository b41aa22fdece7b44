// The in-process connectors: one SDK supervisor per enabled instance (the same one standalone
// connectors run under), their statuses, and webhook deliveries handed to the instance they name.
import {
  checkOptions,
  ConnectorSupervisor,
  formatOptionProblems,
  type ChangeEventInput,
  type ConnectorDefinition,
  type ConnectorState,
  type ConnectorStatus,
  type EmitResult,
  type SourceLeases,
  type SupervisorTiming,
  type WebhookRequest,
  type WebhookResult,
} from '@painchain/sdk';
import type { Logger } from 'pino';

export { CONNECTOR_RUN_STATES, ConnectorStatus, type ConnectorRunState } from '@painchain/sdk';

/** One `connectors[]` entry of the config, defaults applied. */
export interface ConnectorInstanceSpec {
  readonly name: string;
  readonly type: string;
  readonly tenant: string;
  readonly enabled: boolean;
  readonly options: Record<string, unknown>;
}

/** Where a connector's events go: the instance name, not the source system in `event.connector`. */
export interface EmitTarget {
  readonly tenant: string;
  readonly connector: string;
}

export interface ConnectorRunnerDeps extends Partial<SupervisorTiming> {
  /** The registry: one definition per connector type. */
  readonly definitions: readonly ConnectorDefinition[];
  readonly instances: readonly ConnectorInstanceSpec[];
  readonly logger: Logger;
  /** The ingest pipeline; the runner only counts what it accepted. */
  readonly emit: (target: EmitTarget, events: ChangeEventInput[]) => Promise<EmitResult>;
  /** The store's durable key/value state of one instance. */
  readonly stateFor: (tenant: string, connectorName: string) => ConnectorState;
  /**
   * Leases on one instance's sources, shared by the replicas on the store; without them every
   * replica polls and watches everything.
   */
  readonly leasesFor?: (tenant: string, connectorName: string) => SourceLeases;
}

/** What became of one webhook delivery handed to the runner. */
export type WebhookDelivery =
  | {
      delivered: true;
      /** The instance that took it. */
      connector: string;
      result: WebhookResult;
      stored: EmitResult;
    }
  | {
      delivered: false;
      /**
       * `none`: no enabled instance matches; `ambiguous`: several do; `not_running`: it is in
       * backoff or stopping; `no_webhooks`: its type takes no webhooks.
       */
      reason: 'none' | 'ambiguous' | 'not_running' | 'no_webhooks';
      /** The names of the matching instances. */
      names: string[];
    };

interface Instance {
  readonly spec: ConnectorInstanceSpec;
  /** Undefined for a disabled instance: it never runs. */
  readonly supervisor: ConnectorSupervisor | undefined;
}

const NO_EVENTS: EmitResult = { ids: [], created: 0, updated: 0, unchanged: 0 };

/**
 * Every problem with the connector instances, at once: duplicate types or names, unknown types
 * and options their connector refuses (schema or validate()). Disabled instances may name a type
 * that is not installed. Empty when all is well.
 */
export function validateConnectorInstances(
  definitions: readonly ConnectorDefinition[],
  instances: readonly ConnectorInstanceSpec[],
): string[] {
  const problems: string[] = [];
  const byType = new Map<string, ConnectorDefinition>();
  for (const definition of definitions) {
    if (byType.has(definition.type)) {
      problems.push(`connector type "${definition.type}" is registered twice`);
    }
    byType.set(definition.type, definition);
  }
  const seen = new Set<string>();
  instances.forEach((instance, index) => {
    const where = `connectors[${index}] (${instance.name})`;
    const key = `${instance.tenant}/${instance.name}`;
    if (seen.has(key)) {
      problems.push(
        `${where}: name "${instance.name}" is used twice in tenant "${instance.tenant}"`,
      );
    }
    seen.add(key);
    if (!instance.enabled) return;
    const definition = byType.get(instance.type);
    if (!definition) {
      const known = [...byType.keys()].sort().join(', ') || 'none';
      problems.push(`${where}: unknown connector type "${instance.type}" (known: ${known})`);
      return;
    }
    const checked = checkOptions(definition, instance.options);
    if (!checked.ok) {
      problems.push(...formatOptionProblems(checked.problems).map((line) => `${where}: ${line}`));
    }
  });
  return problems;
}

export class ConnectorRunner {
  private readonly instances: Instance[];
  private started = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;

  /** Throws, listing every problem, when an instance cannot run (see validateConnectorInstances). */
  constructor(deps: ConnectorRunnerDeps) {
    const problems = validateConnectorInstances(deps.definitions, deps.instances);
    if (problems.length > 0) {
      throw new Error(`invalid connector configuration:\n  ${problems.join('\n  ')}`);
    }
    const { definitions, instances, logger, emit, stateFor, leasesFor, ...timing } = deps;
    this.instances = instances.map((spec) => {
      const definition = definitions.find((candidate) => candidate.type === spec.type);
      if (!spec.enabled || !definition) return { spec, supervisor: undefined };
      const checked = checkOptions(definition, spec.options);
      const target: EmitTarget = { tenant: spec.tenant, connector: spec.name };
      const supervisor = new ConnectorSupervisor({
        name: spec.name,
        definition,
        config: checked.ok ? checked.options : spec.options,
        logger: logger.child({ connector: spec.name, type: spec.type, tenant: spec.tenant }),
        state: stateFor(spec.tenant, spec.name),
        leases: leasesFor?.(spec.tenant, spec.name),
        sink: (events) => emit(target, events),
        timing,
      });
      return { spec, supervisor };
    });
  }

  /** Launches every enabled instance and returns at once; failures are handled in the background. */
  start(): void {
    if (this.stopping) throw new Error('ConnectorRunner.start() after stop(): build a new runner');
    if (this.started) return;
    this.started = true;
    for (const instance of this.instances) instance.supervisor?.start();
  }

  /**
   * Aborts every connector and waits for its run() to settle (each within its stop timeout).
   * Idempotent; once it has begun, every context refuses emit().
   */
  stop(): Promise<void> {
    this.stopping = true;
    this.stopped ??= Promise.all(
      this.instances.map((instance) => instance.supervisor?.stop()),
    ).then(() => undefined);
    return this.stopped;
  }

  /** Every instance, or only those of one tenant; times as ISO strings. */
  status(tenant?: string): ConnectorStatus[] {
    const now = Date.now();
    return this.instances
      .filter((instance) => tenant === undefined || instance.spec.tenant === tenant)
      .map(({ spec, supervisor }) => ({
        name: spec.name,
        type: spec.type,
        tenant: spec.tenant,
        mode: 'in-process' as const,
        ...(supervisor?.snapshot(now) ?? DISABLED),
        ...(supervisor ? {} : { state: 'disabled' as const }),
      }));
  }

  /**
   * Hands a webhook delivery to the running instance of `type` (named `name`, when given; without
   * a name exactly one instance of the type must exist) and stores what it returns as that
   * instance's events. A WebhookSignatureError from the connector propagates: nothing is stored.
   */
  async deliverWebhook(
    type: string,
    name: string | undefined,
    request: WebhookRequest,
  ): Promise<WebhookDelivery> {
    const matches = this.instances.filter(
      ({ spec }) =>
        spec.enabled && spec.type === type && (name === undefined || spec.name === name),
    );
    const names = matches.map(({ spec }) => spec.name);
    const instance = matches[0];
    if (!instance) return { delivered: false, reason: 'none', names };
    if (matches.length > 1) return { delivered: false, reason: 'ambiguous', names };
    const live = this.stopping ? undefined : instance.supervisor?.live();
    if (!live) return { delivered: false, reason: 'not_running', names };
    if (!live.connector.handleWebhook) return { delivered: false, reason: 'no_webhooks', names };
    const result = await live.connector.handleWebhook(request);
    const events = result.events ?? [];
    const stored = events.length > 0 ? await live.emit(events) : NO_EVENTS;
    return { delivered: true, connector: instance.spec.name, result, stored };
  }
}

/** What a disabled instance shows: it never ran. */
const DISABLED = {
  state: 'disabled' as const,
  restarts: 0,
  startedAt: null,
  lastError: null,
  nextRestartAt: null,
  health: { message: null, lastSyncAt: null, lagSeconds: null, progress: null, details: {} },
  eventsEmitted: 0,
  lastEventAt: null,
};
