-- The audit log on the preloaded path: every run of a report (reports.<name>(), autoreport.run(),
-- autoreport.render()) is queued in shared memory and appended to autoreport.runs by its database's
-- background writer, in transactions of its own.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
SELECT autoreport.audit_flush('2 min') AS flushed;
TRUNCATE autoreport.runs;

CREATE TABLE audit_sales (day date NOT NULL, region text NOT NULL, amount numeric NOT NULL);
INSERT INTO audit_sales VALUES ('2026-01-01', 'EMEA', 10), ('2026-01-02', 'APAC', 20),
  ('2026-01-03', 'EMEA', 30), ('2026-01-04', 'AMER', 40);
SELECT autoreport.define_report('audit_sales',
  $$SELECT region, sum(amount) AS total FROM audit_sales WHERE day >= :since GROUP BY region ORDER BY region$$,
  '{"since": {"type": "date", "default": "2026-01-01"}}') AS version;
SELECT autoreport.define_report('audit_fails', 'SELECT 1 / (:n - :n) AS x', '{"n": {"type": "integer"}}')
  AS version;
SELECT autoreport.define_report('audit_tiny', 'SELECT :n AS n', '{"n": {"type": "integer"}}') AS version;

-- 1. Each way of running a report logs one row saying what the run did.
SELECT * FROM reports.audit_sales();
SELECT autoreport.run('audit_sales', '{"since": "2026-01-03"}');
SELECT length(autoreport.render('audit_sales', '{"since": "2026-01-02"}', 'csv')) AS csv_bytes \gset
SELECT autoreport.audit_flush('2 min') AS flushed;
SELECT id, role = current_user::regrole AS my_role, role_name = current_user AS my_name, report, version,
       params, params_truncated, rows, CASE WHEN format IS NOT NULL THEN bytes = :csv_bytes END AS bytes_rendered,
       duration_ms >= 0 AS timed, cache_hit, format, error_sqlstate, error_message
  FROM autoreport.runs ORDER BY id;

