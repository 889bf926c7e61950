-- Report parameters behave the same however a report is called (reports.<name>(), run(), render()):
-- relative defaults ("today - 7 days") resolved at each call in the session's time zone, and shown as
-- the expression by \df; an explicit NULL refused (22023, naming the parameter) unless the parameter
-- is declared nullable; a required parameter left out named (22023), not "function does not exist";
-- a NOTICE at definition when a report will not be cached for a reason its author can fix.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
\set VERBOSITY default
CREATE SCHEMA rd;
CREATE TABLE rd.events (day date NOT NULL, region text, n int NOT NULL);
INSERT INTO rd.events SELECT current_date - i, CASE WHEN i % 2 = 0 THEN 'north' END, i FROM generate_series(0, 20) AS i;

-- 1. A relative default.
SELECT autoreport.define_report('recent',
  $$SELECT count(*) AS events, min(day) AS first FROM rd.events WHERE day >= :since AND (:region IS NULL OR region = :region)$$,
  '{"since": {"type": "date", "default": "Today  - 7 days"}, "region": {"type": "text"}}') AS version;
SELECT parameters->0->>'default' AS stored FROM autoreport.reports WHERE name = 'recent';
-- \df shows the expression, not the date it had at definition.
SELECT pg_get_function_arguments('reports.recent'::regproc) AS arguments;
-- Every path resolves it now, the same way, in the session's time zone (a day apart at the two ends
-- of the world).
SET TimeZone = 'Pacific/Kiritimati';
SELECT first = current_date - 7 AS a_week_ago FROM reports.recent();
SELECT (r->>'first')::date = current_date - 7 AS a_week_ago FROM autoreport.run('recent') AS r;
SELECT convert_from(autoreport.render('recent', '{}', 'csv'), 'UTF8') = format(E'events,first\r\n%s,%s\r\n', events, to_char(first, 'YYYY-MM-DD')) AS csv_same
  FROM reports.recent();
SET TimeZone = 'Pacific/Pago_Pago';
SELECT first = current_date - 7 AS a_week_ago FROM reports.recent();
SELECT (r->>'first')::date = current_date - 7 AS a_week_ago FROM autoreport.run('recent') AS r;
RESET TimeZone;
-- Within a transaction it is the transaction's day, as now() is.
SELECT autoreport.relative_date('today') = date_trunc('day', now()) AS today_is_midnight,
       autoreport.relative_date('now') = now() AS now_is_now,
       autoreport.relative_date('start of last month + 1 month - 1 day')::date
         = (date_trunc('month', now()) - interval '1 day')::date AS end_of_last_month;
-- A timestamptz parameter may default to "now".
SELECT autoreport.define_report('as_of', 'SELECT :at AS at', '{"at": {"type": "timestamptz", "default": "now"}}') AS version;
SELECT at = now() AS is_now FROM reports.as_of();
SELECT (r->>'at')::timestamptz = now() AS is_now FROM autoreport.run('as_of') AS r;
-- Errors: a malformed relative date is read as a date and refused; relative_date() says where.
SELECT autoreport.define_report('bad_rel', 'SELECT :d AS d', '{"d": {"type": "date", "default": "today - 7 dayz"}}');
SELECT autoreport.relative_date('start of last fortnight');
SELECT autoreport.relative_date(NULL) IS NULL AS strict;

-- 2. NULL: refused unless the parameter is nullable, in every path.
SELECT * FROM reports.recent(since => NULL);
SELECT * FROM autoreport.run('recent', '{"since": null}');
SELECT autoreport.render('recent', '{"since": null}', 'csv');
SELECT * FROM reports.recent(region => NULL);
SELECT * FROM autoreport.run('recent', '{"region": null}');
-- Bound as a parameter of a prepared statement, as drivers send it.
PREPARE recent_since(date) AS SELECT * FROM reports.recent(since => $1);
EXECUTE recent_since(NULL);
DEALLOCATE recent_since;
-- Left out, a parameter without a default is NULL, as declared.
SELECT events FROM reports.recent(since => current_date - 20);
SELECT events FROM reports.recent(since => current_date - 20, region => 'north');
-- Declared nullable, NULL is a value.
SELECT autoreport.define_report('recent_n',
  $$SELECT count(*) AS events FROM rd.events WHERE (:region IS NULL OR region = :region)$$,
  '{"region": {"type": "text", "nullable": true, "default": "north"}}') AS version;
