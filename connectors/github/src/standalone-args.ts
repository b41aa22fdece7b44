// The GitHub connector's part of the standalone command line: `--repo` and `--owner` shortcuts,
// and the GitHub token and API root from the environment. The rest is the SDK's.
import type { StandaloneCliSpec } from '@painchain/sdk/standalone';
import { githubConnector } from './github-connector.js';

const REPO = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;

export const GITHUB_CLI: StandaloneCliSpec<typeof githubConnector.configSchema> = {
  definition: githubConnector,
  command: 'painchain-github',
  summary: 'the GitHub connector as its own process',
  flags: {
    repo: { valueName: 'OWNER/REPO', description: 'a repository to poll', multiple: true },
    owner: { valueName: 'ORG', description: 'poll every repository of an organisation or user' },
  },
  notes: `GitHub token: $GITHUB_TOKEN (or "token" / "tokenFile" in the options file).
GitHub Enterprise Server: $GITHUB_API_URL or "baseUrl" (https://HOST/api/v3).`,
  applyArgs(options, flags, env) {
    const repositories = (flags.repo ?? []).map((text) => {
      const match = REPO.exec(text);
      if (!match) throw new Error(`--repo ${text}: expected OWNER/REPO`);
      return { owner: match[1], repo: match[2] };
    });
    if (repositories.length > 0) {
      options.repositories = [
        ...((options.repositories as unknown[] | undefined) ?? []),
        ...repositories,
      ];
    }
    const owner = flags.owner?.at(-1);
    if (owner) options.owner = owner;
    if (options.token === undefined && options.tokenFile === undefined && env.GITHUB_TOKEN) {
      options.token = env.GITHUB_TOKEN;
    }
    if (options.baseUrl === undefined && env.GITHUB_API_URL) options.baseUrl = env.GITHUB_API_URL;
  },
};
