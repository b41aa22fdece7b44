// Every example payload of the event types the connector records goes through the collector's
// real webhook route (real app, real store: PGlite and PostgreSQL) with a valid signature, and
// is stored as the expected change; a repeat stores nothing new; a bad signature stores nothing.
import { readFileSync } from 'node:fs';
import { sign } from '@octokit/webhooks-methods';
import type { LightMyRequestResponse } from 'fastify';
import {
  createTestDatabase,
  startApp,
  STORE_KINDS,
  type TestApp,
  type TestDatabase,
} from '@painchain/collector/testing';
import { createGithubConnectorDefinition } from '../src/github-connector.js';
import { RECORDED_EVENTS, webhookExamples, type WebhookExample } from './webhook-examples.js';

const SECRET = 'It is a secret to everybody';
const examples = webhookExamples(RECORDED_EVENTS);
const definition = createGithubConnectorDefinition();

type Json = Record<string, unknown>;
const obj = (value: unknown) => value as Json;

/** What the stored change must look like, decided from the payload alone (not by our code). */
function expectation(example: WebhookExample): Json | undefined {
  const p = example.payload;
  const action = p.action as string | undefined;
  const project = obj(p.repository ?? {}).full_name;
  const runStatus = (status: unknown, conclusion: unknown) =>
    status !== 'completed'
      ? status === 'in_progress'
        ? 'in_progress'
        : 'started'
      : (({ success: 'succeeded', failure: 'failed', cancelled: 'cancelled' } as Json)[
          String(conclusion)
        ] ?? 'unknown');
  switch (example.event) {
    case 'push': {
      const ref = String(p.ref);
      if (ref.startsWith('refs/tags/')) {
        return { kind: 'tag', project, refs: expect.objectContaining({ tag: ref.slice(10) }) };
      }
      return {
        kind: 'push',
        status: 'succeeded',
        project,
        refs: expect.objectContaining({ commit: p.after, branch: ref.slice(11) }),
      };
    }
    case 'pull_request': {
      const pr = obj(p.pull_request);
      if (!['opened', 'reopened', 'ready_for_review', 'closed'].includes(action ?? ''))
        return undefined;
      return {
        kind: 'pull_request',
        status: pr.state === 'open' ? 'in_progress' : 'cancelled',
        project,
        refs: expect.objectContaining({ pullRequest: pr.number, commit: obj(pr.head).sha }),
      };
    }
    case 'workflow_run': {
      const run = obj(p.workflow_run);
      return {
        kind: 'pipeline',
        status: runStatus(run.status, run.conclusion),
        project,
        refs: expect.objectContaining({ pipeline: run.id, commit: run.head_sha }),
      };
    }
    case 'check_suite': {
      const suite = obj(p.check_suite);
      if (action !== 'completed' || obj(suite.app).slug === 'github-actions') return undefined;
      return {
        kind: 'pipeline',
        status: runStatus(suite.status, suite.conclusion),
        project,
        refs: expect.objectContaining({ commit: suite.head_sha }),
      };
    }
    case 'deployment':
    case 'deployment_status': {
      const deployment = obj(p.deployment);
      const state = p.deployment_status ? obj(p.deployment_status).state : undefined;
      const status =
        state === undefined
          ? 'started'
          : (
              {
                success: 'succeeded',
                failure: 'failed',
                error: 'failed',
                in_progress: 'in_progress',
              } as Json
            )[String(state)];
      return {
        kind: 'deploy',
        status,
        project,
        environment: p.deployment_status
          ? obj(p.deployment_status).environment
          : deployment.environment,
        refs: expect.objectContaining({ commit: deployment.sha }),
      };
    }
    case 'release': {
      if (!['published', 'released', 'prereleased'].includes(action ?? '')) return undefined;
      return {
        kind: 'release',
        status: 'succeeded',
        project,
        refs: expect.objectContaining({ tag: obj(p.release).tag_name }),
      };
    }
    case 'create':
    case 'delete':
      if (p.ref_type !== 'tag') return undefined;
      return { kind: 'tag', project, refs: expect.objectContaining({ tag: p.ref }) };
    case 'package': {
      const version = obj(obj(p.package).package_version);
      const image = version.container_metadata !== undefined;
      return {
        kind: 'release',
        status: 'succeeded',
        project,
        refs: image
          ? expect.objectContaining({ image: expect.stringMatching(/^ghcr\.io\/.+@sha256:/) })
          : expect.objectContaining({ version: version.version }),
      };
    }
    default:
      return undefined;
  }
}

