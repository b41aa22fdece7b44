-- The change table partitioned by time: one partition per calendar month (UTC) of `ts`, so that
-- a Grafana window reads the months it covers only and retention drops whole months instead of
-- deleting rows one by one (docs/decisions/019-partitioned-events.md).
--
-- PostgreSQL has no index across partitions, and a unique index on a partitioned table must hold
-- the partition key: the idempotency key (tenant, connector, external_id) can no longer be unique
-- in `events` itself, because one change's `ts` may move (an update with an earlier start). It
-- is kept unique in `event_keys`, one narrow row per stored change, which also says where its
-- row lives (id, ts). Every writer takes the key row first (insert or lock), then the change:
-- writers of one key wait for each other there, whatever partition the change is in.
--
-- Months outside the partitions that exist (a backfill of an old month, a change far in the
-- future) land in `events_default`; the storage job moves them into a month of their own.

ALTER TABLE events RENAME TO events_before_006;

CREATE TABLE events_partitioned (
  id            uuid        NOT NULL,
  tenant        text        NOT NULL,
  connector     text        NOT NULL,
  external_id   text        NOT NULL,
  kind          text        NOT NULL DEFAULT 'other',
  status        text,
  title         text        NOT NULL,
  description   text,
  project       text        NOT NULL,
  service       text,
  environment   text,
  ts            timestamptz NOT NULL,
  end_ts        timestamptz,
  updated_at    timestamptz,
  received_at   timestamptz NOT NULL DEFAULT now(),
  author        text,
  url           text,
  refs          jsonb       NOT NULL DEFAULT '{}',
  tags          text[]      NOT NULL DEFAULT '{}',
  data          jsonb       NOT NULL DEFAULT '{}',
  links         text[]      GENERATED ALWAYS AS (painchain_links(refs, project)) STORED
) PARTITION BY RANGE (ts);

CREATE TABLE event_keys (
  tenant      text        NOT NULL,
  connector   text        NOT NULL,
  external_id text        NOT NULL,
  -- The stored change: its id, and its `ts`, which names its partition.
  id          uuid        NOT NULL,
  ts          timestamptz NOT NULL,
  PRIMARY KEY (tenant, connector, external_id)
);

INSERT INTO event_keys (tenant, connector, external_id, id, ts)
  SELECT tenant, connector, external_id, id, ts FROM events_before_006;

-- Makes sure the month holding `at` has its partition; returns the partition's name when this
-- call created it, NULL when it was there. Rows of that month waiting in the default partition
-- move into the new one. One creator at a time (replicas, the storage job, this migration).
CREATE FUNCTION painchain_event_partition(at timestamptz) RETURNS text
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
    DELETE FROM events_default WHERE ts >= lo AND ts < hi;
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

ALTER TABLE events_partitioned RENAME TO events;
CREATE TABLE events_default PARTITION OF events DEFAULT;

-- The months of what is stored, and this month and the next two (the storage job keeps them
-- ahead from now on).
SELECT painchain_event_partition(m)
  FROM (SELECT DISTINCT date_trunc('month', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS m
          FROM events_before_006
        UNION
        SELECT now() + n * interval '1 month' FROM generate_series(0, 2) AS n) AS months;

INSERT INTO events (id, tenant, connector, external_id, kind, status, title, description,
                    project, service, environment, ts, end_ts, updated_at, received_at,
                    author, url, refs, tags, data)
  SELECT id, tenant, connector, external_id, kind, status, title, description, project,
         service, environment, ts, end_ts, updated_at, received_at, author, url, refs, tags, data
    FROM events_before_006;

DROP TABLE events_before_006;

-- The same indexes as before, now on every partition (created after the copy: faster). The
-- primary key holds the partition key, as PostgreSQL requires; `id` alone is looked up through
-- it in every partition (a probe each).
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (id, ts);
CREATE INDEX events_by_time        ON events (tenant, ts, id);
CREATE INDEX events_by_project     ON events (tenant, project, ts, id);
CREATE INDEX events_by_service     ON events (tenant, service, ts, id);
CREATE INDEX events_by_environment ON events (tenant, environment, ts, id);
CREATE INDEX events_by_connector   ON events (tenant, connector, ts, id);
CREATE INDEX events_by_kind        ON events (tenant, kind, ts, id);
CREATE INDEX events_by_status      ON events (tenant, status, ts, id);
CREATE INDEX events_by_tags        ON events USING gin (tags);
CREATE INDEX events_by_links       ON events USING gin (links);
CREATE INDEX events_rollout_spans  ON events USING gist (tstzrange(ts, end_ts, '[]'))
  WHERE kind IN ('deploy', 'rollback', 'scale', 'infra', 'config') AND end_ts >= ts;
