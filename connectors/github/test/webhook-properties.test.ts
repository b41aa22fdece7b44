// Property-based tests (fast-check) of the GitHub webhook route, through the real collector on
// both stores: GitHub's example payloads of every recorded event, broken in random ways (fields
// removed, replaced by anything, NUL characters, unpaired surrogates), arbitrary JSON and bytes.
// Signed with the configured secret, a delivery is never answered 5xx, a refused one stores
// nothing, and an accepted one's ids all read back. Unsigned or wrongly signed, it is refused
// with 401 and stores nothing, whatever it holds.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import {
  createTestDatabase,
  startApp,
  STORE_KINDS,
  type TestApp,
  type TestDatabase,
} from '@painchain/collector/testing';
import { createGithubConnectorDefinition } from '../src/github-connector.js';
import { RECORDED_EVENTS, webhookExamples } from './webhook-examples.js';

const SECRET = 'property-webhook-secret';
const RUNS = 150;
const examples = webhookExamples(RECORDED_EVENTS);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every place in `value` a mutation may touch. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'set'; at: number; value: Json }
  | { op: 'poison'; at: number; poison: string };

function mutate(payload: Json, mutations: Mutation[]): Json {
  const copy = structuredClone(payload);
  for (const m of mutations) {
    const paths = pathsOf(copy);
    if (paths.length === 0) return copy;
    const path = paths[m.at % paths.length]!;
    let parent = copy as Record<string | number, Json>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
    const key = path.at(-1)!;
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (m.op === 'set') {
      parent[key] = m.value;
    } else {
      const current = parent[key];
      parent[key] = typeof current === 'string' ? `${current}${m.poison}` : m.poison;
    }
  }
  return copy;
}

const hostile: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(
    null,
    '',
    0,
    -1,
    1e21,
    true,
    [],
    {},
    '2026-02-30T00:00:00Z',
    'x'.repeat(5000),
  ),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: hostile }),
  fc.record({
    op: fc.constant('poison' as const),
    at: fc.nat(),
    poison: fc.constantFrom('\u0000', '\ud800', '\n\n', '\u202e'),
  }),
);

interface Delivery {
  event: string;
  body: Buffer;
  form: boolean;
}

const eventName = fc.oneof(
  fc.constantFrom(...RECORDED_EVENTS),
  fc.constantFrom('constructor', '__proto__', 'toString', 'issues', ''),
  // Any text a header may carry.
  fc.stringMatching(/^[\x21-\x7e]{0,20}$/),
);
const delivery: fc.Arbitrary<Delivery> = fc
  .tuple(
    fc.oneof(
      // An example of the event named, broken a little.
      fc
        .tuple(
          fc.nat(examples.length - 1),
          fc.array(mutation, { maxLength: 4 }),
          // Mostly under its own event name, as GitHub sends it.
          fc.nat(4).map((n) => n > 0),
        )
        .map(([i, mutations, keepEvent]) => {
          const example = examples[i]!;
          return {
            event: keepEvent ? example.event : undefined,
            text: JSON.stringify(mutate(example.payload as Json, mutations)),
          };
        }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => ({ event: undefined, text: JSON.stringify(v) })),
      fc.string({ maxLength: 100 }).map((text) => ({ event: undefined, text })),
    ),
    eventName,
    fc.boolean(),
  )
  .map(([{ event, text }, otherEvent, form]) => ({
    event: event ?? otherEvent,
    form,
    body: Buffer.from(form ? `payload=${encodeURIComponent(text)}` : text),
  }));

const signatureOf = (secret: string, body: Buffer) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe.each(STORE_KINDS)('GitHub webhook properties on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;
  let deliveries = 0;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(
      database,
      {
        // The examples are from 2019: keep them, whatever the retention window.
        store: { retentionDays: 36_500 },
        connectors: [
          {
            name: 'github',
            type: 'github',
            options: { webhookSecret: '${GITHUB_WEBHOOK_SECRET}' },
          },
        ],
      },
      {
        connectorTypes: [createGithubConnectorDefinition()],
        env: { GITHUB_WEBHOOK_SECRET: SECRET },
      },
    );
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  const send = (d: Delivery, signature: string | undefined): Promise<LightMyRequestResponse> =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/github',
      headers: {
        'content-type': d.form ? 'application/x-www-form-urlencoded' : 'application/json',
        'x-github-event': d.event,
        'x-github-delivery': `property-${++deliveries}`,
        ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }),
      },
      payload: d.body,
    });

  test('a correctly signed delivery, however broken, is never 5xx; refused stores nothing, accepted reads back', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(delivery, async (d) => {
        const before = await t.count();
        const res = await send(d, signatureOf(SECRET, d.body));
        if (res.statusCode >= 500) {
          throw new Error(`${d.event} delivery answered ${res.statusCode}: ${res.body}`);
        }
        expect([200, 202, 400, 413, 415, 422]).toContain(res.statusCode);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode !== 200) {
          // 202: understood but not a change (its reason); 4xx: refused (a code and a message).
          expect(res.json()).toEqual(
            res.statusCode === 202
              ? expect.objectContaining({ status: 'ignored', reason: expect.any(String), ids: [] })
              : expect.objectContaining({ error: expect.any(String), message: expect.any(String) }),
          );
          expect(await t.count()).toBe(before);
          return;
        }
        const answer = res.json<{ ids: string[]; created: number }>();
        expect(await t.count()).toBe(before + answer.created);
        for (const id of answer.ids) {
          const stored = await t.app.inject(`/api/v1/events/${id}`);
          expect(stored.statusCode).toBe(200);
          expect(stored.json()).toMatchObject({ id, connector: 'github' });
        }
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: 15_000 },
    );
    // Not vacuous: some deliveries were stored, and some were not changes PainChain records.
    for (const status of [200, 202]) {
      expect({ status, seen: statuses.has(status) }).toEqual({ status, seen: true });
    }
  });

  // Found by the property above: the event name was looked up on a plain object, so `constructor`
  // named Object's constructor ("function Object() { [native code] } events are not enabled").
  test('an event named like a property of every object (constructor, toString) is an unknown event', async () => {
    for (const event of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const body = Buffer.from('{}');
      const res = await send({ event, body, form: false }, signatureOf(SECRET, body));
      expect({ event, status: res.statusCode, body: res.json() }).toEqual({
        event,
        status: 202,
        body: expect.objectContaining({
          status: 'ignored',
          reason: `GitHub event ${event} is not one PainChain records`,
        }),
      });
    }
  });

  test('an unsigned or wrongly signed delivery is refused with 401 and stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        delivery,
        fc.oneof(
          fc.constant(undefined),
          fc.constant('sha256=' + '0'.repeat(64)),
          fc.stringMatching(/^[\x21-\x7e]{0,80}$/),
          fc
            .string({ minLength: 1, maxLength: 30 })
            .filter((s) => s !== SECRET)
            .map((other) => ({ other })),
        ),
        async (d, wrong) => {
          const before = await t.count();
          const signature = typeof wrong === 'object' ? signatureOf(wrong.other, d.body) : wrong;
          const res = await send(d, signature);
          expect({ status: res.statusCode, error: res.json().error }).toEqual({
            status: 401,
            error: 'invalid_signature',
          });
          expect(await t.count()).toBe(before);
        },
      ),
      { numRuns: RUNS, interruptAfterTimeLimit: 15_000 },
    );
  });
});