/** GitHub's request: the exact bytes, their signature, the event name and a delivery id. */
async function deliver(
  t: TestApp,
  event: string,
  payload: unknown,
  options: { secret?: string; signature?: string | null; form?: boolean; url?: string } = {},
): Promise<LightMyRequestResponse> {
  const json = JSON.stringify(payload);
  const body = options.form ? `payload=${encodeURIComponent(json)}` : json;
  const signature =
    options.signature === undefined
      ? await sign(options.secret ?? SECRET, body)
      : options.signature;
  return t.app.inject({
    method: 'POST',
    url: options.url ?? '/webhooks/github',
    headers: {
      'content-type': options.form ? 'application/x-www-form-urlencoded' : 'application/json',
      'x-github-event': event,
      'x-github-delivery': `delivery-${Math.random().toString(16).slice(2)}`,
      'user-agent': 'GitHub-Hookshot/test',
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
    },
    payload: body,
  });
}

const testdata = (name: string) =>
  (
    JSON.parse(readFileSync(new URL(`../testdata/${name}.json`, import.meta.url), 'utf8')) as {
      payload: Json;
    }
  ).payload;

describe.each(STORE_KINDS)('GitHub webhooks through the collector on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await startApp(
      database,
      {
        // The examples are from 2019: keep them, whatever the retention sweep thinks.
        store: { retentionDays: 36_500 },
        connectors: [
          {
            name: 'github',
            type: 'github',
            options: { webhookSecret: '${GITHUB_WEBHOOK_SECRET}' },
          },
        ],
      },
      { connectorTypes: [definition], env: { GITHUB_WEBHOOK_SECRET: SECRET } },
    );
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    await t.db.exec('DELETE FROM events; DELETE FROM event_keys');
    await t.db.query('DELETE FROM connector_state');
  });

  test.each(examples.map((example) => [`${example.event} #${example.index}`, example] as const))(
    '%s: stored as expected, and once only',
    async (_name, example) => {
      const first = await deliver(t, example.event, example.payload);
      const expected = expectation(example);
      if (example.event === 'ping') {
        expect(first.statusCode).toBe(200);
        expect(first.json()).toMatchObject({ status: 'accepted', reason: 'pong', ids: [] });
        expect(await t.count()).toBe(0);
        return;
      }
      if (!expected) {
        expect(first.statusCode).toBe(202);
        expect(first.json()).toMatchObject({
          status: 'ignored',
          reason: expect.any(String),
          ids: [],
        });
        expect(await t.count()).toBe(0);
        return;
      }
      expect(first.statusCode).toBe(200);
      const answer = first.json() as { ids: string[]; created: number };
      expect(answer.created).toBe(answer.ids.length);
      const stored = (await t.app.inject(`/api/v1/events/${answer.ids[0]}`)).json() as Json;
      expect(stored).toMatchObject({ connector: 'github', ...expected });

      const count = await t.count();
      const again = await deliver(t, example.event, example.payload);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ created: 0, ids: answer.ids });
      expect(await t.count()).toBe(count);
    },
  );

  test('a merged pull request is stored as the merge (with merge commit and head) and the closed PR', async () => {
    const res = await deliver(t, 'pull_request', testdata('pull_request.closed-merged'));
    expect(res.statusCode).toBe(200);
    const events = (await t.app.inject('/api/v1/events?connector=github')).json().events as Json[];
    expect(events.map((e) => [e.kind, e.status]).sort()).toEqual([
      ['merge', 'succeeded'],
      ['pull_request', 'succeeded'],
    ]);
    const merge = events.find((e) => e.kind === 'merge')!;
    expect(merge.refs).toMatchObject({
      commit: '4d5a9d4b6d0e1d0a4d1c8e3a7b9f8e7d6c5b4a39',
      headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      pullRequest: 2,
    });
  });

  test('an older delivery (by the payload updated_at) never overwrites a newer state', async () => {
    const [completed, requested] = [1, 3].map((i) =>
      examples.find((e) => e.event === 'workflow_run' && e.index === i)!,
    );
    expect((await deliver(t, 'workflow_run', completed!.payload)).statusCode).toBe(200);
    const late = await deliver(t, 'workflow_run', requested!.payload);
    expect(late.json()).toMatchObject({ created: 0, unchanged: 1 });
    const events = (await t.app.inject('/api/v1/events?connector=github')).json().events as Json[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 'succeeded', kind: 'pipeline' });
  });

  test('a deployment of an older version to the same environment is a rollback, statuses included', async () => {
    const base = testdata('deployment.created');
    const statusBase = testdata('deployment_status.success');
    const deployment = (id: number, sha: string, at: string) => ({
      ...base,
      deployment: { ...obj(base.deployment), id, sha, created_at: at, updated_at: at },
    });
    const status = (id: number, sha: string, at: string) => ({
      ...statusBase,
      deployment: { ...obj(statusBase.deployment), id, sha, created_at: at, updated_at: at },
      deployment_status: { ...obj(statusBase.deployment_status), created_at: at, updated_at: at },
    });
    const [v1, v2] = ['a'.repeat(40), 'b'.repeat(40)];
    await deliver(t, 'deployment', deployment(1, v1, '2026-01-01T10:00:00Z'));
    await deliver(t, 'deployment', deployment(2, v2, '2026-01-01T11:00:00Z'));
    await deliver(t, 'deployment', deployment(3, v1, '2026-01-01T12:00:00Z'));
    await deliver(t, 'deployment_status', status(3, v1, '2026-01-01T12:01:00Z'));
    const events = (await t.app.inject('/api/v1/events?connector=github')).json().events as Json[];
    expect(events.map((e) => [e.externalId, e.kind, e.status])).toEqual([
      ['deploy:Codertocat/Hello-World:3', 'rollback', 'succeeded'],
      ['deploy:Codertocat/Hello-World:2', 'deploy', 'started'],
      ['deploy:Codertocat/Hello-World:1', 'deploy', 'started'],
    ]);
  });

  test('a form-encoded delivery (payload=…) is verified over the raw form body and stored', async () => {
    const push = examples.find((e) => e.event === 'push' && e.index === 4)!;
    const res = await deliver(t, 'push', push.payload, { form: true });
    expect(res.statusCode).toBe(200);
    expect(await t.count()).toBe(1);
  });

  test('the named route reaches the same connector, and its deliveries count on /api/v1/connectors', async () => {
    const push = examples.find((e) => e.event === 'push' && e.index === 4)!;
    const res = await deliver(t, 'push', push.payload, { url: '/webhooks/github/github' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ connector: 'github', created: 1 });
    const status = (await t.app.inject('/api/v1/connectors')).json().connectors as Json[];
    expect(status.find((c) => c.name === 'github')).toMatchObject({
      eventsEmitted: expect.any(Number),
      lastEventAt: expect.any(String),
    });
  });

  test.each([
    ['a wrong secret', { secret: 'not the secret' }],
    ['no signature header', { signature: null }],
    ['a malformed signature', { signature: 'sha1=abc' }],
    ['a signature of another body', { signature: `sha256=${'0'.repeat(64)}` }],
  ] as const)(
    '%s is refused with 401 invalid_signature and stores nothing',
    async (_name, options) => {
      const push = examples.find((e) => e.event === 'push' && e.index === 4)!;
      const res = await deliver(t, 'push', push.payload, options);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'invalid_signature' });
      expect(await t.count()).toBe(0);
    },
  );

  test('a signed delivery the connector cannot translate is answered 4xx with the reason, never 500, and stores nothing', async () => {
    const opened = examples.find(
      (e) => e.event === 'pull_request' && (e.payload as { action?: string }).action === 'opened',
    )!;
    const headless = structuredClone(opened.payload) as { pull_request: Record<string, unknown> };
    delete headless.pull_request.head;
    const res = await deliver(t, 'pull_request', headless);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: 'webhook_untranslatable' });
    expect((res.json() as { message: string }).message).toMatch(/pull_request/);

    const nul = structuredClone(opened.payload) as { pull_request: Record<string, unknown> };
    nul.pull_request.title = 'fix\u0000 the parser';
    const refused = await deliver(t, 'pull_request', nul);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      error: 'webhook_untranslatable',
      details: [expect.objectContaining({ message: expect.stringContaining('NUL') })],
    });
    expect(await t.count()).toBe(0);
  });

  test('the signature is checked on the raw bytes before any parsing: an unsigned body that is not JSON is 401', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/github',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      payload: '{"not": json',
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_signature' });
    // Signed but not JSON: now the body is read, and that is the sender's mistake.
    const body = '{"not": json';
    const signed = await t.app.inject({
      method: 'POST',
      url: '/webhooks/github',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': await sign(SECRET, body),
      },
      payload: body,
    });
    expect(signed.statusCode).toBe(400);
    expect(signed.json()).toMatchObject({ error: 'invalid_json' });
  });

  test('events PainChain does not record are answered 202 with a reason', async () => {
    const star = await deliver(t, 'star', {
      action: 'created',
      repository: { full_name: 'acme/api' },
    });
    expect(star.statusCode).toBe(202);
    expect(star.json()).toMatchObject({
      status: 'ignored',
      reason: 'GitHub event star is not one PainChain records',
    });
    expect(await t.count()).toBe(0);
  });
});
