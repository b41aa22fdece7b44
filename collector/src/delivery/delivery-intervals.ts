// The days or weeks a delivery answer is cut into, in a time zone: a day starts at local
// midnight and a week on Monday at local midnight, so that a team in Berlin sees its Monday as
// one day, not as two half-days of UTC. Computed with Intl alone: no time-zone database to ship.

export const INTERVAL_UNITS = ['day', 'week'] as const;
export type IntervalUnit = (typeof INTERVAL_UNITS)[number];

export interface Interval {
  /** Local midnight that starts the day, or the Monday that starts the week. */
  start: Date;
  end: Date;
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const HOUR = 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True for an IANA zone name this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false;
  try {
    // Not cached: only canonical names are (a request could spell a zone many ways).
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The zone's canonical spelling (`utc` → `UTC`), as answers name it and intervalsOf takes it. */
export function canonicalTimeZone(name: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
}

function localParts(ms: number, timeZone: string) {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
  };
}

/** How far the zone's wall clock is ahead of UTC at this instant. */
function offsetAt(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

function localDate(ms: number, timeZone: string): LocalDate {
  const { year, month, day, weekday } = localParts(ms, timeZone);
  return { year, month, day, weekday };
}

const sameDate = (a: LocalDate, b: { year: number; month: number; day: number }) =>
  a.year === b.year && a.month === b.month && a.day === b.day;

/**
 * The first instant of a calendar date in the zone: its midnight, or, where the clocks jump
 * over midnight (a few zones do), the first instant after the jump.
 */
function startOfDate(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  const target = localDate(wall, 'UTC');
  let guess = wall - offsetAt(wall, timeZone);
  guess = wall - offsetAt(guess, timeZone);
  if (
    sameDate(localDate(guess, timeZone), target) &&
    !sameDate(localDate(guess - 1, timeZone), target)
  )
    return guess;
  // Midnight does not exist (or exists twice): search the first instant of the date nearby.
  let low = guess - 3 * HOUR;
  let high = guess + 3 * HOUR;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    const date = localDate(mid, timeZone);
    const before =
      date.year < target.year ||
      (date.year === target.year &&
        (date.month < target.month || (date.month === target.month && date.day < target.day)));
    if (before) low = mid;
    else high = mid;
  }
  return high;
}

/** The start of the day or week that holds `ms`, in the zone. */
function intervalStart(ms: number, unit: IntervalUnit, timeZone: string): number {
  const date = localDate(ms, timeZone);
  const back = unit === 'week' ? date.weekday : 0;
  const calendar = new Date(Date.UTC(date.year, date.month - 1, date.day - back));
  return startOfDate(
    calendar.getUTCFullYear(),
    calendar.getUTCMonth() + 1,
    calendar.getUTCDate(),
    timeZone,
  );
}

/** The start of the next day or week after the one starting at `start`. */
function nextStart(start: number, unit: IntervalUnit, timeZone: string): number {
  const date = localDate(start, timeZone);
  const calendar = new Date(
    Date.UTC(date.year, date.month - 1, date.day + (unit === 'week' ? 7 : 1)),
  );
  return startOfDate(
    calendar.getUTCFullYear(),
    calendar.getUTCMonth() + 1,
    calendar.getUTCDate(),
    timeZone,
  );
}

/**
 * Every day or week that overlaps [from, to), whole: the first may start before `from` and the
 * last end after `to` (only changes inside [from, to) are counted in them).
 */
export function intervalsOf(
  from: Date,
  to: Date,
  unit: IntervalUnit,
  timeZone: string,
): Interval[] {
  const intervals: Interval[] = [];
  let start = intervalStart(from.getTime(), unit, timeZone);
  while (start < to.getTime()) {
    const end = nextStart(start, unit, timeZone);
    intervals.push({ start: new Date(start), end: new Date(end) });
    start = end;
  }
  return intervals;
}

/** How many intervals [from, to) spans, without building them: for a cheap limit check. */
export function intervalCountBound(from: Date, to: Date, unit: IntervalUnit): number {
  const days = (to.getTime() - from.getTime()) / 86_400_000;
  return Math.ceil(unit === 'week' ? days / 7 : days) + 2;
}

/** Calendar days in an interval: a local day is one day whether it lasted 23, 24 or 25 hours. */
export const intervalDays = (unit: IntervalUnit): number => (unit === 'week' ? 7 : 1);
