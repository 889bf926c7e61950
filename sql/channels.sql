-- Channel grants for the sidecar: grant, revoke, the patterns and how they match, membership, and
-- every way a call can be wrong.
CREATE EXTENSION IF NOT EXISTS autoreport;
-- The PL/pgSQL line an error was raised at is not what this file is about.
\set SHOW_CONTEXT never

-- The sidecar's role exists, cannot log in, and may ask channel_allowed(); PUBLIC may not, nor read
-- the grants table.
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = 'autoreport_sidecar';
SELECT has_function_privilege('public', 'autoreport.channel_allowed(name, text, text)', 'EXECUTE') AS public_may_ask,
       has_function_privilege('autoreport_sidecar', 'autoreport.channel_allowed(name, text, text)', 'EXECUTE') AS sidecar_may_ask,
       has_table_privilege('public', 'autoreport.channel_grant', 'SELECT') AS public_reads_table,
       has_table_privilege('public', 'autoreport.channel_grants', 'SELECT') AS public_reads_view;
-- pg_dump keeps the grants.
SELECT 'autoreport.channel_grant'::regclass = ANY (extconfig) AS dumped FROM pg_extension WHERE extname = 'autoreport';

CREATE ROLE chan_admin IN ROLE autoreport_admin;
CREATE ROLE chan_sales;                          -- a group role
CREATE ROLE chan_alice IN ROLE chan_sales;       -- inherits chan_sales's grants
CREATE ROLE chan_nested IN ROLE chan_alice;      -- ... and so do members of members
CREATE ROLE chan_carol NOINHERIT IN ROLE chan_sales; -- does not inherit
CREATE ROLE chan_bob;
CREATE ROLE "Chan Mixed";

-- Granting: a prefix pattern, an exact channel, everything; listen by default, publish on request.
SELECT autoreport.grant_channel('chan_sales', 'sales.*');
SELECT autoreport.grant_channel('chan_alice', 'alerts', publish => true);
SELECT autoreport.grant_channel('chan_bob', '*', listen => false, publish => true);
SELECT autoreport.grant_channel('"Chan Mixed"', 'Ops-2.status_board');
SELECT role, pattern, listen, publish, granted_by::text = current_user AS granted_by_me
  FROM autoreport.channel_grants ORDER BY role::text, pattern;

-- How patterns match: "sales.*" is everything below sales, not sales itself nor salesx; an exact
-- pattern is that channel only, case-sensitive.
SELECT c.channel,
       autoreport.channel_allowed('chan_sales', c.channel, 'listen') AS sales_listen,
       autoreport.channel_allowed('chan_sales', c.channel, 'publish') AS sales_publish,
       autoreport.channel_allowed('chan_alice', c.channel, 'publish') AS alice_publish,
       autoreport.channel_allowed('chan_bob', c.channel, 'listen') AS bob_listen,
       autoreport.channel_allowed('chan_bob', c.channel, 'publish') AS bob_publish,
       autoreport.channel_allowed('Chan Mixed', c.channel, 'listen') AS mixed_listen
  FROM (VALUES ('sales.emea'), ('sales.emea.daily'), ('sales'), ('salesx'), ('salesx.emea'), ('sales_emea'),
               ('Sales.emea'), ('alerts'), ('alerts.x'), ('Ops-2.status_board'), ('ops-2.status_board'),
               ('other')) AS c(channel);

-- Membership: a member has the grants of the roles whose privileges it has (pg_has_role USAGE), at
-- any depth; a NOINHERIT member does not, and a group does not get its members' grants.
SELECT r.role,
       autoreport.channel_allowed(r.role, 'sales.emea', 'listen') AS sales_emea,
       autoreport.channel_allowed(r.role, 'alerts', 'listen') AS alerts
  FROM (VALUES ('chan_sales'), ('chan_alice'), ('chan_nested'), ('chan_carol'), ('chan_bob')) AS r(role);
-- Membership is read at each call: granting or revoking the group role takes effect at once.
GRANT chan_sales TO chan_bob;
SELECT autoreport.channel_allowed('chan_bob', 'sales.emea', 'listen') AS bob_in_sales;
REVOKE chan_sales FROM chan_bob;
SELECT autoreport.channel_allowed('chan_bob', 'sales.emea', 'listen') AS bob_left_sales;

