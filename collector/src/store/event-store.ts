// Where change events are written and read: the SQL behind ingest, listing, facets and lookup.
// Every statement is parameterized and scoped to one tenant.
import { newChangeId } from './change-ids.js';
import type { ChangeEvent, ChangeKind, ChangeStatus } from '@painchain/sdk';
import type { Db, Queryable } from './db.js';
import type { NormalizedEvent } from '../ingest/normalize.js';

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

export interface UpsertResult {
  id: string;
  outcome: UpsertOutcome;
}

export interface EventFilter {
  from?: Date;
  to?: Date;
  connector?: string[];
  project?: string[];
  service?: string[];
  environment?: string[];
  kind?: string[];
  status?: string[];
  tag?: string[];
  /** Case-insensitive substring of title, description, project, service or author. */
  q?: string;
}

export interface Position {
  timestamp: Date;
  id: string;
}

export const FACET_FIELDS = [
  'connector',
  'project',
  'service',
  'environment',
  'kind',
  'status',
  'author',
  'tag',
] as const;
export type FacetField = (typeof FACET_FIELDS)[number];

/** A row of the events table as the driver returns it (the store's own type). */
export interface EventRow {
  id: string;
  connector: string;
  external_id: string;
  kind: string;
  status: string | null;
  title: string;
  description: string | null;
  project: string;
  service: string | null;
  environment: string | null;
  ts: Date;
  end_ts: Date | null;
  updated_at: Date | null;
  received_at: Date;
  author: string | null;
  url: string | null;
  refs: Record<string, unknown>;
  tags: string[];
  data: Record<string, unknown>;
}

/** The columns an ingest writes, in the order of its parameters (the benchmark reuses it). */
export const COLUMNS = [
  'id',
  'tenant',
  'connector',
  'external_id',
  'kind',
  'status',
  'title',
  'description',
  'project',
  'service',
  'environment',
  'ts',
  'end_ts',
  'updated_at',
  'author',
  'url',
  'refs',
  'tags',
  'data',
] as const;

/** Changes per call of the write function: bounds one statement's work and its JSON text. */
const ROWS_PER_STATEMENT = 1000;

export const SELECT_COLUMNS = `id, connector, external_id, kind, status, title, description, project, service,
  environment, ts, end_ts, updated_at, received_at, author, url, refs, tags, data`;

/** What the write function answers per key: the stored change as JSON when asked for. */
interface WrittenRow {
  outcome: UpsertOutcome;
  id: string;
  tenant: string;
  connector: string;
  external_id: string;
  event?: ChangeEvent | null;
}

const keyOf = (e: Pick<NormalizedEvent, 'connector' | 'externalId'>) =>
  `${e.connector}\u0000${e.externalId}`;
const rowKey = (r: { connector: string; external_id: string }) => ({
  connector: r.connector,
  externalId: r.external_id,
});

/** The same rule as the SQL: does `b` replace `a`? */
const supersedes = (b: NormalizedEvent, a: NormalizedEvent) =>
  !a.updatedAt || !b.updatedAt || b.updatedAt >= a.updatedAt;

export function rowToEvent(r: EventRow): ChangeEvent {
  return {
    id: r.id,
    connector: r.connector,
    externalId: r.external_id,
    kind: r.kind as ChangeKind,
    status: r.status as ChangeStatus | null,
    title: r.title,
    description: r.description,
    project: r.project,
    service: r.service,
    environment: r.environment,
    timestamp: r.ts.toISOString(),
    endTimestamp: r.end_ts?.toISOString() ?? null,
    updatedAt: r.updated_at?.toISOString() ?? null,
    receivedAt: r.received_at.toISOString(),
    author: r.author,
    url: r.url,
    refs: r.refs,
    tags: r.tags,
    data: r.data,
  };
}

/** A timestamp column as the API writes it: `toISOString()`'s form (UTC, milliseconds, `Z`). */
const isoText = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One row (of alias `e`) as the API's ChangeEvent JSON, built by the database: what rowToEvent
 * and the route's serializer would write, without parsing every column in JavaScript and
 * printing it again.
 */
