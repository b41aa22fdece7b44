-- Counts per hour and per day of every facet field's values (docs/decisions/021-facet-counts.md),
-- so that a Grafana variable's values over a week (GET /api/v1/facets/:field) add up a few hundred
-- counts instead of reading every change of the week: the whole days from the daily counts, the
-- whole hours around them from the hourly ones, the rest change by change.
--
-- Writers do not count. A statement that inserts, updates or deletes changes marks the hours it
-- touched as stale (`event_facet_stale`, by its triggers below, one run per statement): a row per
-- tenant and hour, appended, no lock another writer waits for. Every few seconds a collector
-- counts the stale hours again from the changes and sums their days again
-- (painchain_fold_facet_counts, one replica at a time). A facet read takes the counts but for the
-- stale hours, which it counts change by change: it is exact whether or not a fold has run.
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
);

CREATE TABLE event_facet_daily_counts (
  tenant text        NOT NULL,
  field  text        NOT NULL,
  day    timestamptz NOT NULL,
  value  text        NOT NULL,
  n      integer     NOT NULL,
  PRIMARY KEY (tenant, field, day, value)
);

-- Hours whose changes were written since they were last counted; a row per writing statement.
CREATE TABLE event_facet_stale (
  tenant text        NOT NULL,
  hour   timestamptz NOT NULL
);
CREATE INDEX event_facet_stale_by_hour ON event_facet_stale (tenant, hour);

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

-- The UTC hour and the UTC day holding an instant.
CREATE FUNCTION painchain_hour(at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT date_bin('1 hour', at, TIMESTAMPTZ '2000-01-01 00:00:00+00')
$$;
CREATE FUNCTION painchain_day(at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT date_bin('1 day', at, TIMESTAMPTZ '2000-01-01 00:00:00+00')
$$;

-- The hours of the changes a statement on `events` added (new_rows) or took away (old_rows).
CREATE FUNCTION painchain_mark_facet_hours() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_facet_stale (tenant, hour)
    SELECT DISTINCT tenant, painchain_hour(ts) FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO event_facet_stale (tenant, hour)
    SELECT DISTINCT tenant, painchain_hour(ts) FROM old_rows;
  ELSE
    INSERT INTO event_facet_stale (tenant, hour)
    SELECT tenant, painchain_hour(ts) FROM new_rows
     UNION
    SELECT tenant, painchain_hour(ts) FROM old_rows;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER events_facet_inserted AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION painchain_mark_facet_hours();
CREATE TRIGGER events_facet_updated AFTER UPDATE ON events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION painchain_mark_facet_hours();
CREATE TRIGGER events_facet_deleted AFTER DELETE ON events
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION painchain_mark_facet_hours();

-- Emptying the change table empties its counts.
CREATE FUNCTION painchain_empty_facet_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE event_facet_counts, event_facet_daily_counts, event_facet_stale;
  RETURN NULL;
END
$$;
CREATE TRIGGER events_facet_truncated AFTER TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION painchain_empty_facet_counts();

-- Counts up to `max_hours` stale hours again (the oldest first) and sums their days again; returns
-- how many hours it counted. One folder at a time: while another replica's fold runs, this one
-- returns 0 and the next one counts.
--
-- Step 1 removes the marks it sees; step 2 counts with a snapshot at least as new, so every
-- change whose mark went is counted. A change committed later keeps its own mark for the next
-- fold. Readers see the marks and the old counts, or neither marks nor old counts: the fold
-- commits as one.
CREATE FUNCTION painchain_fold_facet_counts(max_hours integer DEFAULT 100) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  tenants text[];
  hours   timestamptz[];
BEGIN
  IF NOT pg_try_advisory_xact_lock(1180853108) THEN -- "Facet" in ASCII, cut to 32 bits
    RETURN 0;
  END IF;
  -- 1. The stale hours taken.
  WITH picked AS (
    SELECT DISTINCT tenant, hour FROM event_facet_stale ORDER BY hour, tenant LIMIT max_hours
  ),
  gone AS (
    DELETE FROM event_facet_stale s USING picked p
     WHERE s.tenant = p.tenant AND s.hour = p.hour
    RETURNING s.tenant, s.hour
  )
  SELECT array_agg(g.tenant), array_agg(g.hour) INTO tenants, hours
    FROM (SELECT DISTINCT tenant, hour FROM gone) AS g;
  IF tenants IS NULL THEN
    RETURN 0;
  END IF;

  -- 2. Their hourly counts, from the changes.
  DELETE FROM event_facet_counts c USING unnest(tenants, hours) AS h (tenant, hour)
   WHERE c.tenant = h.tenant AND c.hour = h.hour;
  INSERT INTO event_facet_counts (tenant, field, hour, value, n)
  SELECT h.tenant, f.field, h.hour, f.value, count(*)
    FROM unnest(tenants, hours) AS h (tenant, hour)
    JOIN events e ON e.tenant = h.tenant AND e.ts >= h.hour AND e.ts < h.hour + interval '1 hour'
    CROSS JOIN LATERAL painchain_facet_values(e.connector, e.project, e.service, e.environment,
                                              e.kind, e.status, e.author, e.tags) AS f
   GROUP BY 1, 2, 3, 4;

  -- 3. Their days, from the hours.
  DELETE FROM event_facet_daily_counts c
   USING (SELECT DISTINCT tenant, painchain_day(hour) AS day
            FROM unnest(tenants, hours) AS h (tenant, hour)) AS d
   WHERE c.tenant = d.tenant AND c.day = d.day;
  INSERT INTO event_facet_daily_counts (tenant, field, day, value, n)
  SELECT d.tenant, c.field, d.day, c.value, sum(c.n)
    FROM (SELECT DISTINCT tenant, painchain_day(hour) AS day
            FROM unnest(tenants, hours) AS h (tenant, hour)) AS d
    JOIN event_facet_counts c
      ON c.tenant = d.tenant AND c.hour >= d.day AND c.hour < d.day + interval '1 day'
   GROUP BY 1, 2, 3, 4;
  RETURN cardinality(tenants);
END
$$;

-- The changes already stored: every hour of them stale, counted by the folds that follow (a
-- hundred hours a fold; reads are exact meanwhile, and as fast as before for what is not counted).
INSERT INTO event_facet_stale (tenant, hour)
SELECT DISTINCT tenant, painchain_hour(ts) FROM events;