-- Unknown roles and channels no grant can name are false, not errors; a superuser may do anything;
-- a NULL argument gives NULL.
SELECT autoreport.channel_allowed('no_such_role', 'sales.emea', 'listen') AS unknown_role,
       autoreport.channel_allowed(current_user, 'anything.at.all', 'publish') AS superuser;
SELECT c.channel, autoreport.channel_allowed('chan_bob', c.channel, 'publish') AS under_star
  FROM (VALUES (''), ('sales.'), ('.sales'), ('sales..emea'), ('sales emea'), ('sales.*'), ('*'), ('sälës'),
               ('a"b'), (repeat('x', 63)), (repeat('x', 64))) AS c(channel);
SELECT autoreport.channel_allowed(NULL, 'alerts', 'listen') IS NULL AS null_role,
       autoreport.channel_allowed('chan_alice', NULL, 'listen') IS NULL AS null_channel,
       autoreport.channel_allowed('chan_alice', 'alerts', NULL) IS NULL AS null_action;
SELECT autoreport.channel_allowed('chan_alice', 'alerts', 'subscribe');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.channel_allowed('chan_alice', 'alerts', 'LISTEN');
\echo :LAST_ERROR_SQLSTATE

-- Patterns: valid at the limits, and every way one can be wrong (22023).
SELECT autoreport.channel_pattern_check(p) AS valid
  FROM (VALUES ('*'), ('a'), ('A-b_9.c'), (repeat('x', 63)), (repeat('x', 61) || '.*')) AS v(p);
SELECT autoreport.grant_channel('chan_bob', '');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', repeat('x', 64));
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', repeat('x', 62) || '.*');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', 'sales.*.daily');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', 'sales*');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', '*.daily');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', 'sales.**');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', '**');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', '.*');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', 'sales..emea');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', 'sales.');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', '.sales');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', 'sales emea');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', 'sälës');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', 'sales;drop');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', E'sales\n');
\echo :LAST_ERROR_SQLSTATE

