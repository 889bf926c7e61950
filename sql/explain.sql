-- explain(): each finding against a plan that shows it. Row counts, costs and sizes depend on ANALYZE's
-- sample and on timing, so the findings are shown by severity, node, name and fix (numbers as N).
CREATE EXTENSION IF NOT EXISTS autoreport;
\set VERBOSITY terse

CREATE TABLE ex (id int PRIMARY KEY, a int, b text, c int, d date, g int, h int) WITH (autovacuum_enabled = off);
INSERT INTO ex SELECT i, i % 100, md5(i::text), i % 100, date '2020-01-01' + i % 1000, i % 400, i % 400
  FROM generate_series(1, 200000) AS i;
CREATE INDEX ex_b ON ex (b);
CREATE INDEX ex_d ON ex (d);
CREATE INDEX ex_c ON ex (c);
SELECT pg_stat_force_next_flush();
-- A statistics target that makes ANALYZE read every row: the same statistics, and costs, every run.
ALTER TABLE ex ALTER COLUMN a SET STATISTICS 1000;
ANALYZE ex;
CREATE TABLE ex_small (id int PRIMARY KEY, a int) WITH (autovacuum_enabled = off);
INSERT INTO ex_small SELECT i, i % 100 FROM generate_series(1, 3000) AS i;
SELECT pg_stat_force_next_flush();
ANALYZE ex_small;

CREATE FUNCTION findings(q text, params jsonb DEFAULT NULL, run boolean DEFAULT false)
  RETURNS TABLE (severity text, node text, finding text, fix text) LANGUAGE sql AS $$
  SELECT severity, node, finding, regexp_replace(fix, '[0-9]+', 'N', 'g')
    FROM autoreport.explain(q, params, run) WHERE finding <> 'plan'
$$;

-- A sequential scan with a selective filter: the index, proven on a hypothetical one.
SELECT * FROM findings('SELECT * FROM ex WHERE a = 5 AND id > 10');
SELECT detail ~ '^reads [0-9]+ rows of ex to keep [0-9]+ .*; with the index the query''s cost falls from [0-9]+ to [0-9]+ \(-[0-9]+%, what_if\)$' AS proven
  FROM autoreport.explain('SELECT * FROM ex WHERE a = 5') WHERE finding = 'sequential scan with a selective filter';
-- With parameters ($1 is the first value of params), and with ANALYZE.
SELECT * FROM findings('SELECT * FROM ex WHERE a = $1', '[5]');
SELECT * FROM findings('SELECT * FROM ex WHERE a = $1', '[5]', true);
-- A filter that keeps most rows is left alone.
SELECT * FROM findings('SELECT * FROM ex WHERE a > 5');

-- The plan itself is one row: EXPLAIN's JSON, with VERBOSE (and with analyze, timing and buffers).
SELECT severity, node, (detail::json -> 0 -> 'Plan' ->> 'Node Type') AS top, fix IS NULL AS no_fix
  FROM autoreport.explain('SELECT count(*) FROM ex_small') WHERE finding = 'plan';
SELECT detail::jsonb -> 0 ? 'Execution Time' AS ran, detail::jsonb -> 0 -> 'Plan' ? 'Shared Hit Blocks' AS buffers
  FROM autoreport.explain('SELECT count(*) FROM ex_small', "analyze" => true) WHERE finding = 'plan';
SELECT (detail::json -> 0 ->> 'Execution Time') IS NULL AS not_run FROM autoreport.explain('SELECT count(*) FROM ex_small') WHERE finding = 'plan';

-- Misestimates where they start, x10 and x100: correlated columns (c = a, h = g), estimated as independent.
CREATE TABLE ex_corr (id int, a int, c int) WITH (autovacuum_enabled = off);
INSERT INTO ex_corr SELECT i, i % 20, i % 20 FROM generate_series(1, 20000) AS i;
SELECT pg_stat_force_next_flush();
ANALYZE ex_corr;
SELECT * FROM findings('SELECT * FROM ex_corr WHERE a = 1 AND c = 1', NULL, true);
SELECT * FROM findings('SELECT * FROM ex WHERE g = 1 AND h = 1', NULL, true);
-- x1000 after a bulk load the statistics have not seen: stale statistics, and ANALYZE as the fix.
INSERT INTO ex_corr SELECT i, 99, 0 FROM generate_series(1, 50000) AS i;
SELECT pg_stat_force_next_flush();
SELECT * FROM findings('SELECT * FROM ex_corr WHERE a = 99', NULL, true);
-- Statistics taken since: neither finding.
ANALYZE ex_corr;
SELECT pg_stat_force_next_flush();
SELECT * FROM findings('SELECT * FROM ex_corr WHERE a = 99', NULL, true);

