export {
  checkOptions,
  formatOptionProblems,
  requireOptions,
  type CheckedOptions,
  type ConfigurableDefinition,
} from './check-options.js';
export { formatPath, type PathSegment } from './option-path.js';
export {
  describeErrors,
  schemaProblemsInWords,
  type OptionProblem,
} from './schema-problems-in-words.js';
export {
  interpolate,
  interpolateString,
  type Env,
  type InterpolatedString,
  type InterpolateOptions,
  type InterpolationProblem,
  type ScalarReader,
} from './interpolate-env.js';
