// Golden files: every GitLab documentation payload in testdata/webhooks normalizes to exactly
// testdata/<name>.expected.json (events, or the reason it is ignored). UPDATE_GOLDEN=1 rewrites
// the expected files from the current code; review the diff before committing it.
import { readFileSync, writeFileSync } from 'node:fs';
import { assertValidEvents } from '@painchain/sdk/testkit';
import { HOOK_FAMILIES, normalizeWebhook, type DeliveryContext } from './normalize-webhook.js';
import { stateTime } from './gitlab-words.js';

const TESTDATA = new URL('../../testdata/', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const CONTEXT: DeliveryContext = {
  receivedAt: new Date('2026-01-01T00:00:00Z'),
  delivery: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  allJobs: false,
};

interface IndexEntry {
  file: string;
  header: string;
}

const index = JSON.parse(
  readFileSync(new URL('webhooks/index.json', TESTDATA), 'utf8'),
) as IndexEntry[];
const payload = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`webhooks/${file}`, TESTDATA), 'utf8')) as Record<
    string,
    unknown
  >;

/** Each documentation example under its file name; the Job Hook once more with `jobs: all`. */
const samples = [
  ...index.map((entry) => ({
    name: entry.file.replace(/\.json$/, ''),
    header: entry.header,
    file: entry.file,
    context: CONTEXT,
  })),
  {
    name: 'job-events.all-jobs',
    header: 'Job Hook',
    file: 'job-events.json',
    context: { ...CONTEXT, allJobs: true },
  },
];

describe('normalizeWebhook golden files', () => {
  test('the samples cover every hook PainChain records and some it does not', () => {
    expect(new Set(samples.map((sample) => sample.header))).toEqual(
      new Set([
        'Push Hook',
        'Tag Push Hook',
        'Merge Request Hook',
        'Pipeline Hook',
        'Job Hook',
        'Deployment Hook',
        'Release Hook',
        'Feature Flag Hook',
        'Emoji Hook',
        'Wiki Page Hook',
        'Member Hook',
        'Issue Hook',
        'Note Hook',
      ]),
    );
  });

  test.each(samples.map((sample) => [sample.name, sample] as const))('%s', (name, sample) => {
    const outcome = normalizeWebhook(sample.header, payload(sample.file), sample.context);
    if ('events' in outcome) assertValidEvents(outcome.events);
    const expectedFile = new URL(`${name}.expected.json`, TESTDATA);
    if (UPDATE) {
      writeFileSync(expectedFile, `${JSON.stringify(outcome, null, 2)}\n`);
      return;
    }
    expect(outcome).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
  });
});

