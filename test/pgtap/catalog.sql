-- The catalog shape of autoreport as SQL clients, BI tools and DBAs see it.
BEGIN;
SELECT plan(19);

SELECT has_schema('autoreport');
SELECT has_role('autoreport_admin');
SELECT ok(NOT rolcanlogin, 'autoreport_admin cannot log in') FROM pg_roles WHERE rolname = 'autoreport_admin';

SELECT has_function('autoreport', 'version', ARRAY[]::name[]);
SELECT function_returns('autoreport', 'version', ARRAY[]::name[], 'text');
SELECT volatility_is('autoreport', 'version', ARRAY[]::name[], 'stable');

SELECT has_view('autoreport', 'progress', 'autoreport.progress is a view');
SELECT columns_are('autoreport', 'progress',
  ARRAY['pid', 'datname', 'usename', 'operation', 'object', 'done', 'total', 'percent', 'started_at',
        'elapsed', 'updated_at']);
SELECT ok(has_table_privilege('public', 'autoreport.progress', 'SELECT'), 'everyone may read autoreport.progress');

SELECT has_function('autoreport', 'progress_begin', ARRAY['text', 'text', 'bigint']);
SELECT has_function('autoreport', 'progress_update', ARRAY['bigint', 'bigint']);
SELECT has_function('autoreport', 'progress_end', ARRAY[]::name[]);
SELECT volatility_is('autoreport', 'progress_begin', ARRAY['text', 'text', 'bigint'], 'volatile');

-- Hygiene that holds for every function of the extension, now and as capabilities are added.
SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc AS p
   WHERE p.pronamespace = 'autoreport'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL
$$, 'every autoreport function has a comment');
SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc AS p
   WHERE p.pronamespace = 'autoreport'::regnamespace AND p.prosecdef
     AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)
$$, 'every SECURITY DEFINER function pins search_path to pg_catalog, pg_temp');
SELECT is_empty($$
  SELECT c.oid::regclass::text FROM pg_class AS c
   WHERE c.relnamespace = 'autoreport'::regnamespace AND c.relkind IN ('r', 'v', 'm')
     AND obj_description(c.oid, 'pg_class') IS NULL
$$, 'every autoreport table and view has a comment');
SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc AS p
    JOIN pg_language AS l ON l.oid = p.prolang
   WHERE p.pronamespace = 'autoreport'::regnamespace AND l.lanname = 'c'
     AND p.probin <> '$libdir/autoreport'
$$, 'every C function is served by $libdir/autoreport');
SELECT is_empty($$
  SELECT d.objid::regprocedure::text FROM pg_depend AS d
   WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
     AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'autoreport')
     AND NOT EXISTS (SELECT FROM pg_proc AS p WHERE p.oid = d.objid
                      AND p.pronamespace = 'autoreport'::regnamespace)
$$, 'the extension creates functions only in schema autoreport');
SELECT is(
  (SELECT extversion FROM pg_extension WHERE extname = 'autoreport'),
  split_part(split_part(autoreport.version(), ' ', 2), ' ', 1),
  'the installed SQL version matches the loaded library');

SELECT * FROM finish();
ROLLBACK;
