-- autoreport: the progress registry (needs shared_preload_libraries = 'autoreport').

CREATE FUNCTION @extschema@.progress_rows(
    OUT pid integer, OUT datid oid, OUT userid oid, OUT operation text, OUT object text,
    OUT done bigint, OUT total bigint, OUT started_at timestamptz, OUT updated_at timestamptz)
  RETURNS SETOF record
  LANGUAGE c VOLATILE STRICT PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'autoreport_progress_rows';
COMMENT ON FUNCTION @extschema@.progress_rows() IS
  'raw rows behind the autoreport.progress view';

CREATE VIEW @extschema@.progress AS
  SELECT p.pid,
         d.datname,
         r.rolname AS usename,
         p.operation,
         p.object,
         p.done,
         p.total,
         -- Capped at 100 when done passes total (a total that was an estimate); nothing to do is done.
         CASE WHEN p.total > 0 THEN round(100.0 * least(p.done, p.total) / p.total, 1)
              WHEN p.total = 0 THEN 100.0 END AS percent,
         p.started_at,
         clock_timestamp() - p.started_at AS elapsed,
         p.updated_at
    FROM @extschema@.progress_rows() AS p
    LEFT JOIN pg_catalog.pg_database AS d ON d.oid = p.datid
    LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = p.userid;
COMMENT ON VIEW @extschema@.progress IS
  'long autoreport operations running now (renders, forecasts, refreshes, loads), one row per backend';
GRANT SELECT ON @extschema@.progress TO PUBLIC;

CREATE FUNCTION @extschema@.progress_begin(operation text, object text, total bigint DEFAULT NULL)
  RETURNS void
  LANGUAGE c VOLATILE PARALLEL RESTRICTED
  AS 'MODULE_PATHNAME', 'autoreport_progress_begin';
COMMENT ON FUNCTION @extschema@.progress_begin(text, text, bigint) IS
  'start reporting a long operation of this session in autoreport.progress (total NULL when unknown)';

CREATE FUNCTION @extschema@.progress_update(done bigint, total bigint DEFAULT NULL)
  RETURNS void
  LANGUAGE c VOLATILE PARALLEL RESTRICTED
  AS 'MODULE_PATHNAME', 'autoreport_progress_update';
COMMENT ON FUNCTION @extschema@.progress_update(bigint, bigint) IS
  'move this session''s reported operation to done (and change its total when given)';

CREATE FUNCTION @extschema@.progress_end()
  RETURNS void
  LANGUAGE c VOLATILE PARALLEL RESTRICTED
  AS 'MODULE_PATHNAME', 'autoreport_progress_end';
COMMENT ON FUNCTION @extschema@.progress_end() IS
  'stop reporting this session''s operation; an aborted transaction also ends it';
