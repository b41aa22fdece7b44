// Paths into a configuration value, shared by every place that reports a problem in one.

/** One step into a configuration: a key of a mapping or an index of a list. */
export type PathSegment = string | number;

/** `['auth', 'tokens', 0, 'scopes', 1]` → `auth.tokens[0].scopes[1]` */
export function formatPath(path: readonly PathSegment[]): string {
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (!/^[A-Za-z_$][\w$-]*$/.test(segment)) return `[${JSON.stringify(segment)}]`;
      return i === 0 ? segment : `.${segment}`;
    })
    .join('');
}
