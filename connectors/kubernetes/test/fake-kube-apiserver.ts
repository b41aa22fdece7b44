// A Kubernetes API server on 127.0.0.1 for the connector's tests, speaking the list/watch protocol
// as the real one does (https://kubernetes.io/docs/reference/using-api/api-concepts/): one
// resourceVersion counter for all objects, lists with metadata.resourceVersion, limit/continue and
// label/field selectors, watches (`?watch=true&resourceVersion=N`) streaming newline-delimited
// {type, object} frames from a bounded history, BOOKMARK frames when asked for, and a 410 Expired
// ERROR frame (or HTTP 410) for a resourceVersion older than the compacted history.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { V1ManagedFieldsEntry, V1Status } from '@kubernetes/client-node';
import type { KubeObject, Wire } from '../src/kube-object.js';
import { stableJson } from '../src/normalize/fingerprint.js';

type FrameType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface HistoryEntry {
  resourceVersion: number;
  type: FrameType;
  collection: string;
  object: KubeObject;
}

interface OpenWatch {
  collection: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  bookmarks: boolean;
  kind: string;
  apiVersion: string;
  res: ServerResponse;
}

/** One request as the fake saw it. */
export interface SeenRequest {
  path: string;
  query: Record<string, string>;
  watch: boolean;
}

/** Who wrote an object and when: recorded in metadata.managedFields like the real server. */
export interface WriteInfo {
  manager?: string;
  time?: Date;
  subresource?: 'status' | 'scale';
}

interface Collection {
  apiVersion: string;
  kind: string;
  namespaced: boolean;
}

/** group/version/plural → the apiVersion and kind its objects carry. */
const COLLECTIONS: Record<string, Collection> = {
  'v1/configmaps': { apiVersion: 'v1', kind: 'ConfigMap', namespaced: true },
  'v1/secrets': { apiVersion: 'v1', kind: 'Secret', namespaced: true },
  'v1/events': { apiVersion: 'v1', kind: 'Event', namespaced: true },
  'v1/services': { apiVersion: 'v1', kind: 'Service', namespaced: true },
  'v1/namespaces': { apiVersion: 'v1', kind: 'Namespace', namespaced: false },
  'apps/v1/deployments': { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
  'apps/v1/statefulsets': { apiVersion: 'apps/v1', kind: 'StatefulSet', namespaced: true },
  'apps/v1/daemonsets': { apiVersion: 'apps/v1', kind: 'DaemonSet', namespaced: true },
  'apps/v1/replicasets': { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespaced: true },
  'networking.k8s.io/v1/ingresses': {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    namespaced: true,
  },
  'networking.k8s.io/v1/networkpolicies': {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    namespaced: true,
  },
  'autoscaling/v2/horizontalpodautoscalers': {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
  },
  'batch/v1/cronjobs': { apiVersion: 'batch/v1', kind: 'CronJob', namespaced: true },
  'policy/v1/poddisruptionbudgets': {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    namespaced: true,
  },
};

const KIND_TO_COLLECTION = Object.fromEntries(
  Object.entries(COLLECTIONS).map(([collection, { kind }]) => [kind, collection]),
);

/** `/api/v1/namespaces/shop/configmaps` → collection `v1/configmaps`, namespace `shop`. */
function parsePath(path: string): { collection: string; namespace?: string } | undefined {
  const parts = path.split('/').filter(Boolean);
  let groupVersion: string[];
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    groupVersion = [parts[1]!];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    groupVersion = [parts[1]!, parts[2]!];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (rest.length === 1) return { collection: [...groupVersion, rest[0]].join('/') };
  if (rest.length === 3 && rest[0] === 'namespaces') {
    return {
      collection: [...groupVersion, rest[2]].join('/'),
      namespace: decodeURIComponent(rest[1]!),
    };
  }
  return undefined;
}

/** Equality-based selectors (`a=b,c!=d`, `key`, `!key`): the forms kubectl users write most. */
function matchesLabels(object: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  const labels = object.metadata?.labels ?? {};
  return selector.split(',').every((term) => {
    const notEqual = /^([^!=]+)!=(.*)$/.exec(term);
    if (notEqual) return labels[notEqual[1]!.trim()] !== notEqual[2]!.trim();
    const equal = /^([^!=]+)==?(.*)$/.exec(term);
    if (equal) return labels[equal[1]!.trim()] === equal[2]!.trim();
    if (term.startsWith('!')) return !(term.slice(1).trim() in labels);
    return term.trim() in labels;
  });
}

/** Field selectors on dotted paths (`type=Warning`, `metadata.name=x`), = and != only. */
function matchesFields(object: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const match = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
    if (!match) return false;
    let value: unknown = object;
    for (const part of match[1]!.split('.'))
      value = (value as Record<string, unknown> | undefined)?.[part];
    const equal = String(value ?? '') === match[3];
    return match[2] === '!=' ? !equal : equal;
  });
}

