// Delivery performance on both stores: a week of deploys of two services with known chains, a
// redeploy, a deploy without a chain, one still in progress, one failed rollout, one rollback,
// one incident and one alert still firing; every figure below is worked out by hand from the
// story, in the comments beside it. Then time zones, weeks, the failure window from the config,
// tenants, and every bad parameter answered 400 with nothing changed.
import {
  createTestDatabase,
  STORE_KINDS,
  startApp,
  startCollector,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Monday 00:00 UTC, two to three weeks ago: the story's week, whole and in the past. */
const WEEK = (() => {
  const today = new Date();
  const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const sinceMonday = (today.getUTCDay() + 6) % 7;
  return midnight - (sinceMonday + 14) * DAY;
})();
/** `day` 0 is Monday; `at` is hours and minutes. */
const at = (day: number, hours: number, minutes = 0) =>
  new Date(WEEK + day * DAY + hours * HOUR + minutes * MINUTE).toISOString();

const INGEST = 'ingest-token-0123456789';
const READ = 'read-token-0123456789ab';
const OTHER = 'other-tenant-token-0123';
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** Commit SHAs, distinct in their first seven characters (the chain's key). */
const SHA = {
  c1: 'c1c1c1c0ffee0000000000000000000000000001',
  c2: 'c2c2c2c0ffee0000000000000000000000000002',
  c3: 'c3c3c3c0ffee0000000000000000000000000003',
  c4: 'c4c4c4c0ffee0000000000000000000000000004',
  c5: 'c5c5c5c0ffee0000000000000000000000000005',
  c6: 'c6c6c6c0ffee0000000000000000000000000006',
  c7: 'c7c7c7c0ffee0000000000000000000000000007',
};

type Story = Record<string, Record<string, unknown>>;

const checkout = (event: Record<string, unknown>) => ({
  connector: 'ci',
  project: 'acme/checkout',
  service: 'checkout',
  environment: 'production',
  ...event,
});
const payments = (event: Record<string, unknown>) => ({
  connector: 'ci',
  project: 'acme/payments',
  service: 'payments',
  environment: 'production',
  ...event,
});

/** The week, by name: the names are what the expectations below refer to. */
const STORY: Story = {
  // Before the range: what checkout ran when the week began.
  checkoutBefore: checkout({
    kind: 'deploy',
    status: 'succeeded',
    title: 'Deploy checkout 0.9.0',
    timestamp: at(-1, 10),
    refs: { version: '0.9.0' },
  }),

  // checkout, Monday: push → pipeline builds the image → deploy of that image, 10:00–10:10.
  c1Push: checkout({
    kind: 'push',
    title: 'Push to main',
    timestamp: at(0, 8),
    refs: { commit: SHA.c1 },
    service: undefined,
    environment: undefined,
  }),
  c1Build: checkout({
    kind: 'pipeline',
    status: 'succeeded',
    title: 'Build checkout 1.0.0',
    timestamp: at(0, 9),
    refs: { commit: SHA.c1, image: 'registry.example.com/checkout:1.0.0' },
  }),
  c1Staging: checkout({
    kind: 'deploy',
    status: 'succeeded',
    environment: 'staging',
    title: 'Deploy checkout 1.0.0 to staging',
    timestamp: at(0, 9, 30),
    refs: { image: 'registry.example.com/checkout:1.0.0', version: '1.0.0' },
  }),
  c1: checkout({
    kind: 'deploy',
    status: 'succeeded',
    title: 'Deploy checkout 1.0.0',
    timestamp: at(0, 10),
    endTimestamp: at(0, 10, 10),
    refs: { image: 'registry.example.com/checkout:1.0.0', version: '1.0.0' },
  }),
  // Tuesday: a merge, deployed 12:00–12:05; an incident on checkout 14:00–15:30.
  c2Merge: checkout({
    kind: 'merge',
    status: 'succeeded',
    title: 'Merge #12',
    timestamp: at(1, 9),
    refs: { commit: SHA.c2, pullRequest: 12 },
  }),
  c2: checkout({
    kind: 'deploy',
    status: 'succeeded',
    title: 'Deploy checkout 1.1.0',
    timestamp: at(1, 12),
    endTimestamp: at(1, 12, 5),
    refs: { commit: SHA.c2, version: '1.1.0' },
  }),
  incident: checkout({
    connector: 'pagerduty',
    kind: 'incident',
    status: 'succeeded',
    title: 'Checkout errors',
    timestamp: at(1, 14),
    endTimestamp: at(1, 15, 30),
  }),
  // Wednesday: the same version again (a restart): a redeploy.
  c3Redeploy: checkout({
    kind: 'deploy',
    status: 'succeeded',
    title: 'Redeploy checkout 1.1.0',
    timestamp: at(2, 10),
    endTimestamp: at(2, 10, 4),
    refs: { commit: SHA.c2, version: '1.1.0' },
  }),
  // Thursday 20:00 UTC: a deploy that names nothing the chain could follow.
  c4NoChain: checkout({
    kind: 'deploy',
    status: 'succeeded',
    title: 'Deploy checkout 1.2.0',
    timestamp: at(3, 20),
    endTimestamp: at(3, 20, 6),
    refs: { version: '1.2.0' },
  }),
  // Friday: a rollout still under way.
  c5InProgress: checkout({
    kind: 'deploy',
    status: 'in_progress',
    title: 'Deploy checkout 1.3.0',
    timestamp: at(4, 16),
    refs: { commit: SHA.c5, version: '1.3.0' },
  }),

  // payments, Monday: push 11:00, deploy 13:00–13:20.
  p1Push: payments({
    kind: 'push',
    title: 'Push to main',
    timestamp: at(0, 11),
    refs: { commit: SHA.c3 },
    service: undefined,
    environment: undefined,
  }),
  p1: payments({
    kind: 'deploy',
    status: 'succeeded',
    title: 'Deploy payments 2.0.0',
    timestamp: at(0, 13),
    endTimestamp: at(0, 13, 20),
    refs: { commit: SHA.c3, version: '2.0.0' },
  }),
  // Tuesday 15:00 a pull request; Wednesday 09:00 its rollout fails; 09:30–09:40 a rollback.
  p2Pr: payments({
    connector: 'github',
    kind: 'pull_request',
    status: 'succeeded',
    title: 'PR #7',
    timestamp: at(1, 15),
    refs: { pullRequest: 7, headSha: SHA.c4 },
  }),
  p2Failed: payments({
    kind: 'deploy',
    status: 'failed',
    title: 'Deploy payments 2.1.0 failed',
    timestamp: at(2, 9),
    endTimestamp: at(2, 9, 3),
    refs: { commit: SHA.c4, version: '2.1.0' },
  }),
  p2Rollback: payments({
    kind: 'rollback',
    status: 'succeeded',
    title: 'Roll back payments to 2.0.0',
    timestamp: at(2, 9, 30),
    endTimestamp: at(2, 9, 40),
    refs: { version: '2.0.0' },
  }),
  // Thursday: a merge 08:00, deployed 10:00–10:15, rolled back 11:00–11:05.
  p3Merge: payments({
    connector: 'github',
    kind: 'merge',
    status: 'succeeded',
    title: 'Merge #8',
    timestamp: at(3, 8),
    refs: { commit: SHA.c6, pullRequest: 8 },
  }),
  p3: payments({
    kind: 'deploy',
    status: 'succeeded',
    title: 'Deploy payments 2.1.1',
    timestamp: at(3, 10),
    endTimestamp: at(3, 10, 15),
    refs: { commit: SHA.c6, version: '2.1.1' },
  }),
  p3Rollback: payments({
    kind: 'rollback',
    status: 'succeeded',
    title: 'Roll back payments to 2.0.0',
    timestamp: at(3, 11),
    endTimestamp: at(3, 11, 5),
    refs: { version: '2.0.0' },
  }),
  // Friday 12:00: an alert without an environment, still firing (and too late to fail p3).
  alert: payments({
    connector: 'grafana',
    kind: 'alert',
    status: 'started',
    title: 'Firing: payments latency',
    timestamp: at(4, 12),
    environment: undefined,
  }),
  // Saturday: push 09:00, and a deploy at 10:00 sent without a status or an end.
  p4Push: payments({
    kind: 'push',
    title: 'Push to main',
    timestamp: at(5, 9),
    refs: { commit: SHA.c7 },
    service: undefined,
    environment: undefined,
  }),
  p4: payments({
    kind: 'deploy',
    title: 'Deploy payments 2.2.0',
    timestamp: at(5, 10),
    refs: { commit: SHA.c7, version: '2.2.0' },
  }),
};

const seconds = (ms: number) => ms / 1000;
/** Lead times, by hand: the deploy's end minus the first code change of its chain. */
const LEAD = {
  c1: seconds(2 * HOUR + 10 * MINUTE), // push 08:00 → deploy done 10:10
  c2: seconds(3 * HOUR + 5 * MINUTE), // merge 09:00 → 12:05
  p1: seconds(2 * HOUR + 20 * MINUTE), // push 11:00 → 13:20
  p3: seconds(2 * HOUR + 15 * MINUTE), // merge 08:00 → 10:15
  p4: seconds(1 * HOUR), // push 09:00 → 10:00 (no end: its start)
};
/** Restore times, by hand. */
const RESTORE = {
  incident: seconds(90 * MINUTE), // 14:00 → 15:30
  p2Failed: seconds(40 * MINUTE), // failed rollout 09:00 → rollback done 09:40
};

const config = {
  auth: {
    tokens: [
      { name: 'ci', token: INGEST, scopes: ['ingest'] },
      { name: 'grafana', token: READ, scopes: ['read'] },
      { name: 'globex', token: OTHER, scopes: ['ingest', 'read'], tenant: 'globex' },
    ],
  },
};

interface Figures {
  deployments: {
    count: number;
    perDay: number;
    redeploys: number;
    failedRollouts: number;
    inProgress: number;
    ids?: string[];
    redeployIds?: string[];
    failedRolloutIds?: string[];
    inProgressIds?: string[];
  };
  leadTime: {
    count: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
    withoutChain: number;
    ids?: string[];
    withoutChainIds?: string[];
  };
  changeFailureRate: { rate: number | null; failed: number; deployments: number; ids?: string[] };
  timeToRestore: {
    count: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
    unrestored: number;
    ids?: string[];
    unrestoredIds?: string[];
  };
}
type ServiceFigures = Figures & { service: string | null };
interface Answer {
  from: string;
  to: string;
  environments: string[];
  interval: string;
  timezone: string;
  failureWindowHours: number;
  services: (string | null)[];
  total: Figures;
  byService: ServiceFigures[];
  intervals: { start: string; end: string; total: Figures; services: ServiceFigures[] }[];
  changes?: {
    deploys: {
      id: string;
      outcome: string;
      leadTime?: { seconds: number | null; from?: { id: string }; unknown?: string };
      failures?: { reason: string; id: string }[];
    }[];
    restorations: {
      failure: { id: string };
      restoredBy: { id: string } | null;
      seconds: number | null;
      alsoFailed: string[];
    }[];
  };
}

async function post(
  t: TestApp,
  events: Record<string, unknown>[],
  token = INGEST,
): Promise<string[]> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: auth(token),
    payload: { events },
  });
  expect(res.statusCode).toBe(201);
  return res.json<{ ids: string[] }>().ids;
}

