// The options: the schema accepts what the docs show, defaults are named, other problems are
// reported all at once.
import { Compile } from 'typebox/compile';
import {
  DEFAULT_BACKFILL_DAYS,
  DEFAULT_BASE_URL,
  defaultGithubConfig,
  GITHUB_EVENT_TYPES,
  GithubConfig,
  resolveGithubConfig,
  validateGithubConfig,
} from './github-config.js';

const check = Compile(GithubConfig);

describe('GitHub connector options', () => {
  test('the documented example validates, and resolves with its defaults', () => {
    const options = {
      token: 'ghp_x',
      webhookSecret: 'shh',
      owner: 'acme',
      repositories: [
        { repo: 'api', service: 'api', environment: 'production', tags: ['team-payments'] },
        { owner: 'acme-labs', repo: 'web', branches: ['release'] },
      ],
      events: ['push', 'pull_request', 'workflow_run', 'deployment', 'release'],
      pollIntervalSeconds: 120,
    };
    expect([...check.Errors(options)]).toEqual([]);
    const resolved = resolveGithubConfig(options as GithubConfig);
    expect(resolved).toMatchObject({
      baseUrl: DEFAULT_BASE_URL,
      backfillDays: DEFAULT_BACKFILL_DAYS,
      pollIntervalMs: 120_000,
      poll: true,
      repositories: [
        {
          owner: 'acme',
          repo: 'api',
          fullName: 'acme/api',
          service: 'api',
          tags: ['team-payments'],
          branches: [],
        },
        {
          owner: 'acme-labs',
          repo: 'web',
          fullName: 'acme-labs/web',
          tags: [],
          branches: ['release'],
        },
      ],
    });
    expect([...resolved.events]).toEqual(options.events);
  });

  test('defaults: valid, every event type, and nothing to poll', () => {
    const defaults = defaultGithubConfig();
    expect(check.Check(defaults)).toBe(true);
    const resolved = resolveGithubConfig(defaults);
    expect(resolved.poll).toBe(false);
    expect([...resolved.events]).toEqual([...GITHUB_EVENT_TYPES]);
  });

  test('an empty interpolated secret or token means "not set"', () => {
    const resolved = resolveGithubConfig({
      token: '',
      webhookSecret: ' ',
      baseUrl: 'https://ghe.example.com/api/v3/',
    });
    expect(resolved.token).toBeUndefined();
    expect(resolved.webhookSecret).toBeUndefined();
    expect(resolved.baseUrl).toBe('https://ghe.example.com/api/v3');
  });

  test('the schema refuses unknown keys, bad names and unknown event types', () => {
    const errors = [
      ...check.Errors({ repositories: [{ repo: 'a b' }], events: ['issues'], pollIntervalSecs: 5 }),
    ];
    expect(errors.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/repositories/0/repo', '/events/0']),
    );
  });

  test('every cross-field problem at once, each at its path with the fix', () => {
    expect(
      validateGithubConfig({
        token: 't',
        tokenFile: '/run/token',
        repositories: [{ repo: 'api' }, { owner: 'a', repo: 'x' }, { owner: 'A', repo: 'X' }],
      }),
    ).toEqual([
      { path: ['repositories', 0], message: 'needs an owner (or set the top-level owner)' },
      { path: ['repositories', 2], message: 'a/x is listed twice (also repositories[1])' },
      { path: ['tokenFile'], message: 'token and tokenFile: set one of them, not both' },
    ]);
  });
});
