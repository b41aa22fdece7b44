// The one error a bad configuration raises: every problem at once, each with where it is in the
// file and what was expected, so that one run of the collector is enough to fix the file.

import { formatPath, type PathSegment } from '@painchain/sdk';

export { formatPath, type PathSegment };

export interface ConfigProblem {
  file?: string;
  line?: number;
  column?: number;
  /** Path inside the file, e.g. `auth.tokens[0].scopes[1]`; empty for the file as a whole. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`invalid configuration (${count}):\n${problems.map(formatProblem).join('\n')}`);
    this.problems = problems;
  }
}

/** `painchain.yaml:12:5 auth.tokens[0].scopes[1]: must be one of ingest, read, admin` */
export function formatProblem(problem: ConfigProblem): string {
  const { file, line, column, path, message } = problem;
  const position = line === undefined ? '' : column === undefined ? `${line}` : `${line}:${column}`;
  const where = file !== undefined ? [file, position].filter(Boolean).join(':') : position;
  const subject = [where, path].filter(Boolean).join(' ');
  return subject ? `${subject}: ${message}` : message;
}
