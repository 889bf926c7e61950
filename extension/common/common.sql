-- autoreport: schema basics shared by every capability.

-- Roles are cluster-wide; the role outlives DROP EXTENSION on purpose, since grants to it may be
-- held in other databases.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'autoreport_admin') THEN
    CREATE ROLE autoreport_admin NOLOGIN;
  END IF;
END
$$;
COMMENT ON ROLE autoreport_admin IS 'may define autoreport reports, schedules and managed views';

GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

CREATE FUNCTION @extschema@.version() RETURNS text
  LANGUAGE c STABLE STRICT PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'autoreport_version';
COMMENT ON FUNCTION @extschema@.version() IS
  'autoreport version, the git revision it was built from and the PostgreSQL version it was built for';
