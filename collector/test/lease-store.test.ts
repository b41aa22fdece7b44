// Leases of connector sources in the store, on both stores: taken, renewed, expired and taken
// over, shared out among the replicas taking part, given up; on PostgreSQL also under contention
// (FOR UPDATE SKIP LOCKED: a claim never waits for rows another replica is taking, and two
// claims at once never take the same source). Time is a clock the tests move, never waited for.
import pg from 'pg';
import type { SourceLeases } from '@painchain/sdk';
import type { Db } from '../src/store/db.js';
import { LeaseStore } from '../src/store/lease-store.js';
import { migrate } from '../src/store/migrate.js';
import {
  createTestDatabase,
  SKIPPED_KINDS,
  STORE_KINDS,
  type TestDatabase,
} from '../src/testing/index.js';

const TTL_MS = 30_000;
const SOURCES = ['acme/api', 'acme/db', 'acme/ops', 'acme/web', 'acme/www'];

describe.each(STORE_KINDS)('lease store on %s', (kind) => {
  let database: TestDatabase;
  let db: Db;
  let now = Date.parse('2026-11-26T10:00:00.000Z');
  /** Each test its own connector instance: the tests share one database. */
  let connector = 0;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await database.open();
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const store = (holder: string) =>
    new LeaseStore(db, { holder, ttlMs: TTL_MS, now: () => new Date(now) });
  /** Replicas `names` on a connector instance of their own. */
  const replicas = (...names: string[]): SourceLeases[] => {
    connector += 1;
    return names.map((name) => store(name).forConnector('default', `github-${connector}`));
  };
  const holders = async (of: string) =>
    Object.fromEntries(
      (await store('reader').list('default'))
        .filter((row) => row.connector === `github-${of}`)
        .map((row) => [row.source, row.holder]),
    );

  test('a lone replica takes every source, until the TTL, and renewing keeps them', async () => {
    const [a] = replicas('a');
    expect(await a!.claim(SOURCES)).toEqual({ held: expect.any(Array), share: 5 });
    const rows = await store('reader').list('default');
    const mine = rows.filter((row) => row.connector === `github-${connector}`);
    expect(mine.map((row) => [row.source, row.holder])).toEqual(SOURCES.map((s) => [s, 'a']));
    expect(mine.every((row) => row.expiresAt?.getTime() === now + TTL_MS)).toBe(true);
    expect(mine.every((row) => row.acquiredAt?.getTime() === now)).toBe(true);

    now += TTL_MS - 1;
    expect([...(await a!.renew(SOURCES))].sort()).toEqual(SOURCES);
    now += TTL_MS - 1;
    // Still a's: the renewal moved the expiry; the original one has passed.
    expect(Object.values(await holders(String(connector)))).toEqual(SOURCES.map(() => 'a'));
    now += 1;
    expect(Object.values(await holders(String(connector)))).toEqual(SOURCES.map(() => null));
  });

  test('replicas share the sources: a joining one gets its share once the others give up their surplus', async () => {
    const [a, b] = replicas('a', 'b');
    expect((await a!.claim(SOURCES)).held).toHaveLength(5);
    // b takes part: the share is now 3, but every source is a's.
    expect(await b!.claim(SOURCES)).toEqual({ held: [], share: 3 });
    const claimed = await a!.claim(SOURCES);
    expect(claimed.share).toBe(3);
    expect(claimed.held).toHaveLength(5);
    await a!.release(claimed.held.slice(claimed.share));
    const ofB = await b!.claim(SOURCES);
    expect(ofB.held).toHaveLength(2);
    const ofA = await a!.claim(SOURCES);
    expect(ofA.held).toHaveLength(3);
    expect([...ofA.held, ...ofB.held].sort()).toEqual(SOURCES);
    const table = await holders(String(connector));
    for (const source of ofA.held) expect(table[source]).toBe('a');
    for (const source of ofB.held) expect(table[source]).toBe('b');
  });

  test('a replica that stops renewing loses its leases after the TTL, and another takes them over', async () => {
    const [a, b] = replicas('a', 'b');
    await a!.claim(SOURCES);
    await b!.claim(SOURCES);
    const ofA = (await a!.claim(SOURCES)).held;

    // a is gone. Just before the TTL, b cannot take its sources; at the TTL it takes them all.
    now += TTL_MS - 1;
    expect((await b!.claim(SOURCES)).held).toEqual([]);
    now += 1;
    const taken = await b!.claim(SOURCES);
    expect(taken.share).toBe(5);
    expect([...taken.held].sort()).toEqual(SOURCES);
    // a comes back (it was only stalled): its leases were taken, renewing them fails.
    expect(await a!.renew(ofA)).toEqual([]);
    expect(Object.values(await holders(String(connector)))).toEqual(SOURCES.map(() => 'b'));
  });

  test('an expired lease nobody took is renewed by its holder: nobody polled it in between', async () => {
    const [a] = replicas('a');
    await a!.claim(SOURCES);
    now += TTL_MS + 5_000;
    expect([...(await a!.renew(SOURCES))].sort()).toEqual(SOURCES);
    expect(Object.values(await holders(String(connector)))).toEqual(SOURCES.map(() => 'a'));
  });

  test('released leases are free at once; leaving frees the rest and the share grows for the others', async () => {
    const [a, b] = replicas('a', 'b');
    await a!.claim(SOURCES);
    await b!.claim(SOURCES);
    await a!.release(['acme/api']);
    // b may take it without waiting for the TTL (its share is 3).
    expect((await b!.claim(SOURCES)).held).toEqual(['acme/api']);
    await a!.leave();
    const after = await b!.claim(SOURCES);
    expect(after.share).toBe(5);
    expect([...after.held].sort()).toEqual(SOURCES);
  });

  test('sources no longer listed are given up; other connectors and tenants are not touched', async () => {
    const [a] = replicas('a');
    const other = store('a').forConnector('other-tenant', `github-${connector}`);
    await other.claim(SOURCES);
    await a!.claim(SOURCES);
    expect([...(await a!.claim(['acme/api', 'acme/web'])).held].sort()).toEqual([
      'acme/api',
      'acme/web',
    ]);
    expect(Object.keys(await holders(String(connector))).sort()).toEqual(['acme/api', 'acme/web']);
    expect((await store('reader').list('other-tenant')).map((row) => row.holder)).toEqual(
      SOURCES.map(() => 'a'),
    );
    // Nothing listed: everything is given up.
    expect(await a!.claim([])).toEqual({ held: [], share: 0 });
    expect(await holders(String(connector))).toEqual({});
  });
});

