-- The progress registry, from one session (tests/isolation/specs/progress.spec watches from another).
SELECT count(*) AS rows_before FROM autoreport.progress WHERE pid = pg_backend_pid();

SELECT autoreport.progress_begin('load demo data', 'demo.orders', 24);
SELECT operation, object, done, total, percent, datname = current_database() AS this_db,
       usename = current_user AS this_user, started_at <= updated_at AS times_ordered
  FROM autoreport.progress WHERE pid = pg_backend_pid();
SELECT autoreport.progress_update(6);
SELECT done, total, percent FROM autoreport.progress WHERE pid = pg_backend_pid();
-- The total can change as the work learns more; an unknown total shows as NULL.
SELECT autoreport.progress_update(7, 28);
SELECT done, total, percent FROM autoreport.progress WHERE pid = pg_backend_pid();
-- Done past the total (an estimate that fell short) shows 100%, never more; a total of 0 is done.
SELECT autoreport.progress_update(9223372036854775807, 1);
SELECT done, total, percent FROM autoreport.progress WHERE pid = pg_backend_pid();
SELECT autoreport.progress_update(0, 0);
SELECT done, total, percent FROM autoreport.progress WHERE pid = pg_backend_pid();
SELECT autoreport.progress_begin('scan', repeat('é', 300), NULL);
SELECT operation, length(object) AS object_cut_on_a_character, total, percent
  FROM autoreport.progress WHERE pid = pg_backend_pid();
SELECT autoreport.progress_end();
SELECT count(*) AS rows_after_end FROM autoreport.progress WHERE pid = pg_backend_pid();

-- Bad input is refused with 22023 and nothing is reported.
SELECT autoreport.progress_begin('load', 'orders', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.progress_begin('', 'orders', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.progress_begin(NULL, 'orders', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS nothing_reported FROM autoreport.progress WHERE pid = pg_backend_pid();
-- Updating without an operation is a state error.
SELECT autoreport.progress_update(1);
\echo :LAST_ERROR_SQLSTATE
-- (Each failed statement aborts its transaction, which also ends the reported operation.)
SELECT autoreport.progress_begin('load', 'orders', 10);
SELECT autoreport.progress_update(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.progress_begin('load', 'orders', 10);
SELECT autoreport.progress_update(1, -5);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS ended_by_the_abort FROM autoreport.progress WHERE pid = pg_backend_pid();

-- A failed transaction leaves no operation behind.
BEGIN;
SELECT autoreport.progress_begin('doomed', 'x', 3);
SELECT 1/0;
ROLLBACK;
SELECT count(*) AS rows_after_abort FROM autoreport.progress WHERE pid = pg_backend_pid();

-- Other roles' operations are hidden, as in pg_stat_activity, unless the role may read all stats.
CREATE ROLE progress_reader;
SELECT autoreport.progress_begin('private', 'x', 1);
SET ROLE progress_reader;
SELECT count(*) AS visible_to_other_role FROM autoreport.progress;
RESET ROLE;
GRANT pg_read_all_stats TO progress_reader;
SET ROLE progress_reader;
SELECT count(*) AS visible_with_pg_read_all_stats FROM autoreport.progress WHERE pid = pg_backend_pid();
RESET ROLE;
SELECT autoreport.progress_end();
DROP ROLE progress_reader;
