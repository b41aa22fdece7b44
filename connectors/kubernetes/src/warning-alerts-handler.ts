// Keeps the Warning-event alerts of one watch in the connector's state (one small record: the
// occurrences counted per Event and the open alert per object and reason), so that a relist
// after a restart counts nothing twice.
import type { CoreV1Event } from '@kubernetes/client-node';
import type { ConnectorState } from '@painchain/sdk';
import type { KubeObject, Wire } from './kube-object.js';
import type { Emit, WatchHandler } from './object-changes.js';
import {
  emptyAlertState,
  observeWarning,
  pruneAlerts,
  type AlertContext,
  type AlertState,
} from './normalize/warning-alerts.js';

export class WarningAlertsHandler implements WatchHandler {
  private alerts: AlertState | undefined;

  constructor(
    private readonly options: {
      key: string;
      state: ConnectorState;
      context: AlertContext;
      emit: Emit;
    },
  ) {}

  async listed(items: readonly KubeObject[]): Promise<boolean> {
    const state = await this.load();
    let changed = pruneAlerts(
      state,
      this.options.context.now().getTime(),
      this.options.context.windowMs,
    );
    // Oldest first, so that each window opens with its first occurrence.
    const events = [...items].sort((a, b) => time(a) - time(b));
    for (const item of events) changed = (await this.observe(state, item)) || changed;
    if (changed) await this.save(state);
    return changed;
  }

  async changed(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): Promise<boolean> {
    // An Event deleted by its time-to-live is not news.
    if (type === 'DELETED') return false;
    const state = await this.load();
    const changed = await this.observe(state, object);
    if (changed) await this.save(state);
    return changed;
  }

  private async observe(state: AlertState, object: KubeObject): Promise<boolean> {
    const alert = observeWarning(
      state,
      object as unknown as Wire<CoreV1Event>,
      this.options.context,
    );
    if (!alert) return false;
    await this.options.emit([alert]);
    return true;
  }

  private async load(): Promise<AlertState> {
    this.alerts ??= (await this.options.state.get<AlertState>(this.key())) ?? emptyAlertState();
    return this.alerts;
  }

  private save(state: AlertState): Promise<void> {
    return this.options.state.set(this.key(), state);
  }

  private key = () => `alerts:${this.options.key}`;
}

function time(object: KubeObject): number {
  const event = object as unknown as Wire<CoreV1Event>;
  const text = event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp;
  return text ? Date.parse(text) : 0;
}
