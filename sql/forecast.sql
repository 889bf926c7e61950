-- Forecasting: autoreport.forecast over an array, over a query and per group, autoreport.forecast_model,
-- their fallbacks and their errors. Values are rounded so that the expected output reads easily.

-- Naive: the last value, and intervals that widen with the square root of the step.
SELECT step, value, round(lower[1]::numeric, 4) AS lo80, round(upper[2]::numeric, 4) AS hi95
  FROM autoreport.forecast(ARRAY[10, 12, 11, 14]::float8[], 3, method => 'naive');
-- Drift: the mean step carried on.
SELECT step, round(value::numeric, 4) AS value FROM autoreport.forecast(ARRAY[1, 3, 5, 7]::float8[], 2, method => 'drift');
-- Seasonal naive repeats the last season; other levels; no levels at all.
SELECT step, value, lower, upper
  FROM autoreport.forecast(ARRAY[1, 5, 2, 6, 3, 7]::float8[], 3, period => 2, method => 'snaive', levels => '{50}');
SELECT step, value, lower, upper FROM autoreport.forecast(ARRAY[4, 4, 5]::float8[], 1, method => 'naive', levels => '{}');

-- A seasonal, trending monthly series (six years): every method gives ordered bounds around the value.
CREATE TEMP TABLE monthly AS
  SELECT t, 200 + 2 * t + 30 * sin(2 * pi() * (t % 12) / 12) + 5 * sin(t * 1.7) AS v
    FROM generate_series(0, 71) AS t;
SELECT m.method, count(*) AS steps,
       bool_and(f.lower[2] <= f.lower[1] AND f.lower[1] <= f.value AND f.value <= f.upper[1]
                AND f.upper[1] <= f.upper[2]) AS ordered,
       round(avg(abs(f.value - (200 + 2 * (71 + f.step) + 30 * sin(2 * pi() * ((71 + f.step) % 12) / 12))))::numeric, 0)
         AS mean_abs_error_vs_truth_without_noise
  FROM unnest(ARRAY['auto', 'ets', 'ets:AAA', 'theta', 'damped', 'naive', 'snaive', 'drift']) AS m(method),
       LATERAL autoreport.forecast((SELECT array_agg(v ORDER BY t) FROM monthly), 12, 12, m.method) AS f
 GROUP BY m.method ORDER BY m.method;
-- The period is detected when not given.
SELECT period, period_detected, n FROM autoreport.forecast_model((SELECT array_agg(v ORDER BY t) FROM monthly));
-- What auto made: the combination and its members.
SELECT method, model, frequency, jsonb_array_length(parameters -> 'members') AS members,
       aicc IS NOT NULL AS has_aicc, sigma > 0 AS has_sigma, notes
  FROM autoreport.forecast_model((SELECT array_agg(v ORDER BY t) FROM monthly), 12);
SELECT model, parameters ?& ARRAY['alpha', 'beta', 'gamma', 'initial_level'] AS has_parameters,
       aic < aicc AS aicc_penalises, bic IS NOT NULL AS has_bic
  FROM autoreport.forecast_model((SELECT array_agg(v ORDER BY t) FROM monthly), 12, 'ets:AAA');
SELECT model, aic, aicc, bic, round(sigma::numeric, 4) AS sigma, parameters
  FROM autoreport.forecast_model(ARRAY[10, 12, 11, 14]::float8[], method => 'naive');

-- Fallbacks: a constant series is forecast flat with zero-width intervals; three values get naive.
SELECT step, value, lower, upper FROM autoreport.forecast(array_fill(42::float8, ARRAY[20]), 2);
SELECT model, notes FROM autoreport.forecast_model(ARRAY[3, 5, 4]::float8[]);
-- Four values: constant ones are still ETS (no AICc to average by: the ETS interval); others fit no
-- ETS model and get naive.
SELECT step, value, lower, upper FROM autoreport.forecast(ARRAY[5, 5, 5, 5]::float8[], 2);
SELECT model, notes FROM autoreport.forecast_model(ARRAY[1, 3, 2, 4]::float8[]);
-- NULLs inside the array are filled by the fill rule (linear by default).
SELECT step, value FROM autoreport.forecast(ARRAY[1, NULL, 3]::float8[], 1, method => 'naive');
SELECT step, value FROM autoreport.forecast(ARRAY[1, 3, NULL]::float8[], 1, method => 'naive', fill => 'zero');
-- Values that cross zero: auto avoids multiplicative models.
SELECT count(*) AS steps FROM autoreport.forecast((SELECT array_agg(v - 300 ORDER BY t) FROM monthly), 6, 12);

