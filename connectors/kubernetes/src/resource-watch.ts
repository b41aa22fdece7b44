// One resource of one cluster kept in view with client-node's informer (ListWatch: list, then
// watch from the list's resourceVersion, relist on 410 Gone), resumed across restarts from the
// resourceVersion saved in state, reconnected with capped backoff when the server is unreachable.
import {
  ListWatch,
  type KubernetesObject,
  type KubernetesListObject,
} from '@kubernetes/client-node';
import {
  abortableSleep,
  backoffDelay,
  errorMessage,
  type BackoffOptions,
  type ConnectorLogger,
  type ConnectorState,
} from '@painchain/sdk';
import type { KubeApi } from './kube-api.js';
import type { KubeList, KubeObject, WatchEventType } from './kube-object.js';
import type { WatchHandler } from './object-changes.js';

/** Reconnect delays: quick after one drop, at most a minute while the server stays away. */
export const WATCH_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 60_000, factor: 2 };
/**
 * The saved resourceVersion may lag the handled frames by this much when nothing was recorded
 * (status-only updates): replaying them after a restart records nothing, and saves writes.
 */
export const CHECKPOINT_INTERVAL_MS = 10_000;

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface ResourceWatchOptions {
  api: KubeApi;
  /** Collection path: `/apis/apps/v1/deployments` or `/api/v1/namespaces/shop/configmaps`. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** State key of the saved resourceVersion; without one every start lists. */
  checkpointKey?: string;
  state: ConnectorState;
  handler: WatchHandler;
  logger: ConnectorLogger;
  signal: AbortSignal;
  backoff?: BackoffOptions;
  sleep?: Sleep;
  now?: () => number;
  /** Told after every list and every handled change: the cluster's health is built from it. */
  onProgress?: (watch: ResourceWatch) => void;
}

/** Why a round of the informer ended. */
interface RoundEnd {
  error?: unknown;
  /** A list or a frame was handled: the next failure starts the backoff afresh. */
  progressed: boolean;
}

export class ResourceWatch {
  /** Where the next round resumes: the last handled frame's resourceVersion ('' = list). */
  private resourceVersion = '';
  private savedVersion = '';
  private savedAt = Number.NEGATIVE_INFINITY;
  /** Health: lists done, frames handled, relists after 410, the last failure. */
  readonly stats = { lists: 0, frames: 0, relists: 0, failures: 0, lastError: '' };
  /** Listed, or watching from a saved position: everything up to now is accounted for. */
  synced = false;

  constructor(private readonly options: ResourceWatchOptions) {}

  get path(): string {
    return this.options.path;
  }

  /** Runs until the signal aborts; resolves then (never rejects). */
  async run(): Promise<void> {
    const { signal, logger, state, checkpointKey } = this.options;
    if (checkpointKey)
      this.resourceVersion = this.savedVersion = (await state.get<string>(checkpointKey)) ?? '';
    let failures = 0;
    while (!signal.aborted) {
      const end = await this.round();
      if (signal.aborted) break;
      failures = end.progressed ? 1 : failures + 1;
      this.stats.failures += 1;
      this.stats.lastError = errorMessage(end.error);
      this.options.onProgress?.(this);
      const delay = backoffDelay(this.options.backoff ?? WATCH_BACKOFF, failures);
      logger.warn(
        { path: this.path, err: { message: this.stats.lastError }, retryInMs: delay },
        'watch failed; reconnecting after backoff',
      );
      await (this.options.sleep ?? abortableSleep)(delay, signal);
    }
    await this.checkpoint(this.resourceVersion, true).catch(() => undefined);
  }

