-- Who may define, see and run reports: an administrator, an analyst given one report, an outsider
-- given nothing, and row-level security applying to whoever runs a report.
BEGIN;
SELECT plan(28);

CREATE ROLE tap_admin;
CREATE ROLE tap_analyst;
CREATE ROLE tap_outsider;
GRANT autoreport_admin TO tap_admin;
CREATE SCHEMA tap_data;
GRANT USAGE ON SCHEMA tap_data TO tap_admin, tap_analyst, tap_outsider;
CREATE TABLE tap_data.deals (owner name NOT NULL, amount numeric NOT NULL);
INSERT INTO tap_data.deals VALUES ('tap_admin', 100), ('tap_analyst', 7), ('tap_analyst', 3);
GRANT SELECT ON tap_data.deals TO tap_admin;
ALTER TABLE tap_data.deals ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_deals ON tap_data.deals USING (owner = current_user);

-- Defining needs autoreport_admin.
SET ROLE tap_outsider;
SELECT throws_ok($$ SELECT autoreport.define_report('deal_total', 'SELECT sum(amount) AS total FROM tap_data.deals') $$,
  '42501', 'permission denied to define report "deal_total"', 'an outsider cannot define a report');
RESET ROLE;
SET ROLE tap_admin;
SELECT is(autoreport.define_report('deal_total', 'SELECT coalesce(sum(amount), 0) AS total FROM tap_data.deals'), 1,
  'a member of autoreport_admin defines a report');
SELECT is((SELECT owner::text FROM autoreport.reports WHERE name = 'deal_total'), 'tap_admin',
  'the report belongs to whoever defined it');
SELECT is((SELECT total FROM reports.deal_total()), 100::numeric, 'the owner runs it and sees only their own rows (RLS)');
RESET ROLE;

-- An outsider sees nothing and may run nothing.
SET ROLE tap_outsider;
SELECT is_empty($$ SELECT * FROM autoreport.reports $$, 'an outsider sees no report in the catalog');
SELECT is_empty($$ SELECT * FROM autoreport.report_versions $$, 'an outsider sees no report version');
SELECT throws_ok($$ SELECT * FROM reports.deal_total() $$, '42501', NULL,
  'an outsider cannot call the report function');
SELECT throws_ok($$ SELECT * FROM autoreport.run('deal_total') $$, '42501',
  'permission denied for report "deal_total"', 'an outsider cannot run the report by name');
SELECT throws_ok($$ SELECT autoreport.render('deal_total', '{}', 'csv') $$, '42501',
  'permission denied for report "deal_total"', 'an outsider cannot render the report');
SELECT throws_ok($$ SELECT * FROM autoreport.report $$, '42501', NULL, 'the catalog tables are not readable directly');
SELECT throws_ok($$ SELECT autoreport.drop_report('deal_total') $$, '42501',
  'permission denied to drop report "deal_total"', 'an outsider cannot drop it');
RESET ROLE;

-- The owner grants the analyst EXECUTE; the analyst then sees the report, and runs it with their own
-- privileges: without SELECT on the table the run fails, with it RLS shows them their rows only.
SET ROLE tap_admin;
GRANT EXECUTE ON FUNCTION reports.deal_total() TO tap_analyst;
RESET ROLE;
SET ROLE tap_analyst;
SELECT is((SELECT count(*) FROM autoreport.reports WHERE name = 'deal_total'), 1::bigint,
  'the analyst sees the report granted to them');
SELECT throws_ok($$ SELECT * FROM reports.deal_total() $$, '42501', 'permission denied for table deals',
  'a report runs with its caller''s privileges, not its owner''s');
RESET ROLE;
GRANT SELECT ON tap_data.deals TO tap_analyst;
SET ROLE tap_analyst;
SELECT is((SELECT total FROM reports.deal_total()), 10::numeric, 'row-level security applies to the caller');
SELECT is((SELECT r->>'total' FROM autoreport.run('deal_total') AS r), '10', 'run() applies it too');
SELECT is(convert_from(autoreport.render('deal_total', '{}', 'csv'), 'UTF8'), E'total\r\n10\r\n',
  'render() applies it too');
-- The result cache keeps roles apart: each role's cached rows serve only that role.
SELECT is((SELECT total FROM reports.deal_total()), 10::numeric, 'the analyst''s cached result is their own');
RESET ROLE;
SET ROLE tap_admin;
SELECT is((SELECT total FROM reports.deal_total()), 100::numeric, 'the owner''s cached result is theirs');
RESET ROLE;
SELECT is((SELECT count(DISTINCT role) FROM autoreport.cache_entry WHERE report = 'deal_total'), 2::bigint,
  'one cache entry per role');
-- A privilege revoked after caching is not bypassed by a hit.
REVOKE SELECT ON tap_data.deals FROM tap_analyst;
SET ROLE tap_analyst;
SELECT throws_ok($$ SELECT * FROM reports.deal_total() $$, '42501', 'permission denied for table deals',
  'a cached result is refused to a role that lost its privilege');
RESET ROLE;
GRANT SELECT ON tap_data.deals TO tap_analyst;
SET ROLE tap_analyst;
SELECT throws_ok($$ SELECT autoreport.define_report('deal_total', 'SELECT 1 AS total') $$, '42501',
  'permission denied to redefine report "deal_total"', 'the analyst cannot redefine it');
SELECT throws_ok($$ SELECT autoreport.drop_report('deal_total') $$, '42501',
  'permission denied to drop report "deal_total"', 'the analyst cannot drop it');
RESET ROLE;

-- The owner redefines; grants survive; superusers see everything.
SET ROLE tap_admin;
SELECT is(autoreport.define_report('deal_total', 'SELECT coalesce(sum(amount), 0) AS total, count(*) AS deals FROM tap_data.deals'),
  2, 'the owner redefines the report');
RESET ROLE;
SELECT ok(has_function_privilege('tap_analyst', 'reports.deal_total()', 'EXECUTE'),
  'the analyst''s grant survives a redefinition with new columns');
SET ROLE tap_analyst;
SELECT results_eq($$ SELECT total, deals FROM reports.deal_total() $$, $$ VALUES (10::numeric, 2::bigint) $$,
  'the analyst runs the new version');
RESET ROLE;

-- Report functions never run as their owner.
SELECT is_empty($$ SELECT p.oid::regprocedure FROM pg_proc AS p
                    WHERE p.pronamespace = 'reports'::regnamespace AND p.prosecdef $$,
  'no report function is SECURITY DEFINER');
SELECT is((SELECT count(*) FROM autoreport.reports WHERE name = 'deal_total'), 1::bigint,
  'a superuser sees every report');
SELECT throws_ok($$ SELECT autoreport.define_report('x', 'SELECT 1 AS a', '{"a": "date"}') $$, '22023',
  'parameter "a" is declared but the query does not use it', 'definition errors carry SQLSTATE 22023');

SELECT * FROM finish();
ROLLBACK;