SELECT events FROM reports.recent_n();
SELECT events FROM reports.recent_n(region => NULL);
SELECT (r->>'events')::int AS events FROM autoreport.run('recent_n', '{"region": null}') AS r;
SELECT parameters->0->'nullable' AS nullable FROM autoreport.reports WHERE name = 'recent_n';
SELECT autoreport.define_report('bad_nullable', 'SELECT :d AS d', '{"d": {"type": "date", "nullable": 1}}');

-- 3. A required parameter left out is named, in every path.
SELECT autoreport.define_report('since_req',
  $$SELECT count(*) AS events FROM rd.events WHERE day >= :since$$,
  '{"since": {"type": "date", "required": true}}') AS version;
SELECT pg_get_function_arguments('reports.since_req'::regproc) AS arguments;
SELECT * FROM reports.since_req();
SELECT * FROM autoreport.run('since_req');
SELECT autoreport.render('since_req', '{}', 'csv');
SELECT * FROM reports.since_req(since => NULL);
SELECT events FROM reports.since_req(since => current_date - 3);
SELECT events FROM reports.since_req(current_date - 3);

-- 4. A NOTICE at definition when the result will not be cached, with the fix where there is one.
SELECT autoreport.define_report('by_month',
  $$SELECT date_trunc('month', day) AS month, sum(n) AS n FROM rd.events GROUP BY 1$$) AS version;
SELECT autoreport.define_report('by_month',
  $$SELECT date_trunc('month', day::timestamp) AS month, sum(n) AS n FROM rd.events GROUP BY 1$$) AS version;
SELECT cacheable FROM autoreport.reports WHERE name = 'by_month';
SELECT autoreport.define_report('this_week',
  $$SELECT count(*) AS events FROM rd.events WHERE day >= CURRENT_DATE - 7$$) AS version;
SELECT autoreport.define_report('this_week_now',
  $$SELECT count(*) AS events FROM rd.events WHERE day >= now() - interval '7 days'$$) AS version;
SELECT autoreport.define_report('sample',
  $$SELECT n FROM rd.events WHERE random() < 0.5$$) AS version;
SELECT name, cacheable, cache_note FROM autoreport.reports
 WHERE name IN ('by_month', 'this_week', 'this_week_now', 'sample', 'recent') ORDER BY name;

-- 5. The parameters as BI tools read them.
SELECT autoreport.define_report('pickers',
  $$SELECT count(*) AS events FROM rd.events WHERE day >= :since AND (:region IS NULL OR region = :region) AND n <= :top AND n = ANY (:ns)$$,
  '[{"name": "since", "type": "date", "default": "start of this month", "description": "first day"},
    {"name": "region", "type": "enum", "allowed": ["north", "south"], "nullable": true},
    {"name": "top", "type": "integer", "required": true, "min": 1, "max": 20},
    {"name": "ns", "type": "integer[]", "default": [1, 2], "max_items": 5}]') AS version;
SELECT position, name, type, required, nullable, default_expression, allowed, min, max, max_length, max_items, description
  FROM autoreport.report_parameters WHERE report = 'pickers' ORDER BY position;

SET client_min_messages = warning;
SELECT autoreport.drop_report(name) FROM autoreport.reports
 WHERE name IN ('recent', 'as_of', 'recent_n', 'since_req', 'by_month', 'this_week', 'this_week_now', 'sample', 'pickers');
DROP SCHEMA rd CASCADE;
