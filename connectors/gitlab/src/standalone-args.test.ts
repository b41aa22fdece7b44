// The standalone command line with GitLab's shortcuts: --project (path or id, repeatable),
// --group, $GITLAB_TOKEN and $GITLAB_URL, checked by the SDK's parser as the process would.
import { parseStandaloneArgs, standaloneUsage } from '@painchain/sdk/standalone';
import { GITLAB_CLI } from './standalone-args.js';

const base = ['--collector', 'http://127.0.0.1:8080'];

describe('painchain-gitlab arguments', () => {
  test('--project paths and ids and --group become options; token and host from the environment', async () => {
    const args = await parseStandaloneArgs(
      GITLAB_CLI,
      [...base, '--project', 'acme/platform/api', '--project', '42', '--group', 'acme'],
      { GITLAB_TOKEN: 'glpat-x', GITLAB_URL: 'https://git.example.com' },
    );
    expect(args.options).toEqual({
      projects: [{ path: 'acme/platform/api' }, { id: 42 }],
      group: 'acme',
      token: 'glpat-x',
      host: 'https://git.example.com',
    });
    expect(args.name).toBe('gitlab');
  });

  test('a --project that is neither a path with a namespace nor an id is refused, saying why', async () => {
    await expect(
      parseStandaloneArgs(GITLAB_CLI, [...base, '--project', 'api'], {}),
    ).rejects.toThrow('--project api: expected group/project (or a numeric ID)');
  });

  test('the help names the flags and the environment', () => {
    const usage = standaloneUsage(GITLAB_CLI);
    expect(usage).toMatch(/--project PATH\|ID .*\(repeatable\)/);
    expect(usage).toMatch(/--group GROUP/);
    expect(usage).toMatch(/\$GITLAB_TOKEN/);
    expect(usage).toMatch(/\$GITLAB_URL/);
  });
});
