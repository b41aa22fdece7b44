// One GitLab webhook delivery (its X-Gitlab-Event and payload) → change events, or the reason it
// is not a change PainChain records. Pure: the delivery's arrival time and key come from outside.
import type { ChangeEventInput } from '@painchain/sdk';
import type { GitlabEventFamily } from '../gitlab-config.js';
import type {
  DeploymentHook,
  FeatureFlagHook,
  JobHook,
  MergeRequestHook,
  PipelineHook,
  PushHook,
  ReleaseHook,
  TagPushHook,
} from './gitlab-payloads.js';
import { normalizeDeploymentHook } from './normalize-deployment.js';
import { MERGE_REQUEST_ACTIONS, normalizeMergeRequestHook } from './normalize-merge-request.js';
import { normalizeJobHook, normalizePipelineHook } from './normalize-pipeline.js';
import { normalizePushHook, normalizeTagPushHook } from './normalize-push.js';
import { normalizeFeatureFlagHook, normalizeReleaseHook } from './normalize-release.js';

// Both maps have no prototype: a header or object_kind of `constructor` or `toString` names no
// hook, rather than a function inherited from Object.

/** The X-Gitlab-Event values PainChain records, and the `events` family each belongs to. */
export const HOOK_FAMILIES: Readonly<Record<string, GitlabEventFamily | undefined>> = Object.assign(
  Object.create(null) as Record<string, GitlabEventFamily>,
  {
    'Push Hook': 'push',
    'Tag Push Hook': 'tag',
    'Merge Request Hook': 'merge_request',
    'Pipeline Hook': 'pipeline',
    'Job Hook': 'job',
    'Deployment Hook': 'deployment',
    'Release Hook': 'release',
    'Feature Flag Hook': 'feature_flag',
  } as const,
);

/** A system hook (self-managed, for the whole instance) says what it is in `object_kind`. */
const SYSTEM_HOOK_KINDS: Readonly<Record<string, string | undefined>> = Object.assign(
  Object.create(null) as Record<string, string>,
  {
    push: 'Push Hook',
    tag_push: 'Tag Push Hook',
    merge_request: 'Merge Request Hook',
  },
);

export type NormalizeOutcome = { events: ChangeEventInput[] } | { ignored: string };

export interface DeliveryContext {
  /** When the delivery arrived: the time of changes whose payload carries none. */
  receivedAt: Date;
  /** This delivery's identity (Event-UUID, Idempotency-Key or body hash), for keyless changes. */
  delivery: string;
  /** Record every job, not only those that deploy to an environment. */
  allJobs: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The project's `path_with_namespace`, when the payload names one. */
export function projectOf(payload: unknown): string | undefined {
  if (!isRecord(payload) || !isRecord(payload.project)) return undefined;
  const path = payload.project.path_with_namespace;
  return typeof path === 'string' && path.includes('/') ? path : undefined;
}

/** The hook a delivery is, `System Hook` deliveries resolved by their `object_kind`. */
export function hookName(event: string, payload: unknown): string {
  if (event !== 'System Hook' || !isRecord(payload)) return event;
  const kind = typeof payload.object_kind === 'string' ? payload.object_kind : '';
  return SYSTEM_HOOK_KINDS[kind] ?? `System Hook (${kind || payload.event_name || 'unknown'})`;
}

export function normalizeWebhook(
  event: string,
  payload: unknown,
  context: DeliveryContext,
): NormalizeOutcome {
  const hook = hookName(event, payload);
  if (!(hook in HOOK_FAMILIES)) {
    return { ignored: `GitLab ${hook} is not a change PainChain records` };
  }
  if (!isRecord(payload) || !projectOf(payload)) {
    return { ignored: `${hook} payload without project.path_with_namespace` };
  }
  const lacks = (field: string): NormalizeOutcome => ({
    ignored: `${hook} payload without ${field}`,
  });
  const attributes = isRecord(payload.object_attributes) ? payload.object_attributes : undefined;
  switch (hook) {
    case 'Push Hook':
      if (typeof payload.ref !== 'string' || typeof payload.after !== 'string') return lacks('ref');
      return { events: normalizePushHook(payload as unknown as PushHook, context.receivedAt) };
    case 'Tag Push Hook':
      if (typeof payload.ref !== 'string' || typeof payload.after !== 'string') return lacks('ref');
      return {
        events: normalizeTagPushHook(payload as unknown as TagPushHook, context.receivedAt),
      };
    case 'Merge Request Hook': {
      if (!attributes || typeof attributes.iid !== 'number') return lacks('object_attributes.iid');
      const action = typeof attributes.action === 'string' ? attributes.action : 'update';
      if (!MERGE_REQUEST_ACTIONS.has(action)) {
        return { ignored: `merge request action ${action} does not change the timeline` };
      }
      return { events: normalizeMergeRequestHook(payload as unknown as MergeRequestHook) };
    }
    case 'Pipeline Hook':
      if (!attributes || typeof attributes.id !== 'number') return lacks('object_attributes.id');
      return { events: [normalizePipelineHook(payload as unknown as PipelineHook)] };
    case 'Job Hook': {
      if (typeof payload.build_id !== 'number') return lacks('build_id');
      const job = payload as unknown as JobHook;
      if (!job.environment && !context.allJobs) {
        return {
          ignored: `job ${job.build_name} deploys to no environment (set jobs: all to record every job)`,
        };
      }
      return { events: [normalizeJobHook(job)] };
    }
    case 'Deployment Hook':
      if (typeof payload.deployment_id !== 'number') return lacks('deployment_id');
      return { events: [normalizeDeploymentHook(payload as unknown as DeploymentHook)] };
    case 'Release Hook': {
      if (typeof payload.tag !== 'string') return lacks('tag');
      if (payload.action === 'delete') {
        return {
          ignored: 'a deleted release changes nothing that runs (its tag push is recorded)',
        };
      }
      return { events: [normalizeReleaseHook(payload as unknown as ReleaseHook)] };
    }
    case 'Feature Flag Hook':
      if (!attributes || typeof attributes.id !== 'number') return lacks('object_attributes.id');
      return {
        events: [
          normalizeFeatureFlagHook(
            payload as unknown as FeatureFlagHook,
            context.delivery,
            context.receivedAt,
          ),
        ],
      };
    default:
      return { ignored: `GitLab ${hook} is not a change PainChain records` };
  }
}
