// The sample history of `npm run demo`: a week of changes from several sources, made by the
// benchmark's event generator, and on top a short story (a failed production rollout, then an
// alert on it) that the suspects and the chain explain. Pure: no I/O, times relative to `now`.
import type { ChangeEventInput } from '@painchain/sdk';
import { alertToEvent, type AlertLabelMapping } from '../drilldown/grafana-alerts.js';
import { EventGenerator } from './event-generator.js';

/**
 * Every sample change carries all three marks, so that it is never taken for real data: the tag
 * (a filter in Grafana, `?tag=painchain-demo` in the API), the title prefix (visible wherever a
 * change is shown: the timeline, a marker's tooltip, a table, a notification) and the externalId
 * prefix. Removal deletes only changes that carry all three.
 */
export const DEMO_TAG = 'painchain-demo';
export const DEMO_TITLE_PREFIX = '[demo] ';
export const DEMO_EXTERNAL_ID_PREFIX = 'painchain-demo-';

/** A week, as the issue asks: enough for the dashboards' default ranges and a weekly view. */
export const DEMO_SPAN_MS = 7 * 24 * 3_600_000;
/** About 200 changes a day: a busy platform team, still readable on a timeline. */
export const DEMO_BACKGROUND_EVENTS = 1_400;
/** The same seed every time: the same week, shifted to end now. */
const DEMO_SEED = 20_261_126;

/** When the story's alert fires: recent enough for a dashboard's "last hour". */
const ALERT_BEFORE_NOW_MS = 20 * 60_000;
const MINUTE = 60_000;

/** The story: one service's change from push to failed rollout, and the alert that follows. */
export const DEMO_STORY = {
  project: 'acme/payments',
  service: 'payments',
  /** The Kubernetes connector's project for the namespace: `<cluster>/<namespace>`. */
  cluster: 'prod',
  namespace: 'payments',
  headSha: '4b1e9c07d2a35f8e6c19b0a7d4e2f58c3a916b2e',
  mergeSha: 'c9f2a7e1b5d04f3a8e6c2b9d7f1a05e4c3b8d6a2',
  pullRequest: 4812,
  buildPipeline: 9_120_455,
  version: '2.14.1',
  digest: 'sha256:7d3f0b9a1c5e8f2d4b6a0c9e7f1d3b5a8c2e4f6a0b9d7c5e3f1a2b4c6d8e0f9a',
} as const;

/** The externalIds (without the prefix) of the story's two key changes. */
export const DEMO_STORY_KEYS = {
  rollout: 'story-rollout-production',
  alert: 'story-alert',
} as const;

export interface DemoHistory {
  /** Every change, marked: the week first, then the story. */
  events: ChangeEventInput[];
  /** How many of them are the generated week (the rest is the story). */
  background: number;
}

/** The sample week ending at `now`, and the story; `labels` says how alert labels map. */
export function demoHistory(now: Date, labels: AlertLabelMapping): DemoHistory {
  const generator = new EventGenerator(DEMO_SEED, now.getTime(), DEMO_SPAN_MS);
  const week = generator.batch(0, DEMO_BACKGROUND_EVENTS);
  const story = storyEvents(now.getTime() - ALERT_BEFORE_NOW_MS, labels);
  return { events: [...week, ...story].map(markAsDemo), background: week.length };
}

/** True only for a change this module made: all three marks. */
export function isDemoEvent(event: {
  title: string;
  externalId?: string;
  tags?: readonly string[];
}): boolean {
  return (
    event.title.startsWith(DEMO_TITLE_PREFIX) &&
    (event.externalId?.startsWith(DEMO_EXTERNAL_ID_PREFIX) ?? false) &&
    (event.tags?.includes(DEMO_TAG) ?? false)
  );
}

function markAsDemo(event: ChangeEventInput): ChangeEventInput {
  return {
    ...event,
    externalId: `${DEMO_EXTERNAL_ID_PREFIX}${event.externalId ?? event.title}`,
    title: `${DEMO_TITLE_PREFIX}${event.title}`,
    tags: [...(event.tags ?? []), DEMO_TAG],
  };
}

/**
 * A fix to payment capture goes from a push through its pull request, the merge, the build and a
 * staging rollout to production, where the rollout fails (new pods crash-loop); three minutes
 * after it gave up, Grafana fires a 5xx alert on the service. Each change names the commit, pull
 * request, pipeline or image it shares with the others, as the real connectors do.
 */
