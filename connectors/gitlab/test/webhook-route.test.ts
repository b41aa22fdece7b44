// GitLab's documentation payloads through the collector's real webhook route (real app, real
// store: PGlite and PostgreSQL) with the right X-Gitlab-Token: each stored as its golden file
// says, once however often it is delivered; a wrong or missing token stores nothing; hooks
// PainChain does not record are answered 202 with a reason; a pipeline's late `running`
// delivery never overwrites its `success`.
import { readFileSync } from 'node:fs';
import type { ChangeEventInput } from '@painchain/sdk';
import {
  createTestDatabase,
  postWebhook,
  readEvents,
  startApp,
  STORE_KINDS,
  type TestApp,
  type TestDatabase,
} from '@painchain/collector/testing';
import { createGitlabConnectorDefinition } from '../src/gitlab-connector.js';

const SECRET = 'a-gitlab-secret-token';
const RECEIVED_AT = new Date('2026-01-01T00:00:00Z');
const TESTDATA = new URL('../testdata/', import.meta.url);
const GOLDEN_UUID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

type Json = Record<string, unknown>;
interface Sample {
  name: string;
  header: string;
  payload: Json;
  golden: { events: ChangeEventInput[] } | { ignored: string };
}

const read = (path: string) => JSON.parse(readFileSync(new URL(path, TESTDATA), 'utf8')) as unknown;
const samples: Sample[] = (read('webhooks/index.json') as { file: string; header: string }[]).map(
  (entry) => {
    const name = entry.file.replace(/\.json$/, '');
    return {
      name,
      header: entry.header,
      payload: read(`webhooks/${entry.file}`) as Json,
      golden: read(`${name}.expected.json`) as Sample['golden'],
    };
  },
);
const sample = (name: string) => samples.find((candidate) => candidate.name === name)!;

let uuid = 0;
/** GitLab's request: the hook's name, a delivery UUID, the secret token and the JSON body. */
function deliver(
  t: TestApp,
  header: string,
  payload: unknown,
  headers: Record<string, string | undefined> = {},
) {
  const sent: Record<string, string> = {
    'x-gitlab-event': header,
    'x-gitlab-event-uuid': `00000000-0000-4000-8000-${String((uuid += 1)).padStart(12, '0')}`,
    'x-gitlab-token': SECRET,
    'user-agent': 'GitLab/18.6.0',
  };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete sent[name];
    else sent[name] = value;
  }
  return postWebhook(t.app, { type: 'gitlab', headers: sent, body: payload });
}

/** The stored form of a golden event: what the query API answers for it. */
const stored = (event: ChangeEventInput) => ({
  connector: 'gitlab',
  externalId: event.externalId,
  kind: event.kind,
  status: event.status ?? null,
  title: event.title,
  project: event.project,
  environment: event.environment ?? null,
  timestamp: new Date(event.timestamp).toISOString(),
  endTimestamp: event.endTimestamp ? new Date(event.endTimestamp).toISOString() : null,
  updatedAt: event.updatedAt ? new Date(event.updatedAt).toISOString() : null,
  author: event.author ?? null,
  url: event.url ?? null,
  refs: event.refs ?? {},
  data: event.data ?? {},
});

/** painchain.yaml as data: the connector takes deliveries checked against the secret. */
const PAINCHAIN_YAML = {
  // The documentation's examples are from 2011 on: keep them whatever retention says.
  store: { retentionDays: 36_500 },
  connectors: [
    { name: 'gitlab', type: 'gitlab', options: { webhookSecret: '${GITLAB_WEBHOOK_SECRET}' } },
  ],
};
const HARNESS = {
  connectorTypes: [createGitlabConnectorDefinition({ now: () => RECEIVED_AT })],
  env: { GITLAB_WEBHOOK_SECRET: SECRET },
};

