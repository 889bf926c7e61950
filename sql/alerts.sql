-- Alert conditions evaluated over a run's rows (extension/schedules/alert_pg.hpp, evaluate_alert),
-- through a probe of the test-only module: the rows of a query are kept in a tuplestore, as the run
-- worker keeps a report's result, and the condition is evaluated over them as the relation "result".
-- The scope is check_alert()'s, unless force_scope skips that check to show evaluate_alert's own.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
\getenv libdir PG_LIBDIR
\getenv dlsuffix PG_DLSUFFIX
\set testlib :libdir '/autoreport_test' :dlsuffix
CREATE SCHEMA alert_probe;
CREATE FUNCTION alert_probe.evaluate(condition text, query text, force_scope text DEFAULT NULL,
    OUT scope text, OUT held boolean, OUT detail jsonb)
  AS :'testlib', 'ar_test_evaluate_alert' LANGUAGE c;

CREATE TABLE alert_sales AS
  SELECT d AS id, date '2026-11-01' + d AS day, (ARRAY['north', 'south', 'east'])[1 + d % 3] AS region,
         (500 + 100 * d)::numeric(10, 2) AS revenue, (d % 5)::float8 + 0.5 AS score, NULL::text AS note
    FROM generate_series(1, 12) AS d;
CREATE TABLE alert_secret (x integer);
INSERT INTO alert_secret VALUES (42);