-- Errors: 22023 with a message that says what is wrong.
\set VERBOSITY default
SELECT * FROM autoreport.forecast(ARRAY[1, 2, 3]::float8[], 0);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, 2, 3]::float8[], NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, 2, 3]::float8[], 2, period => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, 2, 3]::float8[], 2, method => 'prophet');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, 2, 3]::float8[], 2, method => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, 2, 3]::float8[], 2, levels => '{95, 100}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, 2, 3]::float8[], 2, levels => '{95, NULL}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(NULL::float8[], 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[7]::float8[], 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[NULL, NULL]::float8[], 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, 'NaN', 3]::float8[], 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, 'Infinity', 3, 4]::float8[], 2, method => 'theta');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, NULL, 3]::float8[], 2, fill => 'error');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, NULL, 3]::float8[], 2, fill => 'spline');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast((SELECT array_agg(v - 300 ORDER BY t) FROM monthly), 6, 12, 'ets:MNM');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast((SELECT array_agg(v ORDER BY t) FROM monthly), 6, 12, 'ets:MMN');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[5, 6, 8, 7, 9, 12]::float8[], 2, method => 'snaive');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast_model(ARRAY[1, 2, 3]::float8[], method => 'ets:XYZ');
\echo :LAST_ERROR_SQLSTATE
-- "ets:" with nothing after it, or with more, is not the automatic choice: refused with the models listed.
SELECT * FROM autoreport.forecast_model(ARRAY[1, 2, 3]::float8[], method => 'ets:');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast_model(ARRAY[1, 2, 3]::float8[], method => 'ets:AAN ');
\echo :LAST_ERROR_SQLSTATE
-- A seasonal ETS model takes seasons up to 24 (R's limit too): longer ones would have thousands of parameters.
SELECT * FROM autoreport.forecast(ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]::float8[], 1, period => 30, method => 'ets:ANA');
\echo :LAST_ERROR_SQLSTATE

-- The query form: daily revenue with a weekly pattern and one missing day, timestamps returned.
CREATE TEMP TABLE daily AS
  SELECT d::date AS day, (100 + 10 * sin(2 * pi() * extract(dow FROM d) / 7) + (d::date - date '2026-01-01') * 0.5)::numeric(10, 2) AS revenue
    FROM generate_series(date '2026-01-01', date '2026-04-30', interval '1 day') AS d
   WHERE d <> date '2026-02-10';
SET TIME ZONE 'Europe/Paris';
-- The missing day is filled linearly here (a day without revenue rows would be zero: the default under
-- the sum).
SELECT step, at, round(value::numeric, 1) AS value, lower[2] < value AND value < upper[2] AS inside
  FROM autoreport.forecast('SELECT day, revenue FROM daily', 3, fill => 'linear');
SELECT model, n, period, period_detected, frequency, notes[array_upper(notes, 1)] AS last_note
  FROM autoreport.forecast_model('SELECT day, revenue FROM daily', fill => 'linear');
-- By default a bucket without rows adds up to zero under the sum, and is interpolated under the mean.
SELECT notes[array_upper(notes, 1)] AS last_note
  FROM autoreport.forecast_model('SELECT day, revenue FROM daily', method => 'naive');
SELECT notes[array_upper(notes, 1)] AS last_note
  FROM autoreport.forecast_model('SELECT day, revenue FROM daily', method => 'naive', aggregate => 'mean');
-- 10, (nothing), 30: naive's step spread is that of 10, 0, 30 under the sum, of 10, 20, 30 under the mean.
SELECT aggregate, round(m.sigma::numeric, 2) AS sigma
  FROM unnest(ARRAY['sum', 'mean']) AS aggregate,
       LATERAL autoreport.forecast_model($$VALUES (date '2026-01-01', 10), (date '2026-01-03', 30)$$,
                                         method => 'naive', aggregate => aggregate, frequency => '1 day') AS m;
-- Times across a daylight-saving change stay at local midnight (Paris moves its clocks on 29 March).
SELECT step, at FROM autoreport.forecast(
  $$SELECT d, 1.0 FROM generate_series(timestamptz '2026-03-01 00:00', '2026-03-26 00:00', '1 day') AS d$$, 5);
-- Month ends are monthly, and the future times are month ends too.
SELECT step, at::date FROM autoreport.forecast(
  $$SELECT (date '2025-02-01' + m * interval '1 month' - interval '1 day')::date, 100 + m FROM generate_series(0, 11) AS m$$,
  3, method => 'naive');
