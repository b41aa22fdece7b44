// The SDK's conformance test on the GitLab connector: idle with its default options (webhooks
// only), and polling a fake GitLab — started, stopped mid-poll and started again, twice — and
// the options it refuses before any start.
import { checkOptions, formatOptionProblems } from '@painchain/sdk';
import { checkConformance } from '@painchain/sdk/testkit';
import { FakeGitlab } from '../test/fake-gitlab.js';
import { seed, TOKEN } from '../test/gitlab-seed.js';
import { createGitlabConnectorDefinition, gitlabConnector } from './gitlab-connector.js';

describe('GitLab connector conformance', () => {
  test('with its default options (no projects: waits for webhooks)', async () => {
    await expect(checkConformance(gitlabConnector)).resolves.toBeUndefined();
  });

  test('while polling a fake GitLab: stops promptly on abort, emits nothing after, resumes', async () => {
    const fake = await FakeGitlab.start({ token: TOKEN });
    try {
      seed(fake);
      await expect(
        checkConformance(createGitlabConnectorDefinition({ retryBaseMs: 5 }), {
          config: {
            host: fake.url,
            token: TOKEN,
            projects: [{ path: 'acme/platform/api' }, { id: 12 }],
            pollIntervalSeconds: 1,
          },
          settleMs: 150,
        }),
      ).resolves.toBeUndefined();
    } finally {
      await fake.close();
    }
  });

  test('options the schema cannot check are refused before any start, every problem named', async () => {
    const checked = checkOptions(gitlabConnector, {
      host: 'https://gitlab.example.com/api/v4',
      projects: [
        { service: 'api' },
        { path: 'acme/api', id: 3 },
        { path: 'Acme/Web' },
        { path: 'acme/web' },
      ],
    });
    expect(formatOptionProblems(checked.ok ? [] : checked.problems)).toEqual([
      'options.projects[0]: needs a path (group/project) or an id',
      'options.projects[1]: set path or id, not both (GitLab finds the project by either)',
      'options.projects[3]: acme/web is listed twice (also projects[2])',
      'options.host: give the GitLab root (https://gitlab.example.com), without /api/v4',
    ]);
    const schema = checkOptions(gitlabConnector, {
      projects: [{ path: 'no-namespace' }],
      jobs: 'some',
    });
    expect(schema.ok).toBe(false);
    await expect(
      checkConformance(gitlabConnector, { config: { projects: [{ id: 1 }, { id: 1 }] } }),
    ).rejects.toThrow(/options\.projects\[1\]: 1 is listed twice/);
  });
});