export class FakeKubeApiServer {
  readonly requests: SeenRequest[] = [];
  /** How an expired resourceVersion is answered: an ERROR frame (what kube-apiserver does) or HTTP 410. */
  expiredAs: 'frame' | 'status' = 'frame';
  /** Answer every request with this status (an outage, RBAC refusing), until cleared. */
  failWith: number | undefined;
  private revision = 100;
  /** Frames older than this resourceVersion are compacted away (etcd compaction). */
  private oldest = 100;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watches = new Set<OpenWatch>();
  private readonly server: Server;
  url = '';

  private constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  static async start(): Promise<FakeKubeApiServer> {
    const fake = new FakeKubeApiServer();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** A kubeconfig for this server, as a cluster's `kubeconfigData`. */
  kubeconfig(context = 'fake'): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${context}`,
      '  cluster:',
      `    server: ${this.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      `- name: ${context}-reader`,
      '  user:',
      '    token: fake-service-account-token',
      'contexts:',
      `- name: ${context}`,
      '  context:',
      `    cluster: ${context}`,
      `    user: ${context}-reader`,
      `current-context: ${context}`,
      '',
    ].join('\n');
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  /** Watches currently streaming. */
  get openWatches(): number {
    return this.watches.size;
  }

  /** The stored object, as the server holds it. */
  get<T = KubeObject>(kind: string, namespace: string, name: string): T | undefined {
    return this.objects.get(KIND_TO_COLLECTION[kind]!)?.get(`${namespace}/${name}`) as
      T | undefined;
  }

  /**
   * Creates or replaces an object, as `kubectl apply` would: uid and creationTimestamp on create,
   * generation bumped when the spec changes, a managedFields entry for the writer, a new
   * resourceVersion, and an ADDED or MODIFIED frame to the watches.
   */
  apply<T>(input: T, write: WriteInfo = {}): T {
    const object = structuredClone(input) as unknown as KubeObject;
    const collection = KIND_TO_COLLECTION[object.kind ?? '']!;
    if (!collection) throw new Error(`the fake serves no ${object.kind}`);
    const key = `${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
    const objects = this.objects.get(collection) ?? new Map<string, KubeObject>();
    this.objects.set(collection, objects);
    const existing = objects.get(key);
    const time = (write.time ?? new Date()).toISOString();
    const metadata = { ...object.metadata };
    metadata.uid = existing?.metadata?.uid ?? metadata.uid ?? randomUUID();
    metadata.creationTimestamp =
      existing?.metadata?.creationTimestamp ?? metadata.creationTimestamp ?? time;
    if ('spec' in object) {
      const before = existing ? stableJson(existing.spec) : undefined;
      const generation = existing?.metadata?.generation ?? 0;
      metadata.generation = before === stableJson(object.spec) ? generation : generation + 1;
    }
    if (write.manager) {
      const entry: Wire<V1ManagedFieldsEntry> = {
        manager: write.manager,
        operation: 'Update',
        apiVersion: object.apiVersion,
        time,
        fieldsType: 'FieldsV1',
        fieldsV1: {},
        ...(write.subresource ? { subresource: write.subresource } : {}),
      };
      const others = (existing?.metadata?.managedFields ?? []).filter(
        (e) => !(e.manager === write.manager && e.subresource === entry.subresource),
      );
      metadata.managedFields = [...others, entry];
    } else if (existing?.metadata?.managedFields) {
      metadata.managedFields = existing.metadata.managedFields;
    }
    // A write of spec keeps the status the controller last wrote, and vice versa.
    if (existing && 'status' in existing && !('status' in object)) object.status = existing.status;
    object.metadata = metadata;
    this.commit(collection, existing ? 'MODIFIED' : 'ADDED', object);
    objects.set(key, object);
    return structuredClone(object) as unknown as T;
  }

  /** What a controller does: writes status only (no generation bump), through /status. */
  updateStatus(kind: string, namespace: string, name: string, status: unknown, time?: Date): void {
    const existing = this.get(kind, namespace, name);
    if (!existing) throw new Error(`no ${kind} ${namespace}/${name}`);
    this.apply(
      { ...existing, status },
      { manager: 'kube-controller-manager', subresource: 'status', time },
    );
  }

  delete(kind: string, namespace: string, name: string): void {
    const collection = KIND_TO_COLLECTION[kind]!;
    const objects = this.objects.get(collection);
    const existing = objects?.get(`${namespace}/${name}`);
    if (!existing) throw new Error(`no ${kind} ${namespace}/${name}`);
    objects!.delete(`${namespace}/${name}`);
    this.commit(collection, 'DELETED', structuredClone(existing));
  }

  /** etcd compaction: watches from any resourceVersion before now get 410 Expired. */
  compact(): void {
    this.oldest = this.revision;
    this.history.length = 0;
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that asked for them. */
  bookmark(): void {
    for (const watch of this.watches) {
      if (!watch.bookmarks) continue;
      this.send(watch.res, {
        type: 'BOOKMARK',
        object: {
          kind: watch.kind,
          apiVersion: watch.apiVersion,
          metadata: { resourceVersion: this.resourceVersion },
        },
      });
    }
  }

  /** Ends every open watch with a 410 ERROR frame, as the server does when it falls behind. */
  expireWatches(): void {
    this.compact();
    for (const watch of [...this.watches]) {
      this.send(watch.res, { type: 'ERROR', object: this.expired('0') });
      watch.res.end();
      this.watches.delete(watch);
    }
  }

  /** Cuts every open watch's connection mid-stream (a proxy or node going away). */
  dropWatches(): void {
    for (const watch of [...this.watches]) {
      watch.res.socket?.destroy();
      this.watches.delete(watch);
    }
  }

  async close(): Promise<void> {
    this.dropWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private commit(collection: string, type: FrameType, object: KubeObject): void {
    this.revision += 1;
    object.metadata = { ...object.metadata, resourceVersion: this.resourceVersion };
    const entry = {
      resourceVersion: this.revision,
      type,
      collection,
      object: structuredClone(object),
    };
    this.history.push(entry);
    for (const watch of this.watches) {
      if (this.visible(watch, entry))
        this.send(watch.res, { type, object: this.typed(collection, entry.object) });
    }
  }

  private visible(
    scope: Pick<OpenWatch, 'collection' | 'namespace' | 'labelSelector' | 'fieldSelector'>,
    entry: Pick<HistoryEntry, 'collection' | 'object'>,
  ): boolean {
    return (
      entry.collection === scope.collection &&
      (!scope.namespace || entry.object.metadata?.namespace === scope.namespace) &&
      matchesLabels(entry.object, scope.labelSelector) &&
      matchesFields(entry.object, scope.fieldSelector)
    );
  }

  /** Watch frames carry kind and apiVersion; list items do not. */
  private typed(collection: string, object: KubeObject): KubeObject {
    const { apiVersion, kind } = COLLECTIONS[collection]!;
    return { ...object, apiVersion, kind };
  }

  private expired(requested: string): Wire<V1Status> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: ${requested} (${this.oldest})`,
      reason: 'Expired',
      code: 410,
    };
  }

