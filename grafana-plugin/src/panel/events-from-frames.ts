// Reads change events from any data frames by field name (time, timeEnd, title, kind, status,
// project, service, url, id); every field of the row is kept for the details drawer.
import { FieldType, type DataFrame } from '@grafana/data';
import type { LaneBy, TimelineEvent } from './types';

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => {
  if (typeof v === 'number' && Number.isFinite(v)) {
    return v;
  }
  if (typeof v === 'string' || v instanceof Date) {
    const parsed = new Date(v).getTime();
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
};

export const NO_LANE = '(none)';

export function eventsFromFrames(series: DataFrame[], laneBy: LaneBy): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const frame of series) {
    const timeField =
      frame.fields.find((f) => f.name === 'time') ?? frame.fields.find((f) => f.type === FieldType.time);
    if (!timeField) {
      continue;
    }
    const column = (name: string) => frame.fields.find((f) => f.name === name)?.values;
    const [timeEnd, title, kind, status, project, service, url, id, author] = [
      'timeEnd',
      'title',
      'kind',
      'status',
      'project',
      'service',
      'url',
      'id',
      'author',
    ].map(column);
    for (let row = 0; row < frame.length; row++) {
      const time = num(timeField.values[row]);
      if (time === null) {
        continue;
      }
      const projectValue = str(project?.[row]);
      const serviceValue = str(service?.[row]);
      const lane = (laneBy === 'service' ? (serviceValue ?? projectValue) : projectValue) ?? NO_LANE;
      const index = events.length;
      events.push({
        index,
        id: str(id?.[row]) ?? `${frame.refId ?? ''}#${row}`,
        time,
        timeEnd: num(timeEnd?.[row]),
        title: str(title?.[row]) ?? '(untitled change)',
        kind: str(kind?.[row]) ?? 'other',
        status: str(status?.[row]),
        lane,
        url: str(url?.[row]),
        author: str(author?.[row]),
        frame,
        row,
      });
    }
  }
  return events;
}

/** Every field of the event's row, by name, but those hidden from display: what the details drawer renders. */
export function recordOf(event: TimelineEvent): Record<string, unknown> {
  return Object.fromEntries(
    event.frame.fields.filter((f) => f.config.custom?.hideFrom?.viz !== true).map((f) => [f.name, f.values[event.row]])
  );
}