-- Sorts and hashes that spill, in a small work_mem.
SET work_mem = '64kB';
SELECT * FROM findings('SELECT * FROM ex ORDER BY c, id', NULL, true);
SET enable_sort = off;
SELECT * FROM findings('SELECT id % 100000, count(*) FROM ex GROUP BY 1', NULL, true);
RESET enable_sort;
SELECT * FROM findings('SELECT count(*) FROM ex JOIN ex AS e2 ON e2.id = ex.id', NULL, true);
-- A lossy bitmap heap scan.
SET enable_seqscan = off;
SET enable_indexscan = off;
SET enable_indexonlyscan = off;
SELECT * FROM findings('SELECT count(*) FROM ex WHERE c < 30', NULL, true);
RESET enable_seqscan;
RESET enable_indexscan;
RESET enable_indexonlyscan;
RESET work_mem;

-- An index-only scan that fetches from the heap (the table was never vacuumed): VACUUM.
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT * FROM findings('SELECT d FROM ex WHERE d < ''2020-02-01''', NULL, true);
RESET enable_seqscan;
RESET enable_bitmapscan;

-- A nested loop over a large outer input (planned; no ANALYZE needed).
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT * FROM findings('SELECT * FROM ex JOIN ex_small AS s ON s.a = ex.a WHERE ex.id < 50000');
RESET enable_hashjoin;
RESET enable_mergejoin;

-- Parallel workers planned and not launched.
SET max_parallel_workers = 0;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT * FROM findings('SELECT count(*) FROM ex_small', NULL, true);
RESET max_parallel_workers;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- JIT that costs more than the query.
SET jit = on;
SET jit_above_cost = 0;
SET jit_optimize_above_cost = 0;
SET jit_inline_above_cost = 0;
SELECT * FROM findings('SELECT count(*) FROM ex_small WHERE a > 1', NULL, true) WHERE finding LIKE 'JIT%';
RESET jit_above_cost;
RESET jit_optimize_above_cost;
RESET jit_inline_above_cost;
RESET jit;

-- A CTE re-scanned and a correlated subquery run once a row.
SELECT * FROM findings('WITH c AS MATERIALIZED (SELECT a FROM ex_small) SELECT s.id, (SELECT count(*) FROM c WHERE c.a = s.a) FROM ex_small AS s', NULL, true);

-- A function or a cast around an indexed column.
SELECT * FROM findings('SELECT * FROM ex WHERE lower(b) = ''x''');
SELECT * FROM findings('SELECT * FROM ex WHERE d::text = ''2020-01-05''');

-- An aggregate over a large table: the create_view call that would serve it.
SELECT severity, finding, fix FROM autoreport.explain('SELECT a, count(*) AS n FROM ex GROUP BY a') WHERE finding <> 'plan';

-- "analyze" => true runs only what reads; a function that writes fails inside it, and nothing is written.
CREATE TABLE ex_log (x int);
CREATE FUNCTION ex_write() RETURNS int LANGUAGE sql VOLATILE AS $$ INSERT INTO ex_log VALUES (1) RETURNING x $$;
SELECT * FROM autoreport.explain('UPDATE ex SET a = 0 WHERE id = 1', "analyze" => true);
SELECT * FROM autoreport.explain('SELECT * FROM ex WHERE id = 1 FOR UPDATE', "analyze" => true);
SELECT * FROM autoreport.explain('SELECT ex_write()', "analyze" => true);
SELECT count(*) AS written FROM ex_log;
SELECT finding FROM autoreport.explain('UPDATE ex SET a = 0 WHERE id = 1') ORDER BY 1;
SELECT a FROM ex WHERE id = 1;

-- explain_report(): a report's query with its parameters bound, planned and run as the report runs.
SELECT autoreport.define_report('ex_by_a', 'SELECT id, b FROM ex WHERE a = :a', '{"a": {"type": "integer"}}') > 0 AS defined;
SELECT severity, node, finding, regexp_replace(fix, '[0-9]+', 'N', 'g') AS fix
  FROM autoreport.explain_report('ex_by_a', '{"a": 5}') WHERE finding <> 'plan';
SELECT detail::jsonb -> 0 ? 'Execution Time' AS ran FROM autoreport.explain_report('ex_by_a', '{"a": 5}', true) WHERE finding = 'plan';
SELECT * FROM autoreport.explain_report('no_such_report');
SELECT * FROM autoreport.explain_report('ex_by_a', '{"a": "x"}');
SELECT * FROM autoreport.explain_report(NULL);
SELECT autoreport.drop_report('ex_by_a');

-- Errors.
SELECT * FROM autoreport.explain(NULL);
SELECT * FROM autoreport.explain('SELECT 1', "analyze" => NULL);
SELECT * FROM autoreport.explain('SELECT 1; SELECT 2');
SELECT * FROM autoreport.explain('VACUUM ex');
SELECT * FROM autoreport.explain('SELEC 1');
SELECT * FROM autoreport.explain('SELECT * FROM ex WHERE a = $1');
SELECT * FROM autoreport.explain('SELECT * FROM ex WHERE a = $1', '{"a": 1}');
SELECT * FROM autoreport.explain('SELECT * FROM ex WHERE a = $1', '["x"]');
CREATE ROLE ex_stranger;
SET ROLE ex_stranger;
SELECT * FROM autoreport.explain('SELECT * FROM ex');
RESET ROLE;
DROP ROLE ex_stranger;
DROP FUNCTION findings(text, jsonb, boolean), ex_write();
DROP TABLE ex, ex_small, ex_corr, ex_log;
