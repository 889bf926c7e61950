-- Parameter values are exact: a JSON number reaches the query as written (through run(), render(),
-- the report function's defaults, the cache key and the audit log), a declared bound is compared
-- exactly, and a value out of its type's range is refused naming the parameter (22003).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;

SELECT autoreport.define_report('exact_echo',
  $$SELECT :n AS n, :b AS b, :t AS t, :list AS list$$,
  '{"n": {"type": "numeric", "default": 0.10000000000000000001},
    "b": "bigint", "t": "text", "list": "numeric[]"}') AS version;

-- 1. Numbers beyond a double's 17 digits, through run() and render(); a text parameter keeps 1.50.
SELECT * FROM autoreport.run('exact_echo',
  '{"n": 12345678901234567890123.45, "b": -9223372036854775808, "t": 1.50,
    "list": [0.1, 1e-20, 12345678901234567890123.45, null]}');
SELECT convert_from(autoreport.render('exact_echo', '{"n": 98765432109876543210.0123456789}', 'csv'), 'UTF8')
  AS csv;
-- 1e400 is a numeric like any other.
SELECT length(r->>'n') AS digits, r->>'n' LIKE '1000%0' AS exact FROM autoreport.run('exact_echo', '{"n": 1e400}') r;
-- The default, declared with 20 decimals, keeps them in run() and in the report function.
SELECT r->>'n' AS n FROM autoreport.run('exact_echo') r;
SELECT n FROM reports.exact_echo();

-- 2. Two values a double cannot tell apart are two cache entries, not one.
SELECT r->>'n' AS n FROM autoreport.run('exact_echo', '{"n": 12345678901234567890123.46}') r;
SELECT r->>'n' AS n FROM autoreport.run('exact_echo', '{"n": 12345678901234567890123.47}') r;

-- 3. Bounds in declarations are exact too, and stored as written.
SELECT autoreport.define_report('exact_bounds', 'SELECT :x AS x',
  '{"x": {"type": "numeric", "min": 0.10000000000000000001, "max": 12345678901234567890.5}}') AS version;
SELECT parameters FROM autoreport.reports WHERE name = 'exact_bounds';
SELECT * FROM autoreport.run('exact_bounds', '{"x": 12345678901234567890}');
SELECT * FROM autoreport.run('exact_bounds', '{"x": 12345678901234567890.6}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('exact_bounds', '{"x": 0.1}');
\echo :LAST_ERROR_SQLSTATE

-- 4. Out of range for the parameter's type: 22003, naming it.
SELECT autoreport.define_report('exact_ints', 'SELECT :i AS i, :b AS b, :l AS l',
  '{"i": "integer", "b": "bigint", "l": "integer[]"}') AS version;
SELECT * FROM autoreport.run('exact_ints', '{"i": 2147483647, "b": 9223372036854775807, "l": [-2147483648]}');
SELECT * FROM autoreport.run('exact_ints', '{"i": 1e400}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('exact_ints', '{"i": 2147483648}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('exact_ints', '{"b": 9223372036854775808}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.run('exact_ints', '{"l": [1, 99999999999]}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('exact_bad', 'SELECT :i AS i', '{"i": {"type": "integer", "min": 1e400}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('exact_bad', 'SELECT :i AS i', '{"i": {"type": "bigint", "default": 1e19}}');
\echo :LAST_ERROR_SQLSTATE

-- 5. The audit log keeps the values exactly.
SELECT autoreport.audit_flush('2 min') AS flushed;
SELECT left(params::text, 150) AS params FROM autoreport.runs
 WHERE report = 'exact_echo' AND error_sqlstate IS NULL ORDER BY id;
