-- autoreport: the result cache (entries, the per-table change counters that keep it exact, stats).

-- Results by key (report, version, role, parameters, result types) and by the state of the tables
-- they were computed from. Unlogged: a cache needs no WAL and is emptied by a crash, with the change
-- counters below, so the two always agree.
CREATE UNLOGGED TABLE @extschema@.cache_entry (
  key text NOT NULL,
  deps text NOT NULL,
  report text NOT NULL,
  version integer NOT NULL,
  role oid NOT NULL,
  params text NOT NULL,
  rows bigint NOT NULL,
  bytes bigint NOT NULL,
  payload bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  last_hit_at timestamptz NOT NULL DEFAULT now(),
  hits bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (key, deps)
);
ALTER TABLE @extschema@.cache_entry ALTER COLUMN payload SET STORAGE EXTERNAL;
CREATE INDEX cache_entry_last_hit ON @extschema@.cache_entry (last_hit_at);
COMMENT ON TABLE @extschema@.cache_entry IS 'cached report results (read autoreport.cache_stats instead)';

-- One counter per table and backend slot, bumped by a statement-level trigger on every write. A
-- cache entry remembers the counters it saw; it is served only to a snapshot that sees the same.
CREATE UNLOGGED TABLE @extschema@.table_version (
  relid oid NOT NULL,
  slot integer NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (relid, slot)
);
COMMENT ON TABLE @extschema@.table_version IS 'write counters of the tables cached reports read';

-- Which tables each report's cache depends on, so that triggers are removed when no report needs them.
CREATE TABLE @extschema@.cache_dependency (
  report text NOT NULL,
  relid oid NOT NULL,
  PRIMARY KEY (report, relid)
);
COMMENT ON TABLE @extschema@.cache_dependency IS 'tables watched for the result cache, per report';

REVOKE ALL ON @extschema@.cache_entry, @extschema@.table_version, @extschema@.cache_dependency FROM PUBLIC;

CREATE FUNCTION @extschema@.note_table_change() RETURNS trigger
  LANGUAGE c
  AS 'MODULE_PATHNAME', 'autoreport_note_table_change';
COMMENT ON FUNCTION @extschema@.note_table_change() IS
  'change trigger on tables cached reports read (per statement, and per row in replication apply): marks cached '
  'results computed before the change as stale';

CREATE FUNCTION @extschema@.cache_counters(OUT hits bigint, OUT misses bigint, OUT evictions bigint,
                                           OUT bypassed bigint)
  LANGUAGE c VOLATILE STRICT PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'autoreport_cache_counters';
COMMENT ON FUNCTION @extschema@.cache_counters() IS
  'raw counters behind autoreport.cache_stats (NULL unless superuser, autoreport_admin or pg_read_all_stats)';

CREATE FUNCTION @extschema@.cache_usage(OUT entries bigint, OUT bytes bigint)
  LANGUAGE c STABLE STRICT PARALLEL RESTRICTED
  AS 'MODULE_PATHNAME', 'autoreport_cache_usage';
COMMENT ON FUNCTION @extschema@.cache_usage() IS
  'entries and bytes of the caller''s cached results (of all, for superusers, autoreport_admin and pg_read_all_stats)';

CREATE VIEW @extschema@.cache_stats AS
  SELECT c.hits, c.misses, c.evictions, c.bypassed, u.entries, u.bytes,
         CASE WHEN c.hits + c.misses > 0 THEN round(100.0 * c.hits / (c.hits + c.misses), 1) END AS hit_percent
    FROM @extschema@.cache_counters() AS c, @extschema@.cache_usage() AS u;
COMMENT ON VIEW @extschema@.cache_stats IS
  'result cache: hits, misses, evictions and runs that could not be cached since server start (server-wide: NULL '
  'unless superuser, autoreport_admin or pg_read_all_stats), entries and bytes (the caller''s own, or all for those)';
GRANT SELECT ON @extschema@.cache_stats TO PUBLIC;

CREATE FUNCTION @extschema@.clear_cache(report text DEFAULT NULL) RETURNS bigint
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_clear_cache';
COMMENT ON FUNCTION @extschema@.clear_cache(text) IS
  'remove cached results (of one report, or all); administrators clear any, others only their own';
