// Golden files: every testdata/<name>.json (a real webhook payload, its source noted inside)
// normalizes to exactly testdata/<name>.expected.json. UPDATE_GOLDEN=1 rewrites the expected
// files from the current code; review the diff before committing it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { assertValidEvents } from '@painchain/sdk/testkit';
import { normalizeWebhook } from './normalize-webhook.js';

const TESTDATA = new URL('../../testdata/', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';
/** Deliveries whose payload carries no time of its own are dated by arrival: fixed here. */
const RECEIVED_AT = new Date('2026-01-01T00:00:00Z');

interface Sample {
  source: string;
  event: string;
  payload: unknown;
}

const samples = readdirSync(TESTDATA)
  .filter((file) => file.endsWith('.json') && !file.endsWith('.expected.json'))
  .map((file) => file.replace(/\.json$/, ''))
  .sort();

describe('normalizeWebhook golden files', () => {
  test('there are samples for every event family', () => {
    const events = new Set(samples.map((name) => name.split('.')[0]));
    expect([...events].sort()).toEqual([
      'check_suite',
      'create',
      'delete',
      'deployment',
      'deployment_status',
      'package',
      'pull_request',
      'push',
      'release',
      'workflow_run',
    ]);
  });

  test.each(samples)('%s', (name) => {
    const sample = JSON.parse(readFileSync(new URL(`${name}.json`, TESTDATA), 'utf8')) as Sample;
    expect(sample.source).toMatch(/@octokit\/webhooks-examples/);
    const outcome = normalizeWebhook(sample.event, sample.payload, { receivedAt: RECEIVED_AT });
    if ('events' in outcome) assertValidEvents(outcome.events);
    const expectedFile = new URL(`${name}.expected.json`, TESTDATA);
    if (UPDATE) {
      writeFileSync(expectedFile, `${JSON.stringify(outcome, null, 2)}\n`);
      return;
    }
    const expected: unknown = JSON.parse(readFileSync(expectedFile, 'utf8'));
    expect(outcome).toEqual(expected);
  });

  test('a deployment that returns to an older version is a rollback', () => {
    const sample = JSON.parse(
      readFileSync(new URL('deployment_status.success.json', TESTDATA), 'utf8'),
    ) as Sample;
    const outcome = normalizeWebhook(sample.event, sample.payload, {
      receivedAt: RECEIVED_AT,
      rollback: true,
    });
    expect(outcome).toEqual({
      events: [
        expect.objectContaining({
          kind: 'rollback',
          status: 'succeeded',
          title: 'Rollback of production to master (f95f852) succeeded',
        }),
      ],
    });
  });

  test('a payload without a repository or the object its event needs is ignored, not thrown', () => {
    expect(normalizeWebhook('push', {}, { receivedAt: RECEIVED_AT })).toEqual({
      ignored: 'push payload without a repository',
    });
    expect(
      normalizeWebhook(
        'workflow_run',
        { repository: { full_name: 'acme/api', html_url: 'https://github.com/acme/api' } },
        { receivedAt: RECEIVED_AT },
      ),
    ).toEqual({ ignored: 'workflow_run payload without workflow_run' });
  });
});
