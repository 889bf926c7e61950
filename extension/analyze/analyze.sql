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
