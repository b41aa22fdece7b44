// Days and weeks in a time zone: local midnights, Mondays, daylight-saving days of 23 and 25
// hours, and a zone whose clocks once jumped over midnight.
import { canonicalTimeZone, intervalsOf, isTimeZone } from './delivery-intervals.js';

const iso = (d: Date) => d.toISOString();
const HOUR = 3_600_000;

test('UTC days start at midnight, and the first and last are whole', () => {
  const days = intervalsOf(
    new Date('2026-11-02T10:00:00Z'),
    new Date('2026-11-04T01:00:00Z'),
    'day',
    'UTC',
  );
  expect(days.map((d) => [iso(d.start), iso(d.end)])).toEqual([
    ['2026-11-02T00:00:00.000Z', '2026-11-03T00:00:00.000Z'],
    ['2026-11-03T00:00:00.000Z', '2026-11-04T00:00:00.000Z'],
    ['2026-11-04T00:00:00.000Z', '2026-11-05T00:00:00.000Z'],
  ]);
});

test('weeks start on Monday at local midnight', () => {
  // Thursday 2026-11-05 in Berlin (UTC+1 in November): its week began Monday 2026-11-02 00:00.
  const [week] = intervalsOf(
    new Date('2026-11-05T12:00:00Z'),
    new Date('2026-11-06T00:00:00Z'),
    'week',
    'Europe/Berlin',
  );
  expect(iso(week!.start)).toBe('2026-11-01T23:00:00.000Z');
  expect(iso(week!.end)).toBe('2026-11-08T23:00:00.000Z');
});

test('a daylight-saving day is one day of 23 or 25 hours', () => {
  const spring = intervalsOf(
    new Date('2026-03-29T06:00:00Z'),
    new Date('2026-03-29T07:00:00Z'),
    'day',
    'Europe/Berlin',
  )[0]!;
  expect(iso(spring.start)).toBe('2026-03-28T23:00:00.000Z');
  expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * HOUR);
  const autumn = intervalsOf(
    new Date('2026-10-25T06:00:00Z'),
    new Date('2026-10-25T07:00:00Z'),
    'day',
    'Europe/Berlin',
  )[0]!;
  expect(iso(autumn.start)).toBe('2026-10-24T22:00:00.000Z');
  expect(autumn.end.getTime() - autumn.start.getTime()).toBe(25 * HOUR);
});

test('where the clocks jumped over midnight, the day starts at the first instant it has', () => {
  // São Paulo began daylight saving at 00:00 on 2018-11-04: that day started at 01:00 local
  // (03:00 UTC) and lasted 23 hours.
  const [day] = intervalsOf(
    new Date('2018-11-04T12:00:00Z'),
    new Date('2018-11-04T13:00:00Z'),
    'day',
    'America/Sao_Paulo',
  );
  expect(iso(day!.start)).toBe('2018-11-04T03:00:00.000Z');
  expect(day!.end.getTime() - day!.start.getTime()).toBe(23 * HOUR);
});

test('time zone names: IANA names in any case, nothing else', () => {
  expect(isTimeZone('Europe/Berlin')).toBe(true);
  expect(isTimeZone('utc')).toBe(true);
  expect(canonicalTimeZone('utc')).toBe('UTC');
  expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  expect(isTimeZone('')).toBe(false);
  expect(isTimeZone('+01:00x')).toBe(false);
});
