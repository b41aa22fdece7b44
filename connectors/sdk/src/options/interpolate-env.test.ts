// `${VAR}` and `${VAR:-default}` in parsed configuration values: typed only where the file format
// reads scalars, defaults for unset and empty variables, `$${` for a literal, problems with paths.
import { interpolate, interpolateString, type ScalarReader } from './interpolate-env.js';

/** Reads a scalar the way YAML does for the few forms these tests use. */
const yamlScalar: ScalarReader = (text) => {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
};

const env = { PORT: '5432', HOST: 'db.internal', EMPTY: '', DEBUG: 'true' };

describe('interpolateString', () => {
  test('without a scalar reader every result stays a string (JSON files say their types)', () => {
    expect(interpolateString('${PORT}', env)).toEqual({ value: '5432', problems: [] });
    expect(interpolateString('${DEBUG}', env)).toEqual({ value: 'true', problems: [] });
  });

  test('with a scalar reader a value that is one whole expression is typed like the file would type it', () => {
    expect(interpolateString('${PORT}', env, yamlScalar)).toEqual({ value: 5432, problems: [] });
    expect(interpolateString('${DEBUG}', env, yamlScalar)).toEqual({ value: true, problems: [] });
    expect(interpolateString('${WORKERS:-8}', env, yamlScalar).value).toBe(8);
    // Anything around the expression makes it text.
    expect(interpolateString('${HOST}:${PORT}', env, yamlScalar).value).toBe('db.internal:5432');
    expect(interpolateString('port ${PORT}', env, yamlScalar).value).toBe('port 5432');
    expect(interpolateString('${PORT}0', env, yamlScalar).value).toBe('54320');
  });

  test('`:-` gives the default for an unset variable and for an empty one', () => {
    expect(interpolateString('${MISSING:-localhost}', env).value).toBe('localhost');
    expect(interpolateString('${EMPTY:-fallback}', env).value).toBe('fallback');
    expect(interpolateString('${HOST:-localhost}', env).value).toBe('db.internal');
    expect(interpolateString('${MISSING:-}', env)).toEqual({ value: '', problems: [] });
    expect(interpolateString('${MISSING:-a b:c}', env).value).toBe('a b:c');
  });

  test('a set but empty variable without a default is the empty string, not a problem', () => {
    expect(interpolateString('x${EMPTY}y', env)).toEqual({ value: 'xy', problems: [] });
  });

  test('`$${` is a literal `${`, and a lone `$` stays as it is', () => {
    expect(interpolateString('$${PORT}', env, yamlScalar)).toEqual({
      value: '${PORT}',
      problems: [],
    });
    expect(interpolateString('cost: $5, ${PORT}$', env).value).toBe('cost: $5, 5432$');
  });

  test('an unset variable is a problem naming it', () => {
    expect(interpolateString('postgres://${DB_HOST}/x', env).problems).toEqual([
      'environment variable DB_HOST is not set',
    ]);
  });

  test('an unclosed `${` and an invalid expression are problems with the expected syntax', () => {
    const unclosed = interpolateString('${PORT', env, yamlScalar);
    expect(unclosed.problems).toEqual([
      'unclosed "${": expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)',
    ]);
    expect(typeof unclosed.value).toBe('string');
    expect(interpolateString('${1PORT}', env).problems).toEqual([
      'invalid expression "${1PORT}": expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)',
    ]);
  });
});

describe('interpolate', () => {
  test('interpolates every string of a parsed value into a copy, with problems at their paths', () => {
    const parsed = {
      listen: { port: '${PORT}', host: '${HOST}' },
      connectors: [
        { name: 'github', options: { token: '${GITHUB_TOKEN}', tags: ['a', '${TEAM}'] } },
      ],
      retries: 3,
      enabled: true,
      '${KEY}': 'keys are left alone',
    };
    const before = structuredClone(parsed);

    const result = interpolate(parsed, { env, readScalar: yamlScalar });

    expect(result.value).toEqual({
      listen: { port: 5432, host: 'db.internal' },
      connectors: [{ name: 'github', options: { token: '', tags: ['a', ''] } }],
      retries: 3,
      enabled: true,
      '${KEY}': 'keys are left alone',
    });
    expect(result.problems).toEqual([
      {
        path: ['connectors', 0, 'options', 'token'],
        message: 'environment variable GITHUB_TOKEN is not set',
      },
      {
        path: ['connectors', 0, 'options', 'tags', 1],
        message: 'environment variable TEAM is not set',
      },
    ]);
    expect(parsed).toEqual(before);
  });

  test('a value the file quoted stays a string', () => {
    const result = interpolate(
      { port: '${PORT}', version: '${PORT}' },
      { env, readScalar: yamlScalar, isQuoted: (path) => path[0] === 'version' },
    );
    expect(result).toEqual({ value: { port: 5432, version: '5432' }, problems: [] });
  });
});
