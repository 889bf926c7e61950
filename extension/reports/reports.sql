-- autoreport: the report catalog.

-- One function (and its row type) per report lives here, so that SQL clients and BI tools see each
-- report as an ordinary set-returning function with named, typed, defaulted arguments.
CREATE SCHEMA reports;
COMMENT ON SCHEMA reports IS 'one function per autoreport report: SELECT * FROM reports.<name>(...)';
GRANT USAGE ON SCHEMA reports TO PUBLIC;

-- Reports defined with expose => 'view' are also views here, for tools that list tables and views
-- only (Metabase, Tableau): report_views.<name> is SELECT * FROM reports.<name>() at its defaults.
CREATE SCHEMA report_views;
COMMENT ON SCHEMA report_views IS 'one view per report defined with expose => ''view'': the report at its defaults';
GRANT USAGE ON SCHEMA report_views TO PUBLIC;

CREATE TABLE @extschema@.report (
  name text PRIMARY KEY,
  owner regrole NOT NULL,
  current_version integer NOT NULL,
  -- The function reports.<name>(...) made for the report: its calls are matched to the report by this
  -- OID, never by name (a regprocedure, so that dump and restore carry it over).
  function regprocedure NOT NULL UNIQUE,
  cache_ttl interval,
  -- 'view': the report is also the view report_views.<name>, at its defaults (define_report's expose).
  expose text CHECK (expose = 'view'),
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
         (SELECT pg_catalog.jsonb_agg(c - 'type_oid' - 'typmod')
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

-- One row per parameter of the reports the caller may run: what a BI tool needs to build its pickers.
CREATE VIEW @extschema@.report_parameters AS
  SELECT r.name AS report,
         p.position::integer AS position,
         p.param->>'name' AS name,
         p.param->>'type' AS type,
         (p.param->>'required')::boolean AS required,
         coalesce((p.param->>'nullable')::boolean, false) AS nullable,
         p.param->>'default' AS default_expression,
         CASE WHEN p.param ? 'allowed'
              THEN ARRAY(SELECT pg_catalog.jsonb_array_elements_text(p.param->'allowed')) END AS allowed,
         p.param->>'min' AS min,
         p.param->>'max' AS max,
         (p.param->>'max_length')::bigint AS max_length,
         (p.param->>'max_items')::bigint AS max_items,
         p.param->>'description' AS description
    FROM @extschema@.reports AS r,
         pg_catalog.jsonb_array_elements(r.parameters) WITH ORDINALITY AS p(param, position);
COMMENT ON VIEW @extschema@.report_parameters IS
  'the parameters of the reports you may run: position, type, required, nullable, default, allowed values, bounds';
GRANT SELECT ON @extschema@.report_parameters TO PUBLIC;

CREATE VIEW @extschema@.report_versions AS
  SELECT v.report AS name, v.version, v.query, v.params AS parameters,
         (SELECT pg_catalog.jsonb_agg(c - 'type_oid' - 'typmod')
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
                                          description text DEFAULT NULL, cache_ttl interval DEFAULT NULL,
                                          expose text DEFAULT NULL, columns jsonb DEFAULT NULL)
  RETURNS integer
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_define_report';
COMMENT ON FUNCTION @extschema@.define_report(text, text, jsonb, text, interval, text, jsonb) IS
  'create a report, or a new version of it, and its function reports.<name>(...); returns the version';

CREATE FUNCTION @extschema@.drop_report(name text, if_exists boolean DEFAULT false)
  RETURNS void
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_drop_report';
COMMENT ON FUNCTION @extschema@.drop_report(text, boolean) IS
  'drop a report and its function; its versions stay in autoreport.report_versions';

-- The DEFAULT of a required parameter of reports.<name>(...): evaluated only when the call leaves the
-- parameter out, it says which parameter is required (22023).
CREATE FUNCTION @extschema@.required(parameter text, type anyelement)
  RETURNS anyelement
  LANGUAGE c VOLATILE PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'autoreport_required';
COMMENT ON FUNCTION @extschema@.required(text, anyelement) IS
  'the default of a required report parameter: raises 22023 naming it when the call leaves it out';

CREATE FUNCTION @extschema@.relative_date(expression text)
  RETURNS timestamptz
  LANGUAGE c STABLE STRICT PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'autoreport_relative_date';
COMMENT ON FUNCTION @extschema@.relative_date(text) IS
  'a relative date (today, start of last month, today - 7 days) at the start of the transaction, in the session''s time zone';

CREATE FUNCTION @extschema@.run(name text, params jsonb DEFAULT '{}')
  RETURNS SETOF jsonb
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_run';
COMMENT ON FUNCTION @extschema@.run(text, jsonb) IS
  'run a report with parameters given as a JSON object; one JSON object per result row';
