// Options of a pluggable part (a connector, an exporter) checked once, the same way wherever
// they come from (painchain.yaml, a standalone process's options file, the conformance kit):
// defaults applied, the schema checked, then the part's own cross-field rules.
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { formatPath, type PathSegment } from './option-path.js';
import { schemaProblemsInWords, type OptionProblem } from './schema-problems-in-words.js';

/** What connectors and exporters share: a type name and options described by a schema. */
export interface ConfigurableDefinition<S extends TSchema = TSchema> {
  /** Type name used in config: `github`, `gitlab`, `otlp`. */
  readonly type: string;
  readonly description: string;
  /** Schema of its `options` in painchain.yaml. */
  readonly configSchema: S;
  /** Options that make a valid, runnable (if idle) instance. */
  defaultConfig(): Static<S>;
  /**
   * The rules a schema cannot say (two keys that exclude each other, a key another one needs),
   * every problem at once, with its path below `options`. Runs only on options that passed the
   * schema, with the schema's defaults applied. `create()` may then trust its options.
   */
  validate?(options: Static<S>): OptionProblem[];
}

export type CheckedOptions<S extends TSchema> =
  { ok: true; options: Static<S> } | { ok: false; problems: OptionProblem[] };

/** Applies the schema's defaults (to a copy), checks the schema, then `validate`. */
export function checkOptions<S extends TSchema>(
  definition: Pick<ConfigurableDefinition<S>, 'configSchema' | 'validate'>,
  options: unknown,
  prefix: readonly PathSegment[] = [],
): CheckedOptions<S> {
  const withDefaults = Value.Default(definition.configSchema, Value.Clone(options ?? {}));
  const schemaProblems = schemaProblemsInWords(definition.configSchema, withDefaults, prefix);
  if (schemaProblems.length > 0) return { ok: false, problems: schemaProblems };
  const value = withDefaults as Static<S>;
  const problems = (definition.validate?.(value) ?? []).map((problem) => ({
    path: [...prefix, ...problem.path],
    message: problem.message,
  }));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, options: value };
}

/** `options.repositories[1].owner: needs an owner`: one line per problem. */
export function formatOptionProblems(
  problems: readonly OptionProblem[],
  root = 'options',
): string[] {
  return problems.map((problem) => {
    const path = formatPath([root, ...problem.path].filter((segment) => segment !== ''));
    return `${path}: ${problem.message}`;
  });
}

/** Like checkOptions, but throws one Error listing every problem (standalone processes, tests). */
export function requireOptions<S extends TSchema>(
  definition: Pick<ConfigurableDefinition<S>, 'type' | 'configSchema' | 'validate'>,
  options: unknown,
): Static<S> {
  const checked = checkOptions(definition, options);
  if (checked.ok) return checked.options;
  throw new Error(
    `invalid options for a ${definition.type} connector:\n  ${formatOptionProblems(checked.problems).join('\n  ')}`,
  );
}
