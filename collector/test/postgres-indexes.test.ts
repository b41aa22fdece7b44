// Proves on the real PostgreSQL server that "one tenant, a time range, one filter" — what every
// Grafana panel asks — is answered from an index, never by reading the whole table.
import { EventStore, type EventFilter } from '../src/store/event-store.js';
import { createConfig } from '../src/config/load-config.js';
import { scoreSql } from '../src/drilldown/suspect-score.js';
import { LinkStore, type CandidateWindow } from '../src/store/link-store.js';
import { migrate } from '../src/store/migrate.js';
import type { Db } from '../src/store/db.js';
import { createTestDatabase, SKIPPED_KINDS, type TestDatabase } from '../src/testing/index.js';

const run = SKIPPED_KINDS.includes('postgres') ? describe.skip : describe;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

run('query plans on PostgreSQL', () => {
  let database: TestDatabase;
  let db: Db;
  let store: EventStore;
  let links: LinkStore;
  let parentIndex = new Map<string, string>();
  /** The partitions holding changes (an empty month is read whole: nothing to read). */
  let holding = new Set<string>();

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    db = await database.open();
    await migrate(db);
    store = new EventStore(db);
    links = new LinkStore(db);
    // 200,000 events over 90 days, 3 tenants, realistic cardinalities; then fresh statistics.
    await db.query(`
      INSERT INTO events (id, tenant, connector, external_id, kind, status, title, project, service,
                          environment, ts, end_ts, tags, refs)
      SELECT gen_random_uuid(), 't' || (i % 3), (ARRAY['github','gitlab','kubernetes','ci'])[1 + i % 4],
             'x' || i, (ARRAY['deploy','pipeline','push','merge','release','config'])[1 + i % 6],
             -- Most runs end; one in a hundred is still running.
             CASE WHEN i % 100 = 0 THEN 'in_progress' WHEN i % 7 = 0 THEN 'failed'
                  ELSE 'succeeded' END, 'change ' || i,
             'acme/p' || (i % 50), 'svc' || (i % 30), (ARRAY['production','staging','dev'])[1 + i % 3],
             now() - (i % 129600) * interval '1 minute',
             now() - (i % 129600) * interval '1 minute' + (i % 900) * interval '1 second',
             ARRAY['team-' || (i % 12)],
             jsonb_build_object('commit', md5(i::text), 'pullRequest', i % 5000,
                                'image', 'ghcr.io/acme/p' || (i % 50) || ':1.' || (i % 900))
        FROM generate_series(1, 200000) AS i`);
    // The older months as the storage job leaves them: each in a partition of its own.
    for (const month of await store.monthsInDefault()) await store.ensurePartition(month);
    await db.query('ANALYZE events');
    // A partition's index is named by PostgreSQL (events_2026_11_links_idx): plans are read
    // by the partitioned index it belongs to (events_by_links).
    const { rows } = await db.query<{ child: string; parent: string }>(
      `SELECT c.relname AS child, p.relname AS parent
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relkind = 'I' AND p.relname LIKE 'events%'`,
    );
    parentIndex = new Map(rows.map((r) => [r.child, r.parent]));
    const sizes = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'events'::regclass AND c.reltuples > 0`,
    );
    holding = new Set(sizes.rows.map((r) => r.name));
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const sixHours: EventFilter = {
    from: new Date(Date.now() - 30 * 3600_000),
    to: new Date(Date.now() - 24 * 3600_000),
  };
  const cases: [string, EventFilter][] = [
    ['time range only', {}],
    ['project', { project: ['acme/p7'] }],
    ['service', { service: ['svc3'] }],
    ['environment', { environment: ['production'] }],
    ['connector', { connector: ['gitlab'] }],
    ['kind', { kind: ['deploy'] }],
    ['status', { status: ['failed'] }],
    ['tag', { tag: ['team-4'] }],
  ];

  test.each(cases)(
    'a 6-hour window filtered by %s uses an index, no sequential scan',
    async (_name, filter) => {
      const { sql, params } = store.listQuery('t1', { ...sixHours, ...filter }, 100);
      const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (FORMAT JSON) ${sql}`,
        params,
      );
      const plan = nodes(rows[0]!['QUERY PLAN'][0].Plan);
      const onEvents = plan.filter(
        (n) => n['Relation Name']?.startsWith('events') || n['Index Name']?.startsWith('events_'),
      );
      expect(fullReads(plan)).toEqual([]);
      expect(onEvents.some((n) => /Index|Bitmap/.test(n['Node Type']))).toBe(true);
    },
  );

  /** The indexes a plan reads, by their partitioned index's name. */
  const indexesOf = (plan: PlanNode[]) =>
    plan.flatMap((n) => {
      const name = n['Index Name'];
      return name ? [parentIndex.get(name) ?? name] : [];
    });
  /** The tables a plan reads whole, where they hold changes. */
  const fullReads = (plan: PlanNode[]) =>
    plan
      .filter((n) => n['Node Type'] === 'Seq Scan' && holding.has(n['Relation Name'] ?? ''))
      .map((n) => n['Relation Name']);

  const planOf = async ({ sql, params }: { sql: string; params: unknown[] }) => {
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) ${sql}`,
      params,
    );
    return nodes(rows[0]!['QUERY PLAN'][0].Plan);
  };
  const day = 86_400_000;
  const ago = (ms: number) => new Date(Date.now() - ms);
  /** As SuspectFinder asks: an alert an hour ago on svc3 in production, default weights. */
  const rankingWindow = (): CandidateWindow => {
    const at = ago(3600_000);
    const scope = { at, service: 'svc3', environment: 'production' };
    const { drilldown } = createConfig({});
    return {
      from: ago(3 * 3600_000),
      at,
      openSince: ago(27 * 3600_000),
      limit: 5000,
      unless: { service: 'svc3', environment: 'production' },
      ceiling: {
        score: (bind) =>
          scoreSql(
            scope,
            { halfLifeMinutes: drilldown.halfLifeMinutes, kinds: drilldown.kindWeights },
            bind,
          ),
        min: drilldown.threshold - 0.1,
        placeKinds: ['merge', 'pull_request', 'push', 'pipeline', 'release', 'tag'],
      },
    };
  };
  let ids: string[] = [];
  beforeAll(async () => {
    const { rows } = await db.query<{ id: string }>(
      "SELECT id::text AS id FROM events WHERE tenant = 't1' ORDER BY id LIMIT 10",
    );
    ids = rows.map((r) => r.id);
  });
  const drilldownCases: [string, () => { sql: string; params: unknown[] }][] = [
    [
      'chain: changes sharing a commit, pull request or image (GIN on links)',
      () =>
        links.linkedQuery(
          't1',
          [`c:${'c4ca423'}`, 'pr:acme/p7#77', 'i:ghcr.io/acme/p7:1.7'],
          new Date(Date.now() - 30 * day),
          new Date(),
          201,
        ),
    ],
    [
      'chain: the next level of three chains in one statement',
      () =>
        links.linkedEachQuery(
          't1',
          [
            { keys: ['c:c4ca423', 'pr:acme/p7#77'], from: ago(30 * day), to: new Date() },
            { keys: ['i:ghcr.io/acme/p8:1.8'], from: ago(40 * day), to: ago(10 * day) },
            { keys: ['c:c81e728', 'pr:acme/p2#2'], from: ago(60 * day), to: ago(30 * day) },
          ],
          51,
        ),
    ],
    [
      'suspects: the candidates of a ranking (a two-hour window, rollouts running at the alert)',
      () => links.candidatesQuery('t1', rankingWindow()),
    ],
    [
      'suspects: the best candidates read whole, with the first level of three chains',
      () =>
        links.linkedEachQuery(
          't1',
          [
            { keys: ['c:c4ca423'], from: ago(30 * day), to: new Date() },
            { keys: ['i:ghcr.io/acme/p8:1.8'], from: ago(40 * day), to: ago(10 * day) },
            { keys: ['pr:acme/p2#2'], from: ago(60 * day), to: ago(30 * day) },
          ],
          51,
          ids,
        ),
    ],
  ];

  test('the next level of several chains is GIN lookups only (one per chain and month), never the time index', async () => {
    const plan = await planOf(drilldownCases[1]![1]());
    const scans = indexesOf(plan);
    expect(scans.length).toBeGreaterThanOrEqual(3);
    expect(new Set(scans)).toEqual(new Set(['events_by_links']));
  });

  test('the rollouts still running at the alert come from their spans (migration 005), not from every rollout of the day', async () => {
    const plan = await planOf(links.candidatesQuery('t1', rankingWindow()));
    const names = indexesOf(plan);
    expect(names).toContain('events_rollout_spans');
    expect(names).not.toContain('events_by_kind');
  });

  test.each(drilldownCases)('%s uses an index, no sequential scan', async (_name, query) => {
    const plan = await planOf(query());
    expect(fullReads(plan)).toEqual([]);
    expect(plan.some((n) => /Index|Bitmap/.test(n['Node Type']))).toBe(true);
  });
});