-- Row scope: how many rows match, and the first ones as JSON objects (numbers stay numbers).
SELECT * FROM alert_probe.evaluate('revenue < 1000', 'SELECT id, region, revenue FROM alert_sales ORDER BY id');
SELECT jsonb_typeof(detail #> '{rows,0,revenue}') AS revenue, jsonb_typeof(detail #> '{rows,0,region}') AS region
  FROM alert_probe.evaluate('revenue < 1000', 'SELECT id, region, revenue FROM alert_sales ORDER BY id');
-- Columns may be qualified with result, as at definition; a trailing comment cannot swallow the rest.
SELECT held, detail->'matching_rows' AS matching
  FROM alert_probe.evaluate('result.region = ''east'' -- the east only', 'SELECT * FROM alert_sales');
-- Not held: no row matches, and there is no detail.
SELECT * FROM alert_probe.evaluate('revenue < 0', 'SELECT id, revenue FROM alert_sales');
-- At most 5 rows are shown, the first in the result's order; all matching rows are counted.
SELECT held, detail->'matching_rows' AS matching, jsonb_array_length(detail->'rows') AS shown,
       (SELECT string_agg(r->>'id', ',') FROM jsonb_array_elements(detail->'rows') AS r) AS ids, detail ? 'cut' AS cut
  FROM alert_probe.evaluate('revenue > 600', 'SELECT id, revenue FROM alert_sales ORDER BY id DESC');

-- Result scope: whether it holds over all rows, and the value of each aggregate as written.
SELECT * FROM alert_probe.evaluate('max(score) > 4', 'SELECT * FROM alert_sales');
SELECT * FROM alert_probe.evaluate('count(*) FILTER (WHERE revenue < 1000) >= 2 AND pg_catalog.sum(revenue) > 100 AND count(*) > 0',
                                   'SELECT * FROM alert_sales');
SELECT * FROM alert_probe.evaluate('percentile_cont(0.5) WITHIN GROUP (ORDER BY score) < 3 OR bool_or(region = ''west'')',
                                   'SELECT * FROM alert_sales');
SELECT * FROM alert_probe.evaluate('max(score) > 5', 'SELECT * FROM alert_sales');

-- A condition that yields NULL does not hold, per row or over the result.
SELECT * FROM alert_probe.evaluate('note = ''x''', 'SELECT * FROM alert_sales');
SELECT * FROM alert_probe.evaluate('max(note) > ''a''', 'SELECT * FROM alert_sales');

-- An empty result: nothing matches per row, count(*) is 0, and a NULL aggregate does not hold.
SELECT * FROM alert_probe.evaluate('revenue < 1000', 'SELECT * FROM alert_sales WHERE false');
SELECT * FROM alert_probe.evaluate('count(*) > 0', 'SELECT * FROM alert_sales WHERE false');
SELECT * FROM alert_probe.evaluate('count(*) = 0', 'SELECT * FROM alert_sales WHERE false');
SELECT * FROM alert_probe.evaluate('max(revenue) < 1', 'SELECT * FROM alert_sales WHERE false');

-- A condition failing while it runs is an error with its own SQLSTATE.
SELECT * FROM alert_probe.evaluate('revenue / 0 > 1', 'SELECT * FROM alert_sales');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM alert_probe.evaluate('sum(revenue) / (count(*) - 12) > 1', 'SELECT * FROM alert_sales');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM alert_probe.evaluate('region::integer > 1', 'SELECT * FROM alert_sales');
\echo :LAST_ERROR_SQLSTATE

-- Long values are cut, and the detail says so; it stays under 4000 bytes whatever the values.
SELECT held, octet_length(detail->'rows'->0->>'note') < 400 AS note_cut, detail->'rows'->0->>'note' LIKE 'xxx%…' AS marked,
       detail->'cut' AS cut
  FROM alert_probe.evaluate('length(note) > 0', 'SELECT repeat(''x'', 100000) AS note');
SELECT held, octet_length(detail::text) < 4000 AS compact, jsonb_array_length(detail->'rows') AS shown, detail->'cut' AS cut
  FROM alert_probe.evaluate('a IS NOT NULL',
    'SELECT repeat(''é'', 3000) AS a, repeat(E''\\x01'', 3000) AS b, repeat(''"'', 3000) AS c, g AS d FROM generate_series(1, 50) AS g');
SELECT held, octet_length(detail::text) < 4000 AS compact, detail->'cut' AS cut,
       detail->'values'->>'string_agg(note, '','')' LIKE '%…' AS marked
  FROM alert_probe.evaluate('length(string_agg(note, '','')) > 10', 'SELECT repeat(''y'', 5000) AS note FROM generate_series(1, 10)');
-- An array (array_agg of a series) keeps its end when cut: the newest values.
SELECT detail->'values'->>'array_agg(g ORDER BY g)' LIKE '…%,9999,10000}' AS newest_kept
  FROM alert_probe.evaluate('cardinality(array_agg(g ORDER BY g)) > 1', 'SELECT g FROM generate_series(1, 10000) AS g');

-- Anomaly alerts: autoreport.anomalous over the result's series is a result-scope condition.
CREATE TABLE alert_visits AS
  SELECT date '2026-01-01' + d AS day,
         (1000 + 200 * sin(2 * pi() * d / 7) + 15 * sin(d * 1.3) + CASE WHEN d = 41 THEN 900 ELSE 0 END)::numeric(10, 1) AS visits
    FROM generate_series(0, 41) AS d;
SELECT scope, held, detail
  FROM alert_probe.evaluate('autoreport.anomalous(array_agg(visits ORDER BY day))', 'SELECT * FROM alert_visits');
-- The day before the spike: nothing anomalous at the end of the series.
SELECT scope, held, detail
  FROM alert_probe.evaluate('autoreport.anomalous(array_agg(visits ORDER BY day), period => 7)',
                            'SELECT * FROM alert_visits WHERE day < date ''2026-02-11''');
-- The causal form, for alerts on new data: the newest value judged on the values before it only.
SELECT scope, held
  FROM alert_probe.evaluate('autoreport.anomalous(array_agg(visits ORDER BY day), period => 7, causal => true)',
                            'SELECT * FROM alert_visits');
SELECT scope, held
  FROM alert_probe.evaluate('autoreport.anomalous(array_agg(visits ORDER BY day), period => 7, causal => true)',
                            'SELECT * FROM alert_visits WHERE day < date ''2026-02-11''');
-- An empty result gives a NULL series: the alert does not hold.
SELECT scope, held, detail
  FROM alert_probe.evaluate('autoreport.anomalous(array_agg(visits ORDER BY day))', 'SELECT * FROM alert_visits WHERE false');

-- Reading anything but the result stays impossible. Refused at definition (check_alert):
SELECT * FROM alert_probe.evaluate('EXISTS (SELECT 1 FROM public.alert_secret)', 'SELECT * FROM alert_sales');
\echo :LAST_ERROR_SQLSTATE
-- ... and by evaluate_alert itself, which checks every statement it prepares before running it:
-- a subquery, an escape from the parentheses into a UNION, a function that is not immutable,
-- another relation.
SELECT * FROM alert_probe.evaluate('EXISTS (SELECT 1 FROM public.alert_secret)', 'SELECT * FROM alert_sales', 'row');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM alert_probe.evaluate('true) UNION ALL SELECT count(*) FROM public.alert_secret WHERE (true',
                                   'SELECT * FROM alert_sales', 'row');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM alert_probe.evaluate('count(*) > 0) FROM result UNION ALL SELECT (x > 0) FROM public.alert_secret UNION ALL SELECT (true',
                                   'SELECT * FROM alert_sales', 'result');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM alert_probe.evaluate('random() < 2', 'SELECT * FROM alert_sales', 'row');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM alert_probe.evaluate('alert_secret.x > 0', 'SELECT * FROM alert_sales', 'row');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM alert_probe.evaluate('revenue > 0', 'SELECT * FROM alert_sales', 'everything');
\echo :LAST_ERROR_SQLSTATE
-- A table named like the rows is not what the condition reads.
CREATE TABLE public.result (revenue integer);
INSERT INTO public.result VALUES (1);
SET search_path = public;
SELECT held, detail->'matching_rows' AS matching FROM alert_probe.evaluate('revenue > 0', 'SELECT 5 AS revenue WHERE false');
RESET search_path;
DROP TABLE public.result;

DROP SCHEMA alert_probe CASCADE;
DROP TABLE alert_sales, alert_secret, alert_visits;
