// A bounded memory of the state last emitted for each change, so that a change is emitted when it
// is new or its status moved, and never again for an identical repeat: the store answers such a
// repeat `updated` (last write wins), so the change listener alone cannot tell it apart.
import type { ChangeEvent } from '@painchain/sdk';

/** What makes a repeat worth a new record: the status, and the end of a change that finished. */
export const emittedState = (event: ChangeEvent): string =>
  `${event.status ?? ''}|${event.endTimestamp ?? ''}`;

export class EmittedChanges {
  // A Map iterates in insertion order: re-inserting on use makes the first key the least recent.
  readonly #states = new Map<string, string>();

  /** @param capacity how many changes are remembered; the least recently emitted are forgotten. */
  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.#states.size;
  }

  /** The state last emitted for the change `id` (emittedState), if it is remembered. */
  last(id: string): string | undefined {
    return this.#states.get(id);
  }

  /** Records what was emitted (after the receiver accepted it). */
  remember(events: readonly ChangeEvent[]): void {
    if (this.capacity === 0) return;
    for (const event of events) {
      this.#states.delete(event.id);
      this.#states.set(event.id, emittedState(event));
      if (this.#states.size > this.capacity) {
        const oldest = this.#states.keys().next().value;
        if (oldest !== undefined) this.#states.delete(oldest);
      }
    }
  }
}