-- Midnight in London seen from UTC (23:00 the day before in summer): still monthly, one value a month.
SET TIME ZONE 'UTC';
SELECT frequency, n FROM autoreport.forecast_model(
  $$SELECT (date '2025-01-01' + m * interval '1 month')::timestamp AT TIME ZONE 'Europe/London', 1.0 + m
      FROM generate_series(0, 23) AS m$$);
-- Month ends in London from July: the first row has the earlier hour.
SELECT frequency, n FROM autoreport.forecast_model(
  $$SELECT (date '2025-07-01' + m * interval '1 month' - interval '1 day')::timestamp AT TIME ZONE 'Europe/London', 1.0 + m
      FROM generate_series(0, 23) AS m$$);
SET TIME ZONE 'Europe/Paris';
-- Local noons and midnights across the spring change keep to the wall clock: one row a bucket.
SELECT count(*) AS points, max(value) AS largest FROM autoreport.anomalies(
  $$SELECT t::timestamptz, 1.0 FROM generate_series(timestamp '2026-03-20', '2026-04-05', '12 hours') AS t$$);
-- Hours across the autumn change: the repeated hour is its own bucket, not summed into one.
SELECT count(*) AS hours, max(value) AS largest, count(DISTINCT at) AS distinct_times
  FROM autoreport.anomalies(
  $$SELECT h, 1.0 FROM generate_series(timestamptz '2026-10-24 00:00+00', '2026-10-26 00:00+00', '1 hour') AS h$$);
