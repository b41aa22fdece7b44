// The environment each namespace declares in a label (`environmentLabel` in the options), kept
// current by a watch on namespaces; read when a change carries no environment of its own.
import type { KubeObject } from './kube-object.js';
import type { WatchHandler } from './object-changes.js';

export class NamespaceEnvironments implements WatchHandler {
  private readonly byNamespace = new Map<string, string>();

  constructor(private readonly label: string) {}

  environmentOf(namespace: string): string | undefined {
    return this.byNamespace.get(namespace);
  }

  async listed(items: readonly KubeObject[]): Promise<boolean> {
    this.byNamespace.clear();
    for (const item of items) this.remember(item);
    return false;
  }

  async changed(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): Promise<boolean> {
    if (type === 'DELETED') this.byNamespace.delete(object.metadata?.name ?? '');
    else this.remember(object);
    return false;
  }

  private remember(namespace: KubeObject): void {
    const name = namespace.metadata?.name ?? '';
    const environment = namespace.metadata?.labels?.[this.label];
    if (environment) this.byNamespace.set(name, environment);
    else this.byNamespace.delete(name);
  }
}
