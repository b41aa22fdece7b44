// From an alert to its likely causes, on both stores: the chain of a change through refs, the
// ranked suspects of an incident with their reasons, Grafana's alert webhook and the /go link.
// The stories use changes shaped exactly as the GitHub connector produces them (its real
// normalizer over @octokit/webhooks-examples payloads) beside a Kubernetes-style rollout.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { normalizeWebhook } from '@painchain/connector-github';
import type { ChangeEvent, ChangeEventInput } from '@painchain/sdk';
import {
  createTestDatabase,
  STORE_KINDS,
  startApp,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const require = createRequire(import.meta.url);
const MINUTE = 60_000;
/** The alert fires at AT; every story is placed before it. */
const AT = new Date(Math.floor((Date.now() - 60 * MINUTE) / 1000) * 1000);
const ago = (minutes: number) => new Date(AT.getTime() - minutes * MINUTE).toISOString();

const SHA = '9fceb02d0ae598e95dc970b74767f19372d61af8';
/** Same first seven characters, another commit: must never join the chain. */
const LOOKALIKE = '9fceb02aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const IMAGE = `ghcr.io/codertocat/hello-world:1.4.2-${SHA.slice(0, 7)}`;

const INGEST = 'ingest-token-0123456789';
const READ = 'read-token-0123456789ab';
const OTHER = 'other-tenant-token-0123';
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

function examples(event: string): Record<string, unknown>[] {
  const file = require.resolve('@octokit/webhooks-examples/api.github.com/index.json');
  const all = JSON.parse(readFileSync(file, 'utf8')) as {
    name: string;
    examples: Record<string, unknown>[];
  }[];
  return structuredClone(all.find((entry) => entry.name === event)!.examples);
}

/** What the GitHub connector makes of a delivery, dated into the story. */
function github(event: string, payload: Record<string, unknown>, at: string): ChangeEventInput[] {
  const outcome = normalizeWebhook(event, payload, { receivedAt: new Date(at), rollback: false });
  if ('ignored' in outcome) throw new Error(`${event} ignored: ${outcome.ignored}`);
  return outcome.events.map((e) => ({
    ...e,
    timestamp: at,
    ...(e.endTimestamp ? { endTimestamp: at } : {}),
    ...(e.updatedAt ? { updatedAt: at } : {}),
  }));
}

/** A push of SHA to main, its merged pull request and its successful workflow run. */
function githubStory(): ChangeEventInput[] {
  const push = examples('push').find((p) => String(p.ref).startsWith('refs/heads/'))!;
  const headCommit = push.head_commit as Record<string, unknown>;
  Object.assign(push, { after: SHA, head_commit: { ...headCommit, id: SHA } });
  push.commits = [{ ...headCommit, id: SHA }];

  const pr = examples('pull_request').find((p) => p.action === 'closed')!;
  Object.assign(pr.pull_request as Record<string, unknown>, {
    merged: true,
    merged_at: ago(200),
    merge_commit_sha: SHA,
  });

  const run = examples('workflow_run').find(
    (p) => (p.workflow_run as { conclusion: string }).conclusion === 'success',
  )!;
  Object.assign(run.workflow_run as Record<string, unknown>, {
    head_sha: SHA,
    head_branch: 'main',
  });

  return [
    ...github('pull_request', pr, ago(200)),
    ...github('push', push, ago(199)),
    ...github('workflow_run', run, ago(190)),
  ];
}

const ci = (overrides: Partial<ChangeEventInput>): ChangeEventInput => ({
  connector: 'ci',
  title: 'change',
  project: 'acme/checkout',
  timestamp: ago(30),
  ...overrides,
});

/** A rollout as a Kubernetes connector records it. */
const rollout = (overrides: Partial<ChangeEventInput>): ChangeEventInput =>
  ci({
    connector: 'kubernetes',
    kind: 'deploy',
    status: 'succeeded',
    project: 'prod-eu/checkout',
    service: 'checkout',
    environment: 'production',
    ...overrides,
  });

async function post(t: TestApp, events: ChangeEventInput[], token = INGEST): Promise<string[]> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: auth(token),
    payload: { events },
  });
  expect(res.statusCode).toBe(201);
  return (res.json() as { ids: string[] }).ids;
}

async function get<T>(t: TestApp, url: string, token = READ): Promise<{ status: number; body: T }> {
  const res = await t.app.inject({ method: 'GET', url, headers: auth(token) });
  return { status: res.statusCode, body: res.json() as T };
}