const eventJson = (e: string) => `json_build_object(
  'id', ${e}.id, 'connector', ${e}.connector, 'externalId', ${e}.external_id, 'kind', ${e}.kind,
  'status', ${e}.status, 'title', ${e}.title, 'description', ${e}.description,
  'project', ${e}.project, 'service', ${e}.service, 'environment', ${e}.environment,
  'timestamp', ${isoText(`${e}.ts`)}, 'endTimestamp', ${isoText(`${e}.end_ts`)},
  'updatedAt', ${isoText(`${e}.updated_at`)}, 'receivedAt', ${isoText(`${e}.received_at`)},
  'author', ${e}.author, 'url', ${e}.url, 'refs', ${e}.refs, 'tags', ${e}.tags, 'data', ${e}.data)`;
const EVENT_JSON = `${eventJson('e')}::text`;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The columns a filter may name with a list of values (tags and text are matched otherwise). */
const VALUE_FILTERS = ['connector', 'project', 'service', 'environment', 'kind', 'status'] as const;

/** Builds the WHERE clause shared by listing and facets. */
function whereClause(tenant: string, f: EventFilter, params: unknown[], skip?: FacetField): string {
  params.push(tenant);
  const parts = [`tenant = $${params.length}`];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    parts.push(sql(`$${params.length}`));
  };
  if (f.from) add((p) => `ts >= ${p}`, f.from);
  if (f.to) add((p) => `ts <= ${p}`, f.to);
  for (const field of VALUE_FILTERS) {
    const values = f[field];
    if (values?.length && skip !== field) add((p) => `${field} = ANY(${p}::text[])`, values);
  }
  if (f.tag?.length && skip !== 'tag') add((p) => `tags && ${p}::text[]`, f.tag);
  if (f.q) {
    add(
      (p) =>
        `(title ILIKE ${p} OR description ILIKE ${p} OR project ILIKE ${p} OR service ILIKE ${p} OR author ILIKE ${p})`,
      `%${escapeLike(f.q)}%`,
    );
  }
  return parts.join(' AND ');
}

const HOUR_MS = 3_600_000;
/** How often a collector folds the facet log into the counts: a read adds a few seconds' worth. */
export const FACET_FOLD_INTERVAL_MS = 2_000;
/** Logged changes a fold takes per statement: 0.8-0.9 s of PostgreSQL, far below its timeout. */
export const FACET_FOLD_MAX_ROWS = 50_000;
/** Folded log rows between two vacuums of the log. */
export const FACET_LOG_VACUUM_ROWS = 10_000;

/**
 * The whole hours inside a facet's time range, as the first hour's start and the end of the last
 * (either bound absent when the range has none): what a facet reads from the hourly counts.
 * Undefined when the counts cannot answer: a filter on another field, the tag or the text (the
 * counts are per field, not per combination), or a range without a whole hour.
 */
function countedHours(f: EventFilter, field: FacetField): { from?: Date; to?: Date } | undefined {
  const others = [...VALUE_FILTERS, 'tag' as const]
    .filter((name) => name !== field)
    .some((name) => (f[name]?.length ?? 0) > 0);
  if (others || f.q) return undefined;
  // `to` is inclusive: the hour that starts at it is partial; a whole hour ends at or before it.
  const from = f.from && new Date(Math.ceil(f.from.getTime() / HOUR_MS) * HOUR_MS);
  const to = f.to && new Date(Math.floor(f.to.getTime() / HOUR_MS) * HOUR_MS);
  if (from && to && from >= to) return undefined;
  return { from, to };
}

const DAY_MS = 86_400_000;

/**
 * The whole days inside a range of whole hours (either bound absent when the range has none),
 * or undefined when it holds no whole day.
 */
function wholeDays(hours: { from?: Date; to?: Date }): { from?: Date; to?: Date } | undefined {
  const from = hours.from && new Date(Math.ceil(hours.from.getTime() / DAY_MS) * DAY_MS);
  const to = hours.to && new Date(Math.floor(hours.to.getTime() / DAY_MS) * DAY_MS);
  return from && to && from >= to ? undefined : { from, to };
}

