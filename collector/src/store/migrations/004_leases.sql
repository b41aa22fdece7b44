-- Several collector replicas on one database: which replica polls or watches which source of a
-- connector instance (a repository, a project, a cluster). A lease lasts until expires_at unless
-- its holder renews it; an expired or free one is taken with FOR UPDATE SKIP LOCKED, so two
-- replicas claiming at once never wait for each other nor take the same source. On the embedded
-- store there is one process, which holds every lease.

CREATE TABLE source_leases (
  tenant      text        NOT NULL,
  connector   text        NOT NULL,
  source      text        NOT NULL,
  -- The replica id (server.replicaId); NULL while nobody holds it.
  holder      text,
  acquired_at timestamptz,
  renewed_at  timestamptz,
  expires_at  timestamptz NOT NULL DEFAULT '-infinity',
  PRIMARY KEY (tenant, connector, source)
);

CREATE INDEX source_leases_by_holder ON source_leases (holder, tenant, connector);

-- The replicas taking part in a connector instance's leases right now, renewed with every claim:
-- each takes at most ceil(sources / live claimants), so that the work is spread, and a replica
-- that joins gets its share from the others.
CREATE TABLE lease_claimants (
  tenant     text        NOT NULL,
  connector  text        NOT NULL,
  holder     text        NOT NULL,
  joined_at  timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, connector, holder)
);