interface ChainBody {
  root: ChangeEvent;
  events: ChangeEvent[];
  links: { from: string; to: string; key: string; value: string }[];
  truncated: boolean;
}
interface SuspectsBody {
  verdict: string;
  message: string;
  suspects: { event: ChangeEvent; score: number; reasons: string[]; via?: { id: string } }[];
}

const config = {
  auth: {
    tokens: [
      { name: 'ci', token: INGEST, scopes: ['ingest'] },
      { name: 'grafana', token: READ, scopes: ['read'] },
      { name: 'globex', token: OTHER, scopes: ['ingest', 'read'], tenant: 'globex' },
    ],
  },
  grafana: { url: 'https://grafana.example.com/' },
};

describe.each(STORE_KINDS)('drilldown on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(database, config);
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  describe('the chain from commit to rollout', () => {
    let ids: Record<string, string>;

    beforeAll(async () => {
      const story = githubStory();
      const image = ci({
        kind: 'release',
        status: 'succeeded',
        title: `Image ${IMAGE} published`,
        project: 'Codertocat/Hello-World',
        timestamp: ago(185),
        refs: { image: IMAGE, commit: SHA },
      });
      const deploy = rollout({
        title: 'Rollout of checkout: hello-world 1.4.1 → 1.4.2',
        timestamp: ago(40),
        endTimestamp: ago(35),
        refs: { image: IMAGE },
      });
      const lookalike = ci({ kind: 'push', title: 'unrelated push', refs: { commit: LOOKALIKE } });
      const stored = await post(t, [...story, image, deploy, lookalike]);
      // The other tenant has a change on the same commit: never part of this tenant's chain.
      await post(t, [ci({ kind: 'push', title: 'globex push', refs: { commit: SHA } })], OTHER);
      const kinds = [...story, image, deploy, lookalike].map((e) => e.kind);
      const idOf = (kind: string, nth = 0) =>
        stored.filter((_, i) => kinds[i] === kind)[nth] ?? `no ${kind}`;
      ids = {
        merge: idOf('merge'),
        push: idOf('push'),
        run: idOf('pipeline'),
        image: idOf('release'),
        deploy: idOf('deploy'),
        lookalike: stored.at(-1)!,
      };
      // The connector records the merged pull request twice: closed (pull_request) and merge.
      ids.pr = idOf('pull_request');
    });

    test('from the rollout back to the commit: every change, each link named by its key', async () => {
      const { status, body } = await get<ChainBody>(t, `/api/v1/events/${ids.deploy}/chain`);
      expect(status).toBe(200);
      expect(body.root.id).toBe(ids.deploy);
      expect(new Set(body.events.map((e) => e.id))).toEqual(
        new Set([ids.pr, ids.merge, ids.push, ids.run, ids.image, ids.deploy]),
      );
      expect(body.events.map((e) => e.kind)).toEqual([
        'pull_request',
        'merge',
        'push',
        'pipeline',
        'release',
        'deploy',
      ]);
      expect(body.truncated).toBe(false);
      // The rollout met the image by the image it runs; everything else met by the commit.
      expect(body.links).toContainEqual({
        from: ids.image,
        to: ids.deploy,
        key: 'image',
        value: IMAGE,
      });
      const commitLinks = body.links.filter((l) => l.key === 'commit');
      expect(commitLinks.length).toBeGreaterThanOrEqual(3);
      // Joined by the merged commit, or (pull request to merge) by the pull request's head.
      for (const link of commitLinks) expect(link.value).toMatch(/^[0-9a-f]{40}$/);
      expect(commitLinks.map((l) => l.value)).toContain(SHA);
      // Every link points forward in time.
      const at = new Map(body.events.map((e) => [e.id, Date.parse(e.timestamp)]));
      for (const link of body.links)
        expect(at.get(link.from)!).toBeLessThanOrEqual(at.get(link.to)!);
    });

    test('from the commit forward, the same chain; a look-alike short SHA never joins it', async () => {
      const { body } = await get<ChainBody>(t, `/api/v1/events/${ids.push}/chain`);
      const found = body.events.map((e) => e.id);
      expect(found).toEqual(expect.arrayContaining([ids.deploy, ids.image, ids.merge, ids.run]));
      expect(found).not.toContain(ids.lookalike);
      expect(body.events.some((e) => e.title === 'globex push')).toBe(false);
    });

    test('the size cap is reported, not hidden', async () => {
      const { status, body } = await get<ChainBody>(
        t,
        `/api/v1/events/${ids.deploy}/chain?maxEvents=3`,
      );
      expect(status).toBe(200);
      expect(body.events).toHaveLength(3);
      expect(body.truncated).toBe(true);
    });

    test("another tenant's event, an unknown id, a bad id: 404; a bad maxEvents: 400", async () => {
      expect((await get(t, `/api/v1/events/${ids.deploy}/chain`, OTHER)).status).toBe(404);
      expect(
        (await get(t, '/api/v1/events/00000000-0000-7000-8000-000000000000/chain')).status,
      ).toBe(404);
      expect((await get(t, '/api/v1/events/not-an-id/chain')).status).toBe(404);
      const bad = await get<{ error: string }>(t, `/api/v1/events/${ids.deploy}/chain?maxEvents=1`);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('invalid_query');
    });
  });

  describe('suspects', () => {
    // Each story lives in its own service so that the stories do not disturb each other.
    test("a bad deploy of the alerting service to production ranks first among other services' deploys, staging and older ones", async () => {
      const [bad] = await post(t, [
        rollout({
          service: 'payments',
          title: 'payments v2.3.0 to production',
          timestamp: ago(12),
          status: 'failed',
        }),
        rollout({ service: 'search', title: 'search v9 to production', timestamp: ago(5) }),
        rollout({ service: 'ledger', title: 'ledger v1 to production', timestamp: ago(8) }),
        rollout({
          service: 'payments',
          environment: 'staging',
          title: 'payments v2.4.0 to staging',
          timestamp: ago(3),
        }),
        rollout({
          service: 'payments',
          title: 'payments v2.2.0 to production',
          timestamp: ago(180),
        }),
      ]);
      const { status, body } = await get<SuspectsBody>(
        t,
        `/api/v1/suspects?at=${encodeURIComponent(AT.toISOString())}&service=payments&environment=production`,
      );
      expect(status).toBe(200);
      expect(body.verdict).toBe('suspects');
      expect(body.suspects[0]!.event.id).toBe(bad);
      expect(body.suspects[0]!.reasons).toEqual(
        expect.arrayContaining([
          'deployed to production 12 min before the alert',
          'same service: payments',
          'same environment: production',
          'it failed',
        ]),
      );
      // The older production deploy is outside the two-hour window.
      expect(body.suspects.some((s) => s.event.title === 'payments v2.2.0 to production')).toBe(
        false,
      );
      const titles = body.suspects.map((s) => s.event.title);
      expect(titles.indexOf('payments v2.4.0 to staging')).toBeGreaterThan(0);
    });

    test('a config change without any deploy ranks first, above the code changes of the hour', async () => {
      const [config] = await post(t, [
        ci({
          connector: 'kubernetes',
          kind: 'config',
          status: 'succeeded',
          service: 'inventory',
          environment: 'production',
          project: 'prod-eu/inventory',
          title: 'ConfigMap inventory-settings: POOL_SIZE 50 → 5',
          timestamp: ago(20),
        }),
        ci({ kind: 'push', service: 'inventory', title: 'push to main', timestamp: ago(15) }),
        ci({ kind: 'pull_request', service: 'inventory', title: 'PR opened', timestamp: ago(10) }),
      ]);
      const { body } = await get<SuspectsBody>(
        t,
        `/api/v1/suspects?at=${AT.getTime()}&service=inventory&environment=production`,
      );
      expect(body.suspects[0]!.event.id).toBe(config);
      expect(body.suspects[0]!.reasons[0]).toBe('configuration changed 20 min before the alert');
    });

    test('nothing relevant in the window: "no change correlated", said so explicitly', async () => {
      // Ten hours before the other stories: only a staging deploy of another service, long before.
      await post(t, [
        rollout({
          service: 'mailer',
          environment: 'staging',
          title: 'mailer to staging',
          timestamp: ago(700),
        }),
      ]);
      const { status, body } = await get<SuspectsBody>(
        t,
        `/api/v1/suspects?at=${encodeURIComponent(ago(600))}&service=billing&environment=production&lookback=2h`,
      );
      expect(status).toBe(200);
      expect(body.verdict).toBe('no_change_correlated');
      expect(body.suspects).toEqual([]);
      expect(body.message).toMatch(
        /^No change correlated: nothing for billing, production scores 10 or more/,
      );
    });

    test('a rollout that started before the window and was still running at alert time counts', async () => {
      const [slow] = await post(t, [
        rollout({
          service: 'reports',
          title: 'reports canary rollout',
          timestamp: ago(300),
          status: 'in_progress',
        }),
      ]);
      const { body } = await get<SuspectsBody>(
        t,
        `/api/v1/suspects?at=${AT.getTime()}&service=reports&environment=production&lookback=1h`,
      );
      expect(body.suspects[0]!.event.id).toBe(slow);
      expect(body.suspects[0]!.reasons[0]).toMatch(/^rollout still in progress at alert time/);
    });

    test('the merge that shipped with the top deploy inherits part of its score, with the reason', async () => {
      const { body } = await get<SuspectsBody>(
        t,
        `/api/v1/suspects?at=${encodeURIComponent(ago(-5))}&service=checkout&environment=production&lookback=1h`,
      );
      expect(body.suspects[0]!.event.title).toBe('Rollout of checkout: hello-world 1.4.1 → 1.4.2');
      const merge = body.suspects.find((s) => s.event.kind === 'merge');
      expect(merge).toBeDefined();
      expect(merge!.via?.id).toBe(body.suspects[0]!.event.id);
      expect(merge!.reasons[0]).toMatch(
        /^shipped to production with "Rollout of checkout: hello-world 1\.4\.1 → 1\.4\.2"/,
      );
      expect(merge!.score).toBeLessThan(body.suspects[0]!.score);
    });

    test("one tenant never sees another's changes as suspects", async () => {
      const { body } = await get<SuspectsBody>(
        t,
        `/api/v1/suspects?at=${AT.getTime()}&service=payments&environment=production`,
        OTHER,
      );
      expect(body.verdict).toBe('no_change_correlated');
    });

    test.each([
      ['at=yesterday', 'invalid_time'],
      ['at=2026-02-30T10:00:00Z', 'invalid_time'],
      ['lookback=-5m', 'invalid_query'],
      ['lookback=0m', 'invalid_query'],
      ['lookback=30d', 'invalid_query'],
      ['lookback=soon', 'invalid_query'],
      ['window=2h', 'invalid_query'],
    ])('%s is refused with %s', async (query, code) => {
      const { status, body } = await get<{ error: string; message: string }>(
        t,
        `/api/v1/suspects?${query}`,
      );
      expect(status).toBe(400);
      expect(body.error).toBe(code);
    });
  });

  describe("Grafana's webhook contact point", () => {
    const payload = () => {
      const body = JSON.parse(
        readFileSync(new URL('./testdata/grafana-webhook-firing.json', import.meta.url), 'utf8'),
      ) as { status: string; alerts: Record<string, unknown>[] };
      body.alerts[0]!.startsAt = ago(0);
      return body;
    };
    const send = (body: unknown, headers: Record<string, string> = auth(INGEST)) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/alerts/grafana',
        headers,
        payload: body as object,
      });

    test('a firing alert is recorded on the timeline and answered with its top suspects', async () => {
      const res = await send(payload());
      expect(res.statusCode).toBe(200);
      const body = res.json() as {
        created: number;
        alerts: {
          id: string;
          status: string;
          verdict: string;
          suspects: { title: string; reasons: string[] }[];
        }[];
      };
      expect(body.created).toBe(1);
      const [alert] = body.alerts;
      expect(alert!.status).toBe('firing');
      expect(alert!.verdict).toBe('suspects');
      expect(alert!.suspects[0]!.title).toBe('Rollout of checkout: hello-world 1.4.1 → 1.4.2');

      const stored = await get<ChangeEvent>(t, `/api/v1/events/${alert!.id}`);
      expect(stored.body).toMatchObject({
        connector: 'grafana',
        kind: 'alert',
        status: 'started',
        title: 'Firing: High error rate — checkout returns errors',
        service: 'checkout',
        environment: 'production',
        timestamp: ago(0),
        url: 'https://grafana.example.com/d/checkout-overview?viewPanel=4',
        tags: ['alert', 'severity:critical'],
      });
      // ?alert= takes the scope and the time from the stored alert.
      const suspects = await get<SuspectsBody & { alert: ChangeEvent }>(
        t,
        `/api/v1/suspects?alert=${alert!.id}`,
      );
      expect(suspects.body.alert.id).toBe(alert!.id);
      expect(suspects.body.suspects[0]!.event.title).toBe(
        'Rollout of checkout: hello-world 1.4.1 → 1.4.2',
      );
    });

    test('resolved ends the same event; a late firing repeat never reopens it', async () => {
      const resolved = payload();
      resolved.status = 'resolved';
      Object.assign(resolved.alerts[0]!, { status: 'resolved', endsAt: ago(-10) });
      const res = await send(resolved, {
        // Basic auth, with the token as the password, as the contact point may send it.
        authorization: `Basic ${Buffer.from(`grafana:${INGEST}`).toString('base64')}`,
      });
      expect(res.statusCode).toBe(200);
      const { alerts } = res.json() as { alerts: { id: string; suspects: unknown[] }[] };
      expect(alerts[0]!.suspects).toEqual([]);
      expect((await send(payload())).statusCode).toBe(200);
      const stored = await get<ChangeEvent>(t, `/api/v1/events/${alerts[0]!.id}`);
      expect(stored.body).toMatchObject({ status: 'succeeded', endTimestamp: ago(-10) });
    });

    test.each([
      ['no alerts list', (b: Record<string, unknown>) => delete b.alerts, 'body/alerts'],
      [
        'an alert without a fingerprint',
        (b: Record<string, unknown>) =>
          delete (b.alerts as Record<string, unknown>[])[0]!.fingerprint,
        'body/alerts/0/fingerprint',
      ],
      [
        'a start that is not a time',
        (b: Record<string, unknown>) =>
          ((b.alerts as Record<string, unknown>[])[0]!.startsAt = 'now'),
        'body/alerts/0/startsAt',
      ],
      [
        'an unknown status',
        (b: Record<string, unknown>) =>
          ((b.alerts as Record<string, unknown>[])[0]!.status = 'pending'),
        'body/alerts/0/status',
      ],
    ])('%s: 400 naming the path, nothing stored', async (_name, spoil, path) => {
      const before = await t.count();
      const body = payload() as unknown as Record<string, unknown>;
      spoil(body);
      const res = await send(body);
      expect(res.statusCode).toBe(400);
      const error = res.json() as { error: string; details: { path: string }[] };
      expect(error.error).toBe('invalid_body');
      expect(error.details.map((d) => d.path)).toContain(path);
      expect(await t.count()).toBe(before);
    });

    test('a read-only token, or none, cannot record alerts', async () => {
      expect((await send(payload(), auth(READ))).statusCode).toBe(403);
      expect((await send(payload(), {})).statusCode).toBe(401);
      expect(
        (
          await send(payload(), {
            authorization: `Basic ${Buffer.from('grafana:wrong-token-000000').toString('base64')}`,
          })
        ).statusCode,
      ).toBe(401);
    });
  });

  describe('/go/changes', () => {
    test('redirects to the Changes dashboard with the variables and the range around the alert', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/go/changes?service=checkout&environment=production&at=${AT.getTime()}`,
      });
      expect(res.statusCode).toBe(302);
      const target = new URL(res.headers.location as string);
      expect(target.origin + target.pathname).toBe(
        'https://grafana.example.com/d/painchain-changes/changes',
      );
      expect(target.searchParams.get('var-service')).toBe('checkout');
      expect(target.searchParams.get('var-environment')).toBe('production');
      expect(Number(target.searchParams.get('from'))).toBe(AT.getTime() - 120 * MINUTE);
      expect(Number(target.searchParams.get('to'))).toBe(AT.getTime() + 15 * MINUTE);
    });

    test('never leaves the configured Grafana, whatever the parameters say', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/go/changes?service=${encodeURIComponent('//evil.example.com/x?')}`,
      });
      expect(res.statusCode).toBe(302);
      expect(new URL(res.headers.location as string).origin).toBe('https://grafana.example.com');
      const bad = await t.app.inject({ method: 'GET', url: '/go/changes?at=later' });
      expect(bad.statusCode).toBe(400);
      const extra = await t.app.inject({
        method: 'GET',
        url: '/go/changes?next=https://evil.example.com',
      });
      expect(extra.statusCode).toBe(400);
    });
  });
});

test('/go/changes without grafana.url says what to set', async () => {
  const database = await createTestDatabase('pglite');
  const t = await startApp(database, {});
  try {
    const res = await t.app.inject({ method: 'GET', url: '/go/changes?service=checkout' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'grafana_not_configured' });
  } finally {
    await t.close();
    await database.drop();
  }
});
