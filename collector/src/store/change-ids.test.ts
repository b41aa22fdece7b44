import { newChangeId } from './change-ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The 48-bit millisecond timestamp at the start of a UUIDv7. */
const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newChangeId', () => {
  it('makes UUIDv7 ids carrying the instant, increasing within one millisecond', () => {
    const now = Date.UTC(2026, 10, 27, 9, 40);
    // Many times the random pool (256 ids a fill): the refills keep the order too.
    const ids = Array.from({ length: 5_000 }, () => newChangeId(now + 60_000));
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids.map(msOf))).toEqual(new Set([now + 60_000]));
  });

  it('keeps increasing when the clock steps back, and moves on with it', () => {
    const now = Date.UTC(2026, 10, 27, 10);
    const a = newChangeId(now);
    const b = newChangeId(now - 5_000);
    const c = newChangeId(now + 1);
    expect(a < b && b < c).toBe(true);
    expect(msOf(b)).toBe(now);
    expect(msOf(c)).toBe(now + 1);
  });

  it('fills every id with random bytes: ids of different instants never share their tails', () => {
    const base = Date.UTC(2026, 10, 27, 11);
    const tails = Array.from({ length: 200 }, (_, i) => newChangeId(base + i).slice(14));
    expect(new Set(tails).size).toBe(tails.length);
  });
});