-- A horizon whose times would pass the year 294000: 22023 before anything is fitted.
SELECT * FROM autoreport.forecast(
  $$SELECT make_date(293990 + y, 1, 1), y FROM generate_series(0, 5) AS y$$, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast('SELECT day, revenue FROM daily', 2, frequency => '100000000 days');
\echo :LAST_ERROR_SQLSTATE
-- Irregular events are bucketed (here summed per detected step), a frequency can be given.
SELECT frequency, n FROM autoreport.forecast_model(
  $$SELECT timestamp '2026-01-01' + (i * 37 + (i * i) % 11) * interval '1 minute', 1 FROM generate_series(0, 99) AS i$$);
SELECT frequency, n FROM autoreport.forecast_model('SELECT day, revenue FROM daily', frequency => '7 days');
SELECT step, at, value FROM autoreport.forecast(
  $$VALUES (date '2026-01-01', 10), (date '2026-02-01', 12), (date '2026-03-01', 11), (date '2026-03-01', 3)$$,
  2, method => 'naive', aggregate => 'mean');
-- The chart: an SVG of the history, the forecast and its 95% interval as a band.
SELECT convert_from(svg, 'UTF8') LIKE '<svg %</svg>' || chr(10) AS is_svg,
       convert_from(svg, 'UTF8') LIKE '%<title id="autoreport-chart-title">Forecast of revenue</title>%' AS titled,
       convert_from(svg, 'UTF8') LIKE '%A shaded band shows the 95\% interval of forecast.%' AS band_described,
       (length(convert_from(svg, 'UTF8')) - length(replace(convert_from(svg, 'UTF8'), 'class="band-area"', '')))
         / length('class="band-area"') AS bands,
       (length(convert_from(svg, 'UTF8')) - length(replace(convert_from(svg, 'UTF8'), 'class="series-line"', '')))
         / length('class="series-line"') AS lines
  FROM autoreport.forecast_chart('SELECT day, revenue FROM daily', 14) AS svg;
SELECT convert_from(autoreport.forecast_chart('SELECT day, revenue FROM daily', 7, levels => '{}',
                    title => 'Revenue <next week>', width => 400, height => 300), 'UTF8')
       LIKE '%<title id="autoreport-chart-title">Revenue &lt;next week&gt;</title>%' AS escaped_title;
SELECT autoreport.forecast_chart('SELECT day, revenue FROM daily', 7, levels => '{80, 95}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.forecast_chart('SELECT day, revenue FROM daily', 7, width => 100);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.forecast_chart('SELECT day, revenue FROM daily', 7, height => NULL);
\echo :LAST_ERROR_SQLSTATE
RESET TIME ZONE;

-- Several seasonal periods: six weeks of hourly load with a daily cycle and a weekend dip. Its
-- frequency (an hour) suggests a day, a week and a year; the day and the week have strong seasons
-- here (a year does not fit), so auto decomposes by both (MSTL).
CREATE TEMP TABLE hourly AS
  SELECT timestamp '2026-01-05 00:00' + h * interval '1 hour' AS at,
         100 + 10 * sin(2 * pi() * (h % 24) / 24) + CASE WHEN h % 168 < 120 THEN 4 ELSE -10 END
             + ((h * 7919) % 13 - 6) * 0.1 AS load
    FROM generate_series(0, 24 * 7 * 6 - 1) AS h;
SELECT method, model, n, period, period_detected, frequency, notes[1] AS how_chosen,
       (parameters->>'seasonal_strength_24')::float8 > 0.9 AS daily_strong,
       (parameters->>'seasonal_strength_168')::float8 > 0.9 AS weekly_strong
  FROM autoreport.forecast_model('SELECT at, load FROM hourly');
-- The next week: the weekend dip and the daily cycle both carried on (within 1.5 of the series
-- without its noise, whose amplitude is 0.6; the weekend is 14 lower than the working days).
SELECT extract(isodow FROM at) >= 6 AS weekend, count(*) AS steps,
       max(abs(value - (100 + 10 * sin(2 * pi() * extract(hour FROM at) / 24)
                        + CASE WHEN extract(isodow FROM at) < 6 THEN 4 ELSE -10 END))) < 1.5 AS close
  FROM autoreport.forecast('SELECT at, load FROM hourly', 168)
 GROUP BY 1 ORDER BY 1;
-- Without the weekly cycle one period is supported: auto as usual, with the daily period.
SELECT model, period FROM autoreport.forecast_model(
  $$SELECT at, load - CASE WHEN extract(isodow FROM at) < 6 THEN 4 ELSE -10 END FROM hourly$$);
-- Periods can be given: an array has no frequency to suggest them.
SELECT model, period, period_detected
  FROM autoreport.forecast_model((SELECT array_agg(load ORDER BY at) FROM hourly), periods => '{168,24}');
SELECT count(*) AS steps FROM autoreport.forecast((SELECT array_agg(load ORDER BY at) FROM hourly), 24,
                                                   periods => '{24,168}', levels => '{95}');
-- mstl by name: with one period it is STL with the seasonally adjusted series forecast (R's stlf).
SELECT model, period FROM autoreport.forecast_model('SELECT at, load FROM hourly', period => 24, method => 'mstl');
-- One period given in periods is the period.
SELECT model, period, period_detected FROM autoreport.forecast_model('SELECT at, load FROM hourly', periods => '{24}');
-- A period the history cannot hold two full cycles of is left out, and a note says so.
SELECT model, notes[1] AS left_out FROM autoreport.forecast_model(
  'SELECT at, load FROM hourly ORDER BY at LIMIT 300', method => 'mstl', periods => '{24,168}');
SELECT series, count(*) AS steps
  FROM autoreport.forecast_groups($$SELECT 'a', at, load FROM hourly$$, 24, periods => '{24,168}')
 GROUP BY series;
SELECT convert_from(autoreport.forecast_chart('SELECT at, load FROM hourly', 48, periods => '{24,168}'), 'UTF8')
       LIKE '%Forecast by MSTL(24,168) + %' AS described;
-- Bad periods: 22023 with a hint.
SELECT * FROM autoreport.forecast_model('SELECT at, load FROM hourly', periods => '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast_model('SELECT at, load FROM hourly', periods => '{24,NULL}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast('SELECT at, load FROM hourly', 24, periods => '{1,24}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast((SELECT array_agg(load) FROM hourly), 24, periods => '{24,24}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast('SELECT at, load FROM hourly', 24, period => 24, periods => '{24,168}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast_groups($$SELECT 'a', at, load FROM hourly$$, 24, method => 'ets',
                                         periods => '{24,168}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.forecast_chart('SELECT at, load FROM hourly', 24, method => 'snaive', periods => '{24,168}');
\echo :LAST_ERROR_SQLSTATE

-- Query errors.
SELECT * FROM autoreport.forecast('SELECT 1', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast('SELECT 1, 2', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast('SELECT day, true FROM daily', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast('SELECT day, revenue FROM daily WHERE false', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast('SELECT day, revenue FROM no_such_table', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast('SELECT day, revenue FROM daily', 2, frequency => '1 mon 1 day');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast('SELECT day, revenue FROM daily', 2, aggregate => 'median');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast('SELECT day, revenue FROM daily', 2, frequency => '1 second');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast($$SELECT 'infinity'::timestamp, 1$$, 2);
\echo :LAST_ERROR_SQLSTATE

-- The grouped form: one forecast per series, in series order.
CREATE TEMP TABLE sales AS
  SELECT r.region, d.day, (r.base + 5 * sin(2 * pi() * extract(dow FROM d.day) / 7))::numeric(10, 2) AS amount
    FROM (VALUES ('north', 100), ('south', 50), ('west', 10)) AS r(region, base),
         LATERAL (SELECT g::date AS day FROM generate_series(date '2026-01-01', date '2026-03-31', interval '1 day') AS g) AS d;
SELECT series, count(*) AS steps, min(at)::date AS first_day, max(at)::date AS last_day, round(avg(value)) AS mean
  FROM autoreport.forecast_groups('SELECT region, day, amount FROM sales', 7)
 GROUP BY series ORDER BY series;
-- One bad series fails the statement and says which.
SELECT * FROM autoreport.forecast_groups(
  $$SELECT region, day, CASE WHEN region = 'west' THEN NULL ELSE amount END FROM sales$$, 7);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast_groups('SELECT day, amount FROM sales', 7);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast_groups('SELECT NULL::text, day, amount FROM sales', 7);
\echo :LAST_ERROR_SQLSTATE

-- Long work can be cancelled: statement_timeout stops a grouped forecast of many long series.
CREATE TEMP TABLE many AS
  SELECT s, date '2000-01-01' + t * interval '1 month' AS month, 100 + t + 20 * sin(t + s) + 10 * cos(t * 2.1 * s) AS v
    FROM generate_series(1, 400) AS s, generate_series(0, 239) AS t;
SET statement_timeout = '300ms';
SELECT count(*) FROM autoreport.forecast_groups('SELECT s, month, v FROM many', 12, method => 'ets');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM autoreport.forecast((SELECT array_agg(v) FROM many), 12, 12, 'ets');
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT count(*) AS progress_rows_left FROM autoreport.progress WHERE pid = pg_backend_pid();

-- Volatility and parallel safety as declared.
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel
  FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
 WHERE n.nspname = 'autoreport' AND p.proname IN ('forecast', 'forecast_chart', 'forecast_groups', 'forecast_model')
 ORDER BY p.oid::regprocedure::text COLLATE "C";

-- ARIMA: auto.arima's choice ('arima') and fixed orders ('arima(p,d,q)(P,D,Q)[m] with drift').
SELECT method, model, period, aicc IS NOT NULL AS has_aicc, sigma > 0 AS has_sigma,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(parameters) AS k) AS parameters, notes
  FROM autoreport.forecast_model((SELECT array_agg(v ORDER BY t) FROM monthly), 12, 'arima');
SELECT step, round(value::numeric, 0) AS value, lower[1] < value AND value < upper[1] AS inside80,
       lower[2] < lower[1] AND upper[1] < upper[2] AS nested
  FROM autoreport.forecast((SELECT array_agg(v ORDER BY t) FROM monthly), 3, 12, 'arima(0,1,1)(0,1,1)');
-- The model as forecast_model names it is accepted back, the period in brackets.
SELECT model, period, period_detected, round((parameters ->> 'drift')::numeric, 2) AS drift, aic < aicc AS aicc_penalises
  FROM autoreport.forecast_model((SELECT array_agg(v ORDER BY t) FROM monthly), method => 'ARIMA(1,0,0)(0,1,1)[12] with drift');
SELECT model, round((parameters ->> 'intercept')::numeric, 1) AS intercept
  FROM autoreport.forecast_model(ARRAY[5, 7, 6, 8, 5, 7, 6, 9, 5, 6, 7, 8]::float8[], method => 'arima(1,0,0)');
-- A constant series: 'arima' forecasts it flat (as auto.arima); fixed orders cannot be estimated.
SELECT step, value, lower, upper FROM autoreport.forecast(array_fill(42::float8, ARRAY[20]), 2, method => 'arima');
SELECT * FROM autoreport.forecast(array_fill(42::float8, ARRAY[20]), 2, method => 'arima(1,0,0)');
\echo :LAST_ERROR_SQLSTATE
-- Malformed orders, a constant that does not fit the differencing, a season without a period, two
-- periods that disagree, too few values: 22023 with a hint.
SELECT * FROM autoreport.forecast(ARRAY[1, 2, 3, 4, 5]::float8[], 1, method => 'arima(1,1)');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, 2, 3, 4, 5]::float8[], 1, method => 'arima(1,0,0) with drift');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, 3, 2, 4, 3, 5, 4]::float8[], 1, method => 'arima(0,1,1)(0,1,1)');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast((SELECT array_agg(v ORDER BY t) FROM monthly), 1, 4, 'arima(0,1,1)(0,1,1)[12]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, 2]::float8[], 1, method => 'arima(0,2,1)');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.forecast(ARRAY[1, 2]::float8[], 1, method => 'arima');
\echo :LAST_ERROR_SQLSTATE
