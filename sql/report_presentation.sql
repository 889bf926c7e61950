-- Column presentation (define_report's columns), the locale and time_zone render options, and totals:
-- what human formats (Markdown, HTML, XLSX) show; machine formats (CSV, JSON) keep names and values.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
SET timezone = 'UTC';
CREATE SCHEMA px;
CREATE TABLE px.orders (customer_id int, region text, revenue numeric(14, 2), order_count int,
                        share numeric(6, 4), paid boolean, day date, placed_at timestamptz);
INSERT INTO px.orders VALUES
  (1017, 'North', 4016.10, 1250, 0.4512, true, '2026-03-01', '2026-03-01 23:30:00+00'),
  (2044, 'South', 1234567.5, 3, 0.5488, false, '2026-03-02', '2026-03-02 08:00:00+00'),
  (3001, 'East', -12.25, 0, NULL, NULL, NULL, NULL);

SELECT autoreport.define_report('px_orders', 'SELECT * FROM px.orders ORDER BY customer_id',
  columns => '{"revenue": {"label": "Revenue", "format": "currency", "currency": "EUR"},
               "share": {"format": "percent", "decimals": 1},
               "order_count": {"label": "Orders"}}') AS version;
-- The catalog shows the presentation with the columns.
SELECT c->>'name' AS name, c->>'label' AS label, c->>'format' AS format, c->>'currency' AS currency,
       c->>'decimals' AS decimals
  FROM autoreport.reports, jsonb_array_elements(columns) AS c WHERE name = 'px_orders';

-- Markdown in the default locale (en-US: the session's lc_numeric is C): labels, else the name
-- humanised; numbers grouped at their scale; currency and percent; identifiers and years not grouped;
-- dates in the locale's order; booleans as Yes/No.
SELECT convert_from(autoreport.render('px_orders', '{}', 'markdown'), 'UTF8') AS markdown;
-- de-DE and fr-FR, with totals: exact sums of the number columns (not of identifiers or percentages).
SELECT convert_from(autoreport.render('px_orders', '{}', 'markdown', '{"locale": "de-DE", "totals": true}'), 'UTF8') AS markdown_de;
SELECT convert_from(autoreport.render('px_orders', '{}', 'markdown', '{"locale": "fr_fr", "totals": true}'), 'UTF8') AS markdown_fr;
-- The total equals PostgreSQL's own sum.
SELECT sum(revenue) AS sum_revenue FROM px.orders;
-- CSV keeps names and PostgreSQL's values: it is for programs.
SELECT convert_from(autoreport.render('px_orders', '{}', 'csv'), 'UTF8') AS csv;

-- time_zone: every format writes timestamptz values in that zone; the default is the session's TimeZone.
SELECT convert_from(autoreport.render('px_orders', '{}', 'csv', '{"time_zone": "Asia/Tokyo"}'), 'UTF8') AS csv_tokyo;
SET timezone = 'America/New_York';
SELECT convert_from(autoreport.render('px_orders', '{}', 'json'), 'UTF8')::jsonb -> 0 ->> 'placed_at' AS session_zone;
RESET timezone;
SET timezone = 'UTC';
SELECT position('Times are in Europe/Berlin.' IN h) > 0 AS names_the_zone,
       position('<time datetime="2026-03-02T00:30:00+01:00">02.03.2026 00:30:00</time>' IN h) > 0 AS local_time,
       position('<td class="num">1.234.567,50' IN h) > 0 AS german_number,
       position('<tr class="totals">' IN h) > 0 AS totals_row,
       position('<td>Ja</td>' IN h) > 0 AS yes_in_german
  FROM (SELECT convert_from(autoreport.render('px_orders', '{}', 'html',
          '{"locale": "de-DE", "time_zone": "Europe/Berlin", "totals": true}'), 'UTF8') AS h) AS r;
-- The chart first, when asked.
SELECT position('<figure' IN h) < position('<table' IN h) AS chart_first
  FROM (SELECT convert_from(autoreport.render('px_orders', '{}', 'html', '{"chart": "first"}'), 'UTF8') AS h) AS r;

-- Redefining without columns keeps the presentation of the columns still there; '{}' clears it.
SELECT autoreport.define_report('px_orders', 'SELECT customer_id, revenue FROM px.orders ORDER BY customer_id') AS version;
SELECT c->>'name' AS name, c->>'label' AS label FROM autoreport.reports, jsonb_array_elements(columns) AS c
 WHERE name = 'px_orders';
-- A presentation that no longer fits (revenue is now text) is dropped, with a NOTICE.
SELECT autoreport.define_report('px_orders', 'SELECT customer_id, revenue::text AS revenue FROM px.orders ORDER BY customer_id') AS version;
SELECT autoreport.define_report('px_orders', 'SELECT customer_id, revenue FROM px.orders ORDER BY customer_id',
  columns => '{"revenue": {"label": "Umsatz"}}') AS version;
SELECT autoreport.define_report('px_orders', 'SELECT customer_id, revenue FROM px.orders ORDER BY customer_id',
  columns => '{}') AS version;
SELECT c->>'name' AS name, c->>'label' AS label FROM autoreport.reports, jsonb_array_elements(columns) AS c
 WHERE name = 'px_orders';

-- Errors: 22023 naming what is wrong; nothing is defined.
\set VERBOSITY default
SELECT autoreport.define_report('px_bad', 'SELECT region, revenue FROM px.orders', columns => '{"revenu": {"label": "x"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('px_bad', 'SELECT region, revenue FROM px.orders', columns => '{"revenue": {"colour": "red"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('px_bad', 'SELECT region, revenue FROM px.orders', columns => '{"region": {"format": "currency", "currency": "EUR"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('px_bad', 'SELECT region, revenue FROM px.orders', columns => '{"revenue": {"format": "currency"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('px_bad', 'SELECT region, revenue FROM px.orders', columns => '{"revenue": {"format": "currency", "currency": "euro"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('px_bad', 'SELECT region, revenue FROM px.orders', columns => '{"revenue": {"decimals": 11}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('px_bad', 'SELECT region, revenue FROM px.orders', columns => '{"revenue": {"total": "median"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('px_bad', 'SELECT region, revenue FROM px.orders', columns => '{"region": {"total": "sum"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('px_bad', 'SELECT region, revenue FROM px.orders', columns => '{"revenue": {"label": ""}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('px_bad', 'SELECT region, revenue FROM px.orders', columns => '{"revenue": "Revenue"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.define_report('px_bad', 'SELECT region, revenue FROM px.orders', columns => '["revenue"]');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS px_bad_defined FROM autoreport.reports WHERE name = 'px_bad';
SELECT autoreport.render('px_orders', '{}', 'html', '{"locale": "xx-YY"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('px_orders', '{}', 'markdown', '{"locale": 7}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('px_orders', '{}', 'csv', '{"time_zone": "Mars/Olympus"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('px_orders', '{}', 'html', '{"chart": "middle"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('px_orders', '{}', 'xlsx', '{"totals": "yes"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('px_orders', '{}', 'csv', '{"locale": "de-DE"}');
\echo :LAST_ERROR_SQLSTATE

SELECT autoreport.drop_report('px_orders');
DROP SCHEMA px CASCADE;

-- Charts that tell the truth: long data split into one series per category, stacked bars, a second
-- axis for a series ten times smaller; the same options reach the chart of html and pdf.
CREATE TABLE px_daily (day date, region text, revenue numeric, orders int);
INSERT INTO px_daily
  SELECT date '2026-01-01' + d, r, 1000 * (1 + d % 5) * (CASE r WHEN 'North' THEN 3 ELSE 1 END), 2 + d % 3
    FROM generate_series(0, 29) AS d, unnest(ARRAY['North', 'South', 'East']) AS r;
SELECT autoreport.define_report('px_daily', 'SELECT day, region, revenue, orders FROM px_daily ORDER BY day, region') AS version;
SELECT (SELECT count(*) FROM regexp_matches(s, 'class="series-line', 'g')) AS lines,
       position('North' IN s) > 0 AND position('South' IN s) > 0 AND position('East' IN s) > 0 AS one_per_region
  FROM (SELECT convert_from(autoreport.render('px_daily', '{}', 'svg',
          '{"x": "day", "y": "revenue", "series": "region"}'), 'UTF8') AS s) AS f;
SELECT position('right axis' IN s) > 0 AS second_axis
  FROM (SELECT convert_from(autoreport.render('px_daily', '{}', 'svg', '{"x": "day", "y": ["revenue", "orders"]}'), 'UTF8') AS s) AS f;
SELECT position('<svg' IN h) > 0 AS chart_in_html
  FROM (SELECT convert_from(autoreport.render('px_daily', '{}', 'html',
          '{"chart": "first", "chart_options": {"x": "day", "y": "revenue", "series": "region", "kind": "stacked"}}'), 'UTF8') AS h) AS f;
SELECT autoreport.render('px_daily', '{}', 'svg', '{"series": "regio", "y": "revenue"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('px_daily', '{}', 'svg', '{"y": "region"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('px_daily', '{}', 'pdf', '{"chart_options": {"kind": "pie"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.drop_report('px_daily');
DROP TABLE px_daily;
