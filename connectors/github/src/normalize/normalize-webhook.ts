// One webhook delivery (event name + payload) → change events, or the reason it is not one.
// Pure: the caller supplies what needs state or a clock (the delivery time, rollback or not).
import type { ChangeEventInput } from '@painchain/sdk';
import type { GithubEventType } from '../github-config.js';
import type {
  GhCheckSuite,
  GhDeployment,
  GhDeploymentStatus,
  GhPackage,
  GhPullRequest,
  GhPushPayload,
  GhRelease,
  GhWorkflowRun,
} from '../github-types.js';
import { normalizeCheckSuite } from './normalize-check-suite.js';
import { normalizeDeployment } from './normalize-deployment.js';
import { normalizePackage } from './normalize-package.js';
import { PULL_REQUEST_ACTIONS, normalizePullRequest } from './normalize-pull-request.js';
import { normalizePush } from './normalize-push.js';
import { RELEASE_ACTIONS, normalizeRelease } from './normalize-release.js';
import { normalizeRefChange, type GhRefPayload } from './normalize-tag.js';
import { normalizeWorkflowRun } from './normalize-workflow-run.js';

/**
 * Which `events` family of the config a webhook belongs to; undefined: not one we record. No
 * prototype: an X-GitHub-Event of `constructor` or `toString` is an unknown event, not a function.
 */
export const WEBHOOK_FAMILIES: Readonly<Record<string, GithubEventType | undefined>> =
  Object.assign(
    Object.create(null) as Record<string, GithubEventType>,
    {
      push: 'push',
      pull_request: 'pull_request',
      workflow_run: 'workflow_run',
      check_suite: 'check_suite',
      deployment: 'deployment',
      deployment_status: 'deployment',
      release: 'release',
      create: 'tag',
      delete: 'tag',
      package: 'package',
    } as const,
  );

export type NormalizeOutcome = { events: ChangeEventInput[] } | { ignored: string };

export interface WebhookContext {
  /** When the delivery arrived: the time of changes whose payload carries none. */
  receivedAt: Date;
  /** For deployment events: whether this deployment takes its environment back to an older version. */
  rollback?: boolean;
}

/** The deployment a deployment or deployment_status delivery is about (for rollback detection). */
export interface DeploymentFacts {
  project: string;
  environment: string;
  id: number;
  sha: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The repository's `owner/name`, when the payload has one. */
export function projectOf(payload: unknown): string | undefined {
  if (!isRecord(payload) || !isRecord(payload.repository)) return undefined;
  const name = payload.repository.full_name;
  return typeof name === 'string' && name.includes('/') ? name : undefined;
}

export function deploymentFacts(payload: unknown): DeploymentFacts | undefined {
  const project = projectOf(payload);
  if (!project || !isRecord(payload) || !isRecord(payload.deployment)) return undefined;
  // The deployment's own environment, as polling keys it: one history per environment.
  const { id, sha, environment } = payload.deployment;
  if (typeof id !== 'number' || typeof sha !== 'string' || typeof environment !== 'string')
    return undefined;
  return { project, environment, id, sha };
}

export function normalizeWebhook(
  event: string,
  payload: unknown,
  context: WebhookContext,
): NormalizeOutcome {
  const project = projectOf(payload);
  if (!isRecord(payload) || !project) return { ignored: `${event} payload without a repository` };
  const repositoryUrl = String((payload.repository as Record<string, unknown>).html_url ?? '');
  const action = typeof payload.action === 'string' ? payload.action : undefined;
  const lacks = (field: string) => ({ ignored: `${event} payload without ${field}` });
  const outcome = (result: ChangeEventInput[] | string): NormalizeOutcome =>
    typeof result === 'string' ? { ignored: result } : { events: result };
  const sender =
    isRecord(payload.sender) && typeof payload.sender.login === 'string'
      ? payload.sender.login
      : undefined;

  switch (event) {
    case 'push':
      if (typeof payload.ref !== 'string' || typeof payload.after !== 'string') return lacks('ref');
      return { events: normalizePush(payload as unknown as GhPushPayload, context.receivedAt) };
    case 'pull_request': {
      if (!isRecord(payload.pull_request)) return lacks('pull_request');
      if (!action || !PULL_REQUEST_ACTIONS.has(action)) {
        return { ignored: `pull_request ${action ?? '(no action)'} does not change the timeline` };
      }
      return {
        events: normalizePullRequest(project, payload.pull_request as unknown as GhPullRequest),
      };
    }
    case 'workflow_run':
      if (!isRecord(payload.workflow_run)) return lacks('workflow_run');
      return {
        events: [
          normalizeWorkflowRun(
            project,
            payload.workflow_run as unknown as GhWorkflowRun,
            isRecord(payload.workflow) && typeof payload.workflow.name === 'string'
              ? payload.workflow.name
              : undefined,
          ),
        ],
      };
    case 'check_suite':
      if (!isRecord(payload.check_suite)) return lacks('check_suite');
      if (action !== 'completed') return { ignored: 'check suites are recorded when completed' };
      return outcome(
        normalizeCheckSuite(
          project,
          repositoryUrl,
          payload.check_suite as unknown as GhCheckSuite,
          context.receivedAt,
        ),
      );
    case 'deployment':
    case 'deployment_status': {
      if (!isRecord(payload.deployment)) return lacks('deployment');
      const status =
        event === 'deployment_status' && isRecord(payload.deployment_status)
          ? (payload.deployment_status as unknown as GhDeploymentStatus)
          : undefined;
      if (event === 'deployment_status' && !status) return lacks('deployment_status');
      return {
        events: [
          normalizeDeployment(
            project,
            repositoryUrl,
            payload.deployment as unknown as GhDeployment,
            status,
            context.rollback ?? false,
          ),
        ],
      };
    }
    case 'release': {
      if (!isRecord(payload.release)) return lacks('release');
      if (!action || !RELEASE_ACTIONS.has(action)) {
        return { ignored: `release ${action ?? '(no action)'} is not a publication` };
      }
      const release = payload.release as unknown as GhRelease;
      if (release.draft) return { ignored: 'draft releases are recorded once published' };
      return { events: [normalizeRelease(project, release)] };
    }
    case 'create':
    case 'delete':
      if (typeof payload.ref !== 'string' || typeof payload.ref_type !== 'string') {
        return lacks('ref');
      }
      return outcome(
        normalizeRefChange(
          payload as unknown as GhRefPayload,
          event === 'delete',
          context.receivedAt,
        ),
      );
    case 'package':
      if (!isRecord(payload.package)) return lacks('package');
      if (action !== 'published')
        return { ignored: `package ${action ?? '(no action)'} is not a publication` };
      return outcome(
        normalizePackage(
          project,
          payload.package as unknown as GhPackage,
          sender,
          context.receivedAt,
        ),
      );
    default:
      return { ignored: `GitHub event ${event} is not one PainChain records` };
  }
}
