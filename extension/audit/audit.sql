-- autoreport: the audit log of report runs (extension/audit/).
--
-- Every run of a report is appended to autoreport.runs, hash-chained: each row's hash is
-- SHA-256(prev_hash || canonical content), prev_hash being the previous row's hash (32 zero bytes for
-- id 1). The canonical content is the fixed encoding documented in extension/audit/canonical.hpp. With
-- shared_preload_libraries = 'autoreport' a background writer per database appends the rows in its own
-- transactions, so a run is logged even when the caller's transaction rolls back.

CREATE TABLE @extschema@.runs (
  id bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  role oid NOT NULL,
  role_name text,
  report text,
  version integer,
  params jsonb,
  params_truncated boolean NOT NULL,
  rows bigint,
  bytes bigint,
  duration_ms double precision NOT NULL,
  cache_hit boolean NOT NULL,
  format text,
  error_sqlstate text,
  error_message text,
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL
);
COMMENT ON TABLE @extschema@.runs IS
  'append-only, hash-chained log of every report run (read autoreport.run_log; check with autoreport.verify_audit())';
COMMENT ON COLUMN @extschema@.runs.id IS 'position in the chain: 1, 2, 3... with no gaps';
COMMENT ON COLUMN @extschema@.runs.at IS 'when the run ended and was recorded';
COMMENT ON COLUMN @extschema@.runs.role IS 'OID of the role that ran the report (roles may be dropped later)';
COMMENT ON COLUMN @extschema@.runs.role_name IS 'name of that role when the row was written';
COMMENT ON COLUMN @extschema@.runs.params IS
  'parameters of the run; when params_truncated, a JSON string holding the start of their text';
COMMENT ON COLUMN @extschema@.runs.params_truncated IS
  'the parameters were too long for the audit queue (or not valid JSON) and params holds only their start';
COMMENT ON COLUMN @extschema@.runs.rows IS 'rows of the result; NULL when unknown (a failed run)';
COMMENT ON COLUMN @extschema@.runs.bytes IS 'bytes rendered or returned; NULL when not measured';
COMMENT ON COLUMN @extschema@.runs.format IS 'output format of a render; NULL for a plain run';
COMMENT ON COLUMN @extschema@.runs.error_sqlstate IS 'SQLSTATE of a failed run; NULL when it succeeded';
COMMENT ON COLUMN @extschema@.runs.prev_hash IS 'hash of the row before (32 zero bytes for id 1)';
COMMENT ON COLUMN @extschema@.runs.hash IS 'SHA-256 of prev_hash and the row''s canonical content';

-- What autoreport.run_log asks for when a role reads its own runs.
CREATE INDEX runs_role_id ON @extschema@.runs (role, id);

-- The rows are the log itself: pg_dump keeps them.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.runs', '');

REVOKE ALL ON @extschema@.runs FROM PUBLIC;
GRANT SELECT ON @extschema@.runs TO autoreport_admin;

-- Append-only: nobody but a superuser changes or removes rows, and only autoreport's writers (the
-- background writer runs as a superuser, the direct path as the table's owner) add them. A statement
-- trigger, so that a statement is refused even when it matches no row.
CREATE FUNCTION @extschema@.runs_append_only() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  me pg_catalog.pg_roles;
BEGIN
  SELECT * INTO me FROM pg_catalog.pg_roles AS r WHERE r.rolname = CURRENT_USER;
  IF me.rolsuper THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF me.oid IS DISTINCT FROM (SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = TG_RELID) THEN
      RAISE EXCEPTION 'rows of autoreport.runs are added by autoreport only'
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = 'The audit log records report runs itself; it does not accept rows from elsewhere.';
    END IF;
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'autoreport.runs is append-only'
    USING ERRCODE = 'insufficient_privilege',
          DETAIL = pg_catalog.format('%s is not allowed on the audit log.', TG_OP),
          HINT = 'Only a superuser may change or remove rows of the audit log.';
END
$$;
COMMENT ON FUNCTION @extschema@.runs_append_only() IS
  'trigger: keeps autoreport.runs append-only for everyone but a superuser';
REVOKE ALL ON FUNCTION @extschema@.runs_append_only() FROM PUBLIC;

CREATE TRIGGER runs_append_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.runs
  FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.runs_append_only();

-- Each role sees its own runs; members of autoreport_admin see all of them.
CREATE VIEW @extschema@.run_log WITH (security_barrier) AS
  SELECT r.id, r.at, r.role, r.role_name, r.report, r.version, r.params, r.params_truncated,
         r.rows, r.bytes, r.duration_ms, r.cache_hit, r.format, r.error_sqlstate, r.error_message
    FROM @extschema@.runs AS r
   WHERE r.role = (SELECT o.oid FROM pg_catalog.pg_roles AS o WHERE o.rolname = CURRENT_USER)
      OR pg_catalog.pg_has_role('autoreport_admin', 'USAGE');
COMMENT ON VIEW @extschema@.run_log IS
  'report runs: your own, or all of them for members of autoreport_admin';
GRANT SELECT ON @extschema@.run_log TO PUBLIC;

CREATE FUNCTION @extschema@.verify_audit(anchor_id bigint DEFAULT NULL, anchor_hash bytea DEFAULT NULL)
  RETURNS TABLE (ok boolean, checked bigint, first_bad_id bigint, reason text, last_id bigint, last_hash bytea)
  LANGUAGE c STABLE PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'autoreport_verify_audit';
COMMENT ON FUNCTION @extschema@.verify_audit(bigint, bytea) IS
  'check the hash chain of autoreport.runs end to end: ok, or the first broken row and why';
REVOKE ALL ON FUNCTION @extschema@.verify_audit(bigint, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.verify_audit(bigint, bytea) TO autoreport_admin;

CREATE FUNCTION @extschema@.audit_flush(timeout interval DEFAULT '5 s') RETURNS boolean
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_audit_flush';
COMMENT ON FUNCTION @extschema@.audit_flush(interval) IS
  'wait until the runs recorded so far in this database are in autoreport.runs; false on timeout';

-- Needs shared_preload_libraries = 'autoreport'.
CREATE FUNCTION @extschema@.audit_status_rows(
    OUT datid oid, OUT queued bigint, OUT writer_pid integer, OUT recorded bigint, OUT written bigint,
    OUT dropped bigint, OUT failed bigint, OUT skipped bigint, OUT refusals_dropped bigint,
    OUT last_written_at timestamptz)
  RETURNS SETOF record
  LANGUAGE c VOLATILE PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'autoreport_audit_status_rows';
COMMENT ON FUNCTION @extschema@.audit_status_rows() IS 'raw rows behind the autoreport.audit_status view';
REVOKE ALL ON FUNCTION @extschema@.audit_status_rows() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.audit_status_rows() TO autoreport_admin;

CREATE VIEW @extschema@.audit_status AS
  SELECT d.datname, s.queued, s.writer_pid, s.recorded, s.written, s.dropped, s.failed, s.skipped,
         s.refusals_dropped, s.last_written_at
    FROM @extschema@.audit_status_rows() AS s
    LEFT JOIN pg_catalog.pg_database AS d ON d.oid = s.datid;
COMMENT ON VIEW @extschema@.audit_status IS
  'the audit log queue per database since the server started: waiting runs, writer, counts';
COMMENT ON COLUMN @extschema@.audit_status.refusals_dropped IS
  'refused calls not logged because their role was over autoreport.audit_refusals_per_minute';
REVOKE ALL ON @extschema@.audit_status FROM PUBLIC;
GRANT SELECT ON @extschema@.audit_status TO autoreport_admin;