/** One event as the columns an ingest writes, with a fresh UUIDv7 id (the id a new key gets). */
function eventColumns(
  tenant: string,
  e: NormalizedEvent,
): Record<(typeof COLUMNS)[number], unknown> {
  return {
    id: newChangeId(),
    tenant,
    connector: e.connector,
    external_id: e.externalId,
    kind: e.kind,
    status: e.status,
    title: e.title,
    description: e.description,
    project: e.project,
    service: e.service,
    environment: e.environment,
    ts: e.timestamp,
    end_ts: e.endTimestamp,
    updated_at: e.updatedAt,
    author: e.author,
    url: e.url,
    refs: e.refs,
    tags: e.tags,
    data: e.data,
  };
}

/**
 * One event's values in COLUMNS order, bound as parameters (the benchmark's raw INSERT baseline
 * writes the same rows the ingest does).
 */
export function eventRowValues(tenant: string, e: NormalizedEvent): unknown[] {
  const row = eventColumns(tenant, e);
  return COLUMNS.map((c) => (c === 'refs' || c === 'data' ? JSON.stringify(row[c]) : row[c]));
}

/** One request's events in a group of upserts (group commit): one tenant, all-or-nothing. */
export interface UpsertRequest {
  tenant: string;
  events: NormalizedEvent[];
}

/** One request's answer: a result per input, in order, and the rows it created or changed. */
export interface UpsertOutput {
  results: UpsertResult[];
  changed: ChangeEvent[];
}

interface Hit {
  id: string;
  outcome: UpsertOutcome;
  event?: ChangeEvent;
}

/** An event of one request in a group, as it goes into a statement. */
interface GroupItem {
  request: number;
  tenant: string;
  event: NormalizedEvent;
  key: string;
}

/**
 * A chunk's changes as the write function takes them: one JSON array of objects named like the
 * columns.
 */
const changesJson = (chunk: readonly GroupItem[]) =>
  JSON.stringify(chunk.map(({ tenant, event }) => eventColumns(tenant, event)));

/**
 * The call that writes a chunk (migration 007: key rows first, then the changes of keys that
 * existed, the merge rule of decision 002), answering a row per key; with the stored change as
 * the API's JSON, built by the database, when the listeners need it.
 */
const writeCall = (returnRows: boolean) =>
  `SELECT w.outcome, w.id, w.tenant, w.connector, w.external_id${
    returnRows ? `, CASE WHEN w.outcome <> 'unchanged' THEN ${eventJson('w')} END AS event` : ''
  } FROM painchain_write_changes($1::json) AS w`;
const WRITE = writeCall(false);
const WRITE_RETURNING_ROWS = writeCall(true);

export class EventStore {
  #foldedSinceVacuum = 0;

  constructor(private readonly db: Db) {}

  /**
   * Stores a batch in one transaction (all or nothing). Returns one result per input, in order;
   * `changed` holds the stored rows that were created or updated, for listeners.
   */
  async upsert(
    tenant: string,
    events: NormalizedEvent[],
    options: { returnChanged?: boolean } = {},
  ): Promise<UpsertOutput> {
    const [output] = await this.upsertMany([{ tenant, events }], options);
    return output!;
  }

