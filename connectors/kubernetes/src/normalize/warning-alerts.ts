// Warning Events (BackOff, OOMKilling, FailedScheduling, …) as alerts: occurrences of one reason
// on one object (pods folded into their workload) within a window are one alert whose count and
// end grow, so a timeline shows pods failing right after a rollout without an event per retry.
import type { CoreV1Event } from '@kubernetes/client-node';
import { changeEvent, type ChangeEventInput } from '@painchain/sdk';
import type { Wire } from '../kube-object.js';
import { CONNECTOR, projectOf } from './change-detector.js';

/** Occurrences are remembered per Event object this long: the API server keeps Events one hour. */
export const SEEN_RETENTION_MS = 2 * 60 * 60_000;

export interface AlertContext {
  readonly cluster: string;
  readonly windowMs: number;
  readonly reasons: ReadonlySet<string>;
  readonly now: () => Date;
  /** The workload a pod belongs to, when the connector knows it. */
  readonly workloadOf: (
    namespace: string,
    pod: string,
  ) => { workload: string; service?: string } | undefined;
}

interface OpenAlert {
  /** Epoch ms of the window's first occurrence. */
  since: number;
  count: number;
  event: ChangeEventInput;
}

/** Everything remembered: occurrences counted per Event uid, and the open alert per key. */
export interface AlertState {
  seen: Record<string, { count: number; at: number }>;
  open: Record<string, OpenAlert>;
}

export const emptyAlertState = (): AlertState => ({ seen: {}, open: {} });

/** Pods of a Deployment are named <deployment>-<template hash>-<suffix>. */
const DEPLOYMENT_POD = /^(.+)-[a-z0-9]{6,10}-[a-z0-9]{5}$/;

function subjectOf(
  ctx: AlertContext,
  event: Wire<CoreV1Event>,
): { subject: string; service?: string } {
  const involved = event.involvedObject;
  const namespace = involved.namespace ?? event.metadata.namespace ?? '';
  if (involved.kind === 'Pod' && involved.name) {
    const known = ctx.workloadOf(namespace, involved.name);
    if (known) return { subject: known.workload, service: known.service };
    const deployment = DEPLOYMENT_POD.exec(involved.name)?.[1];
    if (deployment) return { subject: `Deployment/${deployment}` };
  }
  return { subject: `${involved.kind ?? 'Object'}/${involved.name ?? ''}` };
}

/** When the Event last happened, by the fields core/v1 and events.k8s.io writers fill. */
function occurredAt(event: Wire<CoreV1Event>): number {
  const time =
    event.series?.lastObservedTime ??
    event.lastTimestamp ??
    event.eventTime ??
    event.firstTimestamp ??
    event.metadata.creationTimestamp;
  const parsed = time ? Date.parse(time) : NaN;
  return Number.isNaN(parsed) ? Date.now() : parsed;
}

/** How often the Event object says it happened. */
const occurrences = (event: Wire<CoreV1Event>) => event.series?.count ?? event.count ?? 1;

/**
 * Counts the new occurrences of a Warning Event into its alert. Returns the alert to store (the
 * same externalId while its window lasts) or nothing when the Event brings nothing new: a relist
 * after a restart re-reads every Event and must count none of them twice.
 */
export function observeWarning(
  state: AlertState,
  event: Wire<CoreV1Event>,
  ctx: AlertContext,
): ChangeEventInput | undefined {
  if (event.type !== 'Warning' || !event.reason || !ctx.reasons.has(event.reason)) return undefined;
  const uid = event.metadata.uid ?? `${event.metadata.namespace}/${event.metadata.name}`;
  const count = occurrences(event);
  const added = count - (state.seen[uid]?.count ?? 0);
  if (added <= 0) return undefined;
  const at = occurredAt(event);
  state.seen[uid] = { count, at };

  const namespace = event.involvedObject.namespace ?? event.metadata.namespace ?? '';
  const { subject, service } = subjectOf(ctx, event);
  const key = `${namespace}/${subject}/${event.reason}`;
  const open = state.open[key];
  const message = event.message?.trim().split('\n', 1)[0];
  const pod = event.involvedObject.kind === 'Pod' ? event.involvedObject.name : undefined;
  if (open && at >= open.since && at - open.since < ctx.windowMs) {
    const total = open.count + added;
    const pods = [
      ...new Set([
        ...((open.event.data?.pods as string[] | undefined) ?? []),
        ...(pod ? [pod] : []),
      ]),
    ];
    const end = Math.max(at, Date.parse(String(open.event.endTimestamp ?? open.event.timestamp)));
    open.count = total;
    open.event = changeEvent({
      ...open.event,
      title: alertTitle(namespace, subject, event.reason, total, message),
      endTimestamp: new Date(end).toISOString(),
      updatedAt: new Date(end).toISOString(),
      service: open.event.service ?? service,
      data: { ...open.event.data, count: total, message, pods: pods.slice(0, 10) },
    });
    return open.event;
  }
  const since = new Date(at).toISOString();
  const created: OpenAlert = {
    since: at,
    count: added,
    event: changeEvent({
      connector: CONNECTOR,
      // The first Event object of the window and its time: a replay finds the same alert.
      externalId: `${ctx.cluster}/${uid}/alert/${event.reason}/${at}`,
      kind: 'alert',
      title: alertTitle(namespace, subject, event.reason, added, message),
      project: projectOf(ctx.cluster, namespace),
      service,
      timestamp: since,
      updatedAt: since,
      data: {
        cluster: ctx.cluster,
        namespace,
        object: subject,
        reason: event.reason,
        count: added,
        message,
        pods: pod ? [pod] : undefined,
        source: event.reportingComponent || event.source?.component,
      },
    }),
  };
  // An occurrence older than the open window (a relist after downtime) gets its own alert and
  // leaves the newer one open.
  if (!open || at > open.since) state.open[key] = created;
  return created.event;
}

function alertTitle(
  namespace: string,
  subject: string,
  reason: string,
  count: number,
  message: string | undefined,
): string {
  const short = message && message.length > 120 ? `${message.slice(0, 119)}…` : message;
  return `${reason} ×${count} on ${namespace}/${subject}${short ? `: ${short}` : ''}`;
}

/** Forgets Events the API server has dropped and alerts whose window closed long ago. */
export function pruneAlerts(state: AlertState, now: number, windowMs: number): boolean {
  let changed = false;
  for (const [uid, seen] of Object.entries(state.seen)) {
    if (now - seen.at > SEEN_RETENTION_MS) {
      delete state.seen[uid];
      changed = true;
    }
  }
  for (const [key, open] of Object.entries(state.open)) {
    if (now - open.since > Math.max(windowMs, SEEN_RETENTION_MS)) {
      delete state.open[key];
      changed = true;
    }
  }
  return changed;
}
