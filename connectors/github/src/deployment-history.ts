// Rollback detection: per repository and environment, the versions deployed there recently.
// A deployment of a commit that the environment ran before, after something else replaced it,
// takes the environment back: a rollback. Kept in connector state, shared by webhooks and polling.
import type { ConnectorState } from '@painchain/sdk';

export interface DeployedVersion {
  id: number;
  sha: string;
}

/** Enough history for a rollback several versions back, small enough to rewrite on each deploy. */
export const MAX_DEPLOY_HISTORY = 50;

/** The history with this deployment in its place (by id, which GitHub hands out in order). */
export function recordDeployment(
  history: readonly DeployedVersion[],
  deployment: DeployedVersion,
): DeployedVersion[] {
  const others = history.filter((entry) => entry.id !== deployment.id);
  return [...others, deployment].sort((a, b) => a.id - b.id).slice(-MAX_DEPLOY_HISTORY);
}

/** True when `deployment` brings back a commit deployed before the one it replaces. */
export function isRollback(
  history: readonly DeployedVersion[],
  deployment: DeployedVersion,
): boolean {
  const earlier = history.filter((entry) => entry.id < deployment.id).sort((a, b) => b.id - a.id);
  const [previous, ...older] = earlier;
  if (!previous || previous.sha === deployment.sha) return false;
  return older.some((entry) => entry.sha === deployment.sha);
}

/** The state-backed history; updates are serialized so concurrent deliveries never lose one. */
export class DeploymentHistory {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly state: ConnectorState) {}

  /** Records the deployment and says whether it is a rollback. */
  observe(project: string, environment: string, deployment: DeployedVersion): Promise<boolean> {
    const task = this.queue.then(async () => {
      const key = `deployments:${project.toLowerCase()}:${environment}`;
      const history = (await this.state.get<DeployedVersion[]>(key)) ?? [];
      const rollback = isRollback(history, deployment);
      const updated = recordDeployment(history, deployment);
      if (JSON.stringify(updated) !== JSON.stringify(history)) await this.state.set(key, updated);
      return rollback;
    });
    this.queue = task.catch(() => undefined);
    return task;
  }
}