-- Other wrong grants: a grant that allows nothing, NULLs, a role that does not exist.
SELECT autoreport.grant_channel('chan_bob', 'sales.*', listen => false, publish => false);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel(NULL, 'sales.*');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('chan_bob', 'sales.*', publish => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_channel('no_such_role', 'sales.*');
\echo :LAST_ERROR_SQLSTATE
BEGIN READ ONLY;
SELECT autoreport.grant_channel('chan_bob', 'sales.*');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- Nothing of the above was written.
SELECT count(*) AS grants FROM autoreport.channel_grant;

-- The table's own constraints hold the same rules for a direct write.
INSERT INTO autoreport.channel_grant (role, pattern, may_listen, may_publish) VALUES ('chan_bob', 'sales*', true, false);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO autoreport.channel_grant VALUES ('chan_bob', 'sales.*', false, false, 'chan_bob', '2000-01-01 00:00+00');
\echo :LAST_ERROR_SQLSTATE

-- Granting again replaces listen/publish; an unchanged grant keeps who granted it and when.
UPDATE autoreport.channel_grant SET granted_at = '2000-01-01 00:00+00' WHERE role = 'chan_sales'::regrole;
SELECT autoreport.grant_channel('chan_sales', 'sales.*');
SELECT listen, publish, granted_at = '2000-01-01 00:00+00' AS unchanged
  FROM autoreport.channel_grants WHERE role = 'chan_sales'::regrole;
SELECT autoreport.grant_channel('chan_sales', 'sales.*', listen => false, publish => true);
SELECT listen, publish, granted_at > '2000-01-01 00:00+00' AS regranted
  FROM autoreport.channel_grants WHERE role = 'chan_sales'::regrole;
SELECT autoreport.channel_allowed('chan_alice', 'sales.emea', 'listen') AS alice_listens,
       autoreport.channel_allowed('chan_alice', 'sales.emea', 'publish') AS alice_publishes;
SELECT autoreport.grant_channel('chan_sales', 'sales.*');

-- Only administrators grant and revoke. Others see the grants that apply to them, cannot read the
-- table, and cannot ask channel_allowed().
SET ROLE chan_alice;
SELECT autoreport.grant_channel('chan_alice', '*', true, true);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.revoke_channel('chan_alice', 'alerts');
\echo :LAST_ERROR_SQLSTATE
SELECT role, pattern, listen, publish FROM autoreport.channel_grants ORDER BY role::text, pattern;
SELECT * FROM autoreport.channel_grant;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO autoreport.channel_grant (role, pattern, may_listen, may_publish) VALUES ('chan_alice', '*', true, true);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.channel_allowed('chan_alice', 'alerts', 'listen');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE chan_carol; -- NOINHERIT: chan_sales's grant is not theirs, so they do not see it
SELECT role, pattern FROM autoreport.channel_grants;
RESET ROLE;

-- A member of autoreport_admin grants, revokes, sees every grant and may ask channel_allowed().
SET ROLE chan_admin;
SELECT autoreport.grant_channel('chan_carol', 'sales.emea.*', true, true);
SELECT role, pattern, granted_by FROM autoreport.channel_grants WHERE role = 'chan_carol'::regrole;
SELECT count(*) AS admin_sees_all FROM autoreport.channel_grants;
SELECT autoreport.channel_allowed('chan_carol', 'sales.emea.daily', 'publish') AS carol_publishes;
SELECT autoreport.revoke_channel('chan_carol', 'sales.emea.*');
SELECT autoreport.channel_allowed('chan_carol', 'sales.emea.daily', 'publish') AS carol_no_longer;
-- Revoking a grant that does not exist is a NOTICE, so revocation scripts can run again.
SELECT autoreport.revoke_channel('chan_carol', 'sales.emea.*');
SELECT autoreport.revoke_channel('"Chan Mixed"', 'nothing.here');
-- But a malformed pattern, a NULL or an unknown role is still an error.
SELECT autoreport.revoke_channel('chan_carol', 'sales.emea*');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.revoke_channel('chan_carol', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.revoke_channel('no_such_role', 'alerts');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- A dropped role's grants stay behind, inert, shown by OID; they are revoked by that OID.
CREATE ROLE chan_temp;
SELECT autoreport.grant_channel('chan_temp', 'temp.*');
SELECT 'chan_temp'::regrole::oid AS temp_oid \gset
DROP ROLE chan_temp;
SELECT role::oid = :temp_oid AS shown_by_oid, pattern FROM autoreport.channel_grants WHERE pattern = 'temp.*';
SELECT autoreport.channel_allowed('chan_bob', 'temp.x', 'listen') AS bob_listens_temp,
       autoreport.channel_allowed('chan_temp', 'temp.x', 'listen') AS dropped_role;
SELECT autoreport.revoke_channel(:temp_oid::oid::regrole, 'temp.*');
SELECT count(*) AS left_behind FROM autoreport.channel_grants WHERE pattern = 'temp.*';

-- channel_allowed() finds grants through the index on pattern, whatever the number of grants and
-- the caller's collation (a role name is of type name, collated "C"). In a fresh session, so that no
-- plan made earlier is reused, and with sequential scans off, as they would lose on many grants.
\c -
\set SHOW_CONTEXT never
SELECT count(*) AS grants FROM autoreport.channel_grant;
SET enable_seqscan = off;
BEGIN;
-- Of its candidate patterns ("*", "nothing.here", "nothing.*") only chan_bob's "*" is granted: the
-- lookup reads that one index entry, not every grant.
SELECT autoreport.channel_allowed('chan_alice', 'nothing.here', 'listen') AS alice_listens;
SELECT pg_stat_get_xact_tuples_returned('autoreport.channel_grant_pattern'::regclass) AS index_entries_read;
COMMIT;
RESET enable_seqscan;

-- Clean up: the roles are cluster-wide.
DELETE FROM autoreport.channel_grant;
DROP ROLE chan_admin, chan_nested, chan_alice, chan_carol, chan_sales, chan_bob, "Chan Mixed";
