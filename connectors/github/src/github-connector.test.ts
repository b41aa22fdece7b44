// The SDK's conformance test on the GitHub connector: idle (webhooks only) with the default
// options, and polling a fake GitHub — started, stopped mid-poll and started again, twice.
import { checkOptions, formatOptionProblems } from '@painchain/sdk';
import { checkConformance } from '@painchain/sdk/testkit';
import { FakeGithub } from '../test/fake-github.js';
import { seedApi, TOKEN } from '../test/github-seed.js';
import { createGithubConnectorDefinition, githubConnector } from './github-connector.js';

describe('GitHub connector conformance', () => {
  test('with its default options (no repositories: waits for webhooks)', async () => {
    await expect(checkConformance(githubConnector)).resolves.toBeUndefined();
  });

  test('while polling: stops promptly on abort, emits nothing after, resumes on restart', async () => {
    const fake = await FakeGithub.start({ token: TOKEN });
    try {
      seedApi(fake);
      const definition = createGithubConnectorDefinition({ retryAfterBaseValueMs: 5 });
      await expect(
        checkConformance(definition, {
          config: {
            baseUrl: fake.url,
            token: TOKEN,
            repositories: [{ owner: 'acme', repo: 'api' }],
            pollIntervalSeconds: 1,
          },
          settleMs: 150,
        }),
      ).resolves.toBeUndefined();
    } finally {
      await fake.close();
    }
  });

  test('options the schema cannot check are refused before any start, naming every problem', async () => {
    const checked = checkOptions(githubConnector, {
      repositories: [{ repo: 'api' }, { owner: 'a', repo: 'b' }, { owner: 'A', repo: 'B' }],
    });
    expect(checked.ok).toBe(false);
    expect(formatOptionProblems(checked.ok ? [] : checked.problems)).toEqual([
      'options.repositories[0]: needs an owner (or set the top-level owner)',
      'options.repositories[2]: a/b is listed twice (also repositories[1])',
    ]);
    // The conformance kit checks them the same way.
    await expect(
      checkConformance(githubConnector, { config: { token: 't', tokenFile: '/run/token' } }),
    ).rejects.toThrow(/options\.tokenFile: token and tokenFile: set one of them, not both/);
  });
});
