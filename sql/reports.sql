-- The report catalog: define, call, redefine, drop, and every way a definition or a call can be wrong.
CREATE EXTENSION IF NOT EXISTS autoreport;
CREATE TABLE sales (day date NOT NULL, region text NOT NULL, amount numeric(12,2) NOT NULL);
INSERT INTO sales VALUES
  ('2026-01-01', 'EMEA', 100.50), ('2026-01-01', 'APAC', 80), ('2026-01-02', 'EMEA', 120),
  ('2026-01-02', 'APAC', 95.25), ('2026-01-03', 'EMEA', 99.99), ('2026-01-03', 'AMER', 300);

-- A report with typed parameters: placeholders are :name, declared in params.
SELECT autoreport.define_report('sales_by_region',
  $$SELECT region, sum(amount) AS revenue, count(*) AS orders
      FROM sales WHERE day >= :since AND (:region IS NULL OR region = :region)
     GROUP BY region ORDER BY region$$,
  '{"since": {"type": "date", "default": "2026-01-01", "min": "2020-01-01"},
    "region": {"type": "enum", "allowed": ["EMEA", "APAC", "AMER"]}}',
  'Revenue and orders per region since a day') AS version;

-- It is a function with named, typed, defaulted arguments, and its own row type.
\df reports.sales_by_region
SELECT obj_description('reports.sales_by_region(date,text)'::regprocedure, 'pg_proc') AS comment;
SELECT * FROM reports.sales_by_region();
SELECT * FROM reports.sales_by_region(since => '2026-01-02');
SELECT * FROM reports.sales_by_region(region => 'EMEA', since => '2026-01-02');
SELECT autoreport.run('sales_by_region', '{"since": "2026-01-03"}');
SELECT * FROM autoreport.run('sales_by_region');
SELECT name, version, description, owner = current_user::regrole AS mine, function FROM autoreport.reports;
SELECT jsonb_pretty(parameters) AS parameters, jsonb_pretty(columns) AS columns
  FROM autoreport.reports WHERE name = 'sales_by_region';


