// Turns a validated ChangeEventInput into the stored shape: trimmed text, one-line title clamped
// to 300 characters, UTC instants, an idempotency key. Pure functions, no I/O.
import { createHash } from 'node:crypto';
import {
  MAX_TITLE_LENGTH,
  type ChangeEventInput,
  type ChangeKind,
  type ChangeStatus,
} from '@painchain/sdk';

export interface NormalizedEvent {
  connector: string;
  externalId: string;
  kind: ChangeKind;
  status: ChangeStatus | null;
  title: string;
  description: string | null;
  project: string;
  service: string | null;
  environment: string | null;
  timestamp: Date;
  endTimestamp: Date | null;
  updatedAt: Date | null;
  author: string | null;
  url: string | null;
  refs: Record<string, unknown>;
  tags: string[];
  data: Record<string, unknown>;
}

export interface NormalizeOptions {
  now: Date;
  /** How far ahead of `now` a time may be (clock skew); ignored when future times are allowed. */
  maxFutureSeconds: number;
  allowFutureTimestamps: boolean;
  /** Changes that started before this many days ago are refused: retention would delete them. */
  retentionDays?: number;
  /** The setting retentionDays comes from, for the message. */
  retentionSetting?: string;
}

export interface Problem {
  /** JSON pointer inside the request body, e.g. `/events/3/timestamp`. */
  path: string;
  message: string;
}

export type NormalizeResult =
  { ok: true; event: NormalizedEvent } | { ok: false; problems: Problem[] };

// RFC 3339: a date, a time, an optional fraction and a mandatory offset. A time without an
// offset is ambiguous (whose local time?), so it is refused rather than guessed.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** Epoch-millisecond values below this (early 1973) are almost surely epoch seconds. */
const MIN_PLAUSIBLE_EPOCH_MS = 100_000_000_000;

/** Parses an RFC 3339 string or epoch milliseconds; returns a message when it cannot. */
export function parseInstant(value: string | number): Date | string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return 'must be whole epoch milliseconds';
    if (value < 0) return 'is before 1970';
    if (value < MIN_PLAUSIBLE_EPOCH_MS)
      return 'is before 1973 in epoch milliseconds; this looks like epoch seconds (multiply by 1000)';
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? 'is out of range' : d;
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return parseInstant(Number(text));
  const parts = RFC3339.exec(text);
  if (!parts) {
    // `…10:00:00+01:00` unencoded in a query string arrives as `…10:00:00 01:00`.
    const plusLost = /\d \d{2}:\d{2}$/.test(text)
      ? ' (a + in a URL means a space: write it as %2B, e.g. 2026-11-25T10:00:00%2B01:00)'
      : '';
    return `must be an RFC 3339 time with a zone offset (2026-11-25T10:00:00Z) or epoch milliseconds${plusLost}`;
  }
  // Date() rolls 2026-02-30 over into March and reads hour 24 as the next day: refuse both.
  const [year, month, day, hour] = [1, 2, 3, 4].map((i) => Number(parts[i]));
  const calendar = new Date(0);
  calendar.setUTCFullYear(year!, month! - 1, day);
  if (calendar.getUTCMonth() !== month! - 1 || calendar.getUTCDate() !== day || hour! > 23)
    return 'is not a valid date';
  const d = new Date(text.replace(' ', 'T'));
  if (Number.isNaN(d.getTime())) return 'is not a valid date';
  if (d.getTime() < 0) return 'is before 1970';
  return d;
}

/** How deep `data` and `refs` may nest: far beyond real payloads, far below Postgres' limit. */
export const MAX_NESTING_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why Postgres cannot store this text as sent (text and jsonb alike), or undefined. */
export function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000'))
    return 'contains a NUL character (\\u0000), which PostgreSQL text cannot hold';
  if (LONE_SURROGATE.test(text))
    return 'contains an unpaired surrogate (\\ud800), not valid Unicode';
  return undefined;
}

const pointerToken = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * The common case, checked without allocating: no string or key the store would refuse and no
 * nesting too deep. Only when this says no are the problems (with their paths) worked out.
 */