function storyEvents(alertAt: number, labels: AlertLabelMapping): ChangeEventInput[] {
  const s = DEMO_STORY;
  const at = (minutesBeforeAlert: number) =>
    new Date(alertAt - minutesBeforeAlert * MINUTE).toISOString();
  const repo = `https://github.com/${s.project}`;
  const image = `registry.example.com/payments:${s.version}-${s.mergeSha.slice(0, 7)}@${s.digest}`;
  const subject = 'retry card capture on gateway timeouts';
  const rollout = (environment: string, startedBefore: number, endedBefore: number) => ({
    kind: 'deploy' as const,
    project: s.project,
    service: s.service,
    environment,
    timestamp: at(startedBefore),
    endTimestamp: at(endedBefore),
    updatedAt: at(endedBefore),
    refs: { commit: s.mergeSha, image, version: s.version },
    tags: ['team:payments', 'region:eu-west-1'],
  });

  const events: ChangeEventInput[] = [
    {
      connector: 'github',
      externalId: 'story-push',
      kind: 'push',
      title: `carol pushed 2 commits to fix/capture-retry: ${subject}`,
      project: s.project,
      timestamp: at(200),
      author: 'carol',
      url: `${repo}/commit/${s.headSha}`,
      refs: { commit: s.headSha, branch: 'fix/capture-retry' },
      tags: ['team:payments'],
    },
    {
      connector: 'github',
      externalId: 'story-pull-request',
      kind: 'pull_request',
      status: 'succeeded',
      title: `Pull request #${s.pullRequest} opened: Retry card capture on gateway timeouts`,
      project: s.project,
      service: s.service,
      timestamp: at(190),
      author: 'carol',
      url: `${repo}/pull/${s.pullRequest}`,
      refs: { commit: s.headSha, branch: 'fix/capture-retry', pullRequest: s.pullRequest },
      tags: ['team:payments'],
    },
    {
      connector: 'github',
      externalId: 'story-merge',
      kind: 'merge',
      status: 'succeeded',
      title: `Merge pull request #${s.pullRequest}: Retry card capture on gateway timeouts`,
      description: 'Approved by dave. Retries a capture up to 3 times when the gateway times out.',
      project: s.project,
      service: s.service,
      timestamp: at(95),
      author: 'carol',
      url: `${repo}/pull/${s.pullRequest}`,
      refs: {
        commit: s.mergeSha,
        commits: [s.headSha],
        branch: 'main',
        pullRequest: s.pullRequest,
      },
      tags: ['team:payments'],
    },
    {
      connector: 'github',
      externalId: 'story-build',
      kind: 'pipeline',
      status: 'succeeded',
      title: `Pipeline #${s.buildPipeline} on main succeeded: build and push payments image`,
      project: s.project,
      service: s.service,
      timestamp: at(92),
      endTimestamp: at(81),
      updatedAt: at(81),
      url: `${repo}/actions/runs/${s.buildPipeline}`,
      refs: { commit: s.mergeSha, branch: 'main', pipeline: s.buildPipeline, image },
      data: { workflow: 'build', durationMs: 11 * MINUTE },
      tags: ['team:payments'],
    },
    {
      connector: 'argocd',
      externalId: 'story-rollout-staging',
      status: 'succeeded',
      title: `Deploy payments ${s.version} to staging`,
      description: `Synced by Argo CD. Image built from ${s.mergeSha.slice(0, 7)}.`,
      author: 'argocd',
      ...rollout('staging', 70, 66),
    },
    {
      connector: 'kubernetes',
      externalId: DEMO_STORY_KEYS.rollout,
      status: 'failed',
      title: `Deploy payments ${s.version} to production`,
      description:
        'Deployment payments: ProgressDeadlineExceeded. 3 of 6 new pods in CrashLoopBackOff ' +
        '(capture-worker: connection pool exhausted); the old ReplicaSet still serves traffic.',
      author: 'carol',
      data: { namespace: s.namespace, deployment: 'payments', replicas: 6, readyReplicas: 3 },
      ...rollout('production', 11, 3),
      project: `${s.cluster}/${s.namespace}`,
    },
  ];

  // The alert as Grafana's webhook contact point would deliver it, recorded the same way.
  const alert = alertToEvent(
    {
      status: 'firing',
      labels: {
        alertname: 'PaymentsHighErrorRate',
        [labels.service[0] ?? 'service']: s.service,
        [labels.environment[0] ?? 'env']: 'production',
        cluster: s.cluster,
        namespace: s.namespace,
        severity: 'critical',
      },
      annotations: {
        summary: 'payments 5xx rate above 5% for 5 minutes',
        description: 'POST /v1/captures answers 502 for 7.8% of requests.',
      },
      startsAt: at(0),
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: 'a41c7e2f9b3d5081',
      values: { B: 0.078 },
    },
    labels,
  );
  events.push({ ...alert, externalId: DEMO_STORY_KEYS.alert });
  return events;
}
