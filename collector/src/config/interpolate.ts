// painchain.yaml's `${VAR}` interpolation: the SDK's interpolator, with YAML's reading of a value
// that is one whole expression (`port: ${PORT:-8000}` is the number 8000, as `port: 8000` is).
import {
  interpolate as interpolateValue,
  interpolateString as interpolateText,
  type Env,
  type InterpolatedString,
  type InterpolationProblem,
  type PathSegment,
} from '@painchain/sdk';
import { isScalar, parseDocument } from 'yaml';

export type { Env, InterpolatedString, InterpolationProblem };

/** A number or boolean when the whole text is one plain YAML scalar of that type; else the text. */
export function readYamlScalar(text: string): string | number | boolean {
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

/** Interpolates every string of a parsed YAML value (keys excepted); returns a copy. */
export function interpolate(
  value: unknown,
  options: { env: Env; isQuoted?: (path: readonly PathSegment[]) => boolean },
) {
  return interpolateValue(value, { ...options, readScalar: readYamlScalar });
}

/** One string; `typed` false keeps the result a string (a quoted YAML value). */
export function interpolateString(text: string, env: Env, typed = true): InterpolatedString {
  return interpolateText(text, env, typed ? readYamlScalar : undefined);
}
