// `${VAR}` and `${VAR:-default}` in the configuration's string values. It runs on parsed values,
// never on the file's text, so that an environment value can never inject YAML.
import { isScalar, parseDocument } from 'yaml';
import type { PathSegment } from './config-error.js';

export type Env = Record<string, string | undefined>;

export interface InterpolationProblem {
  path: PathSegment[];
  message: string;
}

export interface InterpolateOptions {
  env: Env;
  /** True where the file quoted the string (or wrote a block scalar): it then stays a string. */
  isQuoted?: (path: readonly PathSegment[]) => boolean;
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
      const result = interpolateString(node, options.env, !options.isQuoted?.(path));
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
 * Interpolates one string. When it is exactly one `${...}` expression and `typed` is set, the
 * result is read as a YAML scalar, so that `${PORT:-8000}` gives the number 8000 as `8000` would.
 */
export function interpolateString(text: string, env: Env, typed = true): InterpolatedString {
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
  return { value: typed && single && problems.length === 0 ? readScalar(out) : out, problems };
}

/** A number or boolean when the whole text is one plain YAML scalar of that type; else the text. */
function readScalar(text: string): string | number | boolean {
  const doc = parseDocument(text);
  const node = doc.contents;
  const whole =
    doc.errors.length === 0 &&
    isScalar(node) &&
    node.type === 'PLAIN' &&
    node.range?.[0] === 0 &&
    node.range[1] === text.length;
  return whole && (typeof node.value === 'number' || typeof node.value === 'boolean')
    ? node.value
    : text;
}
