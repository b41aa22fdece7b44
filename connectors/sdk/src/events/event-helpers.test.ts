// The normalization helpers every connector uses: events without empty parts, times that the
// collector accepts, descriptions of a readable length.
import { changeEvent, description, isoTime, notBefore } from './event-helpers.js';

describe('changeEvent', () => {
  test('leaves out undefined and null fields, empty lists, and refs or data left empty', () => {
    const event = changeEvent({
      connector: 'github',
      kind: 'push',
      title: 'push to main',
      project: 'acme/api',
      timestamp: '2026-11-25T10:00:00Z',
      author: undefined,
      url: undefined,
      tags: [],
      refs: { branch: 'main', commit: undefined, commits: [] },
      data: { forced: false, size: 0, before: undefined, distinct: null },
    });
    expect(event).toEqual({
      connector: 'github',
      kind: 'push',
      title: 'push to main',
      project: 'acme/api',
      timestamp: '2026-11-25T10:00:00Z',
      refs: { branch: 'main' },
      data: { forced: false, size: 0 },
    });
    expect(Object.keys(event)).not.toContain('author');
  });

  test('drops refs and data entirely when nothing is left in them', () => {
    const event = changeEvent({
      connector: 'github',
      title: 'tag v1',
      project: 'acme/api',
      timestamp: '2026-11-25T10:00:00Z',
      refs: { tag: undefined, commits: [] },
      data: { note: undefined },
    });
    expect(event).not.toHaveProperty('refs');
    expect(event).not.toHaveProperty('data');
  });
});

describe('isoTime', () => {
  test('keeps text times as RFC 3339 UTC and reads numbers as epoch seconds', () => {
    expect(isoTime('2026-11-25T11:00:00+01:00')).toBe('2026-11-25T10:00:00.000Z');
    expect(isoTime(1_764_064_800)).toBe('2025-11-25T10:00:00.000Z');
  });

  test('is undefined for "no time": nothing, empty, unparseable, 0 and the year 0001', () => {
    expect(isoTime(undefined)).toBeUndefined();
    expect(isoTime(null)).toBeUndefined();
    expect(isoTime('')).toBeUndefined();
    expect(isoTime('not a time')).toBeUndefined();
    expect(isoTime(0)).toBeUndefined();
    expect(isoTime('0001-01-01T00:00:00Z')).toBeUndefined();
  });
});

describe('notBefore', () => {
  test('gives the end, or the start when the source sent an end before it', () => {
    expect(notBefore('2026-11-25T10:05:00Z', '2026-11-25T10:00:00Z')).toBe('2026-11-25T10:05:00Z');
    expect(notBefore('2026-11-25T09:59:00Z', '2026-11-25T10:00:00Z')).toBe('2026-11-25T10:00:00Z');
    expect(notBefore('2026-11-25T10:00:00Z', '2026-11-25T10:00:00Z')).toBe('2026-11-25T10:00:00Z');
  });
});

describe('description', () => {
  test('trims, and is undefined for empty text', () => {
    expect(description('  Fixes the login\n\n')).toBe('Fixes the login');
    expect(description('   \n ')).toBeUndefined();
    expect(description(null)).toBeUndefined();
    expect(description(undefined)).toBeUndefined();
  });

  test('cuts a long text to 2000 characters, ending with an ellipsis', () => {
    const long = 'x'.repeat(5_000);
    const cut = description(long)!;
    expect(cut).toHaveLength(2_000);
    expect(cut.endsWith('x…')).toBe(true);
    expect(description('y'.repeat(2_000))).toBe('y'.repeat(2_000));
  });
});
