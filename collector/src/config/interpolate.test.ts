import { interpolate, interpolateString } from './interpolate.js';

const env = { HOST: 'db.internal', PORT: '5432', EMPTY: '', FLAG: 'true', TEXT: 'hello' };

describe('interpolateString', () => {
  it('substitutes variables inside text', () => {
    expect(interpolateString('postgres://${HOST}:${PORT}/x', env)).toEqual({
      value: 'postgres://db.internal:5432/x',
      problems: [],
    });
  });

  it('uses the default when the variable is unset or empty, and the value when it is set', () => {
    expect(interpolateString('${MISSING:-fallback}', env).value).toBe('fallback');
    expect(interpolateString('${EMPTY:-fallback}', env).value).toBe('fallback');
    expect(interpolateString('${TEXT:-fallback}', env).value).toBe('hello');
    expect(interpolateString('${MISSING:-}', env).value).toBe('');
    expect(interpolateString('a ${MISSING:-b c} d', env).value).toBe('a b c d');
  });

  it('keeps a set but empty variable empty', () => {
    expect(interpolateString('x${EMPTY}y', env)).toEqual({ value: 'xy', problems: [] });
  });

  it('reads a string that is exactly one expression as a YAML scalar', () => {
    expect(interpolateString('${PORT}', env).value).toBe(5432);
    expect(interpolateString('${MISSING:-8000}', env).value).toBe(8000);
    expect(interpolateString('${FLAG}', env).value).toBe(true);
    expect(interpolateString('${MISSING:-false}', env).value).toBe(false);
    expect(interpolateString('${TEXT}', env).value).toBe('hello');
  });

  it('keeps text around an expression, and a quoted expression, a string', () => {
    expect(interpolateString('${PORT}0', env).value).toBe('54320');
    expect(interpolateString('${PORT}', env, false).value).toBe('5432');
  });

  it('never turns an environment value into YAML structure or a second expression', () => {
    const hostile = { A: 'x\nserver: {port: 1}', B: '[1, 2]', C: '${TEXT}', D: '8000 # comment' };
    expect(interpolateString('${A}', hostile).value).toBe('x\nserver: {port: 1}');
    expect(interpolateString('${B}', hostile).value).toBe('[1, 2]');
    expect(interpolateString('${C}', hostile).value).toBe('${TEXT}');
    expect(interpolateString('${D}', hostile).value).toBe('8000 # comment');
  });

  it('writes $${ as a literal ${ and leaves other dollars alone', () => {
    expect(interpolateString('$${HOST} and ${HOST}', env).value).toBe('${HOST} and db.internal');
    expect(interpolateString('$${PORT}', env).value).toBe('${PORT}');
    expect(interpolateString('pa$$word $5', env).value).toBe('pa$$word $5');
  });

  it('reports every unset variable without a default', () => {
    expect(interpolateString('${NOPE}-${NADA}', env).problems).toEqual([
      'environment variable NOPE is not set',
      'environment variable NADA is not set',
    ]);
  });

  it('reports malformed expressions instead of passing them through', () => {
    expect(interpolateString('${}', env).problems[0]).toMatch(/invalid expression "\$\{\}"/);
    expect(interpolateString('${A B}', env).problems[0]).toMatch(/expected \$\{NAME\}/);
    expect(interpolateString('${HOST', env).problems[0]).toMatch(/unclosed/);
  });
});

describe('interpolate', () => {
  it('interpolates strings at any depth, leaving keys and other values alone', () => {
    const input = { '${HOST}': 1, list: ['${TEXT}', 2, null, { port: '${PORT}' }], on: true };
    expect(interpolate(input, { env }).value).toEqual({
      '${HOST}': 1,
      list: ['hello', 2, null, { port: 5432 }],
      on: true,
    });
  });

  it('reports problems with the path of the string', () => {
    const { problems } = interpolate({ auth: { tokens: [{ token: '${NOPE}' }] } }, { env });
    expect(problems).toEqual([
      { path: ['auth', 'tokens', 0, 'token'], message: 'environment variable NOPE is not set' },
    ]);
  });

  it('keeps a quoted expression a string', () => {
    const { value } = interpolate(
      { a: '${PORT}', b: '${PORT}' },
      { env, isQuoted: (p) => p[0] === 'b' },
    );
    expect(value).toEqual({ a: 5432, b: '5432' });
  });

  it('does not change its input', () => {
    const input = { a: ['${TEXT}'] };
    interpolate(input, { env });
    expect(input).toEqual({ a: ['${TEXT}'] });
  });
});
