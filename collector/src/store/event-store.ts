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
const RETURN_KEYS = `RETURNING id, connector, external_id, (xmax = 0) AS inserted`;
const RETURN_ROWS = `RETURNING ${SELECT_COLUMNS}, (xmax = 0) AS inserted`;

const keyOf = (e: Pick<NormalizedEvent, 'connector' | 'externalId'>) =>
  `${e.connector}\u0000${e.externalId}`;

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
  ): Promise<{ results: UpsertResult[]; changed: ChangeEvent[] }> {
    const returning = options.returnChanged ? RETURN_ROWS : RETURN_KEYS;
    // Two events with the same key in one batch: keep the newest (same rule as the database);
    // the others report the winner's id.
    const winners = new Map<string, NormalizedEvent>();
    for (const e of events) {
      const k = keyOf(e);
      const prev = winners.get(k);
      if (!prev || supersedes(e, prev)) winners.set(k, e);
    }
    const unique = [...winners.values()];

    const write = async (tx: Queryable) => {
      const found = new Map<string, { id: string; outcome: UpsertOutcome; row?: EventRow }>();
      const insert = async (events: NormalizedEvent[]) => {
        for (let i = 0; i < events.length; i += ROWS_PER_STATEMENT) {
          const chunk = events.slice(i, i + ROWS_PER_STATEMENT);
          const { rows } = await this.#insertChunk(tx, tenant, chunk, returning);
          for (const row of rows) {
            found.set(keyOf({ connector: row.connector, externalId: row.external_id }), {
              id: row.id,
              outcome: row.inserted ? 'created' : 'updated',
              row: options.returnChanged ? row : undefined,
            });
          }
        }
      };
      await insert(unique);
      // Rows the WHERE clause kept (an older or identical state): look up their ids. A row
      // deleted in between (an admin DELETE, the retention job) is not there any more: the
      // change is inserted again, as if it had come just after the delete — a normal outcome.
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const stale = unique.filter((e) => !found.has(keyOf(e)));
        if (stale.length === 0) break;
        const { rows } = await tx.query<{ id: string; connector: string; external_id: string }>(
          `SELECT e.id, e.connector, e.external_id
             FROM events e
             JOIN unnest($2::text[], $3::text[]) AS k(connector, external_id)
               ON e.connector = k.connector AND e.external_id = k.external_id
            WHERE e.tenant = $1`,
          [tenant, stale.map((e) => e.connector), stale.map((e) => e.externalId)],
        );
        for (const r of rows)
          found.set(keyOf({ connector: r.connector, externalId: r.external_id }), {
            id: r.id,
            outcome: 'unchanged',
          });
        const deleted = stale.filter((e) => !found.has(keyOf(e)));
        if (deleted.length > 0) await insert(deleted);
      }
      return found;
    };
    // One statement is atomic on its own: BEGIN/COMMIT would only add two round trips (the
    // common case: a single event, or a batch of up to 1,000). Larger batches need the
    // transaction for all-or-nothing. The stale-id lookup is a read and needs no transaction.
    const rowsByKey =
      unique.length <= ROWS_PER_STATEMENT ? await write(this.db) : await this.db.transaction(write);

    const reported = new Set<string>();
    const results = events.map((e) => {
      const k = keyOf(e);
      const hit = rowsByKey.get(k);
      if (!hit) throw new Error(`stored event not found for ${e.connector}/${e.externalId}`);
      // Only the winner reports created/updated, wherever it stands in the batch; the other
      // copies are duplicates (the same object twice reports once).
      const first = winners.get(k) === e && !reported.has(k);
      if (first) reported.add(k);
      return { id: hit.id, outcome: first ? hit.outcome : 'unchanged' } satisfies UpsertResult;
    });
    const changed = [...rowsByKey.values()].flatMap((h) => (h.row ? [rowToEvent(h.row)] : []));
    return { results, changed };
  }

  #insertChunk(tx: Queryable, tenant: string, chunk: NormalizedEvent[], returning: string) {
    const params: unknown[] = [];
    const tuples = chunk.map((e) => {
      const values = eventRowValues(tenant, e);
      const start = params.length;
      params.push(...values);
      return `(${values.map((_, j) => `$${start + j + 1}`).join(',')})`;
    });
    return tx.query<EventRow>(
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