const onPostgres = SKIPPED_KINDS.includes('postgres') ? describe.skip : describe;

onPostgres('lease store under contention on PostgreSQL', () => {
  let database: TestDatabase;
  let db: Db;
  const now = Date.parse('2026-11-26T10:00:00.000Z');

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    db = await database.open();
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const leasesOf = (holder: string, connector: string) =>
    new LeaseStore(db, { holder, ttlMs: TTL_MS, now: () => new Date(now) }).forConnector(
      'default',
      connector,
    );

  test('a claim skips rows another transaction holds locked instead of waiting for them', async () => {
    const sources = ['s1', 's2', 's3', 's4'];
    const a = leasesOf('a', 'locked');
    // The rows exist (a claimed and left): free for anyone.
    await a.claim(sources);
    await a.leave();

    // Another session is in the middle of taking s1 and s2.
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(
        `SELECT source FROM source_leases WHERE connector = 'locked' AND source = ANY($1) FOR UPDATE`,
        [['s1', 's2']],
      );
      // Resolves while the lock is held (a claim that waited would never get here).
      const b = leasesOf('b', 'locked');
      expect([...(await b.claim(sources)).held].sort()).toEqual(['s3', 's4']);
      await other.query('COMMIT');
      expect([...(await b.claim(sources)).held].sort()).toEqual(sources);
    } finally {
      await other.end();
    }
  });

  test('three replicas claiming at once never hold the same source, and soon hold all of them between them', async () => {
    const sources = Array.from({ length: 20 }, (_, i) => `acme/repo-${String(i).padStart(2, '0')}`);
    const names = ['a', 'b', 'c'];
    const leases = names.map((name) => leasesOf(name, 'contended'));
    let held: string[][] = [];
    for (let round = 0; round < 6; round += 1) {
      const claims = await Promise.all(leases.map((l) => l.claim(sources)));
      held = claims.map((claim) => [...claim.held]);
      const all = held.flat();
      // Never the same source twice, whatever the interleaving.
      expect(new Set(all).size).toBe(all.length);
      // As a replica does, each gives up what it holds beyond its share.
      await Promise.all(
        claims.map((claim, i) => leases[i]!.release(claim.held.slice(claim.share))),
      );
      held = claims.map((claim) => claim.held.slice(0, claim.share));
    }
    expect(held.flat().sort()).toEqual(sources);
    for (const mine of held) expect(mine.length).toBeLessThanOrEqual(7);
    const table = await new LeaseStore(db, {
      holder: 'reader',
      ttlMs: TTL_MS,
      now: () => new Date(now),
    }).list('default');
    const contended = table.filter((row) => row.connector === 'contended');
    for (const [i, mine] of held.entries()) {
      for (const source of mine) {
        expect(contended.find((row) => row.source === source)?.holder).toBe(names[i]);
      }
    }
  });
});
