-- Counts per hour and per day of every facet field's values (docs/decisions/021-facet-counts.md),
-- so that a Grafana variable's values over a week (GET /api/v1/facets/:field) add up a few hundred
-- counts instead of reading every change of the week: the whole days from the daily counts, the
-- whole hours around them from the hourly ones, the rest change by change.
--
-- Writers never update a count: a statement that inserts, updates or deletes changes appends what
-- it added and took away to `event_facet_deltas` (its triggers, one per statement, below), which
-- takes no lock another writer waits for. The collector folds the deltas into
-- both count tables every few seconds (painchain_fold_facet_counts, one replica at a time).
-- A facet read adds counts and deltas, so it is exact whether or not a fold has run.
--
-- Hours and days are UTC, like the partitions' months: dropping a month drops its hours and
-- days whole. Counts are `integer` (an hour's or a day's changes of one value): their sum is a
-- bigint, which PostgreSQL adds much faster than the numeric a sum of bigints is.

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

CREATE TABLE event_facet_deltas (
  tenant text        NOT NULL,
  field  text        NOT NULL,
  hour   timestamptz NOT NULL,
  value  text        NOT NULL,
  d      integer     NOT NULL
);
CREATE INDEX event_facet_deltas_by_hour ON event_facet_deltas (tenant, field, hour);

-- The facet values one change counts for: a row per field that has a value, a row per tag.
CREATE FUNCTION painchain_facet_values(
  connector text, project text, service text, environment text, kind text, status text,
  author text, tags text[]
) RETURNS TABLE (field text, value text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT f.field, f.value
    FROM (VALUES ('connector', connector), ('project', project), ('service', service),
                 ('environment', environment), ('kind', kind), ('status', status),
                 ('author', author)) AS f (field, value)
   WHERE f.value IS NOT NULL
  UNION ALL
  SELECT 'tag', t FROM unnest(tags) AS t WHERE t IS NOT NULL
$$;

-- What a statement on `events` added (new_rows) and took away (old_rows), as deltas: one row per
-- tenant, field, hour and value that changed. An update that changes no facet value adds none.
CREATE FUNCTION painchain_count_facets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_facet_deltas (tenant, field, hour, value, d)
    SELECT r.tenant, f.field, date_trunc('hour', r.ts, 'UTC'), f.value, count(*)
      FROM new_rows r,
           painchain_facet_values(r.connector, r.project, r.service, r.environment, r.kind,
                                  r.status, r.author, r.tags) f
     GROUP BY 1, 2, 3, 4;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO event_facet_deltas (tenant, field, hour, value, d)
    SELECT r.tenant, f.field, date_trunc('hour', r.ts, 'UTC'), f.value, -count(*)
      FROM old_rows r,
           painchain_facet_values(r.connector, r.project, r.service, r.environment, r.kind,
                                  r.status, r.author, r.tags) f
     GROUP BY 1, 2, 3, 4;
  ELSE
    INSERT INTO event_facet_deltas (tenant, field, hour, value, d)
    SELECT tenant, field, hour, value, sum(d)
      FROM (SELECT r.tenant, f.field, date_trunc('hour', r.ts, 'UTC') AS hour, f.value, 1 AS d
              FROM new_rows r,
                   painchain_facet_values(r.connector, r.project, r.service, r.environment,
                                          r.kind, r.status, r.author, r.tags) f
            UNION ALL
            SELECT r.tenant, f.field, date_trunc('hour', r.ts, 'UTC'), f.value, -1
              FROM old_rows r,
                   painchain_facet_values(r.connector, r.project, r.service, r.environment,
                                          r.kind, r.status, r.author, r.tags) f) AS both_sides
     GROUP BY 1, 2, 3, 4
    HAVING sum(d) <> 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER events_count_inserted AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION painchain_count_facets();
CREATE TRIGGER events_count_updated AFTER UPDATE ON events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION painchain_count_facets();
CREATE TRIGGER events_count_deleted AFTER DELETE ON events
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION painchain_count_facets();

-- Emptying the change table empties its counts.
CREATE FUNCTION painchain_empty_facet_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE event_facet_counts, event_facet_daily_counts, event_facet_deltas;
  RETURN NULL;
END
$$;
CREATE TRIGGER events_count_truncated AFTER TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION painchain_empty_facet_counts();

-- Moves the deltas that committed into the hourly and daily counts, in one statement: a reader
-- sees them on one side or the other, never both or neither. One folder at a time (another
-- replica's fold in progress: this one returns 0 and the next one folds). Counts that fall to
-- zero stay until the storage job's hourly pass removes them. Returns how many hourly counts
-- were written.
CREATE FUNCTION painchain_fold_facet_counts() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  folded bigint;
BEGIN
  IF NOT pg_try_advisory_xact_lock(1180853108) THEN -- "Facet" in ASCII, cut to 32 bits
    RETURN 0;
  END IF;
  WITH gone AS (
    DELETE FROM event_facet_deltas RETURNING tenant, field, hour, value, d
  ),
  days AS (
    INSERT INTO event_facet_daily_counts AS c (tenant, field, day, value, n)
    SELECT tenant, field, date_trunc('day', hour, 'UTC'), value, sum(d) FROM gone
     GROUP BY 1, 2, 3, 4
    HAVING sum(d) <> 0
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant, field, day, value) DO UPDATE SET n = c.n + excluded.n
  )
  INSERT INTO event_facet_counts AS c (tenant, field, hour, value, n)
  SELECT tenant, field, hour, value, sum(d) FROM gone
   GROUP BY 1, 2, 3, 4
  HAVING sum(d) <> 0
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (tenant, field, hour, value) DO UPDATE SET n = c.n + excluded.n;
  GET DIAGNOSTICS folded = ROW_COUNT;
  RETURN folded;
END
$$;

-- The partition function of 006 moved the changes of a new month out of the default partition
-- with a DELETE on the partition itself, which the triggers above (on `events`) do not see, and
-- put them back with an INSERT on `events`, which they do: the move would count its changes
-- twice. Now both go through `events`; until the month's partition exists, its changes can only
-- be in the default one.
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
    CREATE TEMP TABLE painchain_moving ON COMMIT DROP AS
      SELECT * FROM events_default WHERE ts >= lo AND ts < hi;
    DELETE FROM events WHERE ts >= lo AND ts < hi;
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

-- The changes already stored, counted (by the next fold).
INSERT INTO event_facet_deltas (tenant, field, hour, value, d)
SELECT e.tenant, f.field, date_trunc('hour', e.ts, 'UTC'), f.value, count(*)
  FROM events e,
       painchain_facet_values(e.connector, e.project, e.service, e.environment, e.kind, e.status,
                              e.author, e.tags) f
 GROUP BY 1, 2, 3, 4;
