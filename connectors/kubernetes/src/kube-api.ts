// The one place that talks to a Kubernetes API server: a kubeconfig per cluster (file, text or the
// pod's service account), paged lists as raw JSON, and client-node's Watch asking for bookmarks.
import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  RequestContext,
  Watch,
} from '@kubernetes/client-node';
import type { KubeList, KubeObject, WatchEventType } from './kube-object.js';

/** How a cluster is reached: exactly one source (checked at load). */
export interface ClusterAccess {
  kubeconfig?: string;
  kubeconfigData?: string;
  context?: string;
  inCluster?: boolean;
}

/** Items asked for per list page; the server answers a continue token for the rest. */
export const LIST_PAGE_SIZE = 500;
/**
 * The server closes a watch after this long and the informer opens a new one from the last
 * resourceVersion: a connection that died silently is noticed within this time.
 */
export const WATCH_TIMEOUT_SECONDS = 300;

/** A list or watch answered with an HTTP error: the status decides (410: relist, 403: RBAC). */
export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** The `reason` of a Status answer (`Expired`, `Forbidden`), never the rest of the body. */
function statusReason(text: string): string | undefined {
  try {
    const reason = (JSON.parse(text) as { reason?: unknown }).reason;
    return typeof reason === 'string' ? reason : undefined;
  } catch {
    return undefined;
  }
}

export function loadKubeConfig(access: ClusterAccess): KubeConfig {
  const config = new KubeConfig();
  try {
    if (access.inCluster) config.loadFromCluster();
    else if (access.kubeconfigData) config.loadFromString(access.kubeconfigData);
    else if (access.kubeconfig) config.loadFromFile(access.kubeconfig);
  } catch (error) {
    // YAML errors quote the text around the mistake, which may be a token: never pass them on.
    const { code, mark } = error as { code?: string; mark?: { line?: number } };
    const where = mark?.line !== undefined ? ` (YAML error on line ${mark.line + 1})` : '';
    throw new Error(
      access.kubeconfigData
        ? `kubeconfigData is not a readable kubeconfig${where}`
        : access.kubeconfig
          ? `cannot read the kubeconfig file ${access.kubeconfig}${code ? ` (${code})` : where}`
          : 'not running in a cluster: no service account token or KUBERNETES_SERVICE_HOST',
    );
  }
  if (access.context) config.setCurrentContext(access.context);
  if (!config.getCurrentCluster()) {
    throw new Error(
      access.context
        ? `kubeconfig has no cluster for context ${access.context}`
        : 'kubeconfig has no current cluster',
    );
  }
  return config;
}

/** What a watch hands over for every frame, before client-node's informer sees it. */
export type FrameListener = (type: WatchEventType, object: KubeObject) => void;

/**
 * client-node's Watch with what its informer does not ask for: bookmarks (so an idle watch
 * still moves its resourceVersion on), a server-side timeout, and a stop signal that also ends a
 * watch whose request was still connecting when the informer was stopped.
 */
class ObservedWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly onFrame: FrameListener,
    private readonly signal: AbortSignal,
    private readonly onOpen: () => void,
  ) {
    super(config);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: KubeObject, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const params = {
      ...queryParams,
      allowWatchBookmarks: true,
      timeoutSeconds: WATCH_TIMEOUT_SECONDS,
    };
    let ended = false;
    const stop = () => controller.abort();
    const controller = await super.watch(
      path,
      params,
      (phase, object, frame) => {
        if (this.signal.aborted) return;
        this.onFrame(phase as WatchEventType, object);
        callback(phase, object, frame);
      },
      (err) => {
        ended = true;
        this.signal.removeEventListener('abort', stop);
        if (!this.signal.aborted) done(err);
      },
    );
    if (this.signal.aborted) controller.abort();
    else if (!ended) {
      this.signal.addEventListener('abort', stop, { once: true });
      this.onOpen();
    }
    return controller;
  }
}

export class KubeApi {
  private readonly http = new IsomorphicFetchHttpLibrary();
  readonly server: string;

  constructor(readonly config: KubeConfig) {
    this.server = config.getCurrentCluster()!.server.replace(/\/+$/, '');
  }

  /** Every item of a collection, page by page, and the resourceVersion to watch from. */
  async list(
    path: string,
    selectors: { labelSelector?: string; fieldSelector?: string },
    signal: AbortSignal,
  ): Promise<KubeList> {
    const items: KubeObject[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const query = new URLSearchParams({ limit: String(LIST_PAGE_SIZE) });
      if (selectors.labelSelector) query.set('labelSelector', selectors.labelSelector);
      if (selectors.fieldSelector) query.set('fieldSelector', selectors.fieldSelector);
      if (token) query.set('continue', token);
      const page = await this.get<KubeList>(`${path}?${query}`, signal);
      items.push(...(page.items ?? []));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      token = page.metadata?.continue || undefined;
    } while (token);
    return { metadata: { resourceVersion }, items };
  }

  /**
   * A Watch for client-node's informer that tells `onFrame` every frame and `onOpen` every
   * established watch, and stops with `signal`.
   */
  watcher(
    onFrame: FrameListener,
    signal: AbortSignal,
    onOpen: () => void = () => undefined,
  ): Watch {
    return new ObservedWatch(this.config, onFrame, signal, onOpen);
  }

  /** GET through client-node's HTTP layer: the kubeconfig's TLS, tokens and exec plugins apply. */
  private async get<T>(pathAndQuery: string, signal: AbortSignal): Promise<T> {
    const request = new RequestContext(`${this.server}${pathAndQuery}`, HttpMethod.GET);
    request.setHeaderParam('Accept', 'application/json');
    request.setSignal(signal);
    await this.config.applySecurityAuthentication(request);
    const response = await this.http.send(request).toPromise();
    if (response.httpStatusCode !== 200) {
      // The body may echo request details; only the status and the server's reason are kept.
      const reason = await response.body.text().then(statusReason, () => undefined);
      throw new KubeApiError(
        `GET ${pathAndQuery.split('?')[0]} answered ${response.httpStatusCode}${reason ? ` (${reason})` : ''}`,
        response.httpStatusCode,
      );
    }
    return JSON.parse(await response.body.text()) as T;
  }
}
