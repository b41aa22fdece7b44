// The standalone process's command line.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interpolateEnv, parseStandaloneArgs } from './standalone-args.js';

describe('parseStandaloneArgs', () => {
  test('the collector, its token and repositories from the command line; the GitHub token from the environment', async () => {
    const args = await parseStandaloneArgs(
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
    const args = await parseStandaloneArgs(
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

  test.each([
    [[], {}, /--collector URL is required/],
    [['--collector', 'localhost:8000'], {}, /http\(s\):\/\//],
    [['--collector', 'http://c', '--repo', 'api'], {}, /--repo api: expected OWNER\/REPO/],
    [['--collector', 'http://c', '--name', 'Bad Name'], {}, /--name must be/],
    [['--collector', 'http://c', '--bogus'], {}, /unknown argument "--bogus"/],
    [['--collector'], {}, /--collector needs a value/],
    [['--collector', 'http://c', '--heartbeat-seconds', '1'], {}, /from 5 to 3600/],
  ])('refuses %j', async (argv, env, message) => {
    await expect(parseStandaloneArgs(argv, env)).rejects.toThrow(message);
  });

  test('interpolation reports unset variables and takes defaults', () => {
    const missing: string[] = [];
    expect(interpolateEnv({ a: '${A}', b: ['${B:-dflt}'], c: 1 }, {}, missing)).toEqual({
      a: '',
      b: ['dflt'],
      c: 1,
    });
    expect(missing).toEqual(['A']);
  });
});