describe('normalizeWebhook: the rules the examples do not show', () => {
  const push = payload('push-events.json');
  const tag = payload('tag-events.json');

  test('a push that deletes a branch (all-zero after) is a push named after the branch', () => {
    const outcome = normalizeWebhook(
      'Push Hook',
      { ...push, after: '0'.repeat(40), commits: [], total_commits_count: 0 },
      CONTEXT,
    );
    expect(outcome).toEqual({
      events: [
        expect.objectContaining({
          kind: 'push',
          title: 'Branch master deleted',
          externalId: 'push:mike/diaspora:master:deleted:95790bf891e76fee5e1747ab589903a6a1f80f22',
        }),
      ],
    });
  });

  test('a tag push with an all-zero after is the deletion of the tag', () => {
    const before = '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7';
    const outcome = normalizeWebhook(
      'Tag Push Hook',
      { ...tag, before, after: '0'.repeat(40), checkout_sha: null },
      CONTEXT,
    );
    expect(outcome).toEqual({
      events: [
        expect.objectContaining({
          kind: 'tag',
          title: 'Tag v1.0.0 deleted',
          refs: { tag: 'v1.0.0', version: 'v1.0.0' },
          data: { deleted: true, before },
        }),
      ],
    });
  });

  test('a merged merge request is the merge (with its merge commit) and the closed-out MR', () => {
    const hook = payload('merge-request-events.json');
    const attributes = hook.object_attributes as Record<string, unknown>;
    const outcome = normalizeWebhook(
      'Merge Request Hook',
      {
        ...hook,
        object_attributes: {
          ...attributes,
          action: 'merge',
          state: 'merged',
          merge_commit_sha: 'f'.repeat(40),
          updated_at: '2013-12-04T09:00:00Z',
        },
      },
      CONTEXT,
    );
    if (!('events' in outcome)) throw new Error(outcome.ignored);
    expect(outcome.events.map((event) => [event.kind, event.status, event.title])).toEqual([
      ['pull_request', 'succeeded', 'MR !1 merged: MS-Viewport'],
      ['merge', 'succeeded', 'Merged !1 into master: MS-Viewport'],
    ]);
    expect(outcome.events[1]).toMatchObject({
      externalId: 'merge:gitlabhq/gitlab-test:1',
      timestamp: '2013-12-04T09:00:00.000Z',
      refs: {
        commit: 'f'.repeat(40),
        mergeCommitSha: 'f'.repeat(40),
        headSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        pullRequest: 1,
        branch: 'master',
      },
    });
  });

  test('events PainChain does not record, system hooks included, are ignored with a reason', () => {
    expect(normalizeWebhook('Emoji Hook', payload('emoji-events.json'), CONTEXT)).toEqual({
      ignored: 'GitLab Emoji Hook is not a change PainChain records',
    });
    expect(
      normalizeWebhook('System Hook', { event_name: 'user_create', name: 'x' }, CONTEXT),
    ).toEqual({ ignored: 'GitLab System Hook (user_create) is not a change PainChain records' });
    // A system hook's push is a push like any other.
    expect(normalizeWebhook('System Hook', push, CONTEXT)).toEqual(
      normalizeWebhook('Push Hook', push, CONTEXT),
    );
    expect(
      normalizeWebhook(
        'Merge Request Hook',
        {
          ...payload('merge-request-events.json'),
          object_attributes: { iid: 1, action: 'unknown_action' },
        },
        CONTEXT,
      ),
    ).toEqual({ ignored: 'merge request action unknown_action does not change the timeline' });
    expect(
      normalizeWebhook(
        'Release Hook',
        { ...payload('release-events.json'), action: 'delete' },
        CONTEXT,
      ),
    ).toEqual({
      ignored: 'a deleted release changes nothing that runs (its tag push is recorded)',
    });
  });

  test('a hook named like a property of every object (constructor, toString) is an unknown hook', () => {
    const project = { project: { path_with_namespace: 'acme/web' } };
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(HOOK_FAMILIES[name]).toBeUndefined();
      expect(normalizeWebhook(name, project, CONTEXT)).toEqual({
        ignored: `GitLab ${name} is not a change PainChain records`,
      });
      expect(normalizeWebhook('System Hook', { ...project, object_kind: name }, CONTEXT)).toEqual({
        ignored: `GitLab System Hook (${name}) is not a change PainChain records`,
      });
    }
  });

  test('a payload without its project or the object its hook needs is ignored, not thrown', () => {
    expect(normalizeWebhook('Push Hook', {}, CONTEXT)).toEqual({
      ignored: 'Push Hook payload without project.path_with_namespace',
    });
    expect(
      normalizeWebhook('Pipeline Hook', { project: { path_with_namespace: 'a/b' } }, CONTEXT),
    ).toEqual({
      ignored: 'Pipeline Hook payload without object_attributes.id',
    });
    expect(normalizeWebhook('Push Hook', [1, 2], CONTEXT)).toEqual({
      ignored: 'Push Hook payload without project.path_with_namespace',
    });
  });
});

describe('stateTime: the updatedAt of hooks without updated_at', () => {
  test('within one second, waiting < running < finished; a later second wins over any phase', () => {
    const at = '2016-08-12 15:26:29 UTC';
    const waiting = stateTime([at], 'waiting')!;
    const running = stateTime([at], 'running')!;
    const finished = stateTime([at], 'finished')!;
    expect([waiting, running, finished]).toEqual([
      '2016-08-12T15:26:29.000Z',
      '2016-08-12T15:26:29.001Z',
      '2016-08-12T15:26:29.999Z',
    ]);
    expect(stateTime(['2016-08-12 15:26:30 UTC'], 'waiting')! > finished).toBe(true);
  });

  test('the latest of the times given counts; unparsable ones and nulls are skipped', () => {
    expect(
      stateTime(['2016-08-12 15:23:28 UTC', null, 'not a time', '2016-08-12T15:25:26Z'], 'running'),
    ).toBe('2016-08-12T15:25:26.001Z');
    expect(stateTime([null, undefined], 'finished')).toBeUndefined();
  });

  test("GitLab's time formats (UTC words, offsets, ISO) are read as the same instants", () => {
    expect(stateTime(['2021-04-28 21:50:00 +0200'], 'waiting')).toBe('2021-04-28T19:50:00.000Z');
    expect(stateTime(['2011-12-12T14:27:31+02:00'], 'waiting')).toBe('2011-12-12T12:27:31.000Z');
  });
});
