// `${VAR}` and `${VAR:-default}` in configuration values: painchain.yaml and a standalone
// connector's options file alike. It runs on parsed values, never on a file's text, so that an
// environment value can never inject YAML or JSON.
import type { PathSegment } from './option-path.js';

export type Env = Record<string, string | undefined>;

export interface InterpolationProblem {
  path: PathSegment[];
  message: string;
}

/** Reads a whole-expression result as the file format would (YAML: `8000` is a number). */
export type ScalarReader = (text: string) => string | number | boolean;

export interface InterpolateOptions {
  env: Env;
  /** True where the file quoted the string (or wrote a block scalar): it then stays a string. */
  isQuoted?: (path: readonly PathSegment[]) => boolean;
  /** Without one, every result stays a string (JSON files say their types themselves). */
  readScalar?: ScalarReader;
}

export interface InterpolatedString {
  value: string | number | boolean;
  problems: string[];
}

const EXPRESSION = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;
const SYNTAX_HINT = 'expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)';

/** Interpolates every string in a parsed value (keys excepted); returns a copy. */
export function interpolate(
  value: unknown,
  options: InterpolateOptions,
): {
  value: unknown;
  problems: InterpolationProblem[];
} {
  const problems: InterpolationProblem[] = [];
  const walk = (node: unknown, path: PathSegment[]): unknown => {
    if (typeof node === 'string') {
      const typed = options.isQuoted?.(path) ? undefined : options.readScalar;
      const result = interpolateString(node, options.env, typed);
      problems.push(...result.problems.map((message) => ({ path, message })));
      return result.value;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(
        Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]),
      );
    }
    return node;
  };
  return { value: walk(value, []), problems };
}

/**
 * Interpolates one string. When it is exactly one `${...}` expression and a reader is given, the
 * result is read as a scalar of the file's format, so that `${PORT:-8000}` gives the number 8000
 * as `8000` would.
 */
export function interpolateString(
  text: string,
  env: Env,
  readScalar?: ScalarReader,
): InterpolatedString {
  const problems: string[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    if (text.startsWith('$${', dollar)) {
      out += '${';
      i = dollar + 3;
      continue;
    }
    if (text[dollar + 1] !== '{') {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    if (close === -1) {
      problems.push(`unclosed "\${": ${SYNTAX_HINT}`);
      break;
    }
    const inner = text.slice(dollar + 2, close);
    const match = EXPRESSION.exec(inner);
    if (!match?.[1]) {
      problems.push(`invalid expression "\${${inner}}": ${SYNTAX_HINT}`);
    } else {
      const [, name, fallback] = match;
      const set = env[name];
      // Like the shell and Docker Compose, `:-` also replaces a variable that is set but empty.
      if (fallback !== undefined) out += set || fallback;
      else if (set === undefined) problems.push(`environment variable ${name} is not set`);
      else out += set;
    }
    i = close + 1;
  }
  const single = text.startsWith('${') && text.indexOf('}') === text.length - 1;
  return {
    value: readScalar && single && problems.length === 0 ? readScalar(out) : out,
    problems,
  };
}
