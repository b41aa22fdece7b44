-- Standalone connectors (separate processes) report their state here, so that every collector
-- replica can show it on /api/v1/connectors.

CREATE TABLE connector_heartbeats (
  tenant           text        NOT NULL,
  name             text        NOT NULL,
  type             text        NOT NULL,
  report           jsonb       NOT NULL,
  interval_seconds integer     NOT NULL,
  first_seen_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, name)
);
