-- Rendering a report: every format from SQL, streaming in chunks, and the errors.
CREATE TABLE metrics (day date, region text, revenue numeric(14,2), orders int, share float8,
                      note text, payload jsonb, raw bytea, at timestamptz, took interval);
INSERT INTO metrics VALUES
  ('2026-01-01', 'EMEA', 1234.50, 10, 0.25, '=SUM(A1:A9)', '{"a": [1, 2]}', '\x00ff', '2026-01-01 09:30:00+00', '1 day 2 hours'),
  ('2026-01-02', 'APAC', -5.00, 2, 'NaN', 'line one
line two | with "quotes"', NULL, NULL, '2026-01-02 18:00:00.5+00', '-3 minutes'),
  ('2026-01-03', 'AMER', 99999999999.99, 12345678, 'Infinity', '<b>bold</b> & more', 'null', '', NULL, NULL);
SET timezone = 'UTC';
SELECT autoreport.define_report('metrics', 'SELECT * FROM metrics WHERE day >= :since ORDER BY day',
  '{"since": {"type": "date", "default": "2026-01-01"}}', 'Daily metrics') AS version;

SELECT convert_from(autoreport.render('metrics', '{}', 'csv'), 'UTF8') AS csv;
SELECT convert_from(autoreport.render('metrics', '{"since": "2026-01-02"}', 'tsv', '{"header": false}'), 'UTF8') AS tsv;
SELECT convert_from(autoreport.render('metrics', '{}', 'csv', '{"formula_guard": false, "null": "NULL"}'), 'UTF8') AS csv_unguarded;
SELECT convert_from(autoreport.render('metrics', '{}', 'json'), 'UTF8')::jsonb -> 0 AS first_json_row;
SELECT jsonb_array_length(convert_from(autoreport.render('metrics', '{}', 'json'), 'UTF8')::jsonb) AS json_rows;
SELECT convert_from(autoreport.render('metrics', '{}', 'ndjson'), 'UTF8') AS ndjson;
SELECT convert_from(autoreport.render('metrics', '{}', 'markdown'), 'UTF8') AS markdown;
SELECT position('<caption>' IN html) > 0 AS has_caption, position('lang="de"' IN html) > 0 AS lang,
       position('<th scope="col" class="num" data-column="revenue">Revenue</th>' IN html) > 0 AS th_scope_numeric_right,
       position('&lt;b&gt;bold&lt;/b&gt; &amp; more' IN html) > 0 AS escaped,
       position('<script' IN html) = 0 AS no_script, position('src=' IN html) = 0 AND position('href=' IN html) = 0 AS no_external
  FROM (SELECT convert_from(autoreport.render('metrics', '{}', 'html', '{"lang": "de"}'), 'UTF8') AS html) AS h;
SELECT substr(x, 1, 2) = '\x504b'::bytea AS xlsx_is_a_zip, length(x) > 2000 AS xlsx_has_content
  FROM (SELECT autoreport.render('metrics', '{}', 'xlsx') AS x) AS f;
SELECT position('<svg' IN s) > 0 AS is_svg, position('<title' IN s) > 0 AS has_title,
       position('<polyline' IN s) > 0 AS line_chart_over_days
  FROM (SELECT convert_from(autoreport.render('metrics', '{}', 'svg'), 'UTF8') AS s) AS f;
-- A chart needs numbers to plot.
SELECT autoreport.define_report('labels', 'SELECT region, note FROM metrics');
SELECT autoreport.render('labels', '{}', 'svg');
\echo :LAST_ERROR_SQLSTATE
-- pdf (cairo and pango; test/render/pdf_test.sh reads them back with poppler) and png (the chart).
SELECT substr(p, 1, 5) = '%PDF-'::bytea AS is_pdf, position('%%EOF'::bytea IN p) > 0 AS complete
  FROM (SELECT autoreport.render('metrics', '{}', 'pdf', '{"totals": true, "locale": "fr-FR"}') AS p) AS f;
SELECT substr(p, 1, 5) = '%PDF-'::bytea AS table_without_chart
  FROM (SELECT autoreport.render('labels', '{}', 'pdf') AS p) AS f;
SELECT substr(p, 1, 8) = '\x89504e470d0a1a0a'::bytea AS is_png
  FROM (SELECT autoreport.render('metrics', '{}', 'png', '{"scale": 1}') AS p) AS f;
SELECT autoreport.render('labels', '{}', 'pdf', '{"chart": true}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('labels', '{}', 'png');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('metrics', '{}', 'pdf', '{"page": "A3"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('metrics', '{}', 'pdf', '{"orientation": "sideways"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('metrics', '{}', 'png', '{"scale": 0}');
\echo :LAST_ERROR_SQLSTATE

-- An empty result still has its header.
SELECT convert_from(autoreport.render('metrics', '{"since": "2030-01-01"}', 'csv'), 'UTF8') AS empty_csv;

-- render_chunks returns the same bytes in order, in pieces of the asked size.
SELECT autoreport.define_report('series', 'SELECT i, repeat(''x'', 100) AS filler FROM generate_series(1, :n) AS i',
  '{"n": {"type": "integer", "default": 100}}');
SELECT count(*) AS chunks, max(length(c)) AS biggest, min(length(c)) AS smallest,
       string_agg(c, ''::bytea ORDER BY n) = autoreport.render('series', '{}', 'json') AS same_bytes
  FROM autoreport.render_chunks('series', '{}', 'json', '{}', 1024) WITH ORDINALITY AS t(c, n);

-- Errors: unknown format, unknown or wrongly typed option, bad option JSON, bad chunk size.
SELECT autoreport.render('metrics', '{}', 'docx');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('metrics', '{}', 'csv', '{"quote": "x"}');
\echo :LAST_ERROR_SQLSTATE
-- csv for European Excel: ";" between fields, "," in numbers; the two may not be the same.
SELECT convert_from(autoreport.render('metrics', '{}', 'csv', '{"delimiter": ";", "decimal": ","}'), 'UTF8') AS csv;
SELECT autoreport.render('metrics', '{}', 'csv', '{"decimal": ","}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('metrics', '{}', 'csv', '{"delimiter": ";;"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('metrics', '{}', 'csv', '{"header": "yes"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('metrics', '{}', 'csv', '[1]');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('metrics', '{}', 'html', '{"lang": "not a language"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('metrics', '{}', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('metrics', '{"since": "soon"}', 'csv');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM autoreport.render_chunks('metrics', '{}', 'csv', '{}', 10);
\echo :LAST_ERROR_SQLSTATE
-- A result beyond the size render() may build (1 GB, a bytea's limit, or less by setting) fails with
-- a hint; render_chunks() streams it.
SET autoreport.render_max_size = '8kB';
SELECT autoreport.render('series', '{"n": 200}', 'csv');
\echo :LAST_ERROR_SQLSTATE
SELECT sum(length(c)) > 8192 AS streamed FROM autoreport.render_chunks('series', '{"n": 200}', 'csv') AS c;
RESET autoreport.render_max_size;
SELECT autoreport.render('nope', '{}', 'csv');
\echo :LAST_ERROR_SQLSTATE
RESET timezone;
