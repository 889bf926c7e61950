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

-- (Slices of the catalogs' zero-based vectors start at 1.)
-- Indexes that cost writes and space for nothing: never scanned since the statistics were reset,
-- duplicates of another index (same table, method, keys, operator classes, collations, ordering,
-- expressions and predicate), and indexes whose keys are a leading prefix of another B-tree's on the
-- same table (which serves every lookup they serve). An index that enforces something (primary key,
-- unique, exclusion) is never suggested for dropping; of two duplicates the one that enforces
-- something, else the older, is kept.
CREATE VIEW @extschema@.index_health AS
WITH ix AS (
  SELECT i.indexrelid, i.indrelid, c.relnamespace, am.amname,
         (i.indisunique OR i.indisprimary OR i.indisexclusion
          OR EXISTS (SELECT FROM pg_catalog.pg_constraint AS k WHERE k.conindid = i.indexrelid)) AS enforces,
         i.indnkeyatts, i.indnatts,
         (i.indkey::int2[])[0:i.indnkeyatts - 1] AS keys,
         i.indkey::int2[] AS columns,
         (i.indclass::oid[])[0:i.indnkeyatts - 1] AS opclasses,
         (i.indcollation::oid[])[0:i.indnkeyatts - 1] AS collations,
         (i.indoption::int2[])[0:i.indnkeyatts - 1] AS options,
         coalesce(pg_catalog.pg_get_expr(i.indexprs, i.indrelid), '') AS exprs,
         coalesce(pg_catalog.pg_get_expr(i.indpred, i.indrelid), '') AS pred,
         i.indisvalid
    FROM pg_catalog.pg_index AS i
    JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid
    JOIN pg_catalog.pg_am AS am ON am.oid = c.relam
    JOIN pg_catalog.pg_class AS t ON t.oid = i.indrelid
   WHERE t.relkind IN ('r', 'm') AND c.relnamespace <> 'pg_catalog'::regnamespace
     AND c.relnamespace <> 'information_schema'::regnamespace AND c.relnamespace::regnamespace::text NOT LIKE 'pg_toast%'
     AND pg_catalog.has_table_privilege(i.indrelid, 'SELECT')
),
found AS (
  -- duplicates: the same index twice
  SELECT a.indexrelid, 'duplicate'::text AS kind,
         'the same index as ' || b.indexrelid::regclass::text AS detail
    FROM ix AS a JOIN ix AS b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
     AND b.amname = a.amname AND b.columns = a.columns AND b.opclasses = a.opclasses AND b.collations = a.collations
     AND b.options = a.options AND b.exprs = a.exprs AND b.pred = a.pred AND b.indisvalid
   WHERE NOT a.enforces AND (b.enforces OR b.indexrelid < a.indexrelid)
  UNION ALL
  -- redundant: keys a leading prefix of another B-tree's
  SELECT a.indexrelid, 'redundant',
         'its keys lead ' || b.indexrelid::regclass::text || ', which serves every lookup it serves'
    FROM ix AS a JOIN ix AS b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
     AND a.amname = 'btree' AND b.amname = 'btree' AND b.indnkeyatts > a.indnkeyatts
     AND b.keys[1:a.indnkeyatts] = a.keys AND b.opclasses[1:a.indnkeyatts] = a.opclasses
     AND b.collations[1:a.indnkeyatts] = a.collations AND b.options[1:a.indnkeyatts] = a.options
     AND a.exprs = '' AND b.exprs = '' AND b.pred = a.pred AND b.indisvalid
     AND a.indnatts = a.indnkeyatts
   WHERE NOT a.enforces
  UNION ALL
  -- unused: never scanned since the statistics were reset
  SELECT s.indexrelid, 'unused', 'never scanned since the statistics were reset ('
         || coalesce((SELECT d.stats_reset::text FROM pg_catalog.pg_stat_database AS d
                       WHERE d.datname = pg_catalog.current_database()), 'never reset') || ')'
    FROM pg_catalog.pg_stat_all_indexes AS s JOIN ix AS a ON a.indexrelid = s.indexrelid
   WHERE s.idx_scan = 0 AND NOT a.enforces
)
SELECT f.indexrelid::regclass AS index,
       i.indrelid::regclass AS "table",
       f.kind,
       pg_catalog.pg_relation_size(f.indexrelid) AS size,
       f.detail,
       'DROP INDEX ' || f.indexrelid::regclass::text AS suggestion
  FROM (SELECT DISTINCT ON (indexrelid, kind) * FROM found ORDER BY indexrelid, kind, detail) AS f
  JOIN pg_catalog.pg_index AS i ON i.indexrelid = f.indexrelid
 ORDER BY pg_catalog.pg_relation_size(f.indexrelid) DESC, f.indexrelid, f.kind;
COMMENT ON VIEW @extschema@.index_health IS
  'indexes that are unused, duplicate or redundant (a prefix of another), with their size and the DROP INDEX they suggest; never one that enforces a constraint';
GRANT SELECT ON @extschema@.index_health TO PUBLIC;

-- Slow-query capture (needs autoreport in shared_preload_libraries).
CREATE FUNCTION @extschema@.captured(
    OUT query_id bigint, OUT role oid, OUT dbid oid, OUT toplevel boolean, OUT query text,
    OUT query_cut boolean, OUT calls bigint, OUT total_ms float8, OUT max_ms float8, OUT rows bigint,
    OUT first_seen timestamptz, OUT last_seen timestamptz, OUT params text[], OUT params_complete boolean)
  RETURNS SETOF record
  LANGUAGE c VOLATILE STRICT PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'autoreport_captured';
COMMENT ON FUNCTION @extschema@.captured() IS
  'the captured slow statements the caller may see (the captured_queries view reads it)';

CREATE VIEW @extschema@.captured_queries AS
SELECT c.query_id, c.role::regrole AS role, d.datname AS database, c.toplevel, c.query, c.calls,
       c.total_ms, c.total_ms / c.calls AS mean_ms, c.max_ms, c.rows, c.first_seen, c.last_seen,
       c.params, c.params_complete, c.query_cut
  FROM @extschema@.captured() AS c
  LEFT JOIN pg_catalog.pg_database AS d ON d.oid = c.dbid;
COMMENT ON VIEW @extschema@.captured_queries IS
  'statements slower than autoreport.capture_min_duration, grouped by query id, with constants replaced by $n; params are the constants and parameters of the slowest call';
GRANT SELECT ON @extschema@.captured_queries TO PUBLIC;

CREATE FUNCTION @extschema@.clear_captured()
  RETURNS bigint
  LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_clear_captured';
COMMENT ON FUNCTION @extschema@.clear_captured() IS
  'forgets every captured statement and resets the capture counters; returns how many were removed';
REVOKE EXECUTE ON FUNCTION @extschema@.clear_captured() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.clear_captured() TO autoreport_admin;

CREATE FUNCTION @extschema@.capture_info(
    OUT entries integer, OUT capacity integer, OUT captured bigint, OUT evictions bigint,
    OUT errors bigint, OUT since timestamptz, OUT min_duration_ms integer)
  RETURNS record
  LANGUAGE c VOLATILE STRICT PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'autoreport_capture_info';
COMMENT ON FUNCTION @extschema@.capture_info() IS
  'the capture''s state: statements held and the capacity, slow calls captured, evictions, errors (logged, never raised), since when';

CREATE FUNCTION @extschema@.advise(budget text DEFAULT '1GB', queries text[] DEFAULT NULL)
  RETURNS TABLE(ddl text, bytes bigint, cost_saving float8, queries integer)
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_advise';
COMMENT ON FUNCTION @extschema@.advise(text, text[]) IS
  'the indexes a workload needs within a storage budget (a size, or a share of its tables such as ''10%''), costed on hypothetical indexes: the CREATE INDEX, its estimated bytes, the cost it saves, the queries that use it; the last row is a summary. Without queries, the captured slow statements weighted by calls';
