// Three collector processes (the built command line) on one PostgreSQL, polling twenty
// repositories of a local fake GitHub while new commits keep coming: the work is spread over the
// replicas, no repository is ever read by two replicas at once (the fake records who read what,
// when), a replica killed with SIGKILL loses its repositories to the others once its leases
// expire, and every commit the fake served is stored exactly once: no gap and no duplicate
// across the handover. Needs `npm run build` (npm test builds first) and PostgreSQL.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeGithub, type RecordedRequest } from '../../connectors/github/test/fake-github.js';
import * as rest from '../../connectors/github/test/rest-fixtures.js';
import type { Db } from '../src/store/db.js';
import { createTestDatabase, SKIPPED_KINDS, type TestDatabase } from '../src/testing/index.js';
import { MAIN, start, type Running } from './collector-process.js';

const REPOSITORIES = Array.from({ length: 20 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
const REPLICAS = ['replica-1', 'replica-2', 'replica-3'];
const LEASE_TTL_SECONDS = 3;
const CONNECTOR = 'github-acme';

const runnable = existsSync(MAIN) && !SKIPPED_KINDS.includes('postgres');
if (!existsSync(MAIN)) console.warn(`*** ${MAIN} not built: run npm test (it builds first) ***`);
const suite = runnable ? describe : describe.skip;

interface Replica extends Running {
  name: string;
}

interface Lease {
  source: string;
  replica: string | null;
  acquiredAt: string | null;
}

async function startReplica(name: string, env: Record<string, string>): Promise<Replica> {
  return { name, ...(await start([], env, { startTimeoutMs: 60_000 })) };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The leases of the GitHub connector as one replica's /api/v1/connectors shows them. */
async function leasesSeenBy(replica: Replica): Promise<Lease[]> {
  const body = (await (await fetch(`${replica.url}/api/v1/connectors`)).json()) as {
    connectors: { name: string; leases?: Lease[] }[];
  };
  return body.connectors.find((c) => c.name === CONNECTOR)?.leases ?? [];
}

/** `acme/svc-00` for any request about that repository. */
const repositoryOf = (request: RecordedRequest) => request.path.split('/').slice(2, 4).join('/');

/**
 * Each replica's reads of each repository as time spans: a poll starts with the repository's own
 * `GET /repos/{owner}/{repo}` and lasts until that replica's last answer about the repository
 * before its next poll. Returns every pair of spans of different replicas that overlap.
 */
function overlappingPolls(requests: RecordedRequest[]): string[] {
  const spans = new Map<string, { client: string; start: number; end: number }[]>();
  const open = new Map<string, { client: string; start: number; end: number }>();
  for (const request of [...requests].sort((a, b) => a.startedAt - b.startedAt)) {
    if (!request.path.startsWith('/repos/')) continue;
    const repository = repositoryOf(request);
    const key = `${request.client} ${repository}`;
    const isStart = request.path === `/repos/${repository}`;
    let span = open.get(key);
    if (isStart || !span) {
      span = { client: request.client ?? '', start: request.startedAt, end: request.answeredAt };
      open.set(key, span);
      spans.set(repository, [...(spans.get(repository) ?? []), span]);
    }
    span.end = Math.max(span.end, request.answeredAt);
  }
  const overlaps: string[] = [];
  for (const [repository, list] of spans) {
    for (const [i, a] of list.entries()) {
      for (const b of list.slice(i + 1)) {
        if (a.client !== b.client && a.start < b.end && b.start < a.end) {
          overlaps.push(`${repository}: ${a.client} and ${b.client}`);
        }
      }
    }
  }
  return overlaps;
}

suite('collector replicas on one PostgreSQL', () => {
  let dir: string;
  let database: TestDatabase;
  let db: Db;
  let fake: FakeGithub;
  const replicas: Replica[] = [];
  /** Every commit sha a commits listing answered with. */
  const served = new Set<string>();
  let commitsMade = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'painchain-replicas-'));
    database = await createTestDatabase('postgres');
    db = await database.open();
    fake = await FakeGithub.start();
    // A real server takes a while to answer: polls that overlapped would show.
    fake.latencyMs = 40;
    fake.onAnswer = (request, body) => {
      if (request.path.endsWith('/commits') && Array.isArray(body)) {
        for (const commit of body as { sha: string }[]) served.add(commit.sha);
      }
    };
    for (const repo of REPOSITORIES) {
      fake.repository('acme', repo);
      for (let i = 0; i < 3; i += 1) commit(repo);
    }
  });
  afterAll(async () => {
    for (const replica of replicas) replica.child.kill('SIGKILL');
    await Promise.all(replicas.map((replica) => replica.exited));
    await fake?.close();
    await db?.close();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A new commit at the head of the repository's default branch, dated now. */
  function commit(repo: string): void {
    commitsMade += 1;
    const branch = fake.repository('acme', repo).branches.get('main')!;
    const sha = commitsMade.toString(16).padStart(40, 'c');
    branch.unshift(
      rest.commit('acme', repo, {
        sha,
        parents: branch[0] ? [branch[0].sha] : [],
        message: `change ${commitsMade} of ${repo}`,
        date: new Date().toISOString(),
      }),
    );
  }

  test('the replicas share the repositories, never read one at the same time, take over from a killed one, and store every commit once', async () => {
    const config = join(dir, 'painchain.yaml');
    await writeFile(
      config,
      JSON.stringify({
        server: { replicaId: '${REPLICA_ID}', leaseTtlSeconds: LEASE_TTL_SECONDS },
        store: { url: '${DATABASE_URL}' },
        connectors: [
          {
            name: CONNECTOR,
            type: 'github',
            options: {
              baseUrl: fake.url,
              token: '${GITHUB_TOKEN}',
              owner: 'acme',
              repositories: REPOSITORIES.map((repo) => ({ repo })),
              events: ['push'],
              pollIntervalSeconds: 1,
              backfillDays: 1,
            },
          },
        ],
      }),
    );
    const envOf = (name: string) => ({
      PAINCHAIN_CONFIG: config,
      DATABASE_URL: database.url!,
      REPLICA_ID: name,
      // Each its own local folder (its spool); the store is the shared PostgreSQL.
      PAINCHAIN_DATA_DIR: join(dir, name),
      // Each replica its own token: the fake tells them apart by it.
      GITHUB_TOKEN: `ghp_${name}_0000000000000000000000000000`,
    });
    replicas.push(...(await Promise.all(REPLICAS.map((name) => startReplica(name, envOf(name))))));

    // New commits keep coming, across the handover.
    let next = 0;
    const producer = setInterval(() => {
      commit(REPOSITORIES[next % REPOSITORIES.length]!);
      next += 1;
    }, 100);
    try {
      // Spread: every repository held, and no replica more than its share, ceil(20 / 3) = 7.
      const balanced = await waitFor(
        'the repositories spread over the three replicas',
        async () => {
          const leases = await leasesSeenBy(replicas[0]!);
          const counts = REPLICAS.map((name) => leases.filter((l) => l.replica === name).length);
          const held = leases.filter((l) => l.replica !== null).length;
          return held === 20 && counts.every((n) => n >= 6 && n <= 7) ? leases : undefined;
        },
      );
      // Every replica shows the same holders: they read them from the database.
      const seenBySecond = await leasesSeenBy(replicas[1]!);
      expect(seenBySecond.map((l) => [l.source, l.replica])).toEqual(
        balanced.map((l) => [l.source, l.replica]),
      );

      // SIGKILL: nothing is given up; its repositories are taken over once their leases expire.
      const victim = replicas[1]!;
      const orphaned = balanced.filter((l) => l.replica === victim.name).map((l) => l.source);
      const killedAt = performance.now();
      victim.child.kill('SIGKILL');
      await victim.exited;
      const survivors = replicas.filter((r) => r !== victim);
      const tokens = new Map(survivors.map((r) => [envOf(r.name).GITHUB_TOKEN, r.name]));
      await waitFor('the killed replica’s repositories polled by the others', async () => {
        const leases = await leasesSeenBy(survivors[0]!);
        const taken = orphaned.every((source) =>
          survivors.some((r) => leases.find((l) => l.source === source)?.replica === r.name),
        );
        const polledSince = new Set(
          fake.requests
            .filter((r) => r.startedAt > killedAt && tokens.has((r.client ?? '').split(' ')[1]!))
            .map(repositoryOf),
        );
        return taken && orphaned.every((source) => polledSince.has(source)) ? true : undefined;
      });
      const afterKill = await leasesSeenBy(survivors[0]!);
      expect(afterKill.filter((l) => l.replica === victim.name)).toEqual([]);
      for (const replica of survivors) {
        expect(afterKill.filter((l) => l.replica === replica.name).length).toBeLessThanOrEqual(10);
      }
    } finally {
      clearInterval(producer);
    }

    // Every commit the fake holds gets stored, once.
    const made = commitsMade;
    const stored = await waitFor(`all ${made} commits stored`, async () => {
      const { rows } = await db.query<{ sha: string; n: number }>(
        `SELECT refs ->> 'commit' AS sha, count(*)::int AS n FROM events
          WHERE connector = 'github' GROUP BY 1`,
      );
      return rows.length >= made ? rows : undefined;
    });
    const inFake = REPOSITORIES.flatMap((repo) =>
      fake
        .repository('acme', repo)
        .branches.get('main')!
        .map((c) => c.sha),
    );
    expect(inFake).toHaveLength(made);
    expect(stored.map((row) => row.sha).sort()).toEqual([...inFake].sort());
    expect(stored.filter((row) => row.n !== 1)).toEqual([]);
    expect([...served].sort()).toEqual([...inFake].sort());

    // No repository was ever read by two replicas at once, before, during or after the handover.
    expect(overlappingPolls(fake.requests)).toEqual([]);

    // The survivors stop cleanly (and give their leases up).
    for (const replica of replicas.filter((r) => r.child.exitCode === null && !r.child.killed)) {
      replica.child.kill('SIGTERM');
      expect(await replica.exited).toBe(0);
    }
  }, 240_000);
});