  /**
   * One informer from the saved position until it fails or the connector stops. Its first list
   * answers from the saved resourceVersion without asking the server, so the watch resumes
   * there; when the server no longer has that version (410) the informer lists for real.
   */
  private round(): Promise<RoundEnd> {
    const { api, path, labelSelector, fieldSelector, handler, signal } = this.options;
    const stop = new AbortController();
    const roundSignal = AbortSignal.any([signal, stop.signal]);
    let resumeFrom = this.resourceVersion;
    let lists = 0;
    let progressed = false;
    // Frames are handled one at a time, in order; a failed one ends the round.
    let queue: Promise<void> = Promise.resolve();
    const enqueue = (task: () => Promise<void>): Promise<void> => {
      queue = queue.then(() => (roundSignal.aborted ? undefined : task()));
      queue.catch((error: unknown) => finish(error));
      return queue;
    };

    let finished = false;
    let resolveRound: (end: RoundEnd) => void = () => undefined;
    const ended = new Promise<RoundEnd>((resolve) => (resolveRound = resolve));
    const finish = (error?: unknown) => {
      if (finished) return;
      finished = true;
      stop.abort();
      void informer.stop();
      queue.then(
        () => resolveRound({ error, progressed }),
        () => resolveRound({ error, progressed }),
      );
    };

    const watch = api.watcher(
      (type, object) => {
        void enqueue(async () => {
          await this.onFrame(type, object);
          progressed = true;
        });
      },
      roundSignal,
      () => {
        // Streaming from a known position (listed, or resumed from the saved one): in view.
        if (this.synced) return;
        this.synced = true;
        this.options.onProgress?.(this);
      },
    );
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      lists += 1;
      if (resumeFrom) {
        const resourceVersion = resumeFrom;
        resumeFrom = '';
        return { metadata: { resourceVersion }, items: [] };
      }
      if (lists > 1) {
        // The informer lists again within a round only when its resourceVersion expired (410).
        this.stats.relists += 1;
        this.options.logger.info(
          { path },
          'resourceVersion expired (410 Gone): listing again and comparing with the recorded state',
        );
      }
      const listed: KubeList = await api.list(path, { labelSelector, fieldSelector }, roundSignal);
      await enqueue(async () => {
        const recorded = await handler.listed(listed.items);
        this.stats.lists += 1;
        this.synced = true;
        progressed = true;
        await this.checkpoint(listed.metadata?.resourceVersion ?? '', recorded);
        this.options.onProgress?.(this);
      });
      // The informer's own cache is not used: the handler keeps what matters in state.
      return { metadata: { resourceVersion: listed.metadata?.resourceVersion }, items: [] };
    };
    const informer = new ListWatch<KubernetesObject>(
      path,
      watch,
      list,
      false,
      labelSelector,
      fieldSelector,
    );
    informer.on('error', (error?: unknown) => finish(error ?? new Error('watch ended')));
    roundSignal.addEventListener('abort', () => finish(), { once: true });
    if (!roundSignal.aborted) void informer.start();
    return ended;
  }

  private async onFrame(type: WatchEventType, object: KubeObject): Promise<void> {
    const version = object.metadata?.resourceVersion ?? '';
    switch (type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED': {
        const recorded = await this.options.handler.changed(type, object);
        this.stats.frames += 1;
        await this.checkpoint(version, recorded);
        this.options.onProgress?.(this);
        return;
      }
      case 'BOOKMARK':
        // Nothing changed up to here: the next start need not replay what came before.
        await this.checkpoint(version, true);
        return;
      case 'ERROR': {
        const status = object as { code?: number; reason?: string };
        if (status.code === 410) {
          // The informer clears its position too and lists again once the server closes the
          // watch; should this round fail first, the next one lists.
          this.resourceVersion = '';
        } else {
          this.options.logger.warn(
            { path: this.path, code: status.code, reason: status.reason },
            'watch error',
          );
        }
        return;
      }
    }
  }

  /** Remembers the position; writes it at once when `now`, else at most every interval. */
  private async checkpoint(version: string, now: boolean): Promise<void> {
    if (!version) return;
    this.resourceVersion = version;
    const { checkpointKey, state } = this.options;
    if (!checkpointKey || version === this.savedVersion) return;
    const at = (this.options.now ?? Date.now)();
    if (!now && at - this.savedAt < CHECKPOINT_INTERVAL_MS) return;
    await state.set(checkpointKey, version);
    this.savedVersion = version;
    this.savedAt = at;
  }
}
