// Runs a detector over one watch's objects and keeps what it remembers in the connector's state
// (one record per object uid, and the watch's list of uids): the last recorded state that a
// restart or a relist compares with, so only what truly changed while away becomes an event.
import type { ChangeEventInput, ConnectorState } from '@painchain/sdk';
import { uidOf, type KubeObject } from './kube-object.js';
import type { ChangeDetector } from './normalize/change-detector.js';
import { stableJson } from './normalize/fingerprint.js';

/** Hands events on (project mapping, environment, then the collector); rejects when not stored. */
export type Emit = (events: ChangeEventInput[]) => Promise<void>;

/** What a ResourceWatch hands over: the whole collection after a list, and each watched change. */
export interface WatchHandler {
  /** Returns whether anything was recorded (then the watch's position is saved at once). */
  listed(items: readonly KubeObject[]): Promise<boolean>;
  changed(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): Promise<boolean>;
}

export interface ObjectChangesOptions<R> {
  /** This watch's part of the state: `<cluster>/<resource>[/<namespace>]`. */
  key: string;
  state: ConnectorState;
  detector: ChangeDetector<R>;
  emit: Emit;
  /** Told every record kept or dropped (the workload directory listens). */
  onRecord?: (uid: string, record: R | undefined) => void;
}

export class ObjectChanges<R> implements WatchHandler {
  /** uids recorded by this watch; undefined until the state was read. */
  private uids: Set<string> | undefined;
  /** Whether the watch ever finished a first list: before that, what exists is no change. */
  private baselined = false;
  private readonly records = new Map<string, R>();

  constructor(private readonly options: ObjectChangesOptions<R>) {}

  async listed(items: readonly KubeObject[]): Promise<boolean> {
    const uids = await this.load();
    const baseline = !this.baselined;
    let changed = false;
    const present = new Set<string>();
    for (const item of items) {
      const uid = uidOf(item);
      if (!uid) continue;
      present.add(uid);
      changed = (await this.observe(uid, item, baseline)) || changed;
    }
    // Deleted while the watch was away: only the relist can tell.
    for (const uid of [...uids]) {
      if (!present.has(uid)) changed = (await this.remove(uid, undefined)) || changed;
    }
    if (baseline) {
      this.baselined = true;
      await this.saveIndex();
      return true;
    }
    return changed;
  }

  async changed(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): Promise<boolean> {
    await this.load();
    const uid = uidOf(object);
    if (!uid) return false;
    return type === 'DELETED' ? this.remove(uid, object) : this.observe(uid, object, false);
  }

  private async observe(uid: string, object: KubeObject, baseline: boolean): Promise<boolean> {
    const previous = await this.record(uid);
    const { record, events } = this.options.detector.observe(previous, object, baseline);
    if (events.length > 0) await this.options.emit(events);
    if (record === undefined) return events.length > 0;
    const known = this.uids!.has(uid);
    if (!known || stableJson(record) !== stableJson(previous)) {
      await this.options.state.set(this.recordKey(uid), record);
      this.records.set(uid, record);
      this.options.onRecord?.(uid, record);
      if (!known) {
        this.uids!.add(uid);
        // During the first list the index is written once, at its end.
        if (!baseline) await this.saveIndex();
      }
      return true;
    }
    this.options.onRecord?.(uid, record);
    return events.length > 0;
  }

  private async remove(uid: string, object: KubeObject | undefined): Promise<boolean> {
    const previous = await this.record(uid);
    if (previous === undefined) return false;
    const events = this.options.detector.removed(previous, uid, object);
    if (events.length > 0) await this.options.emit(events);
    await this.options.state.delete(this.recordKey(uid));
    this.records.delete(uid);
    this.uids!.delete(uid);
    this.options.onRecord?.(uid, undefined);
    await this.saveIndex();
    return true;
  }

  private async record(uid: string): Promise<R | undefined> {
    if (this.records.has(uid)) return this.records.get(uid);
    if (!this.uids!.has(uid)) return undefined;
    const stored = await this.options.state.get<R>(this.recordKey(uid));
    if (stored !== undefined) {
      this.records.set(uid, stored);
      this.options.onRecord?.(uid, stored);
    }
    return stored;
  }

  private async load(): Promise<Set<string>> {
    if (this.uids) return this.uids;
    const stored = await this.options.state.get<string[]>(this.indexKey());
    this.baselined = stored !== undefined;
    this.uids = new Set(stored ?? []);
    return this.uids;
  }

  private saveIndex(): Promise<void> {
    return this.options.state.set(this.indexKey(), [...this.uids!]);
  }

  private indexKey = () => `objects:${this.options.key}`;
  private recordKey = (uid: string) => `object:${this.options.key}:${uid}`;
}
