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

// On a repeat of the same key the newer state wins; an older `updatedAt` never overwrites a
// newer one (webhooks arrive out of order), and a repeat that changes nothing writes nothing. Optional fields keep their value when the update
// omits them, refs/data are merged, and the start time is the earliest one seen.
const UPSERT_TAIL = `
ON CONFLICT (tenant, connector, external_id) DO UPDATE SET
  kind        = EXCLUDED.kind,
  status      = COALESCE(EXCLUDED.status, e.status),
  title       = EXCLUDED.title,
  description = COALESCE(EXCLUDED.description, e.description),
  project     = EXCLUDED.project,
  service     = COALESCE(EXCLUDED.service, e.service),
  environment = COALESCE(EXCLUDED.environment, e.environment),
  ts          = LEAST(e.ts, EXCLUDED.ts),
  end_ts      = COALESCE(EXCLUDED.end_ts, e.end_ts),
  updated_at  = COALESCE(EXCLUDED.updated_at, e.updated_at),
  author      = COALESCE(EXCLUDED.author, e.author),
  url         = COALESCE(EXCLUDED.url, e.url),
  refs        = e.refs || EXCLUDED.refs,
  tags        = ARRAY(SELECT DISTINCT unnest(e.tags || EXCLUDED.tags) ORDER BY 1),
  data        = e.data || EXCLUDED.data
WHERE (e.updated_at IS NULL OR EXCLUDED.updated_at IS NULL OR EXCLUDED.updated_at >= e.updated_at)
  -- A repeat that would change nothing is no update: the answer counts it "unchanged", and
  -- nothing is written, listened to or exported.
  AND (e.kind, e.status, e.title, e.description, e.project, e.service, e.environment, e.ts,
       e.end_ts, e.updated_at, e.author, e.url, e.refs,
       ARRAY(SELECT DISTINCT unnest(e.tags) ORDER BY 1), e.data)
    IS DISTINCT FROM
      (EXCLUDED.kind, COALESCE(EXCLUDED.status, e.status), EXCLUDED.title,
       COALESCE(EXCLUDED.description, e.description), EXCLUDED.project,
       COALESCE(EXCLUDED.service, e.service), COALESCE(EXCLUDED.environment, e.environment),
       LEAST(e.ts, EXCLUDED.ts), COALESCE(EXCLUDED.end_ts, e.end_ts),
       COALESCE(EXCLUDED.updated_at, e.updated_at), COALESCE(EXCLUDED.author, e.author),
       COALESCE(EXCLUDED.url, e.url), e.refs || EXCLUDED.refs,
       ARRAY(SELECT DISTINCT unnest(e.tags || EXCLUDED.tags) ORDER BY 1), e.data || EXCLUDED.data)`;

/** What the upsert returns when nobody needs the stored rows: parsing 19 columns back costs. */
const RETURN_KEYS = `RETURNING id, tenant, connector, external_id, (xmax = 0) AS inserted`;
const RETURN_ROWS = `RETURNING ${SELECT_COLUMNS}, tenant, (xmax = 0) AS inserted`;

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
    const returning = options.returnChanged ? RETURN_ROWS : RETURN_KEYS;
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
        const found = new Map<string, Hit>();
        const insert = async (items: GroupItem[]) => {
          for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) {
            const chunk = items.slice(i, i + ROWS_PER_STATEMENT);
            const { rows } = await this.#insertChunk(tx, chunk, returning);
            for (const row of rows) {
              found.set(`${row.tenant}\u0000${keyOf(rowKey(row))}`, {
                id: row.id,
                outcome: row.inserted ? 'created' : 'updated',
                row: options.returnChanged ? row : undefined,
              });
            }
          }
        };
        await insert(layer);
        // Rows the WHERE clause kept (an older or identical state): look up their ids. A row
        // deleted in between (an admin DELETE, the retention job) is not there any more: the
        // change is inserted again, as if it had come just after the delete — a normal outcome.
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const stale = layer.filter((item) => !found.has(item.key));
          if (stale.length === 0) break;
          const { rows } = await tx.query<{
            id: string;
            tenant: string;
            connector: string;
            external_id: string;
          }>(
            `SELECT e.id, e.tenant, e.connector, e.external_id
               FROM events e
               JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(tenant, connector, external_id)
                 ON e.tenant = k.tenant AND e.connector = k.connector
                AND e.external_id = k.external_id`,
            [
              stale.map((item) => item.tenant),
              stale.map((item) => item.event.connector),
              stale.map((item) => item.event.externalId),
            ],
          );
          for (const r of rows)
            found.set(`${r.tenant}\u0000${keyOf(rowKey(r))}`, { id: r.id, outcome: 'unchanged' });
          const deleted = stale.filter((item) => !found.has(item.key));
          if (deleted.length > 0) await insert(deleted);
        }
        for (const item of layer) {
          const hit = found.get(item.key);
          if (hit) hits[item.request]!.set(keyOf(item.event), hit);
        }
      }
      return hits;
    };
    // One statement is atomic on its own: BEGIN/COMMIT would only add two round trips (the
    // common case: one layer of up to 1,000 rows). More statements need the transaction for
    // all-or-nothing. The stale-id lookup is a read and needs no transaction.
    const oneStatement = layers.length <= 1 && (layers[0]?.length ?? 0) <= ROWS_PER_STATEMENT;
    const hits = oneStatement ? await write(this.db) : await this.db.transaction(write);

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

  #insertChunk(tx: Queryable, chunk: GroupItem[], returning: string) {
    const params: unknown[] = [];
    const tuples = chunk.map(({ tenant, event }) => {
      const values = eventRowValues(tenant, event);
      const start = params.length;
      params.push(...values);
      return `(${values.map((_, j) => `$${start + j + 1}`).join(',')})`;
    });
    return tx.query<EventRow & { tenant: string }>(
      `INSERT INTO events AS e (${COLUMNS.join(', ')}) VALUES ${tuples.join(',\n')} ${UPSERT_TAIL} ${returning}`,
      params,
    );
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
    const { affected } = await this.db.query(
      'DELETE FROM events WHERE tenant = $1 AND id = $2::uuid',
      [tenant, id],
    );
    return affected > 0;
  }

  /** Deletes the events of `tenant` with these ids in one statement; returns how many. */
  async deleteMany(tenant: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { affected } = await this.db.query(
      'DELETE FROM events WHERE tenant = $1 AND id = ANY($2::uuid[])',
      [tenant, ids],
    );
    return affected;
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

  /** Deletes events that started before the cutoff; returns how many. */
  async deleteOlderThan(cutoff: Date): Promise<number> {
    // A month of a large store can take longer than a request may.
    const { affected } = await this.db.maintenance((tx) =>
      tx.query('DELETE FROM events WHERE ts < $1', [cutoff]),
    );
    return affected;
  }
}
