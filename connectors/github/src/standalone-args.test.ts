// The standalone process's command line: the SDK's parser with GitHub's flags and environment.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStandaloneArgs, standaloneUsage } from '@painchain/sdk/standalone';
import { GITHUB_CLI } from './standalone-args.js';

const parse = (argv: string[], env: Record<string, string>) =>
  parseStandaloneArgs(GITHUB_CLI, argv, env);

describe('parseStandaloneArgs', () => {
  test('the collector, its token and repositories from the command line; the GitHub token from the environment', async () => {
    const args = await parse(
      [
        '--collector',
        'http://localhost:8000',
        '--token=pc_ingest',
        '--repo',
        'acme/api',
        '--repo',
        'acme/web',
      ],
      { GITHUB_TOKEN: 'ghp_x', GITHUB_API_URL: 'https://ghe.example.com/api/v3' },
    );
    expect(args).toMatchObject({
      collector: 'http://localhost:8000',
      token: 'pc_ingest',
      name: 'github',
      stateFile: '.painchain/github.state.json',
      options: {
        token: 'ghp_x',
        baseUrl: 'https://ghe.example.com/api/v3',
        repositories: [
          { owner: 'acme', repo: 'api' },
          { owner: 'acme', repo: 'web' },
        ],
      },
    });
  });

  test('an options file, with ${VAR} from the environment', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'painchain-args-')), 'github.json');
    await writeFile(file, JSON.stringify({ token: '${GH}', owner: 'acme', backfillDays: 7 }));
    const args = await parse(
      ['--collector', 'http://c:8000', '--options', file, '--name', 'gh-acme'],
      {
        GH: 'ghp_y',
        PAINCHAIN_TOKEN: 'pc_env',
      },
    );
    expect(args).toMatchObject({
      name: 'gh-acme',
      token: 'pc_env',
      options: { token: 'ghp_y', owner: 'acme', backfillDays: 7 },
    });
  });

  test('an options file naming a variable that is not set is refused, naming it', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'painchain-args-')), 'github.json');
    await writeFile(file, JSON.stringify({ token: '${GH_UNSET}', tags: ['${TEAM:-core}'] }));
    await expect(parse(['--collector', 'http://c', '--options', file], {})).rejects.toThrow(
      /token: environment variable GH_UNSET is not set/,
    );
  });

  test.each([
    [[], {}, /--collector URL is required/],
    [['--collector', 'localhost:8000'], {}, /http\(s\):\/\//],
    [['--collector', 'http://c', '--repo', 'api'], {}, /--repo api: expected OWNER\/REPO/],
    [['--collector', 'http://c', '--name', 'Bad Name'], {}, /--name must be/],
    [['--collector', 'http://c', '--bogus'], {}, /unknown argument "--bogus"/],
    [['--collector'], {}, /--collector needs a value/],
    [['--collector', 'http://c', '--heartbeat-seconds', '1'], {}, /from 5 to 3600/],
  ])('refuses %j', async (argv, env, message) => {
    await expect(parse(argv, env)).rejects.toThrow(message);
  });

  test('the help lists the common flags and GitHub’s own', () => {
    const usage = standaloneUsage(GITHUB_CLI);
    expect(usage).toMatch(/^painchain-github: the GitHub connector as its own process/);
    for (const flag of ['--collector URL', '--options FILE', '--repo OWNER/REPO', '--owner ORG']) {
      expect(usage).toContain(flag);
    }
    expect(usage).toContain('$GITHUB_TOKEN');
  });
});
