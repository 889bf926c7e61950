-- autoreport: the report catalog.

-- One function (and its row type) per report lives here, so that SQL clients and BI tools see each
-- report as an ordinary set-returning function with named, typed, defaulted arguments.
CREATE SCHEMA reports;
COMMENT ON SCHEMA reports IS 'one function per autoreport report: SELECT * FROM reports.<name>(...)';
GRANT USAGE ON SCHEMA reports TO PUBLIC;

CREATE TABLE @extschema@.report (
  name text PRIMARY KEY,
  owner regrole NOT NULL,
  current_version integer NOT NULL,
  -- The function reports.<name>(...) made for the report: its calls are matched to the report by this
  -- OID, never by name (a regprocedure, so that dump and restore carry it over).
  function regprocedure NOT NULL UNIQUE,
  cache_ttl interval,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.report IS 'reports that exist now (read autoreport.reports instead)';

CREATE TABLE @extschema@.report_version (
  report text NOT NULL,
  version integer NOT NULL,
  query text NOT NULL,
  bound_query text NOT NULL,
  search_path text NOT NULL,
  -- Settings the query text is read under, as they were at definition (standard_conforming_strings).
  parse_settings jsonb NOT NULL DEFAULT '{}',
  params jsonb NOT NULL,
  columns jsonb NOT NULL,
  description text,
  signature text NOT NULL,
  ddl text NOT NULL,
  cacheable boolean NOT NULL,
  cache_note text,
  defined_by regrole NOT NULL,
  defined_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (report, version)
);
COMMENT ON TABLE @extschema@.report_version IS
  'every version of every report, kept after redefinition and drop (read autoreport.report_versions instead)';

-- The catalog is written only by autoreport's functions and read through the views below, which show
-- each role the reports it may run.
REVOKE ALL ON @extschema@.report, @extschema@.report_version FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.report', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.report_version', '');

-- The function of a report, or NULL when there is no such report (or its function was dropped).
CREATE FUNCTION @extschema@.report_function(name text) RETURNS regprocedure
  LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT r.function FROM @extschema@.report AS r
         WHERE r.name = report_function.name 
           AND EXISTS (SELECT FROM pg_catalog.pg_proc AS p WHERE p.oid = r.function) $$;
COMMENT ON FUNCTION @extschema@.report_function(text) IS 'the reports.<name>(...) function of a report';

CREATE VIEW @extschema@.reports AS
  SELECT r.name,
         r.current_version AS version,
         v.description,
         v.params AS parameters,
         (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('name', c->'name', 'type', c->'type'))
            FROM pg_catalog.jsonb_array_elements(v.columns) AS c) AS columns,
         r.owner,
         r.function,
         r.cache_ttl,
         v.cacheable,
         v.cache_note,
         r.created_at,
         v.defined_at AS updated_at
    FROM @extschema@.report AS r
    JOIN @extschema@.report_version AS v ON v.report = r.name AND v.version = r.current_version
   WHERE pg_catalog.pg_has_role(r.owner, 'USAGE')
      OR pg_catalog.has_function_privilege(r.function::oid, 'EXECUTE');
COMMENT ON VIEW @extschema@.reports IS 'the reports you may run, with their current version, parameters and columns';
GRANT SELECT ON @extschema@.reports TO PUBLIC;

CREATE VIEW @extschema@.report_versions AS
  SELECT v.report AS name, v.version, v.query, v.params AS parameters,
         (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('name', c->'name', 'type', c->'type'))
            FROM pg_catalog.jsonb_array_elements(v.columns) AS c) AS columns,
         v.description,
         v.defined_by, v.defined_at, r.name IS NULL AS dropped
    FROM @extschema@.report_version AS v
    LEFT JOIN @extschema@.report AS r ON r.name = v.report
   WHERE pg_catalog.pg_has_role('autoreport_admin', 'USAGE')
      OR (r.name IS NOT NULL AND (pg_catalog.pg_has_role(r.owner, 'USAGE')
          OR pg_catalog.has_function_privilege(r.function::oid, 'EXECUTE')));
COMMENT ON VIEW @extschema@.report_versions IS
  'every version of the reports you may run (administrators also see dropped reports)';
GRANT SELECT ON @extschema@.report_versions TO PUBLIC;

CREATE FUNCTION @extschema@.define_report(name text, query text, params jsonb DEFAULT NULL,
                                          description text DEFAULT NULL, cache_ttl interval DEFAULT NULL)
  RETURNS integer
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_define_report';
COMMENT ON FUNCTION @extschema@.define_report(text, text, jsonb, text, interval) IS
  'create a report, or a new version of it, and its function reports.<name>(...); returns the version';

CREATE FUNCTION @extschema@.drop_report(name text, if_exists boolean DEFAULT false)
  RETURNS void
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_drop_report';
COMMENT ON FUNCTION @extschema@.drop_report(text, boolean) IS
  'drop a report and its function; its versions stay in autoreport.report_versions';

CREATE FUNCTION @extschema@.run(name text, params jsonb DEFAULT '{}')
  RETURNS SETOF jsonb
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_run';
COMMENT ON FUNCTION @extschema@.run(text, jsonb) IS
  'run a report with parameters given as a JSON object; one JSON object per result row';