  /**
   * Stores several requests' batches together, as if one after another in this order: the
   * statements of a group commit. All requests commit or none does. A key that several requests
   * write is written once per request, in request order (each later write sees the earlier one,
   * as separate requests would). Rows keep the requests' order, and so do their new ids (UUIDv7,
   * which order changes of the same instant).
   */
  async upsertMany(
    requests: readonly UpsertRequest[],
    options: { returnChanged?: boolean } = {},
  ): Promise<UpsertOutput[]> {
    // Two events with the same key in one request: keep the newest (same rule as the database);
    // the others report the winner's id.
    const winners = requests.map(({ events }) => {
      const byKey = new Map<string, NormalizedEvent>();
      for (const e of events) {
        const k = keyOf(e);
        const prev = byKey.get(k);
        if (!prev || supersedes(e, prev)) byKey.set(k, e);
      }
      return byKey;
    });
    // Layer n holds the n-th write of each key in the group: one statement cannot write a row
    // twice, and request order is kept. Without repeats (the usual case) there is one layer.
    const layers: GroupItem[][] = [];
    const writes = new Map<string, number>();
    winners.forEach((byKey, request) => {
      const { tenant } = requests[request]!;
      for (const event of byKey.values()) {
        const key = `${tenant}\u0000${keyOf(event)}`;
        const n = writes.get(key) ?? 0;
        writes.set(key, n + 1);
        (layers[n] ??= []).push({ request, tenant, event, key });
      }
    });

    const write = async (tx: Queryable) => {
      const hits = requests.map(() => new Map<string, Hit>());
      for (const layer of layers) {
        for (let i = 0; i < layer.length; i += ROWS_PER_STATEMENT) {
          const chunk = layer.slice(i, i + ROWS_PER_STATEMENT);
          const found = await this.#writeChunk(tx, chunk, options.returnChanged ?? false);
          for (const item of chunk) {
            const hit = found.get(item.key);
            if (hit) hits[item.request]!.set(keyOf(item.event), hit);
          }
        }
      }
      return hits;
    };
    // One call is one statement, stored whole or not at all (autocommitted); several calls (more
    // than a chunk, or a key written twice) share a transaction, and the keys each call takes
    // stay locked until it commits.
    const hits =
      layers.length === 1 && layers[0]!.length <= ROWS_PER_STATEMENT
        ? await write(this.db)
        : await this.db.transaction(write);

    return requests.map(({ events }, request) => {
      const byKey = hits[request]!;
      const reported = new Set<string>();
      const results = events.map((e) => {
        const k = keyOf(e);
        const hit = byKey.get(k);
        if (!hit) throw new Error(`stored event not found for ${e.connector}/${e.externalId}`);
        // Only the winner reports created/updated, wherever it stands in the batch; the other
        // copies are duplicates (the same object twice reports once).
        const first = winners[request]!.get(k) === e && !reported.has(k);
        if (first) reported.add(k);
        return { id: hit.id, outcome: first ? hit.outcome : 'unchanged' } satisfies UpsertResult;
      });
      // In the order the request holds them.
      const changed = [...winners[request]!.keys()].flatMap((k) => {
        const event = byKey.get(k)?.event;
        return event ? [event] : [];
      });
      return { results, changed };
    });
  }

