// Where change events are written and read: the SQL behind ingest, listing, facets and lookup.
// Every statement is parameterized and scoped to one tenant.
import { v7 as uuidv7 } from 'uuid';
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
  inserted?: boolean;
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

/** Rows per INSERT statement: 19 parameters a row stays far below Postgres' 65,535. */
const ROWS_PER_STATEMENT = 1000;

export const SELECT_COLUMNS = `id, connector, external_id, kind, status, title, description, project, service,
  environment, ts, end_ts, updated_at, received_at, author, url, refs, tags, data`;

/** The SQL type of each column an ingest writes (the VALUES lists of the upsert name them). */
const COLUMN_TYPES: Record<(typeof COLUMNS)[number], string> = {
  id: 'uuid',
  tenant: 'text',
  connector: 'text',
  external_id: 'text',
  kind: 'text',
  status: 'text',
  title: 'text',
  description: 'text',
  project: 'text',
  service: 'text',
  environment: 'text',
  ts: 'timestamptz',
  end_ts: 'timestamptz',
  updated_at: 'timestamptz',
  author: 'text',
  url: 'text',
  refs: 'jsonb',
  tags: 'text[]',
  data: 'jsonb',
};

/** The key columns of a row: every upsert returns them. */
const KEY_COLUMNS = ['id', 'tenant', 'connector', 'external_id'] as const;
type RowColumn = Exclude<(typeof COLUMNS)[number], (typeof KEY_COLUMNS)[number]> | 'received_at';
/** The stored columns an upsert returns beside the key when the listeners need whole rows. */
const ROW_COLUMNS: readonly RowColumn[] = [
  ...COLUMNS.filter(
    (c): c is Exclude<typeof c, (typeof KEY_COLUMNS)[number]> =>
      !(KEY_COLUMNS as readonly string[]).includes(c),
  ),
  'received_at',
];
const ROW_TYPES: Record<RowColumn, string> = { ...COLUMN_TYPES, received_at: 'timestamptz' };

// On a repeat of the same key the newer state wins; an older `updatedAt` never overwrites a
// newer one (webhooks arrive out of order), and a repeat that changes nothing writes nothing.
// Optional fields keep their value when the update omits them, refs/data are merged, and the
// start time is the earliest one seen. `v` is the incoming change, `e` the stored one.
const MERGED = {
  kind: 'v.kind',
  status: 'COALESCE(v.status, e.status)',
  title: 'v.title',
  description: 'COALESCE(v.description, e.description)',
  project: 'v.project',
  service: 'COALESCE(v.service, e.service)',
  environment: 'COALESCE(v.environment, e.environment)',
  ts: 'LEAST(e.ts, v.ts)',
  end_ts: 'COALESCE(v.end_ts, e.end_ts)',
  updated_at: 'COALESCE(v.updated_at, e.updated_at)',
  author: 'COALESCE(v.author, e.author)',
  url: 'COALESCE(v.url, e.url)',
  refs: 'e.refs || v.refs',
  tags: 'ARRAY(SELECT DISTINCT unnest(e.tags || v.tags) ORDER BY 1)',
  data: 'e.data || v.data',
} as const;
const MERGED_COLUMNS = Object.keys(MERGED) as (keyof typeof MERGED)[];
const UPDATE_SET = MERGED_COLUMNS.map((c) => `${c} = ${MERGED[c]}`).join(',\n    ');
const UPDATE_WHERE = `(e.updated_at IS NULL OR v.updated_at IS NULL OR v.updated_at >= e.updated_at)
    -- A repeat that would change nothing is no update: the answer counts it "unchanged", and
    -- nothing is written, listened to or exported.
    AND (${MERGED_COLUMNS.map((c) => (c === 'tags' ? 'ARRAY(SELECT DISTINCT unnest(e.tags) ORDER BY 1)' : `e.${c}`)).join(', ')})
      IS DISTINCT FROM (${MERGED_COLUMNS.map((c) => MERGED[c]).join(', ')})`;