-- 2. A failed run is logged with its SQLSTATE and message; its error reaches the caller unchanged.
SELECT autoreport.run('audit_no_such_report');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.run('audit_sales', '{"since": "yesterday-ish"}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM reports.audit_fails(n => 5);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.audit_flush('2 min') AS flushed;
SELECT id, report, version, params, rows, error_sqlstate, error_message
  FROM autoreport.runs WHERE error_sqlstate IS NOT NULL ORDER BY id;

-- 3. Logged whatever becomes of the caller's transaction: rolled back, aborted, read-only.
BEGIN;
SELECT * FROM reports.audit_sales(since => '2026-01-04');
ROLLBACK;
BEGIN;
SELECT autoreport.run('audit_tiny', '{"n": 1}');
SELECT 1 / 0;
COMMIT;
BEGIN READ ONLY;
SELECT autoreport.run('audit_tiny', '{"n": 2}');
COMMIT;
SELECT autoreport.audit_flush('2 min') AS flushed;
SELECT id, report, params, rows FROM autoreport.runs WHERE id > 6 ORDER BY id;
SELECT ok, checked, first_bad_id, reason FROM autoreport.verify_audit();

-- 4. Each role sees its own runs in autoreport.run_log, also the ones it was refused.
CREATE ROLE audit_dave;
CREATE ROLE audit_erin;
GRANT SELECT ON audit_sales TO audit_dave;
GRANT EXECUTE ON FUNCTION reports.audit_sales(date) TO audit_dave;
SET ROLE audit_dave;
SELECT * FROM reports.audit_sales(since => '2026-01-02');
SET ROLE audit_erin;
SELECT autoreport.run('audit_sales', '{"since": "2026-01-03"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.audit_flush('2 min') AS flushed;
SELECT report, role_name, params, rows, error_sqlstate FROM autoreport.run_log ORDER BY id;
SET ROLE audit_dave;
SELECT report, role_name, params, rows, error_sqlstate FROM autoreport.run_log ORDER BY id;
RESET ROLE;

-- 5. The writer: one per database, shown in autoreport.audit_status and pg_stat_activity, counting
--    what it wrote. Terminated, it writes what is queued and goes; the next run starts another.
SELECT queued, recorded >= 11 AS recorded, written = recorded AS all_written, dropped, failed, skipped,
       last_written_at > now() - interval '1 minute' AS written_lately
  FROM autoreport.audit_status WHERE datname = current_database();
SELECT written AS written_before FROM autoreport.audit_status WHERE datname = current_database() \gset
-- Holding the chain lock (a superuser may: ordinary users cannot lock the table in this mode) keeps
-- the writer of the next run waiting for it, and so alive.
BEGIN;
LOCK TABLE autoreport.runs IN SHARE ROW EXCLUSIVE MODE;
SELECT autoreport.run('audit_tiny', '{"n": 3}');
DO $$
BEGIN
  FOR i IN 1..1200 LOOP -- up to 60 s
    IF EXISTS (SELECT FROM autoreport.audit_status AS s JOIN pg_locks AS l ON l.pid = s.writer_pid
                WHERE s.datname = current_database() AND l.relation = 'autoreport.runs'::regclass
                  AND l.mode = 'ShareRowExclusiveLock' AND NOT l.granted) THEN
      RETURN;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RAISE EXCEPTION 'the audit log writer did not wait for the chain lock within 60 s';
END $$;
-- (No row, and so no \gset, unless the writer is there: an unset :writer fails every use below.)
SELECT writer_pid AS writer, set_config('audit_test.writer', writer_pid::text, false) AS noted
  FROM autoreport.audit_status WHERE datname = current_database() AND writer_pid IS NOT NULL \gset
SELECT s.queued, a.backend_type, a.datname = current_database() AS in_this_database,
       a.usesysid = 10 AS as_bootstrap_superuser, a.wait_event_type, a.wait_event
  FROM autoreport.audit_status AS s JOIN pg_stat_activity AS a ON a.pid = s.writer_pid
 WHERE s.datname = current_database() AND a.pid = :writer;
SELECT pg_terminate_backend(:writer) AS terminated;
COMMIT;
DO $$
BEGIN
  FOR i IN 1..1200 LOOP -- up to 60 s
    PERFORM pg_stat_clear_snapshot();
    IF NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = current_setting('audit_test.writer')::int) THEN
      RETURN;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RAISE EXCEPTION 'the terminated audit log writer did not exit within 60 s';
END $$;
-- It wrote the run it held before leaving.
SELECT writer_pid IS NULL AS writer_gone, written - :written_before AS newly_written
  FROM autoreport.audit_status WHERE datname = current_database();
SELECT autoreport.audit_flush('2 min') AS flushed;
SELECT report, params FROM autoreport.runs ORDER BY id DESC LIMIT 1;

-- An idle writer waits autoreport.audit_writer_idle_timeout for work (keeping a connection meanwhile),
-- then leaves. Set to an hour, the next writer is still there well after the default (2 s); reset,
-- it leaves. (A new connection comes from the postmaster after it reloaded the configuration, so the
-- writers it starts from then on have the new setting, as SHOW there confirms.)
\set regress_db :DBNAME
ALTER SYSTEM SET autoreport.audit_writer_idle_timeout = '1h';
SELECT pg_reload_conf();
\c :regress_db
SHOW autoreport.audit_writer_idle_timeout;
SELECT autoreport.run('audit_tiny', '{"n": 4}');
SELECT autoreport.audit_flush('2 min') AS flushed;
SELECT pg_sleep(3);
SELECT writer_pid IS NOT NULL AS idle_writer_stays, queued
  FROM autoreport.audit_status WHERE datname = current_database();
ALTER SYSTEM RESET autoreport.audit_writer_idle_timeout;
SELECT pg_reload_conf();
DO $$
BEGIN
  FOR i IN 1..1200 LOOP -- up to 60 s
    EXIT WHEN NOT EXISTS (SELECT FROM autoreport.audit_status
                           WHERE datname = current_database() AND writer_pid IS NOT NULL);
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT writer_pid IS NULL AS idle_writer_left FROM autoreport.audit_status WHERE datname = current_database();
\c :regress_db
SHOW autoreport.audit_writer_idle_timeout;

-- A database can be dropped right after reports ran in it: its writer, idle, leaves within
-- autoreport.audit_writer_idle_timeout (2 s). DROP DATABASE waits only 5 s for connections to go, so
-- the test waits until nothing is connected to it any more (the writer clears writer_pid in
-- autoreport.audit_status before its process is gone: only pg_stat_activity says it has left).
CREATE DATABASE audit_dropme;
\c audit_dropme
SET client_min_messages = warning;
CREATE EXTENSION autoreport;
RESET client_min_messages;
SELECT autoreport.define_report('dropme', 'SELECT 1 AS one') AS version;
SELECT * FROM reports.dropme();
SELECT autoreport.audit_flush('2 min') AS flushed;
SELECT report, rows FROM autoreport.runs;
\c :regress_db
DO $$
BEGIN
  FOR i IN 1..1200 LOOP -- up to 60 s
    PERFORM pg_stat_clear_snapshot();
    IF NOT EXISTS (SELECT FROM pg_stat_activity WHERE datname = 'audit_dropme') THEN
      RETURN;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RAISE EXCEPTION 'audit_dropme still has connections after 60 s';
END $$;
DROP DATABASE audit_dropme;

-- 6. A full queue. Holding the chain lock keeps the writer from appending, so the queue fills; a
--    successful run that cannot be queued in time fails with 53400 (its result is withheld), a failed
--    run is counted as dropped with a WARNING and keeps its own error. Nothing queued is lost.
SET autoreport.audit_queue_timeout = '100ms';
SELECT current_setting('autoreport.audit_queue_size')::int AS queue_size \gset
SELECT max(id) AS before_fill FROM autoreport.runs \gset
BEGIN;
LOCK TABLE autoreport.runs IN SHARE ROW EXCLUSIVE MODE;
SELECT count(*) AS filled FROM generate_series(1, :queue_size) AS g,
       LATERAL autoreport.run('audit_tiny', jsonb_build_object('n', g)) AS r;
SELECT queued = :queue_size AS queue_full FROM autoreport.audit_status WHERE datname = current_database();
SAVEPOINT refused; -- the errors below abort it, not the transaction that holds the lock
SELECT autoreport.run('audit_tiny', '{"n": 0}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT refused;
SELECT autoreport.run('audit_no_such_report');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT refused;
SELECT dropped FROM autoreport.audit_status WHERE datname = current_database();
COMMIT;
RESET autoreport.audit_queue_timeout;
SELECT autoreport.audit_flush('2 min') AS flushed;
SELECT count(*) = :queue_size AS all_queued_runs_written, min((params->>'n')::int) AS first_n,
       max((params->>'n')::int) AS last_n
  FROM autoreport.runs WHERE id > :before_fill;
SELECT ok, checked > :queue_size AS checked_all, first_bad_id FROM autoreport.verify_audit();


-- 7. A terminated writer that cannot have the chain lock stops trying a few seconds later (it does not
--    hold up a shutdown), and starts another writer for the run it leaves queued.
BEGIN;
LOCK TABLE autoreport.runs IN SHARE ROW EXCLUSIVE MODE;
SELECT autoreport.run('audit_tiny', '{"n": 5}');
DO $$
BEGIN
  FOR i IN 1..1200 LOOP -- up to 60 s
    IF EXISTS (SELECT FROM autoreport.audit_status AS s JOIN pg_locks AS l ON l.pid = s.writer_pid
                WHERE s.datname = current_database() AND l.relation = 'autoreport.runs'::regclass
                  AND l.mode = 'ShareRowExclusiveLock' AND NOT l.granted) THEN
      RETURN;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RAISE EXCEPTION 'the audit log writer did not wait for the chain lock within 60 s';
END $$;
SELECT pg_terminate_backend(writer_pid) AS terminated,
       set_config('audit_test.writer', writer_pid::text, false) IS NOT NULL AS noted
  FROM autoreport.audit_status WHERE datname = current_database() AND writer_pid IS NOT NULL;
DO $$
BEGIN
  FOR i IN 1..1200 LOOP -- up to 60 s
    PERFORM pg_stat_clear_snapshot();
    IF NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = current_setting('audit_test.writer')::int) THEN
      RETURN;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RAISE EXCEPTION 'the terminated audit log writer, kept from the chain lock, did not exit within 60 s';
END $$;
DO $$
BEGIN
  FOR i IN 1..1200 LOOP -- up to 60 s
    IF EXISTS (SELECT FROM autoreport.audit_status AS s JOIN pg_locks AS l ON l.pid = s.writer_pid
                WHERE s.datname = current_database() AND l.relation = 'autoreport.runs'::regclass
                  AND l.mode = 'ShareRowExclusiveLock' AND NOT l.granted
                  AND s.writer_pid <> current_setting('audit_test.writer')::int) THEN
      RETURN;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RAISE EXCEPTION 'no new audit log writer waited for the chain lock within 60 s';
END $$;
SELECT queued FROM autoreport.audit_status WHERE datname = current_database();
COMMIT;
SELECT autoreport.audit_flush('2 min') AS flushed;
SELECT report, params FROM autoreport.runs ORDER BY id DESC LIMIT 1;

-- 8. A run that cannot be appended (here refused by a constraint a superuser added) stops neither the
--    writer nor the runs behind it: the writer tries it again a few times, backing off, then gives it
--    up and counts it as failed.
SELECT failed AS failed_before, set_config('audit_test.failed', failed::text, false) IS NOT NULL AS noted
  FROM autoreport.audit_status WHERE datname = current_database() \gset
ALTER TABLE autoreport.runs ADD CONSTRAINT audit_test_poison CHECK (params->>'n' IS DISTINCT FROM '-13') NOT VALID;
SELECT autoreport.run('audit_tiny', '{"n": -13}');
SELECT autoreport.run('audit_tiny', '{"n": 14}');
DO $$
BEGIN
  FOR i IN 1..1200 LOOP -- up to 60 s
    IF EXISTS (SELECT FROM autoreport.audit_status WHERE datname = current_database() AND queued = 0
                  AND failed > current_setting('audit_test.failed')::bigint) THEN
      RETURN;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RAISE EXCEPTION 'the audit log writer did not give up the run it cannot append within 60 s';
END $$;
SELECT failed - :failed_before AS given_up, queued
  FROM autoreport.audit_status WHERE datname = current_database();
ALTER TABLE autoreport.runs DROP CONSTRAINT audit_test_poison;
SELECT report, params FROM autoreport.runs ORDER BY id DESC LIMIT 2;
SELECT ok, first_bad_id FROM autoreport.verify_audit();

TRUNCATE autoreport.runs;
SELECT autoreport.drop_report('audit_sales');
SELECT autoreport.drop_report('audit_fails');
SELECT autoreport.drop_report('audit_tiny');
DROP TABLE audit_sales;
DROP ROLE audit_dave;
DROP ROLE audit_erin;
