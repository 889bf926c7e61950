-- The audit log of report runs (extension/audit/): the table, its hash chain, verify_audit(),
-- tampering, privileges and the view. Rows are recorded through probes of the test-only module,
-- which is not preloaded and so takes the direct path (the row goes into the caller's transaction
-- under the chain lock); the preloaded path, through the report functions, is sql/audit_runs.sql.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
\getenv libdir PG_LIBDIR
\getenv dlsuffix PG_DLSUFFIX
\set testlib :libdir '/autoreport_test' :dlsuffix
CREATE SCHEMA audit_probe;
CREATE FUNCTION audit_probe.record(report text, version int DEFAULT 1, params text DEFAULT NULL,
    rows bigint DEFAULT NULL, bytes bigint DEFAULT NULL, duration_ms float8 DEFAULT 1.5,
    cache_hit boolean DEFAULT false, format text DEFAULT NULL, sqlstate text DEFAULT NULL,
    message text DEFAULT NULL) RETURNS void
  AS :'testlib', 'ar_test_record_run' LANGUAGE c;
CREATE FUNCTION audit_probe.audited(report text, outcome text) RETURNS void
  AS :'testlib', 'ar_test_audited' LANGUAGE c STRICT;

-- The documented canonical content (extension/audit/canonical.hpp), written in SQL: the hashes the
-- C++ writer stores must be exactly SHA-256(prev_hash || this), so anyone can check the chain.
CREATE FUNCTION audit_probe.opt_text(t text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN t IS NULL THEN '\x00'::bytea
              ELSE '\x01'::bytea || int4send(octet_length(t)) || convert_to(t, 'UTF8') END
$$;
CREATE FUNCTION audit_probe.canonical(r autoreport.runs) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT convert_to('autoreport.runs/1', 'UTF8')
    || int8send(r.id)
    || int8send(((extract(epoch FROM r.at) - 946684800) * 1000000)::bigint)
    || substring(int8send(r.role::bigint) FROM 5)
    || audit_probe.opt_text(r.role_name) || audit_probe.opt_text(r.report)
    || CASE WHEN r.version IS NULL THEN '\x00'::bytea ELSE '\x01'::bytea || int4send(r.version) END
    || audit_probe.opt_text(r.params::text)
    || CASE WHEN r.params_truncated THEN '\x01'::bytea ELSE '\x00'::bytea END
    || CASE WHEN r.rows IS NULL THEN '\x00'::bytea ELSE '\x01'::bytea || int8send(r.rows) END
    || CASE WHEN r.bytes IS NULL THEN '\x00'::bytea ELSE '\x01'::bytea || int8send(r.bytes) END
    || float8send(r.duration_ms)
    || CASE WHEN r.cache_hit THEN '\x01'::bytea ELSE '\x00'::bytea END
    || audit_probe.opt_text(r.format) || audit_probe.opt_text(r.error_sqlstate)
    || audit_probe.opt_text(r.error_message)
$$;
CREATE FUNCTION audit_probe.rehash(r autoreport.runs) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT sha256(r.prev_hash || audit_probe.canonical(r))
$$;

-- Start from an empty log: earlier tests' runs were logged too (let them be written first).
SELECT autoreport.audit_flush('2 min') AS flushed;
TRUNCATE autoreport.runs;

-- 1. An empty log holds.
SELECT * FROM autoreport.verify_audit();

-- 2. Runs appear with every field; the role and the time are taken when recording.
SELECT audit_probe.record('sales_by_region', 3, '{"since": "2026-01-01", "region": null}', 3, NULL, 2.25);
SELECT audit_probe.record('sales_by_region', 3, '{"since":"2026-01-02"}', 2, 5123, 7.5, false, 'xlsx');
SELECT audit_probe.record('daily', 1, '{}', 0, 0, 0.125, true, 'csv');
SELECT audit_probe.record('', 0, NULL, NULL, NULL, 0); -- nothing known: NULLs, not zeros
SELECT id, role = current_user::regrole AS my_role, role_name = current_user AS my_name,
       at BETWEEN now() - interval '1 minute' AND clock_timestamp() AS recorded_now,
       report, version, params, params_truncated, rows, bytes, duration_ms, cache_hit, format,
       error_sqlstate, error_message
  FROM autoreport.runs ORDER BY id;

-- The chain: id 1 starts from 32 zero bytes, each prev_hash is the hash before it, and each hash is
-- SHA-256 of prev_hash and the documented canonical content.
SELECT prev_hash = '\x'::bytea || decode(repeat('00', 32), 'hex') AS first_prev_is_zero
  FROM autoreport.runs WHERE id = 1;
SELECT count(*) AS linked FROM autoreport.runs AS r JOIN autoreport.runs AS p ON p.id = r.id - 1
 WHERE r.prev_hash = p.hash;
SELECT id, hash = audit_probe.rehash(r) AS hash_is_documented, length(hash) AS hash_bytes
  FROM autoreport.runs AS r ORDER BY id;
SELECT ok, checked, first_bad_id, reason, last_id,
       last_hash = (SELECT hash FROM autoreport.runs WHERE id = 4) AS last_hash_is_row_4
  FROM autoreport.verify_audit();

-- The direct path cannot log what does not commit: a failed run (its error aborts the transaction
-- the row would be in), a rolled-back transaction, a read-only one. Preloading logs all of them
-- (sql/audit_runs.sql).
SELECT audit_probe.record('failing', 1, '{}', NULL, NULL, 1, false, NULL, '22023', 'bad value');
BEGIN;
SELECT audit_probe.record('rolled_back');
ROLLBACK;
BEGIN READ ONLY;
SELECT audit_probe.record('read_only');
COMMIT;
SELECT count(*) AS still_four FROM autoreport.runs;

-- audited() times the run, records it, and passes a failure through unchanged.
SELECT audit_probe.audited('wrapped', 'ok');
SELECT audit_probe.audited('wrapped', 'error');
\echo :LAST_ERROR_SQLSTATE
SELECT audit_probe.audited('wrapped', 'std');
\echo :LAST_ERROR_SQLSTATE
SELECT id, report, version, rows, duration_ms >= 0 AS timed, error_sqlstate
  FROM autoreport.runs WHERE id > 4 ORDER BY id;

-- Parameters too long for the queue's slot, or not JSON, are kept as a JSON string of their start.
SELECT audit_probe.record('long', 1, '{"list": "' || repeat('ab', 5000) || '"}');
SELECT audit_probe.record('not_json', 1, '{oops');
SELECT report, params_truncated, jsonb_typeof(params) AS kind, length(params #>> '{}') AS kept_chars,
       left(params #>> '{}', 12) AS starts_with
  FROM autoreport.runs WHERE report IN ('long', 'not_json') ORDER BY id;
SELECT ok, checked FROM autoreport.verify_audit();

-- 3. Tampering is found, at the right row. (A superuser may change rows; each change is rolled back.)
BEGIN;
UPDATE autoreport.runs SET rows = 999 WHERE id = 2;
SELECT ok, checked, first_bad_id, reason, last_id FROM autoreport.verify_audit();
ROLLBACK;
-- ... also with the trigger out of the way, as a superuser could arrange it.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE autoreport.runs SET report = 'other' WHERE id = 3;
SELECT ok, first_bad_id, reason FROM autoreport.verify_audit();
ROLLBACK;
-- A row changed and its hash recomputed breaks the next link.
BEGIN;
UPDATE autoreport.runs AS r SET rows = 1 WHERE id = 2;
UPDATE autoreport.runs AS r SET hash = audit_probe.rehash(r) WHERE id = 2;
SELECT ok, checked, first_bad_id, reason FROM autoreport.verify_audit();
ROLLBACK;
-- A deleted row is a gap, also the first one.
BEGIN;
DELETE FROM autoreport.runs WHERE id = 3;
SELECT ok, checked, first_bad_id, reason FROM autoreport.verify_audit();
ROLLBACK;
BEGIN;
DELETE FROM autoreport.runs WHERE id = 1;
SELECT ok, checked, first_bad_id, reason FROM autoreport.verify_audit();
ROLLBACK;
-- A first row that does not start from zero, and a hash that is not 32 bytes.
BEGIN;
UPDATE autoreport.runs SET prev_hash = sha256('x') WHERE id = 1;
SELECT ok, first_bad_id, reason FROM autoreport.verify_audit();
ROLLBACK;
BEGIN;
UPDATE autoreport.runs SET hash = '\x00' WHERE id = 4;
SELECT ok, first_bad_id, reason FROM autoreport.verify_audit();
ROLLBACK;

-- What a chain alone cannot show, an anchor can: the last row noted earlier must still be there,
-- unchanged. Rows cut off the end ...
SELECT last_id AS anchor_id, last_hash AS anchor_hash FROM autoreport.verify_audit() \gset
SELECT ok, checked FROM autoreport.verify_audit(:anchor_id, :'anchor_hash');
BEGIN;
DELETE FROM autoreport.runs WHERE id >= :anchor_id - 1;
SELECT ok, checked FROM autoreport.verify_audit();
SELECT ok, checked, first_bad_id, reason FROM autoreport.verify_audit(:anchor_id, :'anchor_hash');
ROLLBACK;
-- ... and a chain rewritten from some row on, every hash recomputed.
BEGIN;
UPDATE autoreport.runs SET rows = 100 WHERE id = 5;
DO $$
DECLARE r autoreport.runs;
BEGIN
  FOR r IN SELECT * FROM autoreport.runs WHERE id >= 5 ORDER BY id LOOP
    UPDATE autoreport.runs AS x SET prev_hash = (SELECT hash FROM autoreport.runs WHERE id = r.id - 1)
     WHERE x.id = r.id;
    UPDATE autoreport.runs AS x SET hash = audit_probe.rehash(x) WHERE x.id = r.id;
  END LOOP;
END $$;
SELECT ok, checked FROM autoreport.verify_audit();
SELECT ok, first_bad_id, reason FROM autoreport.verify_audit(:anchor_id, :'anchor_hash');
ROLLBACK;

-- verify_audit() refuses a half or malformed anchor.
SELECT * FROM autoreport.verify_audit(1, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.verify_audit(NULL, '\x00');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.verify_audit(0, sha256(''));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.verify_audit(1, '\x0102');
\echo :LAST_ERROR_SQLSTATE

-- 4. Append-only for everyone but a superuser.
CREATE ROLE audit_alice;
CREATE ROLE audit_bob;
CREATE ROLE audit_carol;
GRANT autoreport_admin TO audit_carol;
GRANT USAGE ON SCHEMA audit_probe TO audit_alice, audit_bob, audit_carol;
SET ROLE audit_alice;
SELECT count(*) FROM autoreport.runs;
\echo :LAST_ERROR_SQLSTATE
UPDATE autoreport.runs SET rows = 0;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM autoreport.runs;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE autoreport.runs;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO autoreport.runs (id, at, role, params_truncated, duration_ms, cache_hit, prev_hash, hash)
  VALUES (100, now(), 0, false, 0, false, '\x', '\x');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.verify_audit();
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.audit_status;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- Even a role granted every privilege on the table cannot change the log: the trigger refuses.
GRANT ALL ON autoreport.runs TO audit_alice;
SET ROLE audit_alice;
UPDATE autoreport.runs SET rows = 0 WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE autoreport.runs SET rows = 0 WHERE false; -- refused even when no row matches
\echo :LAST_ERROR_SQLSTATE
DELETE FROM autoreport.runs WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE autoreport.runs;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO autoreport.runs (id, at, role, params_truncated, duration_ms, cache_hit, prev_hash, hash)
  VALUES (100, now(), 0, false, 0, false, '\x', '\x');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE ALL ON autoreport.runs FROM audit_alice;
SELECT ok, checked FROM autoreport.verify_audit();

-- 5. Roles without any privilege on the table still get their runs logged, and autoreport.run_log
--    shows each role its own runs; members of autoreport_admin see all.
SET ROLE audit_alice;
SELECT audit_probe.record('alice_report', 1, '{"n": 1}', 1);
SELECT audit_probe.record('alice_report', 1, '{"n": 2}', 2);
SET ROLE audit_bob;
SELECT audit_probe.record('bob_report', 1, '{}', 5);
SELECT report, role_name, params, rows FROM autoreport.run_log ORDER BY id;
SET ROLE audit_alice;
SELECT report, role_name, params, rows FROM autoreport.run_log ORDER BY id;
SET ROLE audit_carol;
SELECT CASE WHEN role_name = session_user THEN '(the test superuser)' ELSE role_name END AS role_name, count(*)
  FROM autoreport.run_log GROUP BY 1 ORDER BY 1;
SELECT ok, checked FROM autoreport.verify_audit();
SELECT count(*) AS carol_reads_the_table FROM autoreport.runs;
RESET ROLE;

-- A dropped role's runs keep its OID and the name it had.
REVOKE USAGE ON SCHEMA audit_probe FROM audit_bob;
DROP ROLE audit_bob;
SELECT role::regrole::text ~ '^\d+$' AS role_is_now_an_oid, role_name FROM autoreport.runs
 WHERE report = 'bob_report';
SELECT ok, checked FROM autoreport.verify_audit();

-- 6. A superuser may reset the log; the chain starts again from id 1.
TRUNCATE autoreport.runs;
SELECT audit_probe.record('after_reset');
SELECT id, report, prev_hash = '\x'::bytea || decode(repeat('00', 32), 'hex') AS starts_from_zero
  FROM autoreport.runs;
SELECT ok, checked FROM autoreport.verify_audit();

-- 7. audit_flush() waits for nothing here (no run queued) and refuses a timeout it cannot honour.
SELECT autoreport.audit_flush('0 s') AS flushed;
SELECT autoreport.audit_flush(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.audit_flush('-1 s');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.audit_flush('2 days');
\echo :LAST_ERROR_SQLSTATE

-- The settings exist, with their defaults.
SHOW autoreport.audit_queue_size;
SHOW autoreport.audit_queue_timeout;
SHOW autoreport.audit_writer_idle_timeout;

-- The catalog: volatility and parallel labels, and who may call what.
SELECT p.proname, p.provolatile, p.proparallel, p.prosecdef,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_may_call
  FROM pg_proc AS p
 WHERE p.pronamespace = 'autoreport'::regnamespace
   AND p.proname IN ('verify_audit', 'audit_flush', 'audit_status_rows', 'runs_append_only')
 ORDER BY p.proname;
SELECT c.relname, has_table_privilege('public', c.oid, 'SELECT') AS public_reads,
       has_table_privilege('autoreport_admin', c.oid, 'SELECT') AS admin_reads
  FROM pg_class AS c
 WHERE c.relnamespace = 'autoreport'::regnamespace AND c.relname IN ('runs', 'run_log', 'audit_status')
 ORDER BY c.relname;

TRUNCATE autoreport.runs;
DROP SCHEMA audit_probe CASCADE;
DROP ROLE audit_alice;
DROP ROLE audit_carol;