async function delivery(t: TestApp, query: Record<string, string>, token = READ) {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/delivery?${new URLSearchParams(query)}`,
    headers: auth(token),
  });
  return {
    status: res.statusCode,
    body: res.json<Answer & { error?: string; message?: string }>(),
  };
}

const WEEK_RANGE = { from: at(0, 0), to: at(7, 0) };
const byName = (answer: Answer, service: string) =>
  answer.byService.find((s) => s.service === service)!;

describe.each(STORE_KINDS)('delivery performance on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(database, config);
    const names = Object.keys(STORY);
    const ids = await post(t, Object.values(STORY));
    names.forEach((name, i) => (id[name] = ids[i]!));
    // Another tenant deploys checkout to production the same Monday: never counted here.
    id.globex = (
      await post(
        t,
        [
          checkout({
            kind: 'deploy',
            status: 'succeeded',
            title: 'globex deploy',
            timestamp: at(0, 12),
            refs: { version: '7.0.0' },
          }),
        ],
        OTHER,
      )
    )[0]!;
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  test('the week in total: six deploys, lead times from their chains, two failed, two restored', async () => {
    const { status, body } = await delivery(t, { ...WEEK_RANGE, interval: 'day' });
    expect(status).toBe(200);
    expect(body.environments).toEqual(['production']);
    expect(body.services).toEqual(['checkout', 'payments']);
    expect(body.timezone).toBe('UTC');
    expect(body.failureWindowHours).toBe(24);

    const total = body.total;
    // c1, c2, c4NoChain, p1, p3, p4: successful production deploys of a new version. Not counted:
    // the staging deploy, the redeploy, the rollout in progress, the failed rollout, globex's.
    expect(total.deployments).toEqual({
      count: 6,
      perDay: Math.round((6 / 7) * 1000) / 1000,
      redeploys: 1,
      failedRollouts: 1,
      inProgress: 1,
    });
    // Lead times known for five (c4 has no chain): sorted 3600, 7800, 8100, 8400, 11100.
    const lead = [LEAD.p4, LEAD.c1, LEAD.p3, LEAD.p1, LEAD.c2];
    expect(lead).toEqual([3600, 7800, 8100, 8400, 11100]);
    expect(total.leadTime).toEqual({
      count: 5,
      medianSeconds: 8100, // the middle of five
      p90Seconds: 8400 + 0.6 * (11100 - 8400), // position 0.9 × 4 = 3.6: 60% from the 4th to the 5th
      withoutChain: 1,
    });
    // c2 (the incident came 1 h 55 min after it was done) and p3 (rolled back): 2 of 6.
    expect(total.changeFailureRate).toEqual({ rate: 2 / 6, failed: 2, deployments: 6 });
    // Restored: the incident (5400 s) and the failed rollout (2400 s); the alert still fires.
    expect(total.timeToRestore).toEqual({
      count: 2,
      medianSeconds: (RESTORE.p2Failed + RESTORE.incident) / 2,
      p90Seconds: 2400 + 0.9 * (5400 - 2400),
      unrestored: 1,
    });
  });

  test('per service over the range', async () => {
    const { body } = await delivery(t, WEEK_RANGE);
    const c = byName(body, 'checkout');
    expect(c.deployments).toMatchObject({
      count: 3,
      redeploys: 1,
      inProgress: 1,
      failedRollouts: 0,
    });
    expect(c.leadTime).toEqual({
      count: 2,
      medianSeconds: (LEAD.c1 + LEAD.c2) / 2, // 9450
      p90Seconds: LEAD.c1 + 0.9 * (LEAD.c2 - LEAD.c1), // 10770
      withoutChain: 1,
    });
    expect(c.changeFailureRate).toEqual({ rate: 1 / 3, failed: 1, deployments: 3 });
    expect(c.timeToRestore).toEqual({
      count: 1,
      medianSeconds: 5400,
      p90Seconds: 5400,
      unrestored: 0,
    });

    const p = byName(body, 'payments');
    expect(p.deployments).toMatchObject({
      count: 3,
      redeploys: 0,
      inProgress: 0,
      failedRollouts: 1,
    });
    // 3600, 8100, 8400: median 8100; p90 at position 1.8, 80% from 8100 to 8400.
    expect(p.leadTime).toEqual({
      count: 3,
      medianSeconds: 8100,
      p90Seconds: 8100 + 0.8 * 300,
      withoutChain: 0,
    });
    expect(p.changeFailureRate).toEqual({ rate: 1 / 3, failed: 1, deployments: 3 });
    expect(p.timeToRestore).toEqual({
      count: 1,
      medianSeconds: 2400,
      p90Seconds: 2400,
      unrestored: 1,
    });
  });

  test('every day of the week is there for both services: zero, not missing', async () => {
    const { body } = await delivery(t, { ...WEEK_RANGE, interval: 'day' });
    expect(body.intervals.map((i) => i.start)).toEqual([0, 1, 2, 3, 4, 5, 6].map((d) => at(d, 0)));
    expect(body.intervals.map((i) => i.end)).toEqual([1, 2, 3, 4, 5, 6, 7].map((d) => at(d, 0)));
    const counts = body.intervals.map((i) =>
      i.services.map((s) => [s.service, s.deployments.count]),
    );
    expect(counts).toEqual([
      [
        ['checkout', 1],
        ['payments', 1],
      ], // Mon: c1, p1
      [
        ['checkout', 1],
        ['payments', 0],
      ], // Tue: c2
      [
        ['checkout', 0],
        ['payments', 0],
      ], // Wed: the redeploy and the failed rollout count no deploy
      [
        ['checkout', 1],
        ['payments', 1],
      ], // Thu: c4 (20:00 UTC), p3
      [
        ['checkout', 0],
        ['payments', 0],
      ], // Fri: in progress only
      [
        ['checkout', 0],
        ['payments', 1],
      ], // Sat: p4
      [
        ['checkout', 0],
        ['payments', 0],
      ], // Sun
    ]);
    const wednesday = body.intervals[2]!;
    // No deploy, so no failure rate (not 0 %); but the failed rollout was restored that day.
    expect(wednesday.total.changeFailureRate).toEqual({ rate: null, failed: 0, deployments: 0 });
    expect(wednesday.total.leadTime.medianSeconds).toBeNull();
    expect(wednesday.total.timeToRestore).toMatchObject({
      count: 1,
      medianSeconds: RESTORE.p2Failed,
    });
    expect(wednesday.services[0]!.deployments).toMatchObject({ count: 0, perDay: 0, redeploys: 1 });
    expect(body.intervals[1]!.services[0]!.changeFailureRate.rate).toBe(1); // Tue: c2 failed
    expect(body.intervals[3]!.total.changeFailureRate).toEqual({
      rate: 1 / 2,
      failed: 1,
      deployments: 2,
    });
    expect(body.intervals[4]!.services[1]!.timeToRestore).toMatchObject({
      count: 0,
      unrestored: 1,
    });
    expect(body.intervals[6]!.total.deployments.count).toBe(0);
  });

  test('explain lists the changes behind every figure, with each failure’s reason and each lead time’s start', async () => {
    const { body } = await delivery(t, { ...WEEK_RANGE, explain: 'true' });
    const total = body.total;
    expect(total.deployments.ids).toEqual([id.c1, id.p1, id.c2, id.p3, id.c4NoChain, id.p4]);
    expect(total.deployments.redeployIds).toEqual([id.c3Redeploy]);
    expect(total.deployments.failedRolloutIds).toEqual([id.p2Failed]);
    expect(total.deployments.inProgressIds).toEqual([id.c5InProgress]);
    expect(total.leadTime.withoutChainIds).toEqual([id.c4NoChain]);
    expect(total.changeFailureRate.ids).toEqual([id.c2, id.p3]);
    expect(total.timeToRestore.ids).toEqual([id.incident, id.p2Failed]);
    expect(total.timeToRestore.unrestoredIds).toEqual([id.alert]);

    const deploy = (name: string) => body.changes!.deploys.find((d) => d.id === id[name])!;
    expect(deploy('c1').leadTime).toMatchObject({ seconds: LEAD.c1, from: { id: id.c1Push } });
    expect(deploy('c2').leadTime).toMatchObject({ seconds: LEAD.c2, from: { id: id.c2Merge } });
    expect(deploy('p1').leadTime).toMatchObject({ seconds: LEAD.p1, from: { id: id.p1Push } });
    expect(deploy('p3').leadTime).toMatchObject({ seconds: LEAD.p3, from: { id: id.p3Merge } });
    expect(deploy('p4').leadTime).toMatchObject({ seconds: LEAD.p4, from: { id: id.p4Push } });
    expect(deploy('c4NoChain').leadTime).toEqual({ seconds: null, unknown: 'no_chain' });
    expect(deploy('c2').failures).toEqual([
      expect.objectContaining({ reason: 'incident', id: id.incident }),
    ]);
    expect(deploy('p3').failures).toEqual([
      expect.objectContaining({ reason: 'rollback', id: id.p3Rollback }),
    ]);
    // The failed rollout came 43 h after p1 was done: outside the 24 h window, p1 did not fail.
    expect(deploy('p1').failures).toBeUndefined();
    expect(deploy('c3Redeploy')).toMatchObject({ outcome: 'redeploy' });
    expect(deploy('c3Redeploy').leadTime).toBeUndefined();
    expect(deploy('c5InProgress')).toMatchObject({ outcome: 'in_progress' });
    expect(body.changes!.deploys.map((d) => d.id)).not.toContain(id.c1Staging);
    expect(body.changes!.deploys.map((d) => d.id)).not.toContain(id.globex);

    const restoration = body.changes!.restorations.find((r) => r.failure.id === id.p2Failed)!;
    expect(restoration).toMatchObject({
      restoredBy: { id: id.p2Rollback },
      seconds: RESTORE.p2Failed,
      alsoFailed: [],
    });
    // The same ids per slice: the Monday of checkout counted c1 only.
    expect(body.intervals[0]!.services[0]!.deployments.ids).toEqual([id.c1]);
    // Without explain, no ids at all.
    const plain = await delivery(t, WEEK_RANGE);
    expect(plain.body.changes).toBeUndefined();
    expect(plain.body.total.deployments.ids).toBeUndefined();
  });

  test('leadTime=false follows no chain: the other three keys, and no lead time at all', async () => {
    const full = await delivery(t, WEEK_RANGE);
    const { status, body } = await delivery(t, { ...WEEK_RANGE, leadTime: 'false' });
    expect(status).toBe(200);
    expect(body.total.leadTime).toBeUndefined();
    expect(body.byService.every((s) => s.leadTime === undefined)).toBe(true);
    const { leadTime: _skipped, ...others } = full.body.total;
    expect(body.total).toEqual(others);
  });

  test('a redeploy is known across the start of the range: the version ran before it', async () => {
    // From Wednesday: c3 repeats 1.1.0, which c2 put in place on Tuesday.
    const { body } = await delivery(t, {
      from: at(2, 0),
      to: at(7, 0),
      service: 'checkout',
      explain: 'true',
    });
    expect(body.total.deployments).toMatchObject({
      count: 1,
      redeploys: 1,
      redeployIds: [id.c3Redeploy],
      ids: [id.c4NoChain],
    });
    // And c1's 1.0.0 is new after the 0.9.0 that ran before Monday.
    const monday = await delivery(t, { from: at(0, 0), to: at(1, 0), service: 'checkout' });
    expect(monday.body.total.deployments).toMatchObject({ count: 1, redeploys: 0 });
  });

  test('days in another time zone start at its midnight: Thursday 20:00 UTC is Friday in Tokyo', async () => {
    const { body } = await delivery(t, {
      ...WEEK_RANGE,
      timezone: 'Asia/Tokyo',
      service: 'checkout',
    });
    expect(body.timezone).toBe('Asia/Tokyo');
    // Tokyo is UTC+9 all year: its days start at 15:00 UTC, the first on the Sunday before.
    expect(body.intervals[0]!.start).toBe(at(-1, 15));
    expect(body.intervals.map((i) => i.start)).toEqual(
      [-1, 0, 1, 2, 3, 4, 5, 6].map((d) => at(d, 15)),
    );
    const checkoutPerDay = body.intervals.map((i) => i.services[0]!.deployments.count);
    // c1 Mon 19:00, c2 Tue 21:00, c4 Fri 05:00 in Tokyo.
    // Tokyo's Monday is [Sunday 15:00 UTC, Monday 15:00 UTC): c1 (10:00 UTC) falls in it.
    expect(checkoutPerDay).toEqual([1, 1, 0, 0, 1, 0, 0, 0]);
  });

  test('weeks start on Monday and hold the whole week', async () => {
    const { body } = await delivery(t, { ...WEEK_RANGE, interval: 'week' });
    expect(body.intervals).toHaveLength(1);
    expect(body.intervals[0]).toMatchObject({ start: at(0, 0), end: at(7, 0) });
    expect(body.intervals[0]!.total.deployments.count).toBe(6);
    expect(body.intervals[0]!.total.deployments.perDay).toBe(Math.round((6 / 7) * 1000) / 1000);
  });

  test('services asked for are all listed, even one that never deployed', async () => {
    const { body } = await delivery(t, { ...WEEK_RANGE, service: 'payments,search' });
    expect(body.services).toEqual(['payments', 'search']);
    expect(byName(body, 'search').deployments.count).toBe(0);
    expect(byName(body, 'search').changeFailureRate.rate).toBeNull();
    expect(body.total.deployments.count).toBe(3);
  });

  test('another environment is measured when asked for', async () => {
    const { body } = await delivery(t, { ...WEEK_RANGE, environment: 'staging' });
    expect(body.environments).toEqual(['staging']);
    // The staging deploy shares its image with the Monday build: the same chain, the same push.
    expect(body.total.deployments.count).toBe(1);
    expect(body.total.leadTime.medianSeconds).toBe(seconds(90 * MINUTE)); // push 08:00 → 09:30
    // Production's alert and incident are not staging's.
    expect(body.total.timeToRestore).toMatchObject({ count: 0, unrestored: 0 });
  });

  test('the failure window comes from painchain.yaml: with one hour, the incident fails no deploy', async () => {
    const narrow = await startCollector(t.db, { ...config, delivery: { failureWindowHours: 1 } });
    try {
      const { body } = await delivery(narrow, WEEK_RANGE);
      expect(body.failureWindowHours).toBe(1);
      // The incident came 1 h 55 min after c2 was done; the rollback 45 min after p3.
      expect(body.total.changeFailureRate).toEqual({ rate: 1 / 6, failed: 1, deployments: 6 });
    } finally {
      await narrow.close();
    }
  });

  test('each tenant sees its own deploys only', async () => {
    const { status, body } = await delivery(t, { ...WEEK_RANGE, explain: 'true' }, OTHER);
    expect(status).toBe(200);
    expect(body.total.deployments.ids).toEqual([id.globex]);
    expect(body.total.leadTime).toMatchObject({ count: 0, withoutChain: 1 });
  });

  test('needs a token with the read scope', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/delivery' });
    expect(none.statusCode).toBe(401);
    const ingestOnly = await delivery(t, {}, INGEST);
    expect(ingestOnly.status).toBe(403);
    expect(ingestOnly.body.error).toBe('forbidden');
  });

  describe('bad parameters are answered 400 with their code, and change nothing', () => {
    const cases: [string, Record<string, string>, string, RegExp][] = [
      ['an unknown interval', { interval: 'month' }, 'invalid_query', /interval/],
      ['an unknown parameter', { servce: 'checkout' }, 'invalid_query', /servce/],
      ['explain that is not a boolean', { explain: 'maybe' }, 'invalid_query', /explain/],
      [
        'a time zone that does not exist',
        { timezone: 'Mars/Olympus_Mons' },
        'invalid_query',
        /IANA time zone/,
      ],
      [
        'from that is not a time',
        { from: 'yesterday' },
        'invalid_time',
        /from must be an RFC 3339 time/,
      ],
      ['to in epoch seconds', { to: '1700000000' }, 'invalid_time', /epoch seconds/],
      ['from after to', { from: at(3, 0), to: at(1, 0) }, 'invalid_time', /from must be before to/],
      [
        'from equal to to',
        { from: at(3, 0), to: at(3, 0) },
        'invalid_time',
        /from must be before to/,
      ],
      [
        'a range longer than delivery.maxRangeDays',
        { from: at(-400, 0), to: at(0, 0) },
        'invalid_query',
        /366 days/,
      ],
      ['a service with a NUL character', { service: 'check\u0000out' }, 'invalid_query', /service/],
      ['an empty environment', { environment: '' }, 'invalid_query', /environment/],
    ];
    test.each(cases)('%s', async (_what, query, code, message) => {
      const before = await t.count();
      const { status, body } = await delivery(t, query);
      expect({ status, error: body.error }).toEqual({ status: 400, error: code });
      expect(body.message).toMatch(message);
      expect(await t.count()).toBe(before);
    });
  });
});