describe.each(STORE_KINDS)('GitLab webhooks through the collector on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(database, PAINCHAIN_YAML, HARNESS);
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    await t.db.exec('DELETE FROM events; DELETE FROM event_keys');
  });

  test.each(samples.map((s) => [`${s.header}: ${s.name}`, s] as const))(
    '%s is stored as its golden file says, once',
    async (_name, s) => {
      // The delivery UUID the golden files were made with (it keys feature-flag toggles).
      const first = await deliver(t, s.header, s.payload, { 'x-gitlab-event-uuid': GOLDEN_UUID });
      if ('ignored' in s.golden) {
        expect(first.statusCode).toBe(202);
        expect(first.json()).toMatchObject({
          status: 'ignored',
          reason: s.golden.ignored,
          ids: [],
        });
        expect(await t.count()).toBe(0);
        return;
      }
      expect(first.statusCode).toBe(200);
      const answer = first.json() as { ids: string[]; created: number };
      expect(answer.created).toBe(s.golden.events.length);
      const events = await readEvents(t.app, { connector: 'gitlab' });
      expect(
        events.map(
          ({ id: _id, receivedAt: _at, tags: _tags, service: _s, description: _d, ...rest }) =>
            rest,
        ),
      ).toEqual(expect.arrayContaining(s.golden.events.map(stored)));

      // GitLab retries a delivery that timed out: the same UUID and body store nothing new.
      const again = await deliver(t, s.header, s.payload, { 'x-gitlab-event-uuid': GOLDEN_UUID });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ created: 0, ids: answer.ids });
      expect(await t.count()).toBe(s.golden.events.length);
    },
  );

  test.each([
    ['a wrong token', { 'x-gitlab-token': 'not-the-secret' }],
    ['no token', { 'x-gitlab-token': undefined }],
    ['an empty token', { 'x-gitlab-token': '' }],
  ] as const)(
    '%s is refused with 401 invalid_signature and stores nothing',
    async (_name, headers) => {
      const res = await deliver(t, 'Push Hook', sample('push-events').payload, headers);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'invalid_signature' });
      expect(await t.count()).toBe(0);
    },
  );

  test('a body that is not JSON is refused with 400 and stores nothing', async () => {
    const res = await postWebhook(t.app, {
      type: 'gitlab',
      headers: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET },
      rawBody: '{"object_kind": "push",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_json' });
    expect(await t.count()).toBe(0);
  });

  test('a delivery without X-Gitlab-Event is answered 202 with the reason', async () => {
    const res = await deliver(t, 'Push Hook', sample('push-events').payload, {
      'x-gitlab-event': undefined,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'ignored', reason: 'no X-Gitlab-Event header' });
  });

  test('a pipeline pending → running → success is one change; a late running leaves it succeeded', async () => {
    const hook = sample('pipeline-events').payload;
    const base = hook.object_attributes as Json;
    const builds = hook.builds as Json[];
    const at = (status: string, finished: string | null, started: string | null) => ({
      ...hook,
      object_attributes: {
        ...base,
        status,
        finished_at: finished,
        duration: finished ? 181 : null,
      },
      builds: builds.map((build) => ({
        ...build,
        status,
        started_at: started,
        finished_at: finished,
      })),
    });
    const pending = at('pending', null, null);
    const running = at('running', null, '2016-08-12 15:24:56 UTC');
    const success = at('success', '2016-08-12 15:26:29 UTC', '2016-08-12 15:24:56 UTC');

    const states: string[] = [];
    for (const delivery of [pending, running, success]) {
      expect((await deliver(t, 'Pipeline Hook', delivery)).statusCode).toBe(200);
      const [event] = await readEvents(t.app, { connector: 'gitlab' });
      states.push(String(event!.status));
    }
    expect(states).toEqual(['started', 'in_progress', 'succeeded']);

    // GitLab retried the running delivery after the pipeline had finished.
    const late = await deliver(t, 'Pipeline Hook', running);
    expect(late.json()).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    const events = await readEvents(t.app, { connector: 'gitlab' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      externalId: 'pipeline:gitlab-org/gitlab-test:31',
      status: 'succeeded',
      timestamp: '2016-08-12T15:23:28.000Z',
      endTimestamp: '2016-08-12T15:26:29.000Z',
      refs: { pipeline: 31, commit: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2', pullRequest: 1 },
    });
  });

  test('feature flag toggles are one change each; a redelivery of one stays one', async () => {
    const flag = sample('feature-flag-events').payload;
    const attributes = flag.object_attributes as Json;
    const off = { ...flag, object_attributes: { ...attributes, active: false } };
    await deliver(t, 'Feature Flag Hook', flag, { 'x-gitlab-event-uuid': 'toggle-1' });
    await deliver(t, 'Feature Flag Hook', off, { 'x-gitlab-event-uuid': 'toggle-2' });
    await deliver(t, 'Feature Flag Hook', flag, { 'x-gitlab-event-uuid': 'toggle-3' });
    const redelivered = await deliver(t, 'Feature Flag Hook', off, {
      'x-gitlab-event-uuid': 'toggle-2',
    });
    expect(redelivered.json()).toMatchObject({ created: 0 });
    const events = await readEvents(t.app, { connector: 'gitlab', kind: 'feature_flag' });
    expect(events.map((event) => event.title).sort()).toEqual([
      'Feature flag test-feature-flag turned off',
      'Feature flag test-feature-flag turned on',
      'Feature flag test-feature-flag turned on',
    ]);
  });

  test('a sender without X-Gitlab-Event-UUID is deduplicated by Idempotency-Key, else by the body', async () => {
    const flag = sample('feature-flag-events').payload;
    const bare = { 'x-gitlab-event-uuid': undefined };
    await deliver(t, 'Feature Flag Hook', flag, { ...bare, 'idempotency-key': 'key-1' });
    await deliver(t, 'Feature Flag Hook', flag, { ...bare, 'idempotency-key': 'key-1' });
    expect(await t.count()).toBe(1);
    await deliver(t, 'Feature Flag Hook', flag, bare);
    const same = await deliver(t, 'Feature Flag Hook', flag, bare);
    expect(same.json()).toMatchObject({ created: 0 });
    expect(await t.count()).toBe(2);
  });

  test('the named route reaches the same connector; a merge links to its pipeline by commit', async () => {
    const mr = sample('merge-request-events').payload;
    const merged = {
      ...mr,
      object_attributes: {
        ...(mr.object_attributes as Json),
        action: 'merge',
        state: 'merged',
        merge_commit_sha: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
        updated_at: '2016-08-12T15:20:00Z',
      },
    };
    const res = await postWebhook(t.app, {
      type: 'gitlab',
      name: 'gitlab',
      headers: { 'x-gitlab-event': 'Merge Request Hook', 'x-gitlab-token': SECRET },
      body: merged,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ connector: 'gitlab', created: 2 });
    const [merge] = await readEvents(t.app, { connector: 'gitlab', kind: 'merge' });
    expect(merge).toMatchObject({
      title: 'Merged !1 into master: MS-Viewport',
      refs: { commit: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2', pullRequest: 1 },
    });
  });
});
