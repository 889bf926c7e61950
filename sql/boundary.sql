-- The C++/PostgreSQL boundary (extension/common/boundary_pg.hpp), proven through the probes of the
-- test-only module build/autoreport_test.so, which is never installed.
\getenv libdir PG_LIBDIR
\getenv dlsuffix PG_DLSUFFIX
\set testlib :libdir '/autoreport_test' :dlsuffix
CREATE SCHEMA probe;
CREATE FUNCTION probe.throw(sqlstate text, depth int) RETURNS void
  AS :'testlib', 'ar_test_throw' LANGUAGE c STRICT;
CREATE FUNCTION probe.throw_std(kind text) RETURNS void
  AS :'testlib', 'ar_test_throw_std' LANGUAGE c STRICT;
CREATE FUNCTION probe.destructors() RETURNS bigint
  AS :'testlib', 'ar_test_destructors' LANGUAGE c STRICT;
CREATE FUNCTION probe.spi(query text) RETURNS bigint
  AS :'testlib', 'ar_test_spi' LANGUAGE c STRICT;
CREATE FUNCTION probe.input(type regtype, value text) RETURNS text
  AS :'testlib', 'ar_test_input' LANGUAGE c STRICT;
CREATE FUNCTION probe.spin(seconds float8) RETURNS bigint
  AS :'testlib', 'ar_test_spin' LANGUAGE c STRICT;
CREATE FUNCTION probe.subtransaction(query text) RETURNS text
  AS :'testlib', 'ar_test_subtransaction' LANGUAGE c STRICT;
CREATE FUNCTION probe.memory() RETURNS bigint
  AS :'testlib', 'ar_test_memory' LANGUAGE c STRICT;
CREATE FUNCTION probe.exercise(i int) RETURNS bigint
  AS :'testlib', 'ar_test_exercise' LANGUAGE c STRICT;
CREATE FUNCTION probe.datum_while_connected(n int) RETURNS text
  AS :'testlib', 'ar_test_datum_while_connected' LANGUAGE c STRICT;
CREATE FUNCTION probe.throw_long(n int) RETURNS void
  AS :'testlib', 'ar_test_throw_long' LANGUAGE c STRICT;
CREATE FUNCTION probe.swallow(query text) RETURNS void
  AS :'testlib', 'ar_test_swallow' LANGUAGE c STRICT;

