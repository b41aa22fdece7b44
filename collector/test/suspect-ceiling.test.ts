// What the suspect ranking reads, on both stores: the store scores every candidate in SQL
// (scoreSql) and sends only the ones that may reach the threshold, the others' places where they
// may still rank through a chain; the chains of the top rollouts are built side by side; rollouts
// still running at the alert are found by their span. None of this may change an answer: each is
// checked here against the ranking's own score, against reading every candidate whole, and
// against building each chain alone.
import type { ChangeEventInput } from '@painchain/sdk';
import { createConfig } from '../src/config/load-config.js';
import { drilldownFinders } from '../src/drilldown/drilldown-finders.js';
import { scoreChange, scoreSql, type IncidentScope } from '../src/drilldown/suspect-score.js';
import { prng } from '../src/sample/event-generator.js';
import { EventStore } from '../src/store/event-store.js';
import { LinkStore, type CandidateWindow } from '../src/store/link-store.js';
import {
  createTestDatabase,
  STORE_KINDS,
  startApp,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const MINUTE = 60_000;
/** The alerts fire at AT; every change is placed around it. */
const AT = new Date(Math.floor((Date.now() - 60 * MINUTE) / 1000) * 1000);
const ago = (minutes: number) => new Date(AT.getTime() - minutes * MINUTE).toISOString();
const TENANT = 'default';

const SERVICES = ['checkout', 'search', 'ledger', undefined];
const ENVIRONMENTS = ['production', 'staging', undefined];
const PROJECTS = ['acme/checkout', 'acme/search'];
const KINDS = [
  'deploy',
  'rollback',
  'config',
  'feature_flag',
  'infra',
  'scale',
  'release',
  'merge',
  'pipeline',
  'pull_request',
  'push',
  'tag',
  'other',
] as const;
const STATUSES = [undefined, 'started', 'in_progress', 'succeeded', 'failed', 'cancelled'] as const;
/** Commits shared by several changes, so that the rollouts have chains. */
const SHAS = Array.from({ length: 12 }, (_, i) => `${'abcdef'[i % 6]}${i}`.padEnd(40, '7'));

/**
 * A busy few hours, drawn from a seed: every kind, status and place, changes still running at the
 * alerts or finished after them, rollouts of images built from shared commits, and pull requests
 * recorded twice at the same instant (closed, and merged), as the GitHub connector does.
 */
function busyHours(seed: number): ChangeEventInput[] {
  const rand = prng(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)]!;
  const events: ChangeEventInput[] = [];
  for (let i = 0; i < 260; i++) {
    const kind = pick(KINDS);
    const minutesBefore = Math.floor(rand() * 26 * 60) - 30;
    const sha = pick(SHAS);
    const service = pick(SERVICES);
    const environment = pick(ENVIRONMENTS);
    const status = kind === 'push' || kind === 'tag' ? undefined : pick(STATUSES);
    const ends = rand();
    const event: ChangeEventInput = {
      connector: 'ci',
      externalId: `busy-${seed}-${i}`,
      kind,
      title: `${kind} ${i}`,
      project: pick(PROJECTS),
      timestamp: ago(minutesBefore),
      ...(service ? { service } : {}),
      ...(environment ? { environment } : {}),
      ...(status ? { status } : {}),
      // A third last five minutes, a third run until after the alerts, a third name no end.
      ...(ends < 2 / 3
        ? { endTimestamp: ago(ends < 1 / 3 ? minutesBefore - 5 : Math.min(minutesBefore, -10)) }
        : {}),
      refs:
        kind === 'deploy' || kind === 'rollback'
          ? { image: `ghcr.io/acme/app:1.${i}-${sha.slice(0, 7)}`, commit: sha }
          : { commit: sha },
    };
    events.push(event);
    if (kind === 'merge') {
      events.push({
        ...event,
        externalId: `busy-${seed}-${i}-pr`,
        kind: 'pull_request',
        title: `pull request ${i} closed`,
        refs: { commit: sha, pullRequest: i },
      });
    }
  }
  return events;
}

/** The same store, asked to read every candidate whole: the answers the ceiling must keep. */
class EveryCandidate extends LinkStore {
  override candidates(tenant: string, window: CandidateWindow) {
    return super.candidates(tenant, { ...window, ceiling: undefined });
  }
}

