// Group commit (issue 15): requests that arrive while a write is in flight go to the store
// together in one statement. What must hold, on both stores: a lone request is written at once;
// the size bound splits a burst; each request gets its own ids and counts; two writes of one key
// in one group apply in request order, exactly as separate requests one after another would
// (checked against that, for random interleavings); an event the database refuses fails only its
// own request. The store is the real one; so is the statement that fails.
import fc from 'fast-check';
import type { ChangeEventInput } from '@painchain/sdk';
import { GroupCommit } from '../src/ingest/group-commit.js';
import { normalizeEvent, type NormalizedEvent } from '../src/ingest/normalize.js';
import { aroundDb } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { EventStore, type UpsertOutput } from '../src/store/event-store.js';
import { isStoreUnreachable } from '../src/store/store-health.js';
import {
  anEvent,
  createTestDatabase,
  startCollector,
  STORE_KINDS,
  type Db,
  type TestDatabase,
} from '../src/testing/index.js';

const MINUTE = 60_000;
const BASE = Date.now() - 60 * MINUTE;
const at = (minutes: number) => new Date(BASE + minutes * MINUTE).toISOString();

/** An event as the pipeline hands it to the store. */
function normalized(overrides: Record<string, unknown>): NormalizedEvent {
  const result = normalizeEvent(anEvent(overrides) as ChangeEventInput, {
    now: new Date(),
    maxFutureSeconds: 300,
    allowFutureTimestamps: false,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.event;
}

describe.each(STORE_KINDS)('group commit on %s', (kind) => {
  let database: TestDatabase;
  let raw: Db;
  let store: EventStore;
  /** Upsert statements the store ran (INSERT … ON CONFLICT), counted on the real Db. */
  let inserts = 0;
  let groups: number[];

  const commit = (maxEvents?: number, lanes?: number, extraLaneAt?: number) =>
    new GroupCommit(store, {
      maxEvents,
      lanes,
      extraLaneAt,
      sharedFailure: isStoreUnreachable,
      onGroup: (requests) => groups.push(requests),
    });
  const stored = async (tenant: string) =>
    (
      await raw.query<Record<string, unknown>>(
        `SELECT connector, external_id, kind, status, title, description, project, service,
                environment, ts, end_ts, updated_at, author, url, refs, tags, data
           FROM events WHERE tenant = $1 ORDER BY connector, external_id`,
        [tenant],
      )
    ).rows;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    raw = await database.open();
    await migrate(raw);
    const counted = aroundDb(raw, (call, run) => {
      if (call.kind === 'query' && call.sql.includes('painchain_write_changes')) inserts += 1;
      return run();
    });
    store = new EventStore(counted);
  });
  beforeEach(async () => {
    await raw.exec('DELETE FROM events; DELETE FROM event_keys');
    inserts = 0;
    groups = [];
  });
  afterAll(async () => {
    await raw?.close();
    await database?.drop();
  });

  test('a lone request is written at once; what arrives meanwhile goes in the next statement', async () => {
    const gc = commit();
    const lone = gc.write('acme', [normalized({ externalId: 'lone' })]);
    // Written at once: nothing else was in flight, so it did not wait for company.
    expect(groups).toEqual([1]);
    const burst = Array.from({ length: 9 }, (_, i) =>
      gc.write('acme', [normalized({ externalId: `burst-${i}` })]),
    );
    expect(gc.waiting).toBe(9);
    const outputs = await Promise.all([lone, ...burst]);

    expect(groups).toEqual([1, 9]);
    expect(inserts).toBe(2);
    // Each request its own id and counts.
    const ids = outputs.map((o) => o.results[0]!.id);
    expect(new Set(ids).size).toBe(10);
    for (const o of outputs)
      expect(o.results).toEqual([{ id: expect.any(String), outcome: 'created' }]);
    expect(await store.count('acme')).toBe(10);
  });

  test('the size bound splits a burst; a request above it is a group on its own', async () => {
    const gc = commit(4);
    const singles = Array.from({ length: 11 }, (_, i) =>
      gc.write('acme', [normalized({ externalId: `s-${i}` })]),
    );
    const big = gc.write(
      'acme',
      Array.from({ length: 6 }, (_, i) => normalized({ externalId: `big-${i}` })),
    );
    const [outputs, bigOutput] = await Promise.all([Promise.all(singles), big]);
    // The lone first one, then groups of at most 4 events in arrival order; the 6-event request
    // after them, alone.
    expect(groups).toEqual([1, 4, 4, 2, 1]);
    expect(outputs.every((o) => o.results[0]!.outcome === 'created')).toBe(true);
    expect(bigOutput.results.map((r) => r.outcome)).toEqual(Array(6).fill('created'));
    expect(await store.count('acme')).toBe(17);
  });

  test('two writes of one key in one group apply in request order, each seeing the one before', async () => {
    const gc = commit();
    const seed = gc.write('acme', [normalized({ externalId: 'other' })]);
    const first = gc.write('acme', [
      normalized({
        externalId: 'run-1',
        status: 'in_progress',
        description: 'started by the merge',
        updatedAt: at(1),
        tags: ['a'],
      }),
    ]);
    const second = gc.write('acme', [
      normalized({ externalId: 'run-1', status: 'succeeded', updatedAt: at(2), tags: ['b'] }),
    ]);
    // Then an older state of the same key, in the same group: kept out by updatedAt.
    const stale = gc.write('acme', [
      normalized({ externalId: 'run-1', status: 'in_progress', updatedAt: at(0) }),
    ]);
    const [, a, b, c] = await Promise.all([seed, first, second, stale]);

    expect(groups).toEqual([1, 3]);
    expect(a.results[0]!.outcome).toBe('created');
    expect(b.results[0]!.outcome).toBe('updated');
    expect(c.results[0]!.outcome).toBe('unchanged');
    expect(new Set([a, b, c].map((o) => o.results[0]!.id)).size).toBe(1);
    const [row] = (await stored('acme')).filter((r) => r.external_id === 'run-1');
    // The second write kept the first one's description and merged the tags, as it would have
    // as a separate request.
    expect(row).toMatchObject({
      status: 'succeeded',
      description: 'started by the merge',
      tags: ['a', 'b'],
    });
  });

  test('an event the database refuses fails only its own request', async () => {
    const gc = commit();
    const seed = gc.write('acme', [normalized({ externalId: 'seed' })]);
    const before = gc.write('acme', [normalized({ externalId: 'before' })]);
    // Normalizing refuses NUL; an event that got past it anyway is refused by the database
    // (jsonb cannot hold \u0000): the statement of its group fails.
    const refused = gc.write('acme', [
      { ...normalized({ externalId: 'refused' }), data: { note: 'a\u0000b' } },
    ]);
    const after = gc.write('acme', [normalized({ externalId: 'after' })]);
    const settled = await Promise.allSettled([seed, before, refused, after]);

    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    // The group of three failed, then each of its requests was written alone.
    expect(groups).toEqual([1, 3, 1, 1, 1]);
    expect((await stored('acme')).map((r) => r.external_id)).toEqual(['after', 'before', 'seed']);
  });

  test('groups hold several tenants; each request sees only its own tenant', async () => {
    const gc = commit();
    const seed = gc.write('acme', [normalized({ externalId: 'seed' })]);
    const acme = gc.write('acme', [normalized({ externalId: 'run-1', title: 'acme run' })]);
    const globex = gc.write('globex', [normalized({ externalId: 'run-1', title: 'globex run' })]);
    const [, a, g] = await Promise.all([seed, acme, globex]);
    expect(groups).toEqual([1, 2]);
    expect(a.results[0]!.outcome).toBe('created');
    expect(g.results[0]!.outcome).toBe('created');
    expect(a.results[0]!.id).not.toBe(g.results[0]!.id);
    expect((await stored('globex')).map((r) => r.title)).toEqual(['globex run']);
  });

  test('with several lanes, groups in flight share no key: a later write of a key waits for the earlier', async () => {
    const gc = commit(undefined, 2, 1);
    const a1 = gc.write('acme', [
      normalized({ externalId: 'a', status: 'in_progress', updatedAt: at(1) }),
    ]);
    // A free lane, a key of its own: goes at once, beside the first.
    const b1 = gc.write('acme', [normalized({ externalId: 'b' })]);
    expect(groups).toEqual([1, 1]);
    // Both lanes busy: these wait. `a` again must follow a1, and so must anything behind it
    // with `a`; `c` may go with the first free lane.
    const a2 = gc.write('acme', [
      normalized({ externalId: 'a', status: 'succeeded', updatedAt: at(2) }),
    ]);
    const c1 = gc.write('acme', [normalized({ externalId: 'c' })]);
    const a3 = gc.write('acme', [
      normalized({ externalId: 'a', description: 'third', updatedAt: at(3) }),
      normalized({ externalId: 'd' }),
    ]);
    expect(gc.waiting).toBe(3);
    const outcomes = (await Promise.all([a1, b1, a2, c1, a3])).map((o) =>
      o.results.map((r) => r.outcome),
    );
    expect(outcomes).toEqual([
      ['created'],
      ['created'],
      ['updated'],
      ['created'],
      ['updated', 'created'],
    ]);
    const [row] = (await stored('acme')).filter((r) => r.external_id === 'a');
    expect(row).toMatchObject({ status: 'succeeded', description: 'third' });
    expect(groups.reduce((n, g) => n + g, 0)).toBe(5);
  });

  test('another lane opens for a crowd, not for each request that trickles in', async () => {
    const gc = commit(undefined, 2, 3);
    const first = gc.write('acme', [normalized({ externalId: 'first' })]);
    // One group in flight: a lone request waits for it rather than paying a commit of its own.
    const second = gc.write('acme', [normalized({ externalId: 'second' })]);
    expect(groups).toEqual([1]);
    expect(gc.waiting).toBe(1);
    // Three events waiting: worth a statement beside the first.
    const batch = gc.write('acme', [
      normalized({ externalId: 'b-1' }),
      normalized({ externalId: 'b-2' }),
    ]);
    expect(groups).toEqual([1, 2]);
    expect(gc.waiting).toBe(0);
    await Promise.all([first, second, batch]);
    expect(await store.count('acme')).toBe(4);
  });

  // Any interleaving of requests (repeated keys within and across requests, older and newer
  // updatedAt, fields present or left out), written as groups of any size bound, ends in the same
  // rows and answers the same outcomes as the same requests written one after another.
  test('any burst ends as the same requests one after another would', async () => {
    const eventArb = fc.record(
      {
        connector: fc.constantFrom('ci', 'github'),
        externalId: fc.constantFrom('k0', 'k1', 'k2'),
        updatedAt: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
        status: fc.constantFrom('in_progress', 'succeeded', 'failed'),
        description: fc.option(fc.constantFrom('one', 'two'), { nil: undefined }),
        minute: fc.integer({ min: 0, max: 3 }),
        tags: fc.subarray(['a', 'b', 'c']),
        data: fc.dictionary(fc.constantFrom('x', 'y'), fc.integer({ min: 0, max: 2 })),
      },
      { requiredKeys: ['connector', 'externalId', 'status', 'minute', 'tags', 'data'] },
    );
    type EventSpec = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;
    const requestArb = fc.array(eventArb, { minLength: 1, maxLength: 3 });
    const toEvent = (e: EventSpec) =>
      normalized({
        connector: e.connector,
        externalId: e.externalId,
        status: e.status,
        description: e.description,
        timestamp: at(e.minute),
        updatedAt: e.updatedAt === undefined ? undefined : at(e.updatedAt + 10),
        tags: e.tags,
        data: e.data,
      });
    const outcomes = (outputs: UpsertOutput[]) =>
      outputs.map((o) => o.results.map((r) => r.outcome));
    const withoutIds = (outputs: UpsertOutput[]) => {
      // Ids are per tenant; what must match is which answers share an id (the same stored row).
      const seen = new Map<string, number>();
      return outputs.map((o) =>
        o.results.map((r) => {
          if (!seen.has(r.id)) seen.set(r.id, seen.size);
          return seen.get(r.id);
        }),
      );
    };

    await fc.assert(
      fc.asyncProperty(
        fc.array(requestArb, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        async (requests, maxEvents, lanes, extraLaneAt) => {
          await raw.exec('DELETE FROM events; DELETE FROM event_keys');
          const batches = requests.map((r) => r.map(toEvent));
          const gc = commit(maxEvents, lanes, extraLaneAt);
          const grouped = await Promise.all(batches.map((b) => gc.write('grouped', b)));
          const oneByOne: UpsertOutput[] = [];
          for (const b of batches) oneByOne.push(await store.upsert('sequential', b));

          expect(outcomes(grouped)).toEqual(outcomes(oneByOne));
          expect(withoutIds(grouped)).toEqual(withoutIds(oneByOne));
          expect(await stored('grouped')).toEqual(await stored('sequential'));
        },
      ),
      { numRuns: 40, interruptAfterTimeLimit: 20_000 },
    );
  }, 60_000);
});

describe.each(STORE_KINDS)('single-event POSTs on %s', (kind) => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await database.open();
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  test('concurrent requests are each answered with their own ids, and the metric counts them', async () => {
    const t = await startCollector(db);
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          t.app.inject({
            method: 'POST',
            url: '/api/v1/events',
            payload: anEvent({ externalId: `post-${i}` }),
          }),
        ),
      );
      expect(answers.map((a) => a.statusCode)).toEqual(Array(40).fill(201));
      const ids = answers.map((a) => a.json().ids[0] as string);
      expect(new Set(ids).size).toBe(40);
      expect(await t.count()).toBe(40);
      // Every id is the one stored under that request's key.
      for (const [i, id] of ids.entries()) {
        const event = (await t.app.inject(`/api/v1/events/${id}`)).json();
        expect(event.externalId).toBe(`post-${i}`);
      }
      const metrics = (await t.app.inject('/metrics')).body;
      expect(metrics).toMatch(/^painchain_ingest_group_requests_sum 40$/m);
    } finally {
      await t.close();
    }
  });
});
