-- A write of changes in one call, so that one round trip (one autocommitted statement) stores
-- a request or a group commit whole (docs/decisions/020-write-function.md). Since 006 a write is
-- two statements, the key rows first and then the changes of keys that existed, and each must see
-- what committed before it started: a function runs each of its statements with a snapshot of
-- its own, and the call is one statement, all or nothing, whether or not a transaction is open.
--
-- The changes come as one JSON array of objects named like the columns (the collector writes
-- them with JSON.stringify); a key appears at most once per call (the collector writes repeats
-- of a key in later calls of the same transaction). Each row answered says what became of a key:
-- `created` or `updated` with the stored change, `unchanged` with its id only.
--
-- The merge rule of an update (decision 002): the newer state wins and an older `updatedAt`
-- never overwrites a newer one (webhooks arrive out of order); optional fields keep their value
-- when the update omits them; refs and data are merged; the start is the earliest seen; and a
-- repeat that would change nothing writes nothing (it is `unchanged`: not listened to, not
-- exported).

CREATE TYPE painchain_written AS (
  outcome     text,
  id          uuid,
  tenant      text,
  connector   text,
  external_id text,
  kind        text,
  status      text,
  title       text,
  description text,
  project     text,
  service     text,
  environment text,
  ts          timestamptz,
  end_ts      timestamptz,
  updated_at  timestamptz,
  received_at timestamptz,
  author      text,
  url         text,
  refs        jsonb,
  tags        text[],
  data        jsonb
);

-- The changes sent, as rows with the columns' types.
CREATE FUNCTION painchain_changes_in(changes json) RETURNS TABLE (
  id uuid, tenant text, connector text, external_id text, kind text, status text, title text,
  description text, project text, service text, environment text, ts timestamptz,
  end_ts timestamptz, updated_at timestamptz, author text, url text, refs jsonb, tags text[],
  data jsonb)
LANGUAGE sql STABLE AS $$
  SELECT * FROM json_to_recordset(changes) AS c(
    id uuid, tenant text, connector text, external_id text, kind text, status text, title text,
    description text, project text, service text, environment text, ts timestamptz,
    end_ts timestamptz, updated_at timestamptz, author text, url text, refs jsonb, tags text[],
    data jsonb)
$$;

CREATE FUNCTION painchain_write_changes(changes json) RETURNS SETOF painchain_written
LANGUAGE plpgsql AS $$
DECLARE
  created bigint;
  lo      timestamptz;
  hi      timestamptz;
