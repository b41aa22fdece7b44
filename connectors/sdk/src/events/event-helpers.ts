// Small pure helpers every connector's normalization uses: times, titles, commit ids, status
// words, and change events built from parts with the empty ones left out.
import type { ChangeEventInput, ChangeRefs, ChangeStatus } from '../change-event.js';

/** Longest description kept from a commit or PR text; the timeline shows a line, not a novel. */
const MAX_DESCRIPTION = 2_000;

/** RFC 3339 from a source's time: text as is, numbers as epoch seconds (GitHub's push payloads). */
export function isoTime(value: string | number | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  // Sources send 0001-01-01T00:00:00Z or 0 for "no time" (GitHub's container packages): not a time.
  return Number.isNaN(date.getTime()) || date.getTime() <= 0 ? undefined : date.toISOString();
}

/** The later of two times; the collector refuses an end before the start, sources sometimes send one. */
export function notBefore(end: string, start: string): string {
  return Date.parse(end) < Date.parse(start) ? start : end;
}

export function firstLine(text: string | null | undefined): string {
  return (text ?? '').split('\n', 1)[0]!.trim();
}

export function description(text: string | null | undefined): string | undefined {
  const trimmed = (text ?? '').trim();
  if (!trimmed) return undefined;
  return trimmed.length > MAX_DESCRIPTION ? `${trimmed.slice(0, MAX_DESCRIPTION - 1)}…` : trimmed;
}

export const shortSha = (sha: string) => sha.slice(0, 7);

export const isSha = (value: string) => /^[0-9a-f]{40}$/i.test(value);

/** The all-zero SHA that GitHub and GitLab send as `before` of a new ref and `after` of a deleted one. */
export const isNullSha = (sha: string) => /^0+$/.test(sha);

/** The status as a word in a title: "CI #42 failed on main". */
export function statusWord(status: ChangeStatus | undefined): string {
  switch (status) {
    case 'started':
      return 'started';
    case 'in_progress':
      return 'running';
    case 'succeeded':
      return 'succeeded';
    case 'failed':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'finished';
  }
}

/** Drops undefined values (and empty arrays) so golden files and stored JSON stay small. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(
      ([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0),
    ),
  ) as T;
}

/** Refs as the contract allows them: the named keys plus extra correlation keys of our own. */
export type Refs = ChangeRefs & Record<string, string | number | string[] | undefined>;

/** A change event from its parts, undefined fields left out. */
export function changeEvent(
  event: Omit<ChangeEventInput, 'refs'> & { refs?: Refs },
): ChangeEventInput {
  const { refs, data, ...rest } = event;
  const result: ChangeEventInput = compact({ ...rest });
  const keptRefs = refs ? compact(refs) : {};
  const keptData = data ? compact(data) : {};
  if (Object.keys(keptRefs).length > 0) result.refs = keptRefs as ChangeRefs;
  if (Object.keys(keptData).length > 0) result.data = keptData;
  return result;
}
