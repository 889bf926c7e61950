-- Query analysis: hypothetical indexes.

CREATE FUNCTION @extschema@.what_if(query text, indexes text[])
  RETURNS TABLE(cost_before float8, cost_after float8, used text[], plan_after json)
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_what_if';
COMMENT ON FUNCTION @extschema@.what_if(text, text[]) IS
  'plans a query with CREATE INDEX statements made hypothetical for this planning only: its cost before and after, the indexes the new plan uses, the plan';

CREATE FUNCTION @extschema@.estimate_index_size(statement text)
  RETURNS bigint
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_estimate_index_size';
COMMENT ON FUNCTION @extschema@.estimate_index_size(text) IS
  'the bytes a CREATE INDEX statement would write on the table as it is now (nothing is built)';

CREATE FUNCTION @extschema@.explain(query text, params jsonb DEFAULT NULL, "analyze" boolean DEFAULT false)
  RETURNS TABLE(severity text, node text, finding text, detail text, fix text)
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_explain';
COMMENT ON FUNCTION @extschema@.explain(text, jsonb, boolean) IS
  'the plan of a query read in plain words: each finding with its severity and the fix (analyze => true runs a read-only query); the plan itself is the row with finding = ''plan''';

CREATE FUNCTION @extschema@.explain_report(name text, params jsonb DEFAULT '{}', "analyze" boolean DEFAULT false)
  RETURNS TABLE(severity text, node text, finding text, detail text, fix text)
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_explain_report';
COMMENT ON FUNCTION @extschema@.explain_report(text, jsonb, boolean) IS
  'explain() of a report''s query with its parameters bound, planned and run as the report runs';