-- 1. A C++ exception thrown five frames down reaches the client as ERROR with its SQLSTATE, detail
--    and hint; every frame's destructor ran; the session goes on normally.
SELECT probe.destructors() AS before \gset
SELECT probe.throw('22023', 5);
\echo :LAST_ERROR_SQLSTATE
SELECT probe.destructors() - :before AS destructors_ran;
SELECT probe.throw('P0001', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT 'the session runs the next query' AS after_error;

-- Exceptions that are not ours still become clean errors.
SELECT probe.throw_std('runtime_error');
\echo :LAST_ERROR_SQLSTATE
SELECT probe.throw_std('bad_alloc');
\echo :LAST_ERROR_SQLSTATE
SELECT probe.throw_std('int');
\echo :LAST_ERROR_SQLSTATE
-- An invalid SQLSTATE never loses the error: it becomes XX000.
SELECT probe.throw('bad!', 1);
\echo :LAST_ERROR_SQLSTATE

-- 2. ereport(ERROR) from PostgreSQL called by C++ (SPI, type input) reaches the client with its own
--    SQLSTATE and message, and the C++ destructor on the way up ran.
SELECT probe.spi('SELECT 1 UNION ALL SELECT 2') AS rows;
SELECT probe.destructors() AS before \gset
SELECT probe.spi('SELECT * FROM no_such_table');
\echo :LAST_ERROR_SQLSTATE
SELECT probe.destructors() - :before AS destructors_ran;
SELECT probe.spi('SELEC 1');
\echo :LAST_ERROR_SQLSTATE
SELECT probe.spi('SELECT 1/0');
\echo :LAST_ERROR_SQLSTATE

SELECT probe.input('date', '2026-02-28') AS date_in_and_out;
SELECT probe.destructors() AS before \gset
SELECT probe.input('date', '2026-02-30');
\echo :LAST_ERROR_SQLSTATE
SELECT probe.input('integer', 'twelve');
\echo :LAST_ERROR_SQLSTATE
SELECT probe.destructors() - :before AS destructors_ran;

-- Re-raised PostgreSQL errors keep every field and do not repeat their context lines when the
-- caller is PL/pgSQL (the CONTEXT below lists each frame once).
DO $$ BEGIN PERFORM probe.spi('SELECT 1/0'); END $$;
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE uniq (k int CONSTRAINT uniq_k PRIMARY KEY);
INSERT INTO uniq VALUES (1);
-- (the constraint name travels too, for clients that map 23505 to a field)
DO $$ DECLARE c text; BEGIN PERFORM probe.spi('INSERT INTO uniq VALUES (1)');
  EXCEPTION WHEN unique_violation THEN GET STACKED DIAGNOSTICS c = CONSTRAINT_NAME; RAISE NOTICE 'constraint %', c;
  END $$;

-- A value made while SPI is connected survives the end of the connection.
SELECT length(probe.datum_while_connected(2)) AS l2, length(probe.datum_while_connected(3)) AS l3,
       length(probe.datum_while_connected(4)) AS l4;

-- A message cut to fit is cut between characters: a LATIN1 client still gets the real error.
\set VERBOSITY sqlstate
SET client_encoding = 'LATIN1';
SELECT probe.throw_long(5000);
RESET client_encoding;
\set VERBOSITY default
DO $$ BEGIN PERFORM probe.throw_long(5000);
  EXCEPTION WHEN OTHERS THEN RAISE NOTICE '% of % characters', SQLSTATE, length(SQLERRM); END $$;

-- Catching a PostgreSQL error outside a subtransaction and carrying on is refused (a bug guard).
SELECT probe.swallow('SELECT 1/0');
\echo :LAST_ERROR_SQLSTATE

-- 3. statement_timeout cancels a long pure C++ loop with 57014, and the backend survives.
SELECT probe.destructors() AS before \gset
SELECT pg_backend_pid() AS pid \gset
SET statement_timeout = '200ms';
SELECT probe.spin(60);
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT probe.destructors() - :before AS destructors_ran;
SELECT pg_backend_pid() = :pid AS same_backend, probe.spin(0.01) > 0 AS loop_runs_again;

-- A cancel is never swallowed, not even by code that recovers from errors in a subtransaction.
SET statement_timeout = '200ms';
SELECT probe.subtransaction('SELECT pg_sleep(5)');
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;

-- 4. C++ can recover from a PostgreSQL error inside a subtransaction, and nothing half-written stays.
BEGIN;
CREATE TEMP TABLE t (x int);
SELECT probe.subtransaction('INSERT INTO t VALUES (1), (1/0)') AS caught;
SELECT probe.subtransaction('INSERT INTO t VALUES (2)') AS caught;
INSERT INTO t VALUES (3);
SELECT x FROM t ORDER BY x;
COMMIT;

-- 5. 100,000 calls through every helper do not grow the backend's memory: neither its memory
--    contexts nor the C++ heap, neither during the statement nor after it. The executor itself
--    grows a little while it runs such a statement, so the growth during it is compared with the
--    same statement calling a function that does nothing but measure. The growth after it is
--    measured across a second run, once caches are warm: a leak of one byte per call would show
--    as 100 kB.
SELECT max(mem) FILTER (WHERE i = 100000) - max(mem) FILTER (WHERE i = 1000) AS baseline_growth
  FROM (SELECT i, probe.memory() + 0 * i AS mem FROM generate_series(1, 100000) AS i) AS calls \gset
SELECT max(mem) FILTER (WHERE i = 100000) - max(mem) FILTER (WHERE i = 1000) - :baseline_growth AS bytes
  FROM (SELECT i, probe.exercise(i) AS mem FROM generate_series(1, 100000) AS i) AS calls \gset
SELECT CASE WHEN :bytes < 16384 THEN 'ok' ELSE 'grew by ' || :bytes || ' bytes' END AS growth_during_100k_calls;
SELECT count(probe.exercise(i)) AS calls FROM generate_series(1, 100000) AS i;
SELECT probe.memory() AS before \gset
SELECT count(probe.exercise(i)) AS calls FROM generate_series(1, 100000) AS i;
SELECT probe.memory() AS after \gset
SELECT CASE WHEN :after - :before < 16384 THEN 'ok'
            ELSE 'grew by ' || :after - :before || ' bytes' END AS growth_after_100k_more_calls;
