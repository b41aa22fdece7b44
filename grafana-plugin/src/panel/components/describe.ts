// Words for markers: what a screen reader announces and the tooltip shows.
import { dateTimeFormat, dateTimeFormatTimeAgo } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import type { TimelineItem } from '../layout';
import type { TimelineEvent } from '../types';

export const formatTime = (ms: number, timeZone: TimeZone): string =>
  dateTimeFormat(ms, { timeZone, format: 'YYYY-MM-DD HH:mm:ss' });

export const timeAgo = (ms: number, timeZone: TimeZone): string => dateTimeFormatTimeAgo(ms, { timeZone });

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) {
    return `${s}s`;
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return `${m}m ${s % 60}s`;
  }
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

export const humanize = (s: string): string => s.replace(/_/g, ' ');

export function describeEvent(e: TimelineEvent, timeZone: TimeZone): string {
  const status = e.status ? `, ${humanize(e.status)}` : '';
  return `${e.title}: ${humanize(e.kind)}${status}, ${e.lane}, ${formatTime(e.time, timeZone)}`;
}

export function describeItem(item: TimelineItem, lane: string, timeZone: TimeZone): string {
  const first = item.events[0]!;
  if (item.events.length === 1) {
    return describeEvent(first, timeZone);
  }
  const last = item.events[item.events.length - 1]!;
  return `${item.events.length} changes in ${lane} from ${formatTime(first.time, timeZone)} to ${formatTime(last.time, timeZone)}`;
}
