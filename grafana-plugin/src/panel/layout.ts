// Pure layout of the timeline: time ↔ pixel scale, lanes, clusters of dense markers and axis
// ticks. No React here, so it is cheap to test and to benchmark with 10,000 events.
import type { TimelineEvent } from './types';

export interface TimeScale {
  from: number;
  to: number;
  width: number;
}

export const toX = (s: TimeScale, t: number): number =>
  s.to > s.from ? ((t - s.from) / (s.to - s.from)) * s.width : 0;

export const toTime = (s: TimeScale, x: number): number => s.from + (x / Math.max(1, s.width)) * (s.to - s.from);

/** A marker (one event) or a cluster (several), with the span of their intervals if any. */
export interface TimelineItem {
  key: string;
  x: number;
  /** Right end of the interval(s), when an event has a timeEnd. */
  xEnd: number | null;
  events: TimelineEvent[];
  /** The most frequent kind in the item (its colour). */
  kind: string;
  failed: boolean;
  inProgress: boolean;
}

export interface LaneLayout {
  key: string;
  items: TimelineItem[];
  count: number;
}

const IN_PROGRESS = new Set(['started', 'in_progress']);

function dominantKind(events: TimelineEvent[]): string {
  if (events.length === 1) {
    return events[0]!.kind;
  }
  const counts = new Map<string, number>();
  let best = events[0]!.kind;
  let bestCount = 0;
  for (const e of events) {
    const n = (counts.get(e.kind) ?? 0) + 1;
    counts.set(e.kind, n);
    if (n > bestCount) {
      best = e.kind;
      bestCount = n;
    }
  }
  return best;
}

function makeItem(lane: string, events: TimelineEvent[], scale: TimeScale): TimelineItem {
  const first = events[0]!;
  const last = events[events.length - 1]!;
  const x0 = Math.max(0, toX(scale, first.time));
  const x1 = Math.min(scale.width, toX(scale, last.time));
  let end: number | null = null;
  for (const e of events) {
    if (e.timeEnd !== null && e.timeEnd > e.time) {
      end = Math.max(end ?? 0, e.timeEnd);
    }
  }
  const xEnd = end === null ? null : Math.min(scale.width, toX(scale, end));
  return {
    key: `${lane}\u0000${first.index}`,
    x: (x0 + x1) / 2,
    xEnd: xEnd !== null && xEnd > x0 + 1 ? xEnd : null,
    events,
    kind: dominantKind(events),
    failed: events.some((e) => e.status === 'failed'),
    inProgress: events.some((e) => e.status !== null && IN_PROGRESS.has(e.status)),
  };
}

/**
 * Lanes (sorted by name) with their items. Events outside the range are left out; markers closer
 * than `clusterDistance` pixels to the first marker of a cluster join that cluster.
 */
export function layoutTimeline(events: TimelineEvent[], scale: TimeScale, clusterDistance: number): LaneLayout[] {
  const byLane = new Map<string, TimelineEvent[]>();
  for (const e of events) {
    if (e.time > scale.to || (e.timeEnd ?? e.time) < scale.from) {
      continue;
    }
    const list = byLane.get(e.lane);
    if (list) {
      list.push(e);
    } else {
      byLane.set(e.lane, [e]);
    }
  }
  const lanes: LaneLayout[] = [];
  for (const key of [...byLane.keys()].sort((a, b) => a.localeCompare(b))) {
    const laneEvents = byLane.get(key)!.sort((a, b) => a.time - b.time || a.index - b.index);
    const items: TimelineItem[] = [];
    let group: TimelineEvent[] = [];
    let anchor = 0;
    for (const e of laneEvents) {
      const x = Math.max(0, toX(scale, e.time));
      if (group.length > 0 && x - anchor < clusterDistance) {
        group.push(e);
        continue;
      }
      if (group.length > 0) {
        items.push(makeItem(key, group, scale));
      }
      group = [e];
      anchor = x;
    }
    if (group.length > 0) {
      items.push(makeItem(key, group, scale));
    }
    lanes.push({ key, items, count: laneEvents.length });
  }
  return lanes;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS = [
  SECOND,
  5 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  30 * DAY,
  90 * DAY,
  365 * DAY,
];

export interface AxisTicks {
  step: number;
  ticks: number[];
  /** A moment.js-style format suited to the step. */
  format: string;
}

/** Round ticks at least `minSpacing` pixels apart (aligned in UTC, which is exact below a day). */
export function axisTicks(scale: TimeScale, minSpacing = 90): AxisTicks {
  const span = Math.max(1, scale.to - scale.from);
  const wanted = (span * minSpacing) / Math.max(1, scale.width);
  const step = STEPS.find((s) => s >= wanted) ?? STEPS[STEPS.length - 1]!;
  const ticks: number[] = [];
  for (let t = Math.ceil(scale.from / step) * step; t <= scale.to; t += step) {
    ticks.push(t);
  }
  const format = step < MINUTE ? 'HH:mm:ss' : step < DAY ? 'HH:mm' : step < 365 * DAY ? 'MMM D' : 'YYYY';
  return { step, ticks, format };
}
