-- Change events, connector state and collector settings.

CREATE TABLE events (
  id            uuid        PRIMARY KEY,
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
  CONSTRAINT events_idempotency UNIQUE (tenant, connector, external_id)
);

-- Every read is "one tenant, a time range, maybe one filter, newest first, keyset by (ts, id)".
CREATE INDEX events_by_time        ON events (tenant, ts, id);
CREATE INDEX events_by_project     ON events (tenant, project, ts, id);
CREATE INDEX events_by_service     ON events (tenant, service, ts, id);
CREATE INDEX events_by_environment ON events (tenant, environment, ts, id);
CREATE INDEX events_by_connector   ON events (tenant, connector, ts, id);
CREATE INDEX events_by_kind        ON events (tenant, kind, ts, id);
CREATE INDEX events_by_status      ON events (tenant, status, ts, id);
CREATE INDEX events_by_tags        ON events USING gin (tags);

CREATE TABLE connector_state (
  tenant     text        NOT NULL,
  connector  text        NOT NULL,
  key        text        NOT NULL,
  value      jsonb       NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, connector, key)
);

CREATE TABLE settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);
