-- Counts per hour and per day of every facet field's values (docs/decisions/021-facet-counts.md),
-- so that a Grafana variable's values over a week (GET /api/v1/facets/:field) add up a few hundred
-- counts instead of reading every change of the week: the whole days from the daily counts, the
-- whole hours around them from the hourly ones, the rest change by change.
--
-- Writers do not count. A statement that inserts, updates or deletes changes appends the facet
-- columns of what it added (+1) and took away (-1) to `event_facet_log` (its triggers below, one
-- run per statement): a narrow row per change, no lock another writer waits for. Every couple of
-- seconds a collector folds the log into the counts (painchain_fold_facet_counts, one replica at
-- a time). A facet read adds the counts and the log: it is exact whether or not a fold has run.
--
-- Hours and days are UTC, like the partitions' months: dropping a month drops its hours and days
-- whole. Counts are `integer` (one value's changes in an hour or a day): PostgreSQL adds integers
-- into a bigint much faster than bigints into a numeric.

CREATE TABLE event_facet_counts (
  tenant text        NOT NULL,
  field  text        NOT NULL,
  hour   timestamptz NOT NULL,
  value  text        NOT NULL,
  n      integer     NOT NULL,
  PRIMARY KEY (tenant, field, hour, value)
) WITH (fillfactor = 80); -- room for the folds' updates to stay on their page (HOT)

CREATE TABLE event_facet_daily_counts (
  tenant text        NOT NULL,
  field  text        NOT NULL,
  day    timestamptz NOT NULL,
  value  text        NOT NULL,
  n      integer     NOT NULL,
  PRIMARY KEY (tenant, field, day, value)
) WITH (fillfactor = 80);

-- What the writes since the last fold added and took away: a change's facet columns, a sign.
CREATE TABLE event_facet_log (
  tenant      text        NOT NULL,
  ts          timestamptz NOT NULL,
  sign        integer     NOT NULL,
  connector   text,
  project     text,
  service     text,
  environment text,
  kind        text,
  status      text,
  author      text,
  tags        text[]
);
CREATE INDEX event_facet_log_by_time ON event_facet_log (tenant, ts);

-- The UTC hour and the UTC day holding an instant.
CREATE FUNCTION painchain_hour(at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT date_bin('1 hour', at, TIMESTAMPTZ '2000-01-01 00:00:00+00')
$$;
CREATE FUNCTION painchain_day(at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT date_bin('1 day', at, TIMESTAMPTZ '2000-01-01 00:00:00+00')
$$;

-- What a statement on `events` added (new_rows) and took away (old_rows). An update logs a
-- change only when its hour or a facet value changed (a status that moved on: -1 and +1).
CREATE FUNCTION painchain_log_facets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_facet_log
      (tenant, ts, sign, connector, project, service, environment, kind, status, author, tags)
    SELECT tenant, ts, 1, connector, project, service, environment, kind, status, author, tags
      FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO event_facet_log
      (tenant, ts, sign, connector, project, service, environment, kind, status, author, tags)
    SELECT tenant, ts, -1, connector, project, service, environment, kind, status, author, tags
      FROM old_rows;
  ELSE
    INSERT INTO event_facet_log
      (tenant, ts, sign, connector, project, service, environment, kind, status, author, tags)
    SELECT c.*
      FROM new_rows n
      JOIN old_rows o ON o.id = n.id
     CROSS JOIN LATERAL (VALUES
       (n.tenant, n.ts, 1, n.connector, n.project, n.service, n.environment, n.kind, n.status,
        n.author, n.tags),
       (o.tenant, o.ts, -1, o.connector, o.project, o.service, o.environment, o.kind, o.status,
        o.author, o.tags)) AS c
     WHERE (painchain_hour(o.ts), o.connector, o.project, o.service, o.environment, o.kind,
            o.status, o.author, o.tags)
           IS DISTINCT FROM
           (painchain_hour(n.ts), n.connector, n.project, n.service, n.environment, n.kind,
            n.status, n.author, n.tags);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER events_facet_inserted AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION painchain_log_facets();
CREATE TRIGGER events_facet_updated AFTER UPDATE ON events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION painchain_log_facets();
CREATE TRIGGER events_facet_deleted AFTER DELETE ON events
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION painchain_log_facets();

-- Emptying the change table empties its counts.
CREATE FUNCTION painchain_empty_facet_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE event_facet_counts, event_facet_daily_counts, event_facet_log;
  RETURN NULL;
END
$$;
CREATE TRIGGER events_facet_truncated AFTER TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION painchain_empty_facet_counts();

-- Moves the logged changes that committed into the hourly and daily counts, in one statement: a
-- reader sees each on one side or the other, never both or neither; rows not yet committed stay
-- for the next fold. One folder at a time (while another replica's fold runs, this one returns 0
-- and the next one folds). At most `max_rows` logged changes a call, so that a call stays short
-- whatever fell behind (the collector calls again while calls come back full). Counts that fall
-- to zero stay until the storage job's hourly pass removes them. Returns how many logged changes
-- it folded.
CREATE FUNCTION painchain_fold_facet_counts(max_rows integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  folded integer;
BEGIN
  IF NOT pg_try_advisory_xact_lock(1180853108) THEN -- "Facet" in ASCII, cut to 32 bits
    RETURN 0;
  END IF;
  WITH gone AS (
    DELETE FROM event_facet_log
     WHERE ctid = ANY (ARRAY(SELECT ctid FROM event_facet_log LIMIT max_rows))
    RETURNING tenant, ts, sign, connector, project, service, environment, kind, status, author,
              tags
  ),
  -- Each field's values by hour, in one pass (grouping sets), and each tag's.
  hourly AS (
    SELECT tenant, hour, field, value, d FROM (
      SELECT tenant, hour,
             CASE WHEN GROUPING(connector) = 0 THEN 'connector'
                  WHEN GROUPING(project) = 0 THEN 'project'
                  WHEN GROUPING(service) = 0 THEN 'service'
                  WHEN GROUPING(environment) = 0 THEN 'environment'
                  WHEN GROUPING(kind) = 0 THEN 'kind'
                  WHEN GROUPING(status) = 0 THEN 'status'
                  ELSE 'author' END AS field,
             COALESCE(connector, project, service, environment, kind, status, author) AS value,
             sum(sign)::integer AS d
        FROM (SELECT *, painchain_hour(ts) AS hour FROM gone) AS g
       GROUP BY GROUPING SETS ((tenant, hour, connector), (tenant, hour, project),
                               (tenant, hour, service), (tenant, hour, environment),
                               (tenant, hour, kind), (tenant, hour, status), (tenant, hour, author))
      UNION ALL
      SELECT tenant, painchain_hour(ts), 'tag', t, sum(sign)::integer
        FROM gone, unnest(tags) AS t
       GROUP BY 1, 2, 4
    ) AS v
     WHERE value IS NOT NULL AND d <> 0
  ),
  daily AS (
    INSERT INTO event_facet_daily_counts AS c (tenant, field, day, value, n)
    SELECT tenant, field, painchain_day(hour), value, sum(d) FROM hourly
     GROUP BY 1, 2, 3, 4
    HAVING sum(d) <> 0
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant, field, day, value) DO UPDATE SET n = c.n + excluded.n
  ),
  counted AS (
    INSERT INTO event_facet_counts AS c (tenant, field, hour, value, n)
    SELECT tenant, field, hour, value, d FROM hourly
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant, field, hour, value) DO UPDATE SET n = c.n + excluded.n
  )
  SELECT count(*) INTO folded FROM gone;
  RETURN folded;
END
$$;

-- The partition function of 006 moved the changes of a new month out of the default partition
-- with a DELETE on the partition itself, which the triggers above (on `events`) do not see, and
-- put them back with an INSERT on `events`, which they do: the move would count its changes
-- twice. Now both go through `events`; until the month's partition exists, its changes can only
-- be in the default one. It also copied the rows and deleted them in two statements, without
-- their keys: a change deleted between the two was put back (found by a flaky test).
CREATE OR REPLACE FUNCTION painchain_event_partition(at timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  lo   timestamptz := date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  hi   timestamptz := (date_trunc('month', at AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
  name text := 'events_' || to_char(at AT TIME ZONE 'UTC', 'YYYY_MM');
  waiting boolean;
BEGIN
  IF to_regclass(name) IS NOT NULL THEN RETURN NULL; END IF;
  PERFORM pg_advisory_xact_lock(1348561266); -- "Part" in ASCII
  IF to_regclass(name) IS NOT NULL THEN RETURN NULL; END IF;
  SELECT EXISTS (SELECT 1 FROM events_default WHERE ts >= lo AND ts < hi) INTO waiting;
  IF waiting THEN
    -- Keys first, as every writer and deleter takes them: a delete of one of these changes
    -- running now waits for the move and then finds the change in its new partition (taken in
    -- the other order, the move could put back a change deleted meanwhile).
    PERFORM 1
       FROM event_keys k
       JOIN events_default e
         ON k.tenant = e.tenant AND k.connector = e.connector AND k.external_id = e.external_id
      WHERE e.ts >= lo AND e.ts < hi
        FOR UPDATE OF k;
    -- Taken out and kept in one statement: exactly the rows deleted are put back.
    CREATE TEMP TABLE painchain_moving ON COMMIT DROP AS
      SELECT * FROM events_default WITH NO DATA;
    WITH moved AS (
      DELETE FROM events WHERE ts >= lo AND ts < hi RETURNING *
    )
    INSERT INTO painchain_moving SELECT * FROM moved;
  END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
  IF waiting THEN
    INSERT INTO events (id, tenant, connector, external_id, kind, status, title, description,
                        project, service, environment, ts, end_ts, updated_at, received_at,
                        author, url, refs, tags, data)
      SELECT id, tenant, connector, external_id, kind, status, title, description, project,
             service, environment, ts, end_ts, updated_at, received_at, author, url, refs,
             tags, data
        FROM painchain_moving;
    DROP TABLE painchain_moving;
  END IF;
  RETURN name;
END
$$;

-- The changes already stored, counted.
INSERT INTO event_facet_log
  (tenant, ts, sign, connector, project, service, environment, kind, status, author, tags)
SELECT tenant, ts, 1, connector, project, service, environment, kind, status, author, tags
  FROM events;
SELECT painchain_fold_facet_counts(2147483647);