  /**
   * Writes one chunk (at most one write per key) in one call of the write function. Returns
   * each key's hit.
   */
  async #writeChunk(
    q: Queryable,
    chunk: readonly GroupItem[],
    returnRows: boolean,
  ): Promise<Map<string, Hit>> {
    const { rows } = await q.query<WrittenRow>(returnRows ? WRITE_RETURNING_ROWS : WRITE, [
      changesJson(chunk),
    ]);
    const found = new Map<string, Hit>();
    for (const row of rows) {
      found.set(`${row.tenant}\u0000${keyOf(rowKey(row))}`, {
        id: row.id,
        outcome: row.outcome,
        event: row.event ?? undefined,
      });
    }
    return found;
  }

  /** The statement behind list(): exposed so that a test can EXPLAIN exactly what runs. */
  listQuery(tenant: string, filter: EventFilter, limit: number, after?: Position) {
    const params: unknown[] = [];
    let where = whereClause(tenant, filter, params);
    if (after) {
      params.push(after.timestamp, after.id);
      where += ` AND (ts, id) < ($${params.length - 1}, $${params.length}::uuid)`;
    }
    params.push(limit + 1);
    const sql = `SELECT ${SELECT_COLUMNS} FROM events WHERE ${where} ORDER BY ts DESC, id DESC LIMIT $${params.length}`;
    return { sql, params };
  }

  /** Newest first; `after` continues below a position from a previous page. */
  async list(
    tenant: string,
    filter: EventFilter,
    limit: number,
    after?: Position,
  ): Promise<{ events: ChangeEvent[]; next?: Position }> {
    const { sql, params } = this.listQuery(tenant, filter, limit, after);
    const { rows } = await this.db.query<EventRow>(sql, params);
    const page = rows.slice(0, limit).map(rowToEvent);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { events: page, next: last ? { timestamp: last.ts, id: last.id } : undefined };
  }

  /**
   * As list(), each event as its JSON text (the API's ChangeEvent), built by the database for
   * the page only: the route writes the texts into its answer as they are.
   */
  async listJson(
    tenant: string,
    filter: EventFilter,
    limit: number,
    after?: Position,
  ): Promise<{ json: string[]; next?: Position }> {
    const { sql, params } = this.listQuery(tenant, filter, limit, after);
    const { rows } = await this.db.query<{ ts: Date; id: string; json: string }>(
      `SELECT e.ts, e.id, ${EVENT_JSON} AS json FROM (${sql}) e ORDER BY e.ts DESC, e.id DESC`,
      params,
    );
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      json: rows.slice(0, limit).map((r) => r.json),
      next: last ? { timestamp: last.ts, id: last.id } : undefined,
    };
  }

  async get(tenant: string, id: string): Promise<ChangeEvent | undefined> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${SELECT_COLUMNS} FROM events WHERE tenant = $1 AND id = $2::uuid`,
      [tenant, id],
    );
    return rows[0] ? rowToEvent(rows[0]) : undefined;
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    return (await this.deleteMany(tenant, [id])) > 0;
  }

  /** Deletes the events of `tenant` with these ids, and their keys; returns how many. */
  async deleteMany(tenant: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    // Keys first, as every writer takes them: an ingest of one of these keys waits for the
    // delete (or the delete for it), never the other way round as well.
    return this.db.transaction(async (tx) => {
      await tx.query(
        `DELETE FROM event_keys k USING events e
          WHERE e.tenant = $1 AND e.id = ANY($2::uuid[])
            AND k.tenant = e.tenant AND k.connector = e.connector AND k.external_id = e.external_id`,
        [tenant, ids],
      );
      const { affected } = await tx.query(
        'DELETE FROM events WHERE tenant = $1 AND id = ANY($2::uuid[])',
        [tenant, ids],
      );
      return affected;
    });
  }

  /**
   * Distinct values of one field with counts, most frequent first. The field's own filter is
   * left out, so a multi-select variable still offers every value of the other filters' subset.
   * A time range and nothing else (a variable's usual query) is read from the daily and hourly
   * counts and the facet log not folded yet, the changes of its partial first and last hours
   * counted one by one; any other filter counts the changes themselves
   * (docs/decisions/021-facet-counts.md).
   */
  async facet(
    tenant: string,
    field: FacetField,
    filter: EventFilter,
    limit: number,
  ): Promise<{ value: string; count: number }[]> {
    const params: unknown[] = [];
    const column = field === 'tag' ? 'unnest(tags)' : field;
    const hours = countedHours(filter, field);
    let sql: string;
    if (hours) {
      const p = (value: unknown) => `$${params.push(value)}`;
      const t = p(tenant);
      const f = p(field);
      /** `column` in [from, to), either bound open when absent. */
      const within = (column: string, from?: Date, to?: Date) =>
        [from && `${column} >= ${p(from)}`, to && `${column} < ${p(to)}`]
          .filter(Boolean)
          .map((c) => ` AND ${c}`)
          .join('');
      // The whole days from the daily counts, the whole hours around them from the hourly ones.
      const parts: string[] = [];
      const days = wholeDays(hours);
      if (days)
        parts.push(`SELECT value, n FROM event_facet_daily_counts
                     WHERE tenant = ${t} AND field = ${f}${within('day', days.from, days.to)}`);
      const hourly = days
        ? [
            ...(hours.from && hours.from < days.from! ? [[hours.from, days.from]] : []),
            ...(hours.to && days.to! < hours.to ? [[days.to, hours.to]] : []),
          ]
        : [[hours.from, hours.to]];
      for (const [from, to] of hourly)
        parts.push(`SELECT value, n FROM event_facet_counts
                     WHERE tenant = ${t} AND field = ${f}${within('hour', from, to)}`);
      // What was written since the last fold, not in the counts yet.
      parts.push(`SELECT ${column}, sign FROM event_facet_log
                   WHERE tenant = ${t}${within('ts', hours.from, hours.to)}`);
      // The partial hours at the ends, change by change.
      const edges: string[] = [];
      if (hours.from) edges.push(`(ts >= ${p(filter.from)} AND ts < ${p(hours.from)})`);
      if (hours.to) edges.push(`(ts >= ${p(hours.to)} AND ts <= ${p(filter.to)})`);
      if (edges.length > 0)
        parts.push(
          `SELECT ${column}, 1 FROM events WHERE tenant = ${t} AND (${edges.join(' OR ')})`,
        );
      // A value whose counts and log add up to nothing (all its changes gone) is not listed.
      sql = `SELECT value, sum(n)::int AS count
               FROM (${parts.join('\n               UNION ALL ')}) v
              WHERE value IS NOT NULL
              GROUP BY value HAVING sum(n) > 0`;
    } else {
      sql = `SELECT value, count(*)::int AS count
               FROM (SELECT ${column} AS value FROM events
                      WHERE ${whereClause(tenant, filter, params, field)}) v
              WHERE value IS NOT NULL
              GROUP BY value`;
    }
    params.push(limit);
    const { rows } = await this.db.query<{ value: string; count: number }>(
      `${sql} ORDER BY count DESC, value ASC LIMIT $${params.length}`,
      params,
    );
    return rows;
  }

  /**
   * Moves the facet log (what writes added and took away since the last fold) into the hourly
   * and daily counts, one replica at a time, in calls of at most `maxRows` changes, each one
   * short statement; returns how many logged changes it folded. Reads
   * are exact either way: this keeps them short. Every FACET_LOG_VACUUM_ROWS folded, the log is
   * vacuumed: a read of the log's recent hours would otherwise step over every folded row's dead
   * index entry until autovacuum comes (60,000 of them took a 7-day facet from 7 to 65 ms).
   */
  async foldFacetCounts(maxRows = FACET_FOLD_MAX_ROWS): Promise<number> {
    let total = 0;
    for (;;) {
      const { rows } = await this.db.query<{ n: number }>(
        'SELECT painchain_fold_facet_counts($1) AS n',
        [maxRows],
      );
      const folded = rows[0]?.n ?? 0;
      total += folded;
      this.#foldedSinceVacuum += folded;
      if (this.#foldedSinceVacuum >= FACET_LOG_VACUUM_ROWS) {
        this.#foldedSinceVacuum = 0;
        await this.db.query('VACUUM event_facet_log');
      }
      // A full call: more may be waiting (a backfill, a fold that fell behind).
      if (folded < maxRows) return total;
    }
  }

  /** Removes the facet counts that fell to zero, the log folded first. */
  async pruneFacetCounts(): Promise<void> {
    await this.foldFacetCounts();
    await this.db.query('DELETE FROM event_facet_counts WHERE n = 0');
    await this.db.query('DELETE FROM event_facet_daily_counts WHERE n = 0');
  }

  async count(tenant?: string): Promise<number> {
    const { rows } = tenant
      ? await this.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM events WHERE tenant = $1',
          [tenant],
        )
      : await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    return rows[0]?.n ?? 0;
  }

  /**
   * Deletes, for each tenant, its events that started before its cutoff; returns how many. One
   * maintenance connection for them all: a month of a large store can take longer than a request
   * may. Keys first, as in deleteMany.
   */
  async deleteOlderThan(cutoffs: ReadonlyMap<string, Date>): Promise<number> {
    if (cutoffs.size === 0) return 0;
    return this.db.maintenance(async (tx) => {
      let removed = 0;
      for (const [tenant, cutoff] of cutoffs) {
        await tx.query(
          `DELETE FROM event_keys k USING events e
            WHERE e.tenant = $1 AND e.ts < $2
              AND k.tenant = e.tenant AND k.connector = e.connector AND k.external_id = e.external_id`,
          [tenant, cutoff],
        );
        const { affected } = await tx.query('DELETE FROM events WHERE tenant = $1 AND ts < $2', [
          tenant,
          cutoff,
        ]);
        removed += affected;
      }
      return removed;
    });
  }

  /** The tenants that have stored changes (a skip scan of the keys' index: cheap). */
  async tenants(): Promise<string[]> {
    const { rows } = await this.db.query<{ tenant: string }>(
      `WITH RECURSIVE t AS (
         SELECT min(tenant) AS tenant FROM event_keys
         UNION ALL
         SELECT (SELECT min(tenant) FROM event_keys WHERE tenant > t.tenant) FROM t
          WHERE t.tenant IS NOT NULL)
       SELECT tenant FROM t WHERE tenant IS NOT NULL`,
    );
    return rows.map((r) => r.tenant);
  }

  /** The monthly partitions of the change table, oldest first (the default one aside). */
  async partitions(): Promise<EventPartition[]> {
    const { rows } = await this.db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'events'::regclass`,
    );
    return rows
      .flatMap(({ name }) => {
        const m = /^events_(\d{4})_(\d{2})$/.exec(name);
        if (!m) return [];
        const [year, month] = [Number(m[1]), Number(m[2]) - 1];
        return [
          { name, from: new Date(Date.UTC(year, month)), to: new Date(Date.UTC(year, month + 1)) },
        ];
      })
      .sort((a, b) => a.from.getTime() - b.from.getTime());
  }

  /** The months (their first instant, UTC) of the changes waiting in the default partition. */
  async monthsInDefault(): Promise<Date[]> {
    const { rows } = await this.db.query<{ month: Date }>(
      `SELECT DISTINCT date_trunc('month', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS month
         FROM events_default ORDER BY 1`,
    );
    return rows.map((r) => r.month);
  }

  /**
   * Makes sure the month holding `at` has its partition (changes of it waiting in the default
   * partition move in); returns the partition's name when this call created it.
   */
  async ensurePartition(at: Date): Promise<string | undefined> {
    const { rows } = await this.db.maintenance((tx) =>
      tx.query<{ name: string | null }>('SELECT painchain_event_partition($1) AS name', [at]),
    );
    return rows[0]?.name ?? undefined;
  }

  /** Drops a monthly partition with its changes and their keys; returns how many changes went. */
  async dropPartition(partition: EventPartition): Promise<number> {
    const name = partitionName(partition.from);
    if (name !== partition.name) throw new Error(`not a partition of events: ${partition.name}`);
    return this.db.maintenance(async (tx) => {
      await tx.query(
        `DELETE FROM event_keys k USING ${name} e
          WHERE k.tenant = e.tenant AND k.connector = e.connector AND k.external_id = e.external_id`,
      );
      const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`);
      await tx.exec(`DROP TABLE ${name}`);
      // Dropping a table fires no trigger: its month's facet counts go by hand (hours and days
      // are UTC, like months, so they are all of that month's).
      for (const [table, column] of [
        ['event_facet_counts', 'hour'],
        ['event_facet_daily_counts', 'day'],
        ['event_facet_log', 'ts'],
      ])
        await tx.query(`DELETE FROM ${table} WHERE ${column} >= $1 AND ${column} < $2`, [
          partition.from,
          partition.to,
        ]);
      return rows[0]?.n ?? 0;
    });
  }
}

/** One month of the change table: its partition and the instants it holds, [from, to). */
export interface EventPartition {
  name: string;
  from: Date;
  to: Date;
}

/** The partition holding the month that starts at `from` (UTC): events_YYYY_MM. */
export const partitionName = (from: Date) =>
  `events_${from.getUTCFullYear()}_${String(from.getUTCMonth() + 1).padStart(2, '0')}`;