/** Which write of a key a returned row reports, and where the key's change lives. */
interface WrittenRow extends Partial<EventRow> {
  outcome: 'created' | 'updated' | 'existing';
  id: string;
  tenant: string;
  connector: string;
  external_id: string;
  key_ts: Date;
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
 * One row as the API's ChangeEvent JSON, built by the database: what rowToEvent and the route's
 * serializer would write, without parsing every column in JavaScript and printing it again.
 */
const EVENT_JSON = `json_build_object(
  'id', e.id, 'connector', e.connector, 'externalId', e.external_id, 'kind', e.kind,
  'status', e.status, 'title', e.title, 'description', e.description, 'project', e.project,
  'service', e.service, 'environment', e.environment, 'timestamp', ${isoText('e.ts')},
  'endTimestamp', ${isoText('e.end_ts')}, 'updatedAt', ${isoText('e.updated_at')},
  'receivedAt', ${isoText('e.received_at')}, 'author', e.author, 'url', e.url,
  'refs', e.refs, 'tags', e.tags, 'data', e.data)::text`;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

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
  for (const field of [
    'connector',
    'project',
    'service',
    'environment',
    'kind',
    'status',
  ] as const) {
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

/** One event's values in COLUMNS order, as the ingest binds them (a fresh UUIDv7 id). */
export function eventRowValues(tenant: string, e: NormalizedEvent): unknown[] {
  return [
    uuidv7(),
    tenant,
    e.connector,
    e.externalId,
    e.kind,
    e.status,
    e.title,
    e.description,
    e.project,
    e.service,
    e.environment,
    e.timestamp,
    e.endTimestamp,
    e.updatedAt,
    e.author,
    e.url,
    JSON.stringify(e.refs),
    e.tags,
    JSON.stringify(e.data),
  ];
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
  row?: EventRow;
}

/** An event of one request in a group, as it goes into a statement. */
interface GroupItem {
  request: number;
  tenant: string;
  event: NormalizedEvent;
  key: string;
}

/** The columns a write returns: the key, and the whole row when the listeners need it. */
const returned = (alias: string, returnRows: boolean) =>
  [...KEY_COLUMNS, ...(returnRows ? ROW_COLUMNS : [])].map((c) => `${alias}.${c}`).join(', ');
/** A branch of the answer with no stored row: typed NULLs where the row's columns go. */
const noRow = (returnRows: boolean) =>
  returnRows ? ROW_COLUMNS.map((c) => `, NULL::${ROW_TYPES[c]} AS ${c}`).join('') : '';

/** A VALUES list of the chunk's changes as the named relation `v`, each value typed. */
function valuesOf(
  rows: unknown[][],
  columns: readonly string[],
  types: readonly string[],
  params: unknown[],
): string {
  const tuples = rows.map((values) => {
    const start = params.length;
    params.push(...values);
    return `(${values.map((_, j) => `$${start + j + 1}::${types[j]}`).join(',')})`;
  });
  return `v (${columns.join(', ')}) AS (VALUES ${tuples.join(',\n')})`;
}

/**
 * The first statement of a chunk: every key row inserted, or (when it exists) locked by a no-op
 * update, which also answers the stored change's id and `ts`; the changes of new keys inserted
 * with them. Returns a row per key: `created` with the new change, or `existing` with where
 * the stored one lives.
 */
function insertKeysStatement(chunk: GroupItem[], returnRows: boolean): [string, unknown[]] {
  const params: unknown[] = [];
  const v = valuesOf(
    chunk.map(({ tenant, event }) => eventRowValues(tenant, event)),
    COLUMNS,
    COLUMNS.map((c) => COLUMN_TYPES[c]),
    params,
  );
  const sql = `WITH ${v},
k AS (
  INSERT INTO event_keys AS k (tenant, connector, external_id, id, ts)
  SELECT tenant, connector, external_id, id, ts FROM v
  ON CONFLICT (tenant, connector, external_id) DO UPDATE SET id = k.id
  RETURNING k.tenant, k.connector, k.external_id, k.id, k.ts, (k.xmax = 0) AS inserted
),
ins AS (
  INSERT INTO events AS e (${COLUMNS.join(', ')})
  SELECT ${COLUMNS.map((c) => `v.${c}`).join(', ')}
    -- A new key holds the change's own fresh id: one uuid to join on.
    FROM v JOIN k ON k.inserted AND k.id = v.id
  RETURNING ${returned('e', returnRows)}, e.ts AS key_ts
)
SELECT 'created' AS outcome, * FROM ins
UNION ALL
SELECT 'existing', k.id, k.tenant, k.connector, k.external_id${noRow(returnRows)}, k.ts
  FROM k WHERE NOT k.inserted`;
  return [sql, params];
}

/**
 * The second statement, for keys that existed (locked by the first): their changes updated by
 * the merge rule; a change that is not there any more (deleted by hand) written again under
 * its key's id; and the key's `ts` kept equal to its change's (an earlier start moves the change
 * to its month's partition).
 */
function updateStatement(
  existing: { item: GroupItem; id: string; ts: Date }[],
  returnRows: boolean,
): [string, unknown[]] {
  const params: unknown[] = [];
  const v = valuesOf(
    existing.map(({ item, id, ts }) => {
      const values = eventRowValues(item.tenant, item.event);
      values[0] = id;
      return [...values, ts];
    }),
    [...COLUMNS, 'key_ts'],
    [...COLUMNS.map((c) => COLUMN_TYPES[c]), 'timestamptz'],
    params,
  );
  // The span of the stored changes' times, as constants: the statement is then planned for the
  // partitions it can touch only (one, usually), not for every month of the table.
  const times = existing.map(({ ts }) => ts.getTime());
  params.push(new Date(Math.min(...times)), new Date(Math.max(...times)));
  const span = `e.ts BETWEEN $${params.length - 1}::timestamptz AND $${params.length}::timestamptz`;
  const sql = `WITH ${v},
upd AS (
  UPDATE events AS e SET
    ${UPDATE_SET}
  FROM v
  WHERE e.id = v.id AND e.ts = v.key_ts AND ${span}
    AND ${UPDATE_WHERE}
  RETURNING ${returned('e', returnRows)}, e.ts AS key_ts
),
gone AS (
  SELECT v.* FROM v
   WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = v.id AND e.ts = v.key_ts AND ${span})
),
ins AS (
  INSERT INTO events AS e (${COLUMNS.join(', ')})
  SELECT ${COLUMNS.join(', ')} FROM gone
  RETURNING ${returned('e', returnRows)}, e.ts AS key_ts
),
moved AS (
  UPDATE event_keys AS k SET ts = w.key_ts
    FROM (SELECT tenant, connector, external_id, key_ts FROM upd
          UNION ALL SELECT tenant, connector, external_id, key_ts FROM ins) AS w
   WHERE k.tenant = w.tenant AND k.connector = w.connector AND k.external_id = w.external_id
     AND k.ts <> w.key_ts
)
SELECT 'updated' AS outcome, * FROM upd
UNION ALL
SELECT 'created', * FROM ins`;
  return [sql, params];
}

export class EventStore {
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
    // The key rows are taken first and the changes written after, in one transaction: a
    // request's batch is stored whole or not at all, and the keys stay locked until it commits.
    const hits = await this.db.transaction(write);

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
        const row = byKey.get(k)?.row;
        return row ? [rowToEvent(row)] : [];
      });
      return { results, changed };
    });
  }

  /**
   * Writes one chunk (at most one write per key): first the key rows — new ones inserted with
   * their change in the same statement, existing ones locked and read (their change's id and
   * partition) — then, when some existed, the updates of those changes. Returns each key's hit.
   */
  async #writeChunk(
    tx: Queryable,
    chunk: GroupItem[],
    returnRows: boolean,
  ): Promise<Map<string, Hit>> {
    const found = new Map<string, Hit>();
    const hitOf = (row: WrittenRow, outcome: UpsertOutcome): Hit => ({
      id: row.id,
      outcome,
      row: returnRows ? (row as EventRow) : undefined,
    });
    const first = await tx.query<WrittenRow>(...insertKeysStatement(chunk, returnRows));
    const existing: { item: GroupItem; id: string; ts: Date }[] = [];
    const byKey = new Map(chunk.map((item) => [item.key, item]));
    for (const row of first.rows) {
      const key = `${row.tenant}\u0000${keyOf(rowKey(row))}`;
      if (row.outcome === 'created') found.set(key, hitOf(row, 'created'));
      else existing.push({ item: byKey.get(key)!, id: row.id, ts: row.key_ts });
    }
    if (existing.length === 0) return found;
    const second = await tx.query<WrittenRow>(...updateStatement(existing, returnRows));
    for (const row of second.rows) {
      const key = `${row.tenant}\u0000${keyOf(rowKey(row))}`;
      found.set(key, hitOf(row, row.outcome === 'created' ? 'created' : 'updated'));
    }
    // The rest kept their stored state (an older or identical update).
    for (const { item, id } of existing)
      if (!found.has(item.key)) found.set(item.key, { id, outcome: 'unchanged' });
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
   */
  async facet(
    tenant: string,
    field: FacetField,
    filter: EventFilter,
    limit: number,
  ): Promise<{ value: string; count: number }[]> {
    const params: unknown[] = [];
    const where = whereClause(tenant, filter, params, field);
    const column = field === 'tag' ? 'unnest(tags)' : field;
    params.push(limit);
    const { rows } = await this.db.query<{ value: string; count: number }>(
      `SELECT value, count(*)::int AS count
         FROM (SELECT ${column} AS value FROM events WHERE ${where}) v
        WHERE value IS NOT NULL
        GROUP BY value ORDER BY count DESC, value ASC LIMIT $${params.length}`,
      params,
    );
    return rows;
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
