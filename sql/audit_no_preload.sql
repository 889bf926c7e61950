-- The audit log on an instance where autoreport is NOT in shared_preload_libraries: runs are appended
-- directly in the caller's transaction (under the chain lock), so they commit or roll back with it.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
CREATE TABLE audit_np (n int);
INSERT INTO audit_np VALUES (1), (2), (3);
SELECT autoreport.define_report('audit_np', 'SELECT n FROM audit_np WHERE n >= :min ORDER BY n',
  '{"min": {"type": "integer", "default": 1}}') AS version;

-- A run is in the log as soon as its transaction commits; nothing to wait for.
SELECT * FROM reports.audit_np(min => 2);
SELECT autoreport.audit_flush() AS flushed;
SELECT id, report, version, params, rows, error_sqlstate FROM autoreport.runs ORDER BY id;

-- A role without any privilege on the log still gets its runs logged.
CREATE ROLE audit_np_reader;
GRANT SELECT ON audit_np TO audit_np_reader;
GRANT EXECUTE ON FUNCTION reports.audit_np(integer) TO audit_np_reader;
SET ROLE audit_np_reader;
SELECT count(*) AS rows_seen FROM reports.audit_np(min => 3);
SELECT report, role_name, params, rows FROM autoreport.run_log ORDER BY id;
RESET ROLE;

-- What the direct path cannot keep: a run whose transaction rolls back, and a failed run.
BEGIN;
SELECT count(*) FROM reports.audit_np(min => 1);
ROLLBACK;
SELECT autoreport.run('audit_np', '{"min": "x"}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS runs_logged FROM autoreport.runs;
SELECT ok, checked FROM autoreport.verify_audit();

-- The queue's view needs shared memory, and says so.
SELECT * FROM autoreport.audit_status;
\echo :LAST_ERROR_SQLSTATE

TRUNCATE autoreport.runs;
SELECT autoreport.drop_report('audit_np');
DROP TABLE audit_np;
DROP OWNED BY audit_np_reader;
DROP ROLE audit_np_reader;
