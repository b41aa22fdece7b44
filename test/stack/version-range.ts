// Whether a version satisfies a plugin.json `grafanaDependency` range: comparators joined by spaces
// (all must hold) and `||` (any group may hold), with >=, >, <=, <, = or none, and partial
// versions (`>=12.3`, `<13`) as semver reads them.

type Version = [number, number, number];

function parseVersion(text: string): Version {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
  if (!m) throw new Error(`not a version: ${JSON.stringify(text)}`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function holds(version: Version, comparator: string): boolean {
  const m = /^(>=|<=|>|<|=)?\s*(.+)$/.exec(comparator);
  if (!m) throw new Error(`not a comparator: ${JSON.stringify(comparator)}`);
  const c = compare(version, parseVersion(m[2]!));
  switch (m[1] ?? '=') {
    case '>=':
      return c >= 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    case '<':
      return c < 0;
    default:
      return c === 0;
  }
}

export function satisfies(version: string, range: string): boolean {
  if (/[~^*xX]/.test(range.replace(/-[0-9A-Za-z.-]+/g, ''))) {
    throw new Error(`range form not supported here: ${JSON.stringify(range)} (use >=, <, …)`);
  }
  const v = parseVersion(version);
  return range.split('||').some((group) =>
    group
      .trim()
      .replace(/(>=|<=|>|<|=)\s+/g, '$1')
      .split(/\s+/)
      .every((comparator) => holds(v, comparator)),
  );
}