describe.each(STORE_KINDS)('what the suspect ranking reads, on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;
  const drilldown = createConfig({}).drilldown;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(database);
    const events = [...busyHours(1), ...busyHours(2)];
    for (let i = 0; i < events.length; i += 100) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        payload: { events: events.slice(i, i + 100) },
      });
      expect(res.statusCode).toBe(201);
    }
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  test("the store's score of every change is the ranking's own, whatever the scope and weights", async () => {
    const { events: stored } = await new EventStore(t.db).list(TENANT, {}, 5000);
    expect(stored.length).toBeGreaterThan(500);
    const weights = {
      halfLifeMinutes: 45,
      kinds: { ...drilldown.kindWeights, feature_flag: 1.1, push: 0.3, other: 0.2 },
    };
    const scopes: IncidentScope[] = [
      { at: AT, service: 'checkout', environment: 'production' },
      { at: new Date(AT.getTime() - 90 * MINUTE), service: 'search' },
      { at: AT, environment: 'staging', project: 'acme/search' },
      { at: new Date(AT.getTime() + 30 * MINUTE) },
    ];
    for (const scope of scopes) {
      const params: unknown[] = [];
      const bind = (value: unknown) => {
        params.push(value);
        return `$${params.length}`;
      };
      const { rows: scores } = await t.db.query<{ id: string; score: number }>(
        `SELECT id::text AS id, ${scoreSql(scope, weights, bind)} AS score FROM events`,
        params,
      );
      const inSql = new Map(scores.map((r) => [r.id, Number(r.score)]));
      for (const event of stored) {
        const { score } = scoreChange(event, scope, weights);
        const sql = inSql.get(event.id)!;
        // The ranking rounds to 0.1 and caps at 100; before that the two are the same number.
        if (score < 100) expect(Math.abs(sql - score)).toBeLessThanOrEqual(0.05 + 1e-9);
        else expect(sql).toBeGreaterThanOrEqual(99.95);
      }
    }
  });

  test('reading only what can reach the threshold answers what reading every candidate answers', async () => {
    const ceiling = drilldownFinders(new LinkStore(t.db), drilldown).suspects;
    const every = drilldownFinders(new EveryCandidate(t.db), drilldown).suspects;
    let ties = 0;
    let suspects = 0;
    for (const minutes of [0, 45, 120, 300]) {
      for (const service of ['checkout', 'search', undefined]) {
        for (const environment of ['production', 'staging', undefined]) {
          for (const lookback of [30, 120]) {
            const scope = { at: new Date(AT.getTime() - minutes * MINUTE), service, environment };
            const expected = await every.rank(TENANT, scope, lookback * MINUTE);
            expect(await ceiling.rank(TENANT, scope, lookback * MINUTE)).toEqual(expected);
            suspects += expected.suspects.length;
            // Equal scores at the same instant: their order is the order they were read in.
            ties += expected.suspects.filter(
              (s, i) =>
                i > 0 &&
                s.score === expected.suspects[i - 1]!.score &&
                s.event.timestamp === expected.suspects[i - 1]!.event.timestamp,
            ).length;
          }
        }
      }
    }
    // The stories have what the comparison is about: suspects, and ties among them.
    expect(suspects).toBeGreaterThan(200);
    expect(ties).toBeGreaterThan(0);
  });

  test('a merge and its pull request, recorded at the same instant and below the threshold on their own, rank through the deploy that shipped them as when every candidate is read', async () => {
    const sha = 'feedface'.padEnd(40, '1');
    const pr = {
      connector: 'github',
      project: 'acme/payments',
      service: 'payments',
      timestamp: ago(60),
    };
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: {
        events: [
          {
            ...pr,
            kind: 'pull_request',
            title: 'Retry card declines (closed)',
            refs: { commit: sha, pullRequest: 7 },
          },
          {
            ...pr,
            kind: 'merge',
            title: 'Merge pull request #7: Retry card declines',
            refs: { commit: sha, pullRequest: 7 },
          },
          {
            connector: 'kubernetes',
            kind: 'deploy',
            status: 'failed',
            title: 'payments v2.3.0 to production',
            project: 'prod/payments',
            service: 'payments',
            environment: 'production',
            timestamp: ago(10),
            refs: { image: `ghcr.io/acme/payments:2.3.0-${sha.slice(0, 7)}` },
          },
        ],
      },
    });
    expect(res.statusCode).toBe(201);
    const scope = { at: AT, service: 'payments', environment: 'production' };
    const every = drilldownFinders(new EveryCandidate(t.db), drilldown).suspects;
    const ceiling = drilldownFinders(new LinkStore(t.db), drilldown).suspects;
    const expected = await every.rank(TENANT, scope, 120 * MINUTE);
    const shipped = expected.suspects.filter((s) => s.via?.key === 'commit');
    // Own scores 7.9 (merge) and 4.4 (pull request); both inherit 0.6 of the deploy's 100.
    expect(shipped.map((s) => [s.event.kind, s.score])).toEqual(
      expect.arrayContaining([
        ['merge', 60],
        ['pull_request', 60],
      ]),
    );
    expect(await ceiling.rank(TENANT, scope, 120 * MINUTE)).toEqual(expected);
  });

  test('the chains of several rollouts built side by side are the chains each builds alone', async () => {
    const links = new LinkStore(t.db);
    const { chains } = drilldownFinders(links, drilldown);
    const { rows } = await t.db.query<{ id: string }>(
      `SELECT id::text AS id FROM events WHERE kind = 'deploy' ORDER BY ts, id LIMIT 3`,
    );
    const roots = await Promise.all(rows.map(async (r) => (await links.get(TENANT, r.id))!));
    const seeds = roots.map((root) => ({
      id: root.event.id,
      timestamp: root.event.timestamp,
      links: root.links,
    }));
    const { rows: others } = await t.db.query<{ id: string }>(
      `SELECT id::text AS id FROM events WHERE kind = 'merge' ORDER BY ts DESC, id LIMIT 2`,
    );
    const alsoRead = [...others.map((r) => r.id), '00000000-0000-7000-8000-000000000000'];
    for (const size of [undefined, 2, 5]) {
      const alone = await Promise.all(
        roots.map((root) => chains.chainOf(TENANT, root.event.id, size)),
      );
      const together = await chains.chainsFrom(TENANT, seeds, size, alsoRead);
      expect(together.chains).toEqual(alone);
      // Read by id with the first level: the roots and the others asked for that exist.
      expect(new Set(together.read.keys())).toEqual(
        new Set([...seeds.map((seed) => seed.id), ...others.map((r) => r.id)]),
      );
    }
    const { chains: built } = await chains.chainsFrom(TENANT, seeds);
    expect(built.every((chain) => chain!.events.length > 1)).toBe(true);
    // A change gone by the time its chain is built has none.
    const gone = { ...seeds[0]!, id: '00000000-0000-7000-8000-000000000001' };
    expect((await chains.chainsFrom(TENANT, [gone, seeds[1]!])).chains[0]).toBeUndefined();
  });

  test('a rollout that started before the window and finished only after the alert counts; one finished before it does not', async () => {
    const rollout = {
      connector: 'kubernetes',
      kind: 'deploy',
      status: 'succeeded',
      project: 'prod/reporting',
      service: 'reporting',
      environment: 'production',
      timestamp: ago(300),
    };
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: {
        events: [
          { ...rollout, title: 'reporting slow canary', endTimestamp: ago(-10) },
          { ...rollout, title: 'reporting quick fix', endTimestamp: ago(240) },
        ],
      },
    });
    expect(res.statusCode).toBe(201);
    const { statusCode, body } = await t.app.inject({
      method: 'GET',
      url: `/api/v1/suspects?at=${AT.getTime()}&service=reporting&environment=production&lookback=1h`,
    });
    expect(statusCode).toBe(200);
    const answer = JSON.parse(body) as {
      suspects: { event: { title: string }; reasons: string[] }[];
    };
    const titles = answer.suspects.map((s) => s.event.title);
    expect(titles).toContain('reporting slow canary');
    expect(titles).not.toContain('reporting quick fix');
    const slow = answer.suspects.find((s) => s.event.title === 'reporting slow canary')!;
    expect(slow.reasons[0]).toBe(
      'rollout still in progress at alert time (deployed to production 5 h before)',
    );
  });
});