BEGIN
  -- 1. Every key row inserted, or, when it exists, locked by a no-op update (writers of one key
  --    wait for each other here, whatever partition its change is in); the changes of new keys
  --    inserted with them. A new key holds the change's own fresh id.
  RETURN QUERY
  WITH v AS (
    SELECT * FROM painchain_changes_in(changes)
  ),
  k AS (
    INSERT INTO event_keys AS k (tenant, connector, external_id, id, ts)
    SELECT v.tenant, v.connector, v.external_id, v.id, v.ts FROM v
    ON CONFLICT (tenant, connector, external_id) DO UPDATE SET id = k.id
    RETURNING k.id, (k.xmax = 0) AS inserted
  ),
  ins AS (
    INSERT INTO events AS e (id, tenant, connector, external_id, kind, status, title,
      description, project, service, environment, ts, end_ts, updated_at, author, url, refs,
      tags, data)
    SELECT v.id, v.tenant, v.connector, v.external_id, v.kind, v.status, v.title,
      v.description, v.project, v.service, v.environment, v.ts, v.end_ts, v.updated_at,
      v.author, v.url, v.refs, v.tags, v.data
      FROM v JOIN k ON k.inserted AND k.id = v.id
    RETURNING e.id, e.tenant, e.connector, e.external_id, e.kind, e.status, e.title,
      e.description, e.project, e.service, e.environment, e.ts, e.end_ts, e.updated_at,
      e.received_at, e.author, e.url, e.refs, e.tags, e.data
  )
  SELECT 'created'::text, ins.* FROM ins;

  GET DIAGNOSTICS created = ROW_COUNT;
  IF created = json_array_length(changes) THEN
    RETURN;
  END IF;

  -- 2. The keys that existed (their id is not the fresh one sent), locked by step 1 and read
  --    now, with what committed before: where their changes live. The span of their times, as
  --    values, lets the update below touch only the partitions it can (one, usually).
  SELECT min(k.ts), max(k.ts) INTO lo, hi
    FROM painchain_changes_in(changes) AS c
    JOIN event_keys k
      ON k.tenant = c.tenant AND k.connector = c.connector AND k.external_id = c.external_id
   WHERE k.id <> c.id;

  -- 3. Their changes updated by the merge rule; a change that is not there any more (its row
  --    deleted by hand) written again under its key's id; and the key's `ts` kept equal to its
  --    change's (an earlier start moves the change to its month's partition).
  RETURN QUERY
  WITH c AS (
    SELECT * FROM painchain_changes_in(changes)
  ),
  v AS (
    SELECT k.id, c.tenant, c.connector, c.external_id, c.kind, c.status, c.title,
      c.description, c.project, c.service, c.environment, c.ts, c.end_ts, c.updated_at,
      c.author, c.url, c.refs, c.tags, c.data, k.ts AS key_ts
      FROM c JOIN event_keys k
        ON k.tenant = c.tenant AND k.connector = c.connector AND k.external_id = c.external_id
     WHERE k.id <> c.id
  ),
  upd AS (
    UPDATE events AS e SET
      kind = v.kind,
      status = COALESCE(v.status, e.status),
      title = v.title,
      description = COALESCE(v.description, e.description),
      project = v.project,
      service = COALESCE(v.service, e.service),
      environment = COALESCE(v.environment, e.environment),
      ts = LEAST(e.ts, v.ts),
      end_ts = COALESCE(v.end_ts, e.end_ts),
      updated_at = COALESCE(v.updated_at, e.updated_at),
      author = COALESCE(v.author, e.author),
      url = COALESCE(v.url, e.url),
      refs = e.refs || v.refs,
      tags = ARRAY(SELECT DISTINCT unnest(e.tags || v.tags) ORDER BY 1),
      data = e.data || v.data
    FROM v
    WHERE e.id = v.id AND e.ts = v.key_ts AND e.ts BETWEEN lo AND hi
      AND (e.updated_at IS NULL OR v.updated_at IS NULL OR v.updated_at >= e.updated_at)
      AND (e.kind, e.status, e.title, e.description, e.project, e.service, e.environment, e.ts,
           e.end_ts, e.updated_at, e.author, e.url, e.refs,
           ARRAY(SELECT DISTINCT unnest(e.tags) ORDER BY 1), e.data)
        IS DISTINCT FROM
          (v.kind, COALESCE(v.status, e.status), v.title, COALESCE(v.description, e.description),
           v.project, COALESCE(v.service, e.service), COALESCE(v.environment, e.environment),
           LEAST(e.ts, v.ts), COALESCE(v.end_ts, e.end_ts), COALESCE(v.updated_at, e.updated_at),
           COALESCE(v.author, e.author), COALESCE(v.url, e.url), e.refs || v.refs,
           ARRAY(SELECT DISTINCT unnest(e.tags || v.tags) ORDER BY 1), e.data || v.data)
    RETURNING e.id, e.tenant, e.connector, e.external_id, e.kind, e.status, e.title,
      e.description, e.project, e.service, e.environment, e.ts, e.end_ts, e.updated_at,
      e.received_at, e.author, e.url, e.refs, e.tags, e.data
  ),
  gone AS (
    SELECT v.* FROM v
     WHERE NOT EXISTS (
       SELECT 1 FROM events e WHERE e.id = v.id AND e.ts = v.key_ts AND e.ts BETWEEN lo AND hi)
  ),
  again AS (
    INSERT INTO events AS e (id, tenant, connector, external_id, kind, status, title,
      description, project, service, environment, ts, end_ts, updated_at, author, url, refs,
      tags, data)
    SELECT g.id, g.tenant, g.connector, g.external_id, g.kind, g.status, g.title,
      g.description, g.project, g.service, g.environment, g.ts, g.end_ts, g.updated_at,
      g.author, g.url, g.refs, g.tags, g.data
      FROM gone g
    RETURNING e.id, e.tenant, e.connector, e.external_id, e.kind, e.status, e.title,
      e.description, e.project, e.service, e.environment, e.ts, e.end_ts, e.updated_at,
      e.received_at, e.author, e.url, e.refs, e.tags, e.data
  ),
  moved AS (
    UPDATE event_keys AS k SET ts = w.ts
      FROM (SELECT u.tenant, u.connector, u.external_id, u.ts FROM upd u
            UNION ALL SELECT a.tenant, a.connector, a.external_id, a.ts FROM again a) AS w
     WHERE k.tenant = w.tenant AND k.connector = w.connector AND k.external_id = w.external_id
       AND k.ts <> w.ts
  )
  SELECT 'updated'::text, upd.* FROM upd
  UNION ALL
  SELECT 'created'::text, again.* FROM again
  UNION ALL
  SELECT 'unchanged'::text, v.id, v.tenant, v.connector, v.external_id, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM v
   WHERE NOT EXISTS (SELECT 1 FROM upd WHERE upd.id = v.id)
     AND NOT EXISTS (SELECT 1 FROM again WHERE again.id = v.id);
END
$$;