function storable(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return unstorableText(value) === undefined;
  if (!value || typeof value !== 'object') return true;
  if (depth > MAX_NESTING_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const v of value) if (!storable(v, depth + 1)) return false;
    return true;
  }
  for (const key in value as Record<string, unknown>) {
    if (unstorableText(key) !== undefined) return false;
    if (!storable((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/**
 * Every string (and object key) the store would refuse or alter, and nesting deeper than
 * MAX_NESTING_DEPTH: a clear problem for the caller instead of a database error.
 */
function unstorableProblems(value: unknown, path: string, basePath: string, depth = 0): Problem[] {
  // The field as a person names it: `data.build.note`, `tags.1`.
  const where = () => path.slice(basePath.length + 1).replaceAll('/', '.');
  if (typeof value === 'string') {
    const why = unstorableText(value);
    return why ? [{ path, message: `${where()} ${why}` }] : [];
  }
  if (!value || typeof value !== 'object') return [];
  if (depth > MAX_NESTING_DEPTH) {
    const field = where().split('.')[0];
    return [{ path, message: `${field} is nested deeper than ${MAX_NESTING_DEPTH} levels` }];
  }
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value as Record<string, unknown>);
  return entries.flatMap(([key, v]) => {
    const inner = `${path}/${pointerToken(key)}`;
    const why = unstorableText(key);
    return [
      ...(why ? [{ path: inner, message: `a key in ${where()} ${why}` }] : []),
      ...unstorableProblems(v, inner, basePath, depth + 1),
    ];
  });
}

const clean = (s: string | undefined): string | null => {
  const t = s?.trim();
  return t ? t : null;
};

/** One line: newlines and runs of white space become one space; clamped with an ellipsis. */
export function normalizeTitle(title: string): string {
  const line = title.replace(/\s+/g, ' ').trim();
  const chars = Array.from(line); // by code point, never splitting a surrogate pair
  return chars.length <= MAX_TITLE_LENGTH
    ? line
    : chars.slice(0, MAX_TITLE_LENGTH - 1).join('') + '…';
}

/** Canonical JSON (sorted keys) so that the same content always hashes to the same key. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The key of an event sent without `externalId`: a hash of its content (not of `updatedAt`,
 * which says when, not what), so a CI job that retries a POST stores one event.
 */
export function contentKey(e: Omit<NormalizedEvent, 'externalId' | 'updatedAt'>): string {
  const digest = createHash('sha256')
    .update(
      canonical({
        ...e,
        timestamp: e.timestamp.getTime(),
        endTimestamp: e.endTimestamp?.getTime(),
      }),
    )
    .digest('hex');
  return `sha256:${digest}`;
}

export function normalizeEvent(
  input: ChangeEventInput,
  options: NormalizeOptions,
  basePath = '',
): NormalizeResult {
  const problems: Problem[] = storable(input) ? [] : unstorableProblems(input, basePath, basePath);
  const latest = options.now.getTime() + options.maxFutureSeconds * 1000;

  const instant = (field: 'timestamp' | 'endTimestamp' | 'updatedAt'): Date | null => {
    const raw = input[field];
    if (raw === undefined) return null;
    const parsed = parseInstant(raw);
    if (typeof parsed === 'string') {
      problems.push({ path: `${basePath}/${field}`, message: `${field} ${parsed}` });
      return null;
    }
    if (!options.allowFutureTimestamps && parsed.getTime() > latest) {
      problems.push({
        path: `${basePath}/${field}`,
        message: `${field} is more than ${options.maxFutureSeconds} s in the future (${parsed.toISOString()})`,
      });
      return null;
    }
    return parsed;
  };

  const timestamp = instant('timestamp');
  // Stored, it would be answered 201 and deleted by the next retention sweep: say so instead.
  if (timestamp && options.retentionDays !== undefined) {
    const oldest = options.now.getTime() - options.retentionDays * 86_400_000;
    if (timestamp.getTime() < oldest) {
      problems.push({
        path: `${basePath}/timestamp`,
        message: `timestamp ${timestamp.toISOString()} is older than the retention window of ${options.retentionDays} days (${options.retentionSetting ?? 'store.retentionDays'}): it would be deleted at once`,
      });
    }
  }
  const endTimestamp = instant('endTimestamp');
  const updatedAt = instant('updatedAt');
  if (timestamp && endTimestamp && endTimestamp < timestamp)
    problems.push({
      path: `${basePath}/endTimestamp`,
      message: 'endTimestamp is before timestamp',
    });

  const title = normalizeTitle(input.title);
  if (!title) problems.push({ path: `${basePath}/title`, message: 'title is empty' });
  const project = clean(input.project);
  if (!project) problems.push({ path: `${basePath}/project`, message: 'project is empty' });

  if (problems.length > 0 || !timestamp || !project) return { ok: false, problems };

  const tags = [...new Set((input.tags ?? []).map((t) => t.trim()).filter(Boolean))];
  const content = {
    connector: input.connector.toLowerCase(),
    kind: input.kind ?? 'other',
    status: input.status ?? null,
    title,
    description: clean(input.description),
    project,
    service: clean(input.service),
    environment: clean(input.environment),
    timestamp,
    endTimestamp,
    author: clean(input.author),
    url: clean(input.url),
    refs: input.refs ?? {},
    tags,
    data: input.data ?? {},
  };
  const externalId = clean(input.externalId) ?? contentKey(content);
  return { ok: true, event: { ...content, externalId, updatedAt } };
}
