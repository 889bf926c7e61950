-- Who may grant, see and ask about channels: an administrator, a reader given a channel, an outsider
-- given nothing, and the sidecar's login role.
BEGIN;
SELECT plan(36);

CREATE ROLE tap_chan_admin IN ROLE autoreport_admin;
CREATE ROLE tap_chan_reader;
CREATE ROLE tap_chan_outsider;
CREATE ROLE tap_chan_sidecar LOGIN IN ROLE autoreport_sidecar;

-- Shape: the sidecar's role, the function's labels, the table's key and pg_dump keeping its rows.
SELECT has_role('autoreport_sidecar');
SELECT ok(NOT rolcanlogin, 'autoreport_sidecar cannot log in') FROM pg_roles WHERE rolname = 'autoreport_sidecar';
SELECT has_pk('autoreport', 'channel_grant', 'autoreport.channel_grant has a primary key (role, pattern)');
SELECT col_type_is('autoreport', 'channel_grant', 'role', 'regrole', 'grants name roles as regrole');
SELECT ok((SELECT 'autoreport.channel_grant'::regclass = ANY (extconfig) FROM pg_extension WHERE extname = 'autoreport'),
  'pg_dump keeps the grants');
SELECT is_definer('autoreport', 'channel_allowed', ARRAY['name', 'text', 'text'],
  'channel_allowed() runs as its owner, so that the sidecar needs no right on the table');
SELECT volatility_is('autoreport', 'channel_allowed', ARRAY['name', 'text', 'text'], 'stable');
SELECT is_strict('autoreport', 'channel_allowed', ARRAY['name', 'text', 'text'], 'channel_allowed() is STRICT');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = 'autoreport.channel_allowed(name, text, text)'::regprocedure),
  's'::"char", 'channel_allowed() is PARALLEL SAFE');
SELECT isnt_definer('autoreport', 'grant_channel', ARRAY['regrole', 'text', 'boolean', 'boolean'],
  'grant_channel() runs as its caller');
SELECT isnt_definer('autoreport', 'revoke_channel', ARRAY['regrole', 'text'], 'revoke_channel() runs as its caller');

-- Privileges: the table is for administrators, the view for everyone, the question for the sidecar.
SELECT table_privs_are('autoreport', 'channel_grant', 'public', ARRAY[]::text[], 'PUBLIC has no privilege on the grants');
SELECT table_privs_are('autoreport', 'channel_grant', 'autoreport_admin', ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'autoreport_admin reads and writes the grants');
SELECT table_privs_are('autoreport', 'channel_grants', 'public', ARRAY['SELECT'], 'everyone reads autoreport.channel_grants');
SELECT function_privs_are('autoreport', 'channel_allowed', ARRAY['name', 'text', 'text'], 'public', ARRAY[]::text[],
  'PUBLIC cannot ask channel_allowed()');
SELECT function_privs_are('autoreport', 'channel_allowed', ARRAY['name', 'text', 'text'], 'autoreport_sidecar',
  ARRAY['EXECUTE'], 'autoreport_sidecar asks channel_allowed()');
SELECT ok(NOT has_function_privilege('tap_chan_outsider', 'autoreport.channel_allowed(name, text, text)', 'EXECUTE'),
  'an outsider cannot ask channel_allowed()');

-- Only administrators grant and revoke.
SET ROLE tap_chan_outsider;
SELECT throws_ok($$ SELECT autoreport.grant_channel('tap_chan_outsider', '*', true, true) $$,
  '42501', 'permission denied to grant channels', 'an outsider cannot grant themselves a channel');
RESET ROLE;
SET ROLE tap_chan_sidecar;
SELECT throws_ok($$ SELECT autoreport.grant_channel('tap_chan_reader', 'sales.*') $$,
  '42501', 'permission denied to grant channels', 'the sidecar cannot grant');
RESET ROLE;
SET ROLE tap_chan_admin;
SELECT lives_ok($$ SELECT autoreport.grant_channel('tap_chan_reader', 'sales.*') $$, 'an administrator grants');
SELECT is((SELECT granted_by::text FROM autoreport.channel_grants WHERE role = 'tap_chan_reader'::regrole),
  'tap_chan_admin', 'the grant records who made it');
RESET ROLE;
SET ROLE tap_chan_reader;
SELECT throws_ok($$ SELECT autoreport.grant_channel('tap_chan_reader', 'sales.*', true, true) $$,
  '42501', 'permission denied to grant channels', 'a reader cannot widen their own grant');
SELECT throws_ok($$ SELECT autoreport.revoke_channel('tap_chan_reader', 'sales.*') $$,
  '42501', 'permission denied to revoke channels', 'a reader cannot revoke');
SELECT throws_ok($$ UPDATE autoreport.channel_grant SET may_publish = true $$,
  '42501', 'permission denied for table channel_grant', 'a reader cannot write the table directly');
RESET ROLE;
SET ROLE tap_chan_outsider;
SELECT throws_ok($$ SELECT autoreport.revoke_channel('tap_chan_reader', 'sales.*') $$,
  '42501', 'permission denied to revoke channels', 'an outsider cannot revoke');
RESET ROLE;

-- What each role sees and may ask.
SET ROLE tap_chan_outsider;
SELECT is_empty($$ SELECT * FROM autoreport.channel_grants $$, 'an outsider sees no grant');
SELECT throws_ok($$ SELECT * FROM autoreport.channel_grant $$, '42501', 'permission denied for table channel_grant',
  'an outsider cannot read the table');
SELECT throws_ok($$ SELECT autoreport.channel_allowed('tap_chan_reader', 'sales.emea', 'listen') $$,
  '42501', 'permission denied for function channel_allowed', 'an outsider cannot learn others'' grants');
RESET ROLE;
SET ROLE tap_chan_reader;
SELECT results_eq($$ SELECT pattern, listen, publish FROM autoreport.channel_grants $$,
  $$ VALUES ('sales.*'::text, true, false) $$, 'a reader sees their own grant');
SELECT throws_ok($$ SELECT autoreport.channel_allowed('tap_chan_reader', 'sales.emea', 'listen') $$,
  '42501', 'permission denied for function channel_allowed', 'a reader cannot ask channel_allowed() either');
RESET ROLE;
SET ROLE tap_chan_admin;
SELECT ok((SELECT count(*) FROM autoreport.channel_grants WHERE role = 'tap_chan_reader'::regrole) = 1,
  'an administrator sees others'' grants');
RESET ROLE;

-- The sidecar, through its login role, asks; it needs no other privilege.
SET ROLE tap_chan_sidecar;
SELECT is(autoreport.channel_allowed('tap_chan_reader', 'sales.emea', 'listen'), true,
  'the sidecar learns that the reader may listen to sales.emea');
SELECT is(autoreport.channel_allowed('tap_chan_reader', 'sales.emea', 'publish'), false,
  '... but not publish on it');
SELECT is(autoreport.channel_allowed('tap_chan_outsider', 'sales.emea', 'listen'), false,
  '... and that the outsider may not listen to it');
SELECT is_empty($$ SELECT * FROM autoreport.channel_grants $$, 'the sidecar itself has no grant to see');
RESET ROLE;

-- A revoked grant is gone for the sidecar at once.
SET ROLE tap_chan_admin;
SELECT autoreport.revoke_channel('tap_chan_reader', 'sales.*');
RESET ROLE;
SET ROLE tap_chan_sidecar;
SELECT is(autoreport.channel_allowed('tap_chan_reader', 'sales.emea', 'listen'), false,
  'after revoke_channel() the reader may no longer listen');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
