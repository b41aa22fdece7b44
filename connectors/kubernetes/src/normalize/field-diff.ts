// Field diffs of Kubernetes objects as a compact list of `path: old → new`: objects flattened to
// readable paths (list items by name where they have one), the fields that churn left out, and
// values that may be sensitive (container env values) kept as digests only.
import { sha256 } from './fingerprint.js';

/** Annotations that controllers rewrite on their own or that repeat the spec: never a change. */
export const CHURNING_ANNOTATIONS = [
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  // The previous `kubectl apply` input: the fields it holds are diffed themselves.
  'kubectl.kubernetes.io/last-applied-configuration',
  'control-plane.alpha.kubernetes.io/leader',
  'autoscaling.alpha.kubernetes.io/conditions',
  'autoscaling.alpha.kubernetes.io/current-metrics',
  'endpoints.kubernetes.io/last-change-trigger-time',
  'argocd.argoproj.io/refresh',
];

/** `path: value` of every scalar under an object part. */
export type FlatFields = Record<string, string>;

export interface FieldChange {
  path: string;
  from?: string;
  to?: string;
}

/** Most changes listed in one event; the rest are counted. */
export const MAX_LISTED_CHANGES = 20;

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;
/** Container env values may hold credentials written inline: kept as a digest, shown as changed. */
const MASKED_PATH = /\.env\[[^\]]+\]\.value$/;

const keyed = (items: unknown[]): boolean =>
  items.length > 0 &&
  items.every(
    (item) =>
      item !== null &&
      typeof item === 'object' &&
      typeof (item as { name?: unknown }).name === 'string',
  ) &&
  new Set(items.map((item) => (item as { name: string }).name)).size === items.length;

/** Flattens `value` below `prefix`; empty objects and lists leave no path. */
export function flatten(value: unknown, prefix = '', out: FlatFields = {}): FlatFields {
  if (Array.isArray(value)) {
    const byName = keyed(value);
    value.forEach((item, index) => {
      if (!byName) return void flatten(item, `${prefix}[${index}]`, out);
      // The name is in the path already.
      const { name, ...rest } = item as { name: string };
      flatten(rest, `${prefix}[${name}]`, out);
    });
    return out;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const segment = PLAIN_KEY.test(key) ? (prefix ? `.${key}` : key) : `[${key}]`;
      flatten(child, `${prefix}${segment}`, out);
    }
    return out;
  }
  if (value === undefined) return out;
  const text = value === null ? 'null' : String(value);
  out[prefix] = MASKED_PATH.test(prefix) ? `sha256:${sha256(text)}` : text;
  return out;
}

/** What differs between two flattened parts, sorted by path. */
export function diffFields(before: FlatFields, after: FlatFields): FieldChange[] {
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: FieldChange[] = [];
  for (const path of paths) {
    const from = before[path];
    const to = after[path];
    if (from !== to) changes.push({ path, from, to });
  }
  return changes;
}

const cut = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** `spec.rules[0].host: a.example.com → b.example.com`; digests say "changed", never a value. */
export function formatChange(change: FieldChange, maxValueLength: number): string {
  const masked = MASKED_PATH.test(change.path);
  const show = (value: string) => (masked ? '' : cut(value, maxValueLength));
  if (change.from === undefined) {
    const shown = show(change.to ?? '');
    return shown ? `${change.path}: added ${shown}` : `${change.path}: added`;
  }
  if (change.to === undefined) return `${change.path}: removed`;
  const from = show(change.from);
  const to = show(change.to);
  return from || to ? `${change.path}: ${from} → ${to}` : `${change.path}: changed`;
}

/** The listed changes and how many more there were. */
export function formatChanges(
  changes: readonly FieldChange[],
  maxValueLength: number,
): { lines: string[]; more: number } {
  return {
    lines: changes.slice(0, MAX_LISTED_CHANGES).map((c) => formatChange(c, maxValueLength)),
    more: Math.max(0, changes.length - MAX_LISTED_CHANGES),
  };
}

/** Labels and the annotations that mean something: the metadata a config diff covers. */
export function meaningfulMetadata(
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined,
  ignoreAnnotations: readonly string[],
): { labels?: Record<string, string>; annotations?: Record<string, string> } {
  const ignored = new Set([...CHURNING_ANNOTATIONS, ...ignoreAnnotations]);
  const annotations = Object.fromEntries(
    Object.entries(metadata?.annotations ?? {}).filter(([key]) => !ignored.has(key)),
  );
  return { labels: metadata?.labels, annotations };
}
