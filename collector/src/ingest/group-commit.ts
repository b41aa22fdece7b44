// Group commit: requests that arrive while the store is busy wait, then go to the store together,
// as one statement (EventStore.upsertMany). A lone request goes at once: the window is the writes
// in flight, so it adapts to the load without a timer — nothing waits when the store is idle, and
// under load each statement carries everything that arrived meanwhile, up to a size bound; more
// lanes open side by side when enough waits (batches), not for each request that trickles in. Each
// request is answered only when the statement holding its events has committed, with its own ids
// and counts.
//
// Order: groups in flight at once (one per lane) never share a key, and a request waits while an
// earlier one with a key of its own is still waiting or in flight, so two writes of one key are
// applied in the order they came — in one group (EventStore.upsertMany keeps request order) or in
// successive ones. Disjoint groups also cannot deadlock on each other's rows.
import type { EventStore, UpsertOutput, UpsertRequest } from '../store/event-store.js';
import type { NormalizedEvent } from './normalize.js';

export interface GroupCommitOptions {
  /** Events per group at most; a larger request is a group on its own. */
  maxEvents?: number;
  /** Groups written at once, each on its own connection (1 for the embedded store). */
  lanes?: number;
  /**
   * While a group is in flight, another lane opens only when at least this many events wait:
   * requests trickling in one by one then wait and go together instead of each paying a commit
   * of its own, while batches still get written side by side.
   */
  extraLaneAt?: number;
  /**
   * Does this failure concern every request of the group (the store is unreachable, a timeout)?
   * Any other failure of a group is narrowed down by writing its requests one by one, so that a
   * bad event fails only its own request.
   */
  sharedFailure: (err: unknown) => boolean;
  /** Told of each group written: how many requests and events it carried. */
  onGroup?: (requests: number, events: number) => void;
}

interface Waiting extends UpsertRequest {
  /** The stored rows it writes: tenant, connector and external id. */
  keys: Set<string>;
  resolve: (output: UpsertOutput) => void;
  reject: (err: unknown) => void;
}

/**
 * Measured with 32 single-event senders on 2 cores (docs/benchmarks.md): 2,900 events/s at 16
 * against 2,700 at 64, 2,400 at 8 and 2,600 with one lane; batches of 500 need the lanes (9,400
 * events/s with four against 6,000 with one).
 */
export const DEFAULT_EXTRA_LANE_AT = 16;

/** The store's statement bound (ROWS_PER_STATEMENT): a larger group takes several statements. */
export const DEFAULT_GROUP_MAX_EVENTS = 1000;

export class GroupCommit {
  readonly #queue: Waiting[] = [];
  readonly #maxEvents: number;
  readonly #lanes: number;
  readonly #extraLaneAt: number;
  /** The keys of each group in flight. */
  readonly #inFlight = new Set<Set<string>>();
  #returnChanged = false;
  /** Events of the waiting requests, kept as they come and go (dispatch reads it every time). */
  #waitingEvents = 0;

  constructor(
    private readonly store: EventStore,
    private readonly options: GroupCommitOptions,
  ) {
    this.#maxEvents = options.maxEvents ?? DEFAULT_GROUP_MAX_EVENTS;
    this.#lanes = Math.max(1, options.lanes ?? 1);
    this.#extraLaneAt = options.extraLaneAt ?? DEFAULT_EXTRA_LANE_AT;
  }

  /** Whether listeners need the stored rows back (RETURNING every column costs). */
  set returnChanged(value: boolean) {
    this.#returnChanged = value;
  }

  /** Requests waiting for a lane, or for an earlier write of one of their keys. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Stores one request's events, all or nothing, in a group with whatever else is waiting. */
  write(tenant: string, events: NormalizedEvent[]): Promise<UpsertOutput> {
    const keys = new Set(events.map((e) => `${tenant}\u0000${e.connector}\u0000${e.externalId}`));
    return new Promise<UpsertOutput>((resolve, reject) => {
      this.#queue.push({ tenant, events, keys, resolve, reject });
      this.#waitingEvents += events.length;
      this.#dispatch();
    });
  }

  /** Starts groups while a lane is free and a waiting request may go. */
  #dispatch(): void {
    while (this.#inFlight.size < this.#lanes && this.#queue.length > 0) {
      // Another lane opens only for a crowd: lone writes side by side would each pay a commit.
      if (this.#inFlight.size > 0 && this.#waitingEvents < this.#extraLaneAt) return;
      const group = this.#takeGroup();
      if (group.length === 0) return;
      const keys = new Set<string>();
      for (const request of group) for (const key of request.keys) keys.add(key);
      this.#inFlight.add(keys);
      void this.#writeGroup(group).finally(() => {
        this.#inFlight.delete(keys);
        this.#dispatch();
      });
    }
  }

  /**
   * The oldest waiting requests that may go now, up to the size bound (a larger request goes
   * alone): not one whose key is in flight, nor one behind a waiting request with that key.
   */
  #takeGroup(): Waiting[] {
    const blocked = new Set<string>();
    for (const keys of this.#inFlight) for (const key of keys) blocked.add(key);
    const taken: Waiting[] = [];
    let events = 0;
    for (const request of this.#queue) {
      const size = request.events.length;
      if (taken.length > 0 && events + size > this.#maxEvents) break;
      if ([...request.keys].some((key) => blocked.has(key))) {
        for (const key of request.keys) blocked.add(key);
        continue;
      }
      taken.push(request);
      events += size;
    }
    const gone = new Set(taken);
    let kept = 0;
    for (const request of this.#queue) if (!gone.has(request)) this.#queue[kept++] = request;
    this.#queue.length = kept;
    this.#waitingEvents -= events;
    return taken;
  }

  async #writeGroup(group: Waiting[]): Promise<void> {
    try {
      const outputs = await this.#upsert(group);
      group.forEach((request, i) => request.resolve(outputs[i]!));
      return;
    } catch (err) {
      if (group.length === 1 || this.options.sharedFailure(err)) {
        for (const request of group) request.reject(err);
        return;
      }
    }
    // One request's events broke the statement: each request alone, in order, learns its fate.
    for (const request of group) {
      try {
        const [output] = await this.#upsert([request]);
        request.resolve(output!);
      } catch (err) {
        request.reject(err);
      }
    }
  }

  #upsert(requests: UpsertRequest[]): Promise<UpsertOutput[]> {
    this.options.onGroup?.(
      requests.length,
      requests.reduce((n, r) => n + r.events.length, 0),
    );
    return this.store.upsertMany(
      requests.map(({ tenant, events }) => ({ tenant, events })),
      { returnChanged: this.#returnChanged },
    );
  }
}
