// Docker Compose's variable interpolation, as the Compose Specification defines it, applied to the
// values of a parsed compose file: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
// ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement}, $VAR, and $$ for a literal $.
import { isObject, type Json } from './stack-files.js';

export interface VariableUse {
  name: string;
  /** `:-`, `-`, `:?`, `?`, `:+`, `+`, or undefined for a bare ${VAR} / $VAR. */
  operator?: string;
  /** The default, the error message or the replacement. */
  argument?: string;
}

const PATTERN =
  /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\{[^}]*\}?))/g;

/** Every variable a string refers to, in order. */
export function variablesIn(text: string): VariableUse[] {
  const uses: VariableUse[] = [];
  for (const m of text.matchAll(PATTERN)) {
    if (m[1]) continue;
    if (m[6] !== undefined) throw new Error(`invalid interpolation ${JSON.stringify(m[0])}`);
    const name = m[2] ?? m[5]!;
    uses.push({ name, operator: m[3], argument: m[4] });
  }
  return uses;
}

/** One string with the environment's values, failing like `docker compose` on a required variable. */
export function interpolateString(text: string, env: Record<string, string | undefined>): string {
  return text.replace(PATTERN, (whole, dollar, name, operator, argument, bare, invalid) => {
    if (dollar) return '$';
    if (invalid !== undefined) throw new Error(`invalid interpolation ${JSON.stringify(whole)}`);
    const key = (name ?? bare) as string;
    const value = env[key];
    const unsetOrEmpty = value === undefined || value === '';
    switch (operator as string | undefined) {
      case undefined:
        return value ?? '';
      case ':-':
        return unsetOrEmpty ? interpolateString(argument, env) : value;
      case '-':
        return value === undefined ? interpolateString(argument, env) : value;
      case ':?':
        if (unsetOrEmpty)
          throw new Error(`required variable ${key} is missing a value: ${argument}`);
        return value;
      case '?':
        if (value === undefined)
          throw new Error(`required variable ${key} is missing a value: ${argument}`);
        return value;
      case ':+':
        return unsetOrEmpty ? '' : interpolateString(argument, env);
      case '+':
        return value === undefined ? '' : interpolateString(argument, env);
      default:
        throw new Error(`unsupported interpolation ${whole}`);
    }
  });
}

/** The parsed compose file with every value interpolated; keys are left as they are. */
export function interpolate(value: Json, env: Record<string, string | undefined>): Json {
  if (typeof value === 'string') return interpolateString(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  }
  return value;
}

/** Every variable any value of the parsed file refers to. */
export function variablesUsed(value: Json): VariableUse[] {
  if (typeof value === 'string') return variablesIn(value);
  if (Array.isArray(value)) return value.flatMap(variablesUsed);
  if (isObject(value)) return Object.values(value).flatMap(variablesUsed);
  return [];
}
