// Proves on the real PostgreSQL server that "one tenant, a time range, one filter" — what every
// Grafana panel asks — is answered from an index, never by reading the whole table.
import { EventStore, type EventFilter } from '../src/store/event-store.js';
import { LinkStore } from '../src/store/link-store.js';
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

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    db = await database.open();
    await migrate(db);
    store = new EventStore(db);
    links = new LinkStore(db);
    // 200,000 events over 90 days, 3 tenants, realistic cardinalities; then fresh statistics.
    await db.query(`
      INSERT INTO events (id, tenant, connector, external_id, kind, status, title, project, service,
                          environment, ts, tags, refs)
      SELECT gen_random_uuid(), 't' || (i % 3), (ARRAY['github','gitlab','kubernetes','ci'])[1 + i % 4],
             'x' || i, (ARRAY['deploy','pipeline','push','merge','release','config'])[1 + i % 6],
             (ARRAY['succeeded','failed','in_progress'])[1 + i % 3], 'change ' || i,
             'acme/p' || (i % 50), 'svc' || (i % 30), (ARRAY['production','staging','dev'])[1 + i % 3],
             now() - (i % 129600) * interval '1 minute', ARRAY['team-' || (i % 12)],
             jsonb_build_object('commit', md5(i::text), 'pullRequest', i % 5000,
                                'image', 'ghcr.io/acme/p' || (i % 50) || ':1.' || (i % 900))
        FROM generate_series(1, 200000) AS i`);
    await db.query('ANALYZE events');
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
        (n) => n['Relation Name'] === 'events' || n['Index Name']?.startsWith('events_'),
      );
      expect(plan.map((n) => n['Node Type'])).not.toContain('Seq Scan');
      expect(onEvents.some((n) => /Index|Bitmap/.test(n['Node Type']))).toBe(true);
    },
  );

  const planOf = async ({ sql, params }: { sql: string; params: unknown[] }) => {
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) ${sql}`,
      params,
    );
    return nodes(rows[0]!['QUERY PLAN'][0].Plan);
  };
  const day = 86_400_000;
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
      'suspects: the changes of a two-hour window',
      () =>
        links.betweenQuery(
          't1',
          new Date(Date.now() - 3 * 3600_000),
          new Date(Date.now() - 3600_000),
          5000,
        ),
    ],
    [
      'suspects: rollouts still open at the alert',
      () =>
        links.openAtQuery(
          't1',
          new Date(Date.now() - 3600_000),
          new Date(Date.now() - 27 * 3600_000),
          new Date(Date.now() - 3 * 3600_000),
          5000,
        ),
    ],
  ];

  test.each(drilldownCases)('%s uses an index, no sequential scan', async (_name, query) => {
    const plan = await planOf(query());
    expect(plan.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(plan.some((n) => /Index|Bitmap/.test(n['Node Type']))).toBe(true);
  });
});