  private send(res: ServerResponse, frame: unknown): void {
    if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(frame)}\n`);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const watch = query.watch === 'true' || query.watch === '1';
    this.requests.push({ path: url.pathname, query, watch });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (this.failWith !== undefined) {
      return json(this.failWith, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        reason: this.failWith === 403 ? 'Forbidden' : 'InternalError',
        code: this.failWith,
      });
    }
    if (req.headers.authorization !== 'Bearer fake-service-account-token') {
      return json(401, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        reason: 'Unauthorized',
        code: 401,
      });
    }
    const target = parsePath(url.pathname);
    const collection = target && COLLECTIONS[target.collection];
    if (!target || !collection || req.method !== 'GET') {
      return json(404, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
      });
    }
    const scope = {
      collection: target.collection,
      namespace: target.namespace,
      labelSelector: query.labelSelector,
      fieldSelector: query.fieldSelector,
    };
    if (watch) return this.startWatch(res, scope, collection, query);

    const all = [...(this.objects.get(target.collection)?.values() ?? [])]
      .filter((object) => this.visible(scope, { collection: target.collection, object }))
      .sort((a, b) =>
        `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(
          `${b.metadata?.namespace}/${b.metadata?.name}`,
        ),
      );
    // A continue token pins the list to the resourceVersion of its first page.
    const token = query.continue
      ? (JSON.parse(Buffer.from(query.continue, 'base64url').toString()) as {
          rv: string;
          offset: number;
        })
      : { rv: this.resourceVersion, offset: 0 };
    const limit = query.limit ? Number(query.limit) : all.length;
    const page = all.slice(token.offset, token.offset + limit);
    const next = token.offset + limit < all.length;
    json(200, {
      kind: `${collection.kind}List`,
      apiVersion: collection.apiVersion,
      metadata: {
        resourceVersion: token.rv,
        ...(next
          ? {
              continue: Buffer.from(
                JSON.stringify({ rv: token.rv, offset: token.offset + limit }),
              ).toString('base64url'),
            }
          : {}),
      },
      items: page.map(({ kind: _kind, apiVersion: _apiVersion, ...item }) => structuredClone(item)),
    });
  }

  private startWatch(
    res: ServerResponse,
    scope: Pick<OpenWatch, 'collection' | 'namespace' | 'labelSelector' | 'fieldSelector'>,
    collection: Collection,
    query: Record<string, string>,
  ): void {
    const from = Number(query.resourceVersion || 0);
    if (from && from < this.oldest && this.expiredAs === 'status') {
      res.writeHead(410, { 'content-type': 'application/json' });
      res.end(JSON.stringify(this.expired(query.resourceVersion!)));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    // Clients wait for the headers before they read frames.
    res.flushHeaders();
    if (from && from < this.oldest) {
      this.send(res, { type: 'ERROR', object: this.expired(query.resourceVersion!) });
      res.end();
      return;
    }
    const open: OpenWatch = {
      ...scope,
      bookmarks: query.allowWatchBookmarks === 'true',
      kind: collection.kind,
      apiVersion: collection.apiVersion,
      res,
    };
    if (from) {
      for (const entry of this.history) {
        if (entry.resourceVersion > from && this.visible(open, entry)) {
          this.send(res, { type: entry.type, object: this.typed(scope.collection, entry.object) });
        }
      }
    } else {
      // No resourceVersion: the current state as ADDED frames, then the changes.
      for (const object of this.objects.get(scope.collection)?.values() ?? []) {
        if (this.visible(open, { collection: scope.collection, object })) {
          this.send(res, { type: 'ADDED', object: this.typed(scope.collection, object) });
        }
      }
    }
    this.watches.add(open);
    res.on('close', () => this.watches.delete(open));
  }
}
