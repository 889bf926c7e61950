-- A report is never a trojan for whoever runs it, and the objects autoreport makes for it cannot be
-- altered into states the call does not check: an administrator (a member of autoreport_admin, not a
-- superuser) against a superuser who renders their reports, and a careless superuser altering them.
BEGIN;
SELECT plan(50);

CREATE ROLE sec_admin;
CREATE ROLE sec_analyst;
GRANT autoreport_admin TO sec_admin;
CREATE SCHEMA sec AUTHORIZATION sec_admin;
GRANT USAGE ON SCHEMA sec TO sec_analyst;

SET ROLE sec_admin;
CREATE TABLE sec.items (id bigint, label text, amount integer);
INSERT INTO sec.items VALUES (1, 'one', 10), (2, 'two', 20);
GRANT SELECT ON sec.items TO sec_analyst;
-- What an attacker writes: a function that makes its owner a superuser when a superuser runs it.
CREATE FUNCTION sec.escalate() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'ALTER ROLE sec_admin SUPERUSER';
  RETURN 1;
END $$;
CREATE FUNCTION sec.touch() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sec.items VALUES (3, 'three', 30);
  RETURN 1;
END $$;
CREATE FUNCTION sec.same_text(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'ALTER ROLE sec_admin SUPERUSER';
  RETURN lower(a) = lower(b);
END $$;
CREATE OPERATOR sec.=== (LEFTARG = text, RIGHTARG = text, FUNCTION = sec.same_text);
CREATE VIEW sec.escalating AS SELECT id, sec.escalate() AS n FROM sec.items;
CREATE FUNCTION sec.twice(n bigint) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $$ BEGIN RETURN 2 * n; END $$;
CREATE TYPE sec.mood AS ENUM ('calm', 'tense');

SELECT autoreport.define_report('by_id', 'SELECT label FROM sec.items WHERE id = :id', '{"id": "bigint"}');
SELECT autoreport.define_report('by_label', 'SELECT id FROM sec.items WHERE label = :label', '{"label": "text"}');
SELECT autoreport.define_report('trojan', 'SELECT sec.escalate() AS n');
SELECT autoreport.define_report('writer', 'SELECT sec.touch() AS n');
SELECT autoreport.define_report('by_operator', 'SELECT id FROM sec.items WHERE label OPERATOR(sec.===) :label',
                                '{"label": "text"}');
SELECT autoreport.define_report('through_view', 'SELECT id, n FROM sec.escalating');
SELECT autoreport.define_report('definer_ok', 'SELECT sec.twice(id) AS twice FROM sec.items ORDER BY id');

-- 1 and 4: the report's function and row type belong to the extension, so their owner cannot
-- rename, move or alter them.
SELECT throws_ok($$ ALTER FUNCTION reports.by_id(bigint) SET SCHEMA sec $$, '42501', NULL,
  'a report''s owner cannot move its function to another schema');
SELECT throws_ok($$ ALTER FUNCTION reports.by_id(bigint) RENAME TO by_label $$, '42501', NULL,
  'a report''s owner cannot rename its function');
SELECT throws_ok($$ ALTER FUNCTION reports.by_id(bigint) STRICT $$, '42501', NULL,
  'a report''s owner cannot make its function STRICT');
SELECT throws_ok($$ ALTER FUNCTION reports.by_id(bigint) PARALLEL SAFE $$, '42501', NULL,
  'a report''s owner cannot make its function PARALLEL SAFE');
SELECT throws_ok($$ ALTER FUNCTION reports.by_id(bigint) SET row_security = off $$, '42501', NULL,
  'a report''s owner cannot give its function a SET clause');
SELECT throws_ok($$ ALTER FUNCTION reports.by_id(bigint) SECURITY DEFINER $$, '42501', NULL,
  'a report''s owner cannot make its function SECURITY DEFINER');
SELECT throws_ok($$ ALTER TYPE reports.by_id ADD ATTRIBUTE extra integer $$, '42501', NULL,
  'a report''s owner cannot alter its row type');
SELECT lives_ok($$ GRANT EXECUTE ON FUNCTION reports.by_id(bigint) TO sec_analyst $$,
  'a report''s owner grants EXECUTE on its function');
RESET ROLE;
SET ROLE sec_analyst;
SELECT is((SELECT label FROM reports.by_id(2)), 'two', 'the grantee runs the report');
RESET ROLE;

-- A superuser moves and renames a report function so that its name is another report's, whose
-- parameter is text: the call is refused, never read as the other report (this crashed the server).
ALTER FUNCTION reports.by_id(bigint) SET SCHEMA sec;
ALTER FUNCTION sec.by_id(bigint) RENAME TO by_label;
SELECT throws_ok($$ SELECT * FROM sec.by_label(1) $$, '55000',
  'function reports.by_id(bigint) of report "by_id" was altered',
  'a moved and renamed report function is refused, not taken for the report of its new name');
ALTER FUNCTION sec.by_label(bigint) RENAME TO by_id;
ALTER FUNCTION sec.by_id(bigint) SET SCHEMA reports;
SELECT is((SELECT label FROM reports.by_id(1)), 'one', 'put back, it runs again');

-- A function made by hand around autoreport's entry point is no report's.
CREATE FUNCTION public.fake_report(label text) RETURNS SETOF reports.by_label LANGUAGE c
  AS '$libdir/autoreport', 'autoreport_report_call';
SELECT throws_ok($$ SELECT * FROM public.fake_report('one') $$, '42704',
  'function fake_report(text) is not the function of a report', 'a hand-made function is refused');

-- Attributes a superuser altered are refused at call time; redefining the report repairs them.
ALTER FUNCTION reports.by_id(bigint) STRICT;
SELECT throws_ok($$ SELECT * FROM reports.by_id(1) $$, '55000',
  'function reports.by_id(bigint) of report "by_id" was altered', 'a STRICT report function is refused');
SELECT is(autoreport.define_report('by_id', 'SELECT label FROM sec.items WHERE id = :id', '{"id": "bigint"}'), 2,
  'redefining the report as it was recreates its function (a new version)');
SELECT throws_ok($$ SELECT * FROM reports.by_id(NULL) $$, '22023', 'parameter "id" of report "by_id" must not be null',
  'the repaired function runs with a NULL argument (and refuses it: a STRICT one would not have run)');
SELECT ok(has_function_privilege('sec_analyst', 'reports.by_id(bigint)', 'EXECUTE'),
  'the owner''s grant survives the repair');
SET ROLE sec_admin;
SELECT lives_ok($$ REVOKE EXECUTE ON FUNCTION reports.by_id(bigint) FROM sec_analyst $$,
  'the owner can still revoke the grant it made');
RESET ROLE;
SELECT ok(NOT has_function_privilege('sec_analyst', 'reports.by_id(bigint)', 'EXECUTE'), 'and it is gone');
ALTER FUNCTION reports.by_id(bigint) PARALLEL SAFE;
SELECT throws_ok($$ SELECT * FROM reports.by_id(1) $$, '55000', NULL, 'a PARALLEL SAFE report function is refused');
ALTER FUNCTION reports.by_id(bigint) PARALLEL UNSAFE;
ALTER FUNCTION reports.by_id(bigint) SET row_security = off;
SELECT throws_ok($$ SELECT * FROM reports.by_id(1) $$, '55000', NULL, 'a report function with a SET clause is refused');
ALTER FUNCTION reports.by_id(bigint) RESET ALL;
ALTER FUNCTION reports.by_id(bigint) SECURITY DEFINER;
SELECT throws_ok($$ SELECT * FROM reports.by_id(1) $$, '55000', NULL, 'a SECURITY DEFINER report function is refused');
ALTER FUNCTION reports.by_id(bigint) SECURITY INVOKER;
SELECT is((SELECT label FROM reports.by_id(1)), 'one', 'restored, it runs');

-- 3: code the report's author wrote does not run with a superuser's rights.
SELECT throws_ok($$ SELECT * FROM reports.trojan() $$, '42501',
  'report "trojan" may not call function sec.escalate()', 'a superuser''s call refuses the author''s function');
SELECT throws_ok($$ SELECT autoreport.render('trojan', '{}', 'csv') $$, '42501',
  'report "trojan" may not call function sec.escalate()', 'render() refuses it too');
SELECT throws_ok($$ SELECT * FROM autoreport.run('trojan') $$, '42501',
  'report "trojan" may not call function sec.escalate()', 'run() refuses it too');
SELECT throws_ok($$ SELECT * FROM reports.by_operator('ONE') $$, '42501',
  'report "by_operator" may not call function sec.same_text(text,text)', 'an operator''s function is refused');
SELECT throws_ok($$ SELECT * FROM reports.through_view() $$, '42501',
  'report "through_view" may not call function sec.escalate()', 'a function inside a view is refused');
SELECT ok(NOT (SELECT rolsuper FROM pg_roles WHERE rolname = 'sec_admin'), 'the author did not become a superuser');
SELECT results_eq($$ SELECT twice FROM reports.definer_ok() $$, $$ VALUES (2::bigint), (4::bigint) $$,
  'a SECURITY DEFINER function (it runs with its owner''s rights) may be called');
GRANT EXECUTE ON FUNCTION reports.trojan() TO sec_analyst;
SET ROLE sec_analyst;
SELECT throws_ok($$ SELECT * FROM reports.trojan() $$, '42501',
  'report "trojan" may not call function sec.escalate()', 'another role''s function is refused for an analyst too');
RESET ROLE;

-- Nothing in a report writes, even code its caller trusts (its own).
SET ROLE sec_admin;
SELECT throws_ok($$ SELECT * FROM reports.trojan() $$, '25006', 'cannot execute ALTER ROLE in a read-only transaction',
  'the author''s own call runs the function read-only');
SELECT throws_ok($$ SELECT * FROM reports.writer() $$, '25006', 'cannot execute INSERT in a read-only transaction',
  'a report cannot write through a function');
SELECT is((SELECT count(*) FROM sec.items), 2::bigint, 'nothing was written');
SELECT throws_ok($$ SELECT * FROM reports.by_operator('ONE') $$, '25006', NULL,
  'the owner''s own operator runs for the owner, read-only');
CREATE TABLE sec.after_report (n integer);
SELECT lives_ok($$ INSERT INTO sec.after_report VALUES (1) $$, 'the transaction is writable again after a report');
RESET ROLE;

-- Built-in functions that act beyond reading are refused, at definition and (through a view changed
-- later) at run time: a read-only transaction does not stop them.
SELECT throws_ok($$ SELECT autoreport.define_report('notifier', 'SELECT id FROM sec.items WHERE pg_notify(''leak'', label) IS NULL') $$,
  '42501', 'report "notifier" may not call function pg_notify(text,text)', 'a report may not send notifications');
SELECT throws_ok($$ SELECT autoreport.define_report('lo_writer', 'SELECT lo_from_bytea(0, ''x''::bytea) AS o') $$,
  '42501', NULL, 'a report may not write large objects');
SELECT throws_ok($$ SELECT autoreport.define_report('runs_sql', 'SELECT query_to_xml(''SELECT 1'', true, false, '''') AS x') $$,
  '42501', NULL, 'a report may not run SQL text out of sight');
CREATE VIEW sec.labels AS SELECT id, label FROM sec.items;
SELECT autoreport.define_report('labels', 'SELECT id, label FROM sec.labels ORDER BY id');
CREATE OR REPLACE VIEW sec.labels AS SELECT id, label FROM sec.items WHERE set_config('search_path', 'sec', false) IS NOT NULL;
RESET ROLE;
SELECT throws_ok($$ SELECT * FROM reports.labels() $$, '42501',
  'report "labels" may not call function set_config(text,text,boolean)', 'a view changed later is checked at run time');
-- A function the caller trusts (their own) may change settings, but not beyond the report.
SET ROLE sec_admin;
CREATE FUNCTION sec.repath() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('search_path', 'sec', false);
  PERFORM set_config('work_mem', '77kB', false);
  RETURN 1;
END $$;
SELECT autoreport.define_report('repath', 'SELECT sec.repath() AS n');
SET work_mem = '4MB';
SELECT is((SELECT n FROM reports.repath()), 1, 'a function of the caller''s own runs');
SELECT is(current_setting('work_mem'), '4MB', 'the settings it changed end with the report');
RESET work_mem;
RESET ROLE;

-- 12: after ALTER TABLE ... TYPE the report says which column changed; redefining it identically
-- (the hint) recreates its row type.
SET ROLE sec_admin;
SELECT autoreport.define_report('amounts', 'SELECT amount FROM sec.items ORDER BY id');
ALTER TABLE sec.items ALTER COLUMN amount TYPE bigint;
SELECT throws_ok($$ SELECT * FROM reports.amounts() $$, '55000',
  'report "amounts" no longer returns the columns its function declares', 'a changed column type is refused');
SELECT is(autoreport.define_report('amounts', 'SELECT amount FROM sec.items ORDER BY id'), 2,
  'redefining it as it was makes a new version');
SELECT results_eq($$ SELECT amount FROM reports.amounts() $$, $$ VALUES (10::bigint), (20::bigint) $$,
  'the redefined report returns the new type');
SELECT is(autoreport.define_report('amounts', 'SELECT amount FROM sec.items ORDER BY id'), 2,
  'redefining it again as it is makes no new version');

-- 14: a type found through the definer's search_path.
SET search_path = sec, public;
SELECT is(autoreport.define_report('moods', 'SELECT ''calm''::mood AS mood'), 1,
  'a report returning an enum of the definer''s schema is defined');
RESET search_path;
SELECT is((SELECT mood::text FROM reports.moods()), 'calm', 'and it runs');
RESET ROLE;

-- 15: a query defined under standard_conforming_strings = off is read that way on every run.
SET standard_conforming_strings = off;
SELECT autoreport.define_report('escapes', $q$SELECT 'it\'s' AS s, 'a\\b' AS t$q$);
-- The placeholder scanner reads literals the same way: ':x' here is inside the literal.
SELECT is(autoreport.define_report('escaped_colon', $q$SELECT 'it\'s :x' AS s, :n AS n$q$, '{"n": "integer"}'), 1,
  'a placeholder-like text inside a backslash-escaped literal is not a placeholder');
RESET standard_conforming_strings;
SELECT results_eq($$ SELECT s, t FROM reports.escapes() $$, $$ VALUES ('it''s', 'a\b') $$,
  'the query is read under the settings it was defined with');
SELECT results_eq($$ SELECT s, n FROM reports.escaped_colon(7) $$, $$ VALUES ('it''s :x', 7) $$,
  'and its parameter is bound where the parser sees it');

SELECT * FROM finish();
ROLLBACK;
