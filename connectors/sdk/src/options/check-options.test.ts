// Options are checked once, the same way everywhere: defaults on a copy, schema problems in words
// under the caller's path, then the part's own rules; every problem at once, never a value.
import { Type } from 'typebox';
import { checkOptions, formatOptionProblems, requireOptions } from './check-options.js';
import type { OptionProblem } from './schema-problems-in-words.js';

const Repository = Type.Object(
  {
    owner: Type.String({ minLength: 1 }),
    repo: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

const Options = Type.Object(
  {
    token: Type.String({ minLength: 1 }),
    pollIntervalSeconds: Type.Integer({ minimum: 10, default: 60 }),
    mode: Type.Enum(['poll', 'webhook'], { default: 'poll' }),
    repositories: Type.Array(Repository, { default: [] }),
    webhookSecret: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const validated: OptionProblem[][] = [];
const definition = {
  type: 'demo',
  configSchema: Options,
  validate(options: {
    mode: 'poll' | 'webhook';
    webhookSecret?: string;
    repositories: { owner: string; repo: string }[];
  }): OptionProblem[] {
    const problems: OptionProblem[] = [];
    if (options.mode === 'webhook' && !options.webhookSecret) {
      problems.push({ path: ['webhookSecret'], message: 'is required when mode is webhook' });
    }
    options.repositories.forEach((repository, i) => {
      if (repository.owner.includes('/')) {
        problems.push({ path: ['repositories', i, 'owner'], message: 'is an owner, not a path' });
      }
    });
    validated.push(problems);
    return problems;
  },
};

beforeEach(() => {
  validated.length = 0;
});

describe('checkOptions', () => {
  test('applies the schema defaults to a copy: the options given are not changed', () => {
    const given = { token: 'pc_token', repositories: [{ owner: 'acme', repo: 'api' }] };
    const before = structuredClone(given);

    const checked = checkOptions(definition, given);

    expect(checked).toEqual({
      ok: true,
      options: {
        token: 'pc_token',
        pollIntervalSeconds: 60,
        mode: 'poll',
        repositories: [{ owner: 'acme', repo: 'api' }],
      },
    });
    expect(given).toEqual(before);
    if (checked.ok) expect(checked.options.repositories).not.toBe(given.repositories);
  });

  test('absent options are checked as an empty mapping', () => {
    expect(checkOptions(definition, undefined)).toEqual({
      ok: false,
      problems: [{ path: ['token'], message: 'is required' }],
    });
  });

  test('reports every schema problem in words, at its path under the prefix, without the values', () => {
    const checked = checkOptions(
      definition,
      {
        token: ['ghp_list_secret'],
        pollIntervalSeconds: 'sixty-secret',
        mode: 'push',
        repositories: [
          { owner: 'acme', repo: 'api' },
          { owner: 'acme', name: 'web' },
        ],
        colour: 'blue-secret',
      },
      ['connectors', 2, 'options'],
    );

    expect(checked.ok).toBe(false);
    const problems = checked.ok ? [] : checked.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: ['connectors', 2, 'options', 'token'], message: 'must be a string, got a list' },
        {
          path: ['connectors', 2, 'options', 'pollIntervalSeconds'],
          message: 'must be an integer, got a string',
        },
        {
          path: ['connectors', 2, 'options', 'mode'],
          message: 'must be one of poll, webhook',
        },
        {
          path: ['connectors', 2, 'options', 'repositories', 1, 'repo'],
          message: 'is required',
        },
        {
          path: ['connectors', 2, 'options', 'repositories', 1, 'name'],
          message: 'unknown key; expected one of owner, repo',
        },
        {
          path: ['connectors', 2, 'options', 'colour'],
          message:
            'unknown key; expected one of token, pollIntervalSeconds, mode, repositories, webhookSecret',
        },
      ]),
    );
    // Each unknown key once, and no value anywhere: options may hold secrets.
    expect(problems.filter((problem) => problem.path.at(-1) === 'colour')).toHaveLength(1);
    const text = JSON.stringify(problems);
    for (const value of ['ghp_list_secret', 'sixty-secret', 'push', 'blue-secret']) {
      expect(text).not.toContain(value);
    }
  });

  test('does not run validate() on options that fail the schema', () => {
    const checked = checkOptions(definition, { token: 42, mode: 'webhook' });
    expect(checked).toEqual({
      ok: false,
      problems: [{ path: ['token'], message: 'must be a string, got an integer' }],
    });
    expect(validated).toEqual([]);
  });

  test('runs validate() on the options with defaults and reports its problems under the prefix', () => {
    const checked = checkOptions(
      definition,
      {
        token: 'pc_token',
        mode: 'webhook',
        repositories: [
          { owner: 'acme', repo: 'api' },
          { owner: 'acme/web', repo: 'web' },
        ],
      },
      ['connectors', 0, 'options'],
    );

    expect(checked).toEqual({
      ok: false,
      problems: [
        {
          path: ['connectors', 0, 'options', 'webhookSecret'],
          message: 'is required when mode is webhook',
        },
        {
          path: ['connectors', 0, 'options', 'repositories', 1, 'owner'],
          message: 'is an owner, not a path',
        },
      ],
    });
  });

  test('a definition without validate() is checked by its schema alone', () => {
    const { validate: _validate, ...schemaOnly } = definition;
    expect(checkOptions(schemaOnly, { token: 't', mode: 'webhook' })).toMatchObject({ ok: true });
  });
});

describe('formatOptionProblems', () => {
  test('gives one line per problem, its path from the root', () => {
    const problems: OptionProblem[] = [
      { path: ['repositories', 1, 'owner'], message: 'needs an owner' },
      { path: ['labels', 'team name'], message: 'must be a string, got a list' },
      { path: [], message: 'must be a mapping, got a string' },
    ];
    expect(formatOptionProblems(problems)).toEqual([
      'options.repositories[1].owner: needs an owner',
      'options.labels["team name"]: must be a string, got a list',
      'options: must be a mapping, got a string',
    ]);
    expect(formatOptionProblems(problems.slice(0, 1), 'settings')).toEqual([
      'settings.repositories[1].owner: needs an owner',
    ]);
    // An empty root leaves the path as it is (the caller names the place itself).
    expect(formatOptionProblems(problems.slice(0, 1), '')).toEqual([
      'repositories[1].owner: needs an owner',
    ]);
  });
});

describe('requireOptions', () => {
  test('returns the options with their defaults when they are valid', () => {
    expect(requireOptions(definition, { token: 't' })).toEqual({
      token: 't',
      pollIntervalSeconds: 60,
      mode: 'poll',
      repositories: [],
    });
  });

  test('throws one error listing every problem', () => {
    let thrown: unknown;
    try {
      requireOptions(definition, { pollIntervalSeconds: 5, extra: true });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    const [head, ...lines] = (thrown as Error).message.split('\n');
    expect(head).toBe('invalid options for a demo connector:');
    expect(lines.sort()).toEqual([
      '  options.extra: unknown key; expected one of token, pollIntervalSeconds, mode, repositories, webhookSecret',
      '  options.pollIntervalSeconds: must be at least 10',
      '  options.token: is required',
    ]);
  });
});
