-- The audit log's privileges and shape: who may read, change, verify and watch autoreport.runs.
BEGIN;
SELECT plan(30);

-- Shape: the chain's columns, its key, its triggers, and pg_dump keeping its rows.
SELECT has_pk('autoreport', 'runs', 'autoreport.runs has a primary key (id)');
SELECT col_type_is('autoreport', 'runs', 'role', 'oid', 'the role is kept as an OID (roles may be dropped)');
SELECT col_type_is('autoreport', 'runs', 'params', 'jsonb', 'parameters are jsonb');
SELECT col_type_is('autoreport', 'runs', 'prev_hash', 'bytea', 'prev_hash is bytea');
SELECT col_type_is('autoreport', 'runs', 'hash', 'bytea', 'hash is bytea');
SELECT has_trigger('autoreport', 'runs', 'runs_append_only', 'a trigger keeps the log append-only');
SELECT ok((SELECT tgtype & 1 = 0 FROM pg_trigger WHERE tgrelid = 'autoreport.runs'::regclass
            AND tgname = 'runs_append_only'), 'it fires per statement: refused even when no row matches');
SELECT ok((SELECT 'autoreport.runs'::regclass = ANY (extconfig) FROM pg_extension WHERE extname = 'autoreport'),
  'pg_dump keeps the rows of the log');
SELECT ok((SELECT 'security_barrier=true' = ANY (reloptions) FROM pg_class WHERE oid = 'autoreport.run_log'::regclass),
  'autoreport.run_log is a security barrier view');

-- Privileges: the raw log is for administrators; the view is for everyone.
SELECT table_privs_are('autoreport', 'runs', 'public', ARRAY[]::text[], 'PUBLIC has no privilege on the log');
SELECT table_privs_are('autoreport', 'runs', 'autoreport_admin', ARRAY['SELECT'],
  'autoreport_admin may only read the log');
SELECT table_privs_are('autoreport', 'run_log', 'public', ARRAY['SELECT'], 'everyone reads autoreport.run_log');
SELECT table_privs_are('autoreport', 'audit_status', 'public', ARRAY[]::text[], 'PUBLIC cannot see the queue');
SELECT table_privs_are('autoreport', 'audit_status', 'autoreport_admin', ARRAY['SELECT'],
  'autoreport_admin sees the queue');
SELECT function_privs_are('autoreport', 'verify_audit', ARRAY['bigint', 'bytea'], 'public', ARRAY[]::text[],
  'PUBLIC cannot verify the chain');
SELECT function_privs_are('autoreport', 'verify_audit', ARRAY['bigint', 'bytea'], 'autoreport_admin',
  ARRAY['EXECUTE'], 'autoreport_admin verifies the chain');
SELECT function_privs_are('autoreport', 'audit_flush', ARRAY['interval'], 'public', ARRAY['EXECUTE'],
  'everyone may wait for their runs to be logged');
SELECT volatility_is('autoreport', 'verify_audit', ARRAY['bigint', 'bytea'], 'stable', 'verify_audit() is STABLE');
SELECT volatility_is('autoreport', 'audit_flush', ARRAY['interval'], 'volatile', 'audit_flush() is VOLATILE');

-- Behaviour, role by role.
CREATE ROLE tap_audit_outsider;
CREATE ROLE tap_audit_granted;
CREATE ROLE tap_audit_admin;
GRANT autoreport_admin TO tap_audit_admin;
GRANT ALL ON autoreport.runs TO tap_audit_granted;

SET ROLE tap_audit_outsider;
SELECT throws_ok($$ SELECT * FROM autoreport.runs $$, '42501', NULL, 'an outsider cannot read the log');
SELECT throws_ok($$ DELETE FROM autoreport.runs $$, '42501', NULL, 'an outsider cannot delete from the log');
SELECT throws_ok($$ SELECT * FROM autoreport.verify_audit() $$, '42501', NULL, 'an outsider cannot verify');
SELECT lives_ok($$ SELECT * FROM autoreport.run_log $$, 'an outsider reads autoreport.run_log (their own runs)');
RESET ROLE;

SET ROLE tap_audit_granted;
SELECT throws_ok($$ UPDATE autoreport.runs SET rows = 0 $$, '42501', 'autoreport.runs is append-only',
  'even with UPDATE granted, rows cannot be changed');
SELECT throws_ok($$ DELETE FROM autoreport.runs $$, '42501', 'autoreport.runs is append-only',
  'even with DELETE granted, rows cannot be deleted');
SELECT throws_ok($$ TRUNCATE autoreport.runs $$, '42501', 'autoreport.runs is append-only',
  'even with TRUNCATE granted, the log cannot be emptied');
SELECT throws_ok(
  $$ INSERT INTO autoreport.runs (id, at, role, params_truncated, duration_ms, cache_hit, prev_hash, hash)
     VALUES (1000000, now(), 0, false, 0, false, '\x', '\x') $$,
  '42501', 'rows of autoreport.runs are added by autoreport only', 'even with INSERT granted, rows cannot be forged');
RESET ROLE;

SET ROLE tap_audit_admin;
SELECT lives_ok($$ SELECT * FROM autoreport.verify_audit() $$, 'an administrator verifies the chain');
SELECT lives_ok($$ SELECT * FROM autoreport.audit_status $$, 'an administrator watches the queue');
SELECT throws_ok($$ UPDATE autoreport.runs SET rows = 0 $$, '42501', NULL, 'an administrator cannot change the log');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
