// Which workload a pod belongs to, from the workloads the connector follows: Warning events
// name pods, and an alert is most useful on the workload's (and its service's) lane.
import type { WorkloadKind, WorkloadRecord } from './normalize/workload-changes.js';

interface Entry {
  kind: WorkloadKind;
  name: string;
  service?: string;
}

/** Pod names per controller: <deployment>-<hash>-<suffix>, <statefulset>-<ordinal>, <daemonset>-<suffix>. */
const POD_NAME: Record<WorkloadKind, (workload: string) => RegExp> = {
  Deployment: (w) => new RegExp(`^${escape(w)}-[a-z0-9]{6,10}-[a-z0-9]{5}$`),
  StatefulSet: (w) => new RegExp(`^${escape(w)}-\\d+$`),
  DaemonSet: (w) => new RegExp(`^${escape(w)}-[a-z0-9]{5}$`),
};

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class WorkloadDirectory {
  private readonly byUid = new Map<string, Entry & { namespace: string }>();

  /** Fed by the workload watches with every record kept (or undefined when dropped). */
  update(uid: string, record: WorkloadRecord | undefined): void {
    if (record) {
      this.byUid.set(uid, {
        kind: record.kind,
        name: record.name,
        namespace: record.namespace,
        service: record.service,
      });
    } else {
      this.byUid.delete(uid);
    }
  }

  workloadOf(namespace: string, pod: string): { workload: string; service?: string } | undefined {
    let best: (Entry & { namespace: string }) | undefined;
    for (const entry of this.byUid.values()) {
      if (entry.namespace !== namespace || !POD_NAME[entry.kind](entry.name).test(pod)) continue;
      // The longest name wins: api-worker's pods are not api's.
      if (!best || entry.name.length > best.name.length) best = entry;
    }
    return best ? { workload: `${best.kind}/${best.name}`, service: best.service } : undefined;
  }
}
