// TypeBox validation errors → problems a person can act on: named keys, allowed values, unknown
// keys by name with the expected ones, and never the offending value itself (it may be a secret).
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import type { PathSegment } from './option-path.js';

/** One problem in a configuration value, at a path below the value checked. */
export interface OptionProblem {
  path: PathSegment[];
  message: string;
}

/** Every problem of `value` against `schema`, in words; empty when it validates. */
export function schemaProblemsInWords(
  schema: TSchema,
  value: unknown,
  prefix: readonly PathSegment[] = [],
): OptionProblem[] {
  const validator = Compile(schema);
  if (validator.Check(value)) return [];
  return describeErrors(schema, value, validator.Errors(value), prefix);
}

/** The errors a validator already produced, in words. */
export function describeErrors(
  schema: TSchema,
  root: unknown,
  errors: readonly TLocalizedValidationError[],
  prefix: readonly PathSegment[] = [],
): OptionProblem[] {
  const problems: OptionProblem[] = [];
  for (const error of errors) {
    const { path: inner, value } = resolvePointer(root, error.instancePath);
    const path = [...prefix, ...inner];
    switch (error.keyword) {
      case 'boolean':
        // TypeBox reports each unknown key twice; the additionalProperties error says more.
        if (error.schemaPath.endsWith('/additionalProperties')) continue;
        break;
      case 'additionalProperties': {
        const expected = Object.keys(schemaAt(schema, error.schemaPath)?.properties ?? {});
        for (const key of error.params.additionalProperties) {
          const message = expected.length
            ? `unknown key; expected one of ${expected.join(', ')}`
            : 'unknown key';
          problems.push({ path: [...path, key], message });
        }
        continue;
      }
      case 'required':
        for (const key of error.params.requiredProperties) {
          problems.push({ path: [...path, key], message: 'is required' });
        }
        continue;
      case 'uniqueItems':
        for (const index of error.params.duplicateItems) {
          problems.push({ path: [...path, index], message: 'repeats an earlier item' });
        }
        continue;
    }
    problems.push({ path, message: describeError(error, value) });
  }
  return problems;
}

function describeError(error: TLocalizedValidationError, actual: unknown): string {
  switch (error.keyword) {
    case 'type': {
      const types = [error.params.type].flat().map((type) => TYPE_NAMES[type] ?? type);
      return `must be ${types.join(' or ')}, got ${kindOf(actual)}`;
    }
    case 'enum':
      return `must be one of ${error.params.allowedValues.map(String).join(', ')}`;
    case 'const':
      return `must be ${String(error.params.allowedValue)}`;
    case 'minimum':
      return `must be at least ${error.params.limit}`;
    case 'maximum':
      return `must be at most ${error.params.limit}`;
    case 'exclusiveMinimum':
      return `must be greater than ${error.params.limit}`;
    case 'exclusiveMaximum':
      return `must be less than ${error.params.limit}`;
    case 'minLength':
      return `must be at least ${error.params.limit} characters long`;
    case 'maxLength':
      return `must be at most ${error.params.limit} characters long`;
    case 'pattern':
      return (
        PATTERN_WORDS[String(error.params.pattern)] ?? `must match ${String(error.params.pattern)}`
      );
    case 'minItems':
      return `must have at least ${error.params.limit} item${error.params.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must have at most ${error.params.limit} items`;
    case 'format':
      return `must be a valid ${error.params.format}`;
    default:
      return error.message;
  }
}

/** The patterns our schemas use, said the way a person would write the rule. */
const PATTERN_WORDS: Record<string, string> = {
  '^[a-z0-9][a-z0-9_.-]*$':
    'must be lower-case letters, digits and `_ . -`, starting with a letter or a digit',
  '^[A-Za-z0-9][A-Za-z0-9_.-]*$':
    'must be letters, digits and `_ . -`, starting with a letter or a digit',
  '^[A-Za-z0-9_.-]+$': 'must be letters, digits and `_ . -` only',
  '^https?://': 'must be an http:// or https:// URL',
};

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
};

/** The kind of a value, never the value itself (it may be a secret). */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

/** `/auth/tokens/0` → `['auth', 'tokens', 0]` (numbers where the value is a list), and the value. */
function resolvePointer(root: unknown, pointer: string): { path: PathSegment[]; value: unknown } {
  const path: PathSegment[] = [];
  let value = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      path.push(Number(segment));
      value = value[Number(segment)];
    } else {
      path.push(segment);
      value = isRecord(value) ? value[segment] : undefined;
    }
  }
  return { path, value };
}

function schemaAt(schema: TSchema, schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = schema;
  for (const segment of schemaPath.split('/').slice(1)) {
    node = isRecord(node) ? node[segment.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return isRecord(node) ? node : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