-- Calling wrong: unknown, missing, wrongly typed, out of bounds, not allowed. All 22023.
SELECT * FROM autoreport.run('sales_by_region', '{"sinse": "2026-01-01"}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('sales_by_region', '{"since": "yesterday-ish"}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('sales_by_region', '{"since": "2019-12-31"}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('sales_by_region', '{"region": "MARS"}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM reports.sales_by_region(region => 'MARS');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('sales_by_region', '{"since": ["2026-01-01"]}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('sales_by_region', '[1, 2]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('no_such_report');
\echo :LAST_ERROR_SQLSTATE

-- Required parameters, arrays, integers with bounds, text length.
SELECT autoreport.define_report('top_days',
  $$SELECT day, sum(amount) AS revenue FROM sales
     WHERE region = ANY(:regions) GROUP BY day ORDER BY revenue DESC, day LIMIT :n$$,
  '[{"name": "regions", "type": "text[]", "required": true, "max_items": 3},
    {"name": "n", "type": "integer", "default": 2, "min": 1, "max": 100}]') AS version;
\df reports.top_days
SELECT * FROM reports.top_days(ARRAY['EMEA', 'APAC']);
SELECT * FROM reports.top_days(ARRAY['AMER'], n => 5);
-- A parameter value is bound, never spliced: this is just a region that does not exist.
SELECT count(*) FROM autoreport.run('top_days', '{"regions": ["EMEA''); DROP TABLE sales; --"]}');
SELECT count(*) AS sales_rows_still_there FROM sales;
SELECT * FROM autoreport.run('top_days', '{"regions": ["EMEA"], "n": "1"}');
SELECT * FROM autoreport.run('top_days', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM reports.top_days(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('top_days', '{"regions": ["EMEA"], "n": 0}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('top_days', '{"regions": ["EMEA"], "n": 2.5}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('top_days', '{"regions": ["A", "B", "C", "D"]}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('top_days', '{"regions": "EMEA"}');
\echo :LAST_ERROR_SQLSTATE

-- Defining wrong: each mistake is caught when the report is defined, not when it first runs.
SELECT autoreport.define_report('bad', 'SELEC region FROM sales');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT regio FROM sales');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT * FROM sales WHERE day > :since');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT * FROM sales', '{"since": "date"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT * FROM sales WHERE day > :since', '{"since": "integer"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT * FROM sales WHERE day > $1');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'DELETE FROM sales');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'DROP TABLE sales');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT 1 AS a; SELECT 2 AS b');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT * INTO copy_of_sales FROM sales');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'WITH d AS (DELETE FROM sales RETURNING *) SELECT * FROM d');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT * FROM sales FOR UPDATE');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT 1 AS a, 2 AS a');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT row(1, 2) AS r');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', '');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('Bad Name', 'SELECT 1 AS a');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report(NULL, 'SELECT 1 AS a');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT 1 AS a', cache_ttl => '-5 minutes');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT :n AS a', '{"n": {"type": "integer", "min": 10, "max": 1}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT :n AS a', '{"n": {"type": "integer", "max": 5, "default": 9}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT :d AS a', '{"d": {"type": "date", "default": "2026-02-30"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('bad', 'SELECT :d AS a', '{"d": {"type": "datetime"}}');
\echo :LAST_ERROR_SQLSTATE
BEGIN READ ONLY;
SELECT autoreport.define_report('bad', 'SELECT 1 AS a');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT count(*) AS nothing_half_written FROM autoreport.report_versions WHERE name = 'bad';
SELECT count(*) AS no_function_left FROM pg_proc WHERE proname = 'bad';

-- Redefining makes a new version; old versions stay readable; the function follows the new
-- signature and keeps the grants made on the old one.
CREATE ROLE report_reader;
GRANT EXECUTE ON FUNCTION reports.top_days(text[], integer) TO report_reader;
SELECT autoreport.define_report('top_days',
  $$SELECT day, sum(amount) AS revenue FROM sales WHERE region = ANY(:regions)
     GROUP BY day ORDER BY revenue DESC, day LIMIT :n$$,
  '[{"name": "regions", "type": "text[]", "default": ["EMEA", "APAC", "AMER"]},
    {"name": "n", "type": "bigint", "default": 3}]',
  'The best days') AS version;
\df reports.top_days
SELECT has_function_privilege('report_reader', 'reports.top_days(text[], bigint)', 'EXECUTE') AS grant_kept;
SELECT * FROM reports.top_days();
SELECT name, version, parameters->0->>'type' AS first_param_type, dropped
  FROM autoreport.report_versions WHERE name = 'top_days' ORDER BY version;
-- Same signature: the function stays (same oid); only the comment changes.
SELECT 'reports.top_days(text[], bigint)'::regprocedure::oid AS fn \gset
SELECT autoreport.define_report('top_days',
  $$SELECT day, sum(amount) AS revenue FROM sales WHERE region = ANY(:regions)
     GROUP BY day ORDER BY revenue DESC, day LIMIT :n$$,
  '[{"name": "regions", "type": "text[]", "default": ["EMEA", "APAC", "AMER"]},
    {"name": "n", "type": "bigint", "default": 3}]',
  'The very best days') AS version;
SELECT 'reports.top_days(text[], bigint)'::regprocedure::oid = :fn AS same_function,
       obj_description(:fn, 'pg_proc') AS comment;
-- Defining it again exactly as it is makes no new version.
SELECT autoreport.define_report('top_days',
  $$SELECT day, sum(amount) AS revenue FROM sales WHERE region = ANY(:regions)
     GROUP BY day ORDER BY revenue DESC, day LIMIT :n$$,
  '[{"name": "regions", "type": "text[]", "default": ["EMEA", "APAC", "AMER"]},
    {"name": "n", "type": "bigint", "default": 3}]',
  'The very best days') AS same_version;

-- A report resolves names with the search_path it was defined with, whoever calls it and however
-- their search_path is set.
CREATE SCHEMA elsewhere;
CREATE TABLE elsewhere.sales (day date, region text, amount numeric);
SET search_path = elsewhere, public;
SELECT count(*) AS orders_seen_by_the_report FROM reports.sales_by_region();
RESET search_path;

-- A table changed under a report: a clear error, not wrong rows.
SELECT autoreport.define_report('amounts', 'SELECT amount FROM sales ORDER BY amount LIMIT 1');
ALTER TABLE sales ALTER COLUMN amount TYPE float8;
SELECT * FROM reports.amounts();
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE sales ALTER COLUMN amount TYPE numeric(12,2);

-- A report function turned SECURITY DEFINER is refused.
ALTER FUNCTION reports.amounts() SECURITY DEFINER;
SELECT * FROM reports.amounts();
\echo :LAST_ERROR_SQLSTATE

-- Dropping removes the function and type; the versions stay; a new definition continues them.
SELECT autoreport.drop_report('amounts');
SELECT count(*) AS function_gone FROM pg_proc WHERE proname = 'amounts';
SELECT count(*) AS type_gone FROM pg_type WHERE typname = 'amounts';
SELECT autoreport.drop_report('amounts');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.drop_report('amounts', if_exists => true);
SELECT autoreport.define_report('amounts', 'SELECT max(amount) AS top FROM sales') AS version;
SELECT name, version, dropped FROM autoreport.report_versions WHERE name = 'amounts' ORDER BY version;
DROP OWNED BY report_reader;
DROP ROLE report_reader;
