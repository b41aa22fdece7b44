// The SDK's conformance test on the GitHub connector: idle (webhooks only) with the default
// options, and polling a fake GitHub — started, stopped mid-poll and started again, twice.
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

  test('options the schema cannot check fail the start, naming every problem', () => {
    expect(() =>
      githubConnector.create({
        name: 'x',
        config: {
          repositories: [{ repo: 'api' }, { owner: 'a', repo: 'b' }, { owner: 'A', repo: 'B' }],
        },
        logger: {
          debug() {},
          info() {},
          warn() {},
          error() {},
          child: () => {
            throw new Error();
          },
        },
        signal: new AbortController().signal,
        state: {
          get: async () => undefined,
          set: async () => undefined,
          delete: async () => undefined,
        },
        emit: async () => ({ ids: [], created: 0, updated: 0, unchanged: 0 }),
        reportHealth: () => undefined,
      }),
    ).toThrow(
      /repositories\[0\]: needs an owner[\s\S]*repositories\[2\]: a\/b is listed twice \(also repositories\[1\]\)/,
    );
  });
});
