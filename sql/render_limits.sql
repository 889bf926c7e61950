-- Bounds on what a render may take: autoreport.render_max_size is a superuser's setting that every
-- role's render() obeys, and an XLSX workbook is assembled in PostgreSQL's own temporary directory
-- (pgsql_tmp, emptied by a restart), held against temp_file_limit, and removed when the render ends,
-- fails or is cancelled.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
SET autoreport.cache = off;
CREATE ROLE render_limits_user;
SELECT autoreport.define_report('render_limits_rows',
  'SELECT g AS n, md5(g::text) AS hash FROM generate_series(1, :n) AS g',
  '{"n": {"type": "integer", "default": 1000}}') AS version;
GRANT EXECUTE ON FUNCTION reports.render_limits_rows(integer) TO render_limits_user;

-- 1. A plain role cannot raise autoreport.render_max_size, and the limit a superuser set holds for it.
SET ROLE render_limits_user;
SET autoreport.render_max_size = '1GB';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET autoreport.render_max_size = '8kB';
SET ROLE render_limits_user;
SELECT length(autoreport.render('render_limits_rows', '{}', 'csv'));
\echo :LAST_ERROR_SQLSTATE
SELECT length(autoreport.render('render_limits_rows', '{"n": 10}', 'csv')) AS small_render_bytes;
SELECT sum(length(c)) > 8192 AS chunks_not_limited FROM autoreport.render_chunks('render_limits_rows', '{}', 'csv') AS c;
RESET ROLE;
RESET autoreport.render_max_size;

-- 2. The workbook's temporary files count against temp_file_limit.
SET temp_file_limit = '64kB';
SELECT length(autoreport.render('render_limits_rows', '{"n": 50000}', 'xlsx'));
\echo :LAST_ERROR_SQLSTATE
SELECT length(autoreport.render('render_limits_rows', '{"n": 10}', 'xlsx')) > 0 AS small_workbook_fits;
RESET temp_file_limit;

-- 3. While it is assembled, the workbook is a file of this backend in pgsql_tmp (the report's last row,
--    fetched after the workbook was opened, divides by the number of such files); none is left after.
SELECT autoreport.define_report('render_limits_scratch',
  $$SELECT g AS n, CASE WHEN g = 3000 THEN 1 / (SELECT count(*) FROM pg_ls_tmpdir()
                     WHERE name LIKE 'pgsql_tmp' || pg_backend_pid() || '.autoreport-xlsx-%')::int END AS seen
      FROM generate_series(1, 3000) AS g$$) AS version;
SELECT length(autoreport.render('render_limits_scratch', '{}', 'xlsx')) > 0 AS rendered;
SELECT count(*) AS files_left FROM pg_ls_tmpdir() WHERE name LIKE '%autoreport%';
-- Cancelled half-way, it leaves nothing either.
SET statement_timeout = '300ms';
SELECT length(autoreport.render('render_limits_rows', '{"n": 5000000}', 'xlsx'));
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT count(*) AS files_left FROM pg_ls_tmpdir() WHERE name LIKE '%autoreport%';

SELECT autoreport.drop_report('render_limits_rows');
SELECT autoreport.drop_report('render_limits_scratch');
DROP ROLE render_limits_user;
