-- Anomaly detection: autoreport.anomalies over an array and over a query, autoreport.anomalies_chart,
-- their fallbacks and their errors.

-- A weekly pattern with two planted anomalies (a spike on day 20, a dip on day 45) and a bump on
-- day 60 that only a high sensitivity flags.
CREATE TEMP TABLE visits AS
  SELECT date '2026-01-01' + d AS day,
         (1000 + 200 * sin(2 * pi() * d / 7) + 15 * sin(d * 1.3)
          + CASE d WHEN 20 THEN 900 WHEN 45 THEN -700 WHEN 60 THEN 35 ELSE 0 END)::numeric(10, 1) AS visits
    FROM generate_series(0, 83) AS d;
SELECT to_char(at, 'YYYY-MM-DD') AS day, value, round(expected::numeric, 1) AS expected, round(score::numeric, 1) AS score
  FROM autoreport.anomalies('SELECT day, visits FROM visits') WHERE is_anomaly ORDER BY at;
-- Every point gets a row: expected value within its bounds, scores never NaN.
SELECT count(*) AS points, bool_and(lower <= expected AND expected <= upper) AS ordered,
       bool_and(score >= 0 AND score < 'Infinity') AS finite_scores, count(*) FILTER (WHERE is_anomaly) AS flagged
  FROM autoreport.anomalies('SELECT day, visits FROM visits');
-- Sensitivity: the bounds narrow from low (the ESD test at alpha 0.001) to high (0.05) or a number (a
-- fixed cut-off in robust standard deviations). The bump of day 60 is beyond 2 robust standard
-- deviations, but max_share caps the reports at ceil(0.02 * 84) = 2, the two largest.
SELECT s.sensitivity, count(*) FILTER (WHERE a.is_anomaly) AS flagged,
       round(avg(a.upper - a.lower)::numeric) AS mean_width, string_agg(to_char(a.at, 'MM-DD'), ', ') FILTER (WHERE a.is_anomaly) AS days
  FROM unnest(ARRAY['low', 'medium', 'high', '2']) AS s(sensitivity),
       LATERAL autoreport.anomalies('SELECT day, visits FROM visits', sensitivity => s.sensitivity) AS a
 GROUP BY s.sensitivity ORDER BY mean_width DESC;
-- The array form numbers the values from 1; the period can be given.
SELECT ordinal, value FROM autoreport.anomalies((SELECT array_agg(visits::float8 ORDER BY day) FROM visits), 7)
 WHERE is_anomaly;
-- Without a period the array form finds the weekly season itself.
SELECT ordinal, value FROM autoreport.anomalies((SELECT array_agg(visits::float8 ORDER BY day) FROM visits))
 WHERE is_anomaly;
-- A constant series has no anomalies and finite bounds, a few quantisation steps wide (5 is taken as
-- read to 0.01: the step is at most 1% of the magnitude); a missing value is reported as NULL and
-- never flagged.
SELECT count(*) FILTER (WHERE is_anomaly) AS flagged, max(score) < 0.001 AS scores_near_zero,
       min(lower) > 4.95 AND max(upper) < 5.05 AND min(upper - lower) > 0.01 AS bounds_near_value
  FROM autoreport.anomalies(array_fill(5::float8, ARRAY[30]));
SELECT ordinal, value, is_anomaly FROM autoreport.anomalies(ARRAY[1, 2, NULL, 4, 5, 6]::float8[]) WHERE ordinal = 3;
-- A gap in the query's days filled linearly (or by the previous value) is filled for the model only
-- and shows as NULL, never flagged.
SELECT count(*) AS points, count(*) FILTER (WHERE value IS NULL) AS missing
  FROM autoreport.anomalies('SELECT day, visits FROM visits WHERE day <> date ''2026-01-10''', fill => 'linear');
-- Under the sum a day without rows is, by default, a day that added up to zero: an outage is flagged.
SELECT to_char(at, 'YYYY-MM-DD') AS day, value, is_anomaly
  FROM autoreport.anomalies('SELECT day, visits FROM visits WHERE day <> date ''2026-01-10''')
 WHERE at::date = date '2026-01-10';

-- With room for more (max_share 0.05: 5 points) the cut-off of 2 reports the bump too.
SELECT ordinal, value FROM autoreport.anomalies((SELECT array_agg(visits::float8 ORDER BY day) FROM visits), 7, '2',
                                                 max_share => 0.05)
 WHERE is_anomaly;
-- Every flagged point says what it is; the probability is high where the point is improbable.
SELECT kind, count(*) AS points, min(probability) > 0.99 AS improbable
  FROM autoreport.anomalies('SELECT day, visits FROM visits') WHERE is_anomaly GROUP BY kind;
SELECT count(*) FILTER (WHERE kind IS NOT NULL AND NOT is_anomaly) AS kind_without_flag,
       bool_and(probability BETWEEN 0 AND 1) AS probabilities
  FROM autoreport.anomalies('SELECT day, visits FROM visits');

-- A level shift (the visits step up by 400 from day 50 on, for good) is reported once, as a change, and
-- the new level is what is expected after it. It takes one of the two reports max_share allows: the
-- spike of day 20 keeps the other, the smaller dip of day 45 is left out.
CREATE TEMP TABLE shifted AS
  SELECT day, visits + CASE WHEN day >= date '2026-01-01' + 50 THEN 400 ELSE 0 END AS visits FROM visits;
SELECT to_char(at, 'YYYY-MM-DD') AS day, kind, value
  FROM autoreport.anomalies('SELECT day, visits FROM shifted') WHERE is_anomaly ORDER BY at;
SELECT round(avg(abs(value - expected))::numeric) < 50 AS level_followed
  FROM autoreport.anomalies('SELECT day, visits FROM shifted') WHERE at >= date '2026-01-01' + 55;

-- max_share bounds the share flagged: 15 spikes in 600 points (2.5%), each its own episode (40 apart,
-- more than the 30 points that make an episode here), at most ceil(max_share * n) of them reported.
CREATE TEMP TABLE spiky AS
  SELECT g AS i, 100 + 5 * sin(g) + CASE WHEN g % 40 = 0 THEN 60 + g % 7 ELSE 0 END AS v FROM generate_series(1, 600) AS g;
SELECT s.share, count(*) FILTER (WHERE a.is_anomaly) AS flagged, ceil(s.share * 600) AS cap
  FROM unnest(ARRAY[0.5, 0.02, 0.005]) AS s(share),
       LATERAL autoreport.anomalies((SELECT array_agg(v ORDER BY i) FROM spiky), 1, max_share => s.share) AS a
 GROUP BY s.share ORDER BY s.share DESC;

-- Rounding is not an anomaly: a reading of 20.0 that rounding turns into 19.9 or 20.1 now and then.
SELECT count(*) FILTER (WHERE is_anomaly) AS flagged
  FROM autoreport.anomalies((SELECT array_agg(round((20 + 0.06 * sin(g * 1.7))::numeric, 1)::float8 ORDER BY g)
                               FROM generate_series(1, 500) AS g));

-- causal => true judges each point on the points before it only: no bounds or probability until a model
-- exists (two weeks and 10 one-step errors: 24 days, so the spike of day 20 comes too early), the dip
-- of day 45 flagged when it comes, and a later change cannot alter an earlier verdict.
SELECT ordinal, value, is_anomaly, kind, round(probability::numeric, 4) AS probability
  FROM autoreport.anomalies((SELECT array_agg(visits::float8 ORDER BY day) FROM visits), 7, causal => true)
 WHERE is_anomaly OR ordinal IN (1, 24, 25);
SELECT count(*) FILTER (WHERE lower IS NULL) AS without_model,
       bool_and(probability IS NULL) FILTER (WHERE lower IS NULL) AS no_probability_then
  FROM autoreport.anomalies((SELECT array_agg(visits::float8 ORDER BY day) FROM visits), 7, causal => true);
SELECT bool_and(a.is_anomaly = b.is_anomaly AND a.score = b.score) AS past_unchanged
  FROM autoreport.anomalies((SELECT array_agg(visits::float8 ORDER BY day) FROM visits), 7, causal => true) AS a
  JOIN autoreport.anomalies((SELECT array_agg(visits::float8 ORDER BY day) FROM visits WHERE day <= date '2026-01-31'), 7,
                            causal => true) AS b USING (ordinal);
SELECT to_char(at, 'YYYY-MM-DD') AS day, kind
  FROM autoreport.anomalies('SELECT day, visits FROM visits', causal => true) WHERE is_anomaly ORDER BY at;

-- Errors: 22023.
SELECT * FROM autoreport.anomalies(ARRAY[1, 2]::float8[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies(NULL::float8[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies(ARRAY[1, 'NaN', 3, 4]::float8[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies(ARRAY[1, 2, 3, 4]::float8[], sensitivity => 'extreme');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies(ARRAY[1, 2, 3, 4]::float8[], sensitivity => '-1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies(ARRAY[1, 2, 3, 4]::float8[], sensitivity => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies(ARRAY[1, 2, 3, 4]::float8[], period => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies('SELECT 1', 7);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies('SELECT day, visits::text FROM visits');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies('SELECT day, visits FROM visits', fill => 'cubic');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies(ARRAY[1, 2, 3, 4]::float8[], max_share => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies(ARRAY[1, 2, 3, 4]::float8[], max_share => 0.6);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies(ARRAY[1, 2, 3, 4]::float8[], max_share => 'NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies(ARRAY[1, 2, 3, 4]::float8[], max_share => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies(ARRAY[1, 2, 3, 4]::float8[], causal => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies(ARRAY[1, 2]::float8[], causal => true);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies(ARRAY[1, 1e301, 3, 4]::float8[], causal => true);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies('SELECT day, visits FROM visits', max_share => -0.1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.anomalies('SELECT day, visits FROM visits', causal => NULL);
\echo :LAST_ERROR_SQLSTATE

-- autoreport.anomalous: whether any of the last values is flagged, a scalar for alert conditions.
-- The visits end on day 83 (nothing flagged); cut after the spike of day 20 it ends on an anomaly.
SELECT autoreport.anomalous(array_agg(visits::float8 ORDER BY day)) AS whole,
       autoreport.anomalous(array_agg(visits::float8 ORDER BY day) FILTER (WHERE day <= date '2026-01-21')) AS to_spike,
       autoreport.anomalous(array_agg(visits::float8 ORDER BY day) FILTER (WHERE day <= date '2026-01-23'), 1) AS after_spike,
       autoreport.anomalous(array_agg(visits::float8 ORDER BY day) FILTER (WHERE day <= date '2026-01-23'), 3) AS spike_in_last_3
  FROM visits;
-- It agrees with anomalies() on every suffix length, at every sensitivity, with a given period.
SELECT bool_and(autoreport.anomalous(h.a, k, 7, s) =
                EXISTS (SELECT FROM autoreport.anomalies(h.a, 7, s) AS p WHERE p.is_anomaly AND p.ordinal > 84 - k)) AS agrees,
       count(*) FILTER (WHERE autoreport.anomalous(h.a, k, 7, s)) AS held
  FROM (SELECT array_agg(visits::float8 ORDER BY day) AS a FROM visits) AS h,
       generate_series(1, 90) AS k, unnest(ARRAY['low', 'medium', 'high']) AS s;
-- The causal form agrees with anomalies(causal => true) the same way, as an alert on new data wants.
SELECT bool_and(autoreport.anomalous(h.a, k, 7, causal => true) =
                EXISTS (SELECT FROM autoreport.anomalies(h.a, 7, causal => true) AS p WHERE p.is_anomaly AND p.ordinal > 84 - k)) AS agrees,
       count(*) FILTER (WHERE autoreport.anomalous(h.a, k, 7, causal => true)) AS held
  FROM (SELECT array_agg(visits::float8 ORDER BY day) AS a FROM visits) AS h, generate_series(1, 90) AS k;
-- A missing newest value is never an anomaly; a NULL series is no answer. (Filled, the missing value
-- repeats the 50: the series then ends on a rise the trend follows, and max_share's one report goes to
-- the point the bent trend leaves furthest, not to the newest two.)
SELECT autoreport.anomalous(ARRAY[1, 1, 1, 1, 1, 1, 1, 1, 1, 50]::float8[]) AS spike,
       autoreport.anomalous(ARRAY[1, 1, 1, 1, 1, 1, 1, 1, 1, 50, NULL]::float8[]) AS spike_then_missing,
       autoreport.anomalous(ARRAY[1, 1, 1, 1, 1, 1, 1, 1, 1, 50, NULL]::float8[], 2) AS spike_in_last_2,
       autoreport.anomalous(NULL::float8[]) IS NULL AS null_series;
-- Errors: 22023.
SELECT autoreport.anomalous(ARRAY[1, 2, 3, 4]::float8[], 0);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.anomalous(ARRAY[1, 2, 3, 4]::float8[], NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.anomalous(ARRAY[1, 2, 3, 4]::float8[], sensitivity => 'extreme');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.anomalous(ARRAY[1, 2, 3, 4]::float8[], sensitivity => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.anomalous(ARRAY[1, 2, 3, 4]::float8[], period => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.anomalous(ARRAY[1, 2, 3, 4]::float8[], fill => 'cubic');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.anomalous(ARRAY[1, 2]::float8[]);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.anomalous(ARRAY[1, 'Infinity', 3, 4]::float8[]);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.anomalous(ARRAY[1, 2, 3, 4]::float8[], max_share => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.anomalous(ARRAY[1, 2, 3, 4]::float8[], max_share => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.anomalous(ARRAY[1, 2, 3, 4]::float8[], causal => NULL);
\echo :LAST_ERROR_SQLSTATE

-- The chart: the series, its expected range as a band, the anomalies marked.
SELECT convert_from(svg, 'UTF8') LIKE '<svg %' AS is_svg,
       (length(convert_from(svg, 'UTF8')) - length(replace(convert_from(svg, 'UTF8'), '<circle class="marker"', '')))
         / length('<circle class="marker"') AS markers,
       convert_from(svg, 'UTF8') LIKE '%2 points are marked as anomaly.%' AS described
  FROM autoreport.anomalies_chart('SELECT day, visits FROM visits') AS svg;
-- The chart marks what the table flags, the zero of an outage day included.
SELECT (length(convert_from(svg, 'UTF8')) - length(replace(convert_from(svg, 'UTF8'), '<circle class="marker"', '')))
         / length('<circle class="marker"') AS markers
  FROM autoreport.anomalies_chart('SELECT day, visits FROM visits WHERE day <> date ''2026-01-10''') AS svg;
SELECT count(*) AS flagged
  FROM autoreport.anomalies('SELECT day, visits FROM visits WHERE day <> date ''2026-01-10''') WHERE is_anomaly;
SELECT autoreport.anomalies_chart('SELECT day, visits FROM visits', width => 50);
\echo :LAST_ERROR_SQLSTATE
-- The chart's causal form marks what the causal table flags.
SELECT (length(convert_from(svg, 'UTF8')) - length(replace(convert_from(svg, 'UTF8'), '<circle class="marker"', '')))
         / length('<circle class="marker"') AS causal_markers
  FROM autoreport.anomalies_chart('SELECT day, visits FROM visits', causal => true) AS svg;
SELECT autoreport.anomalies_chart('SELECT day, visits FROM visits', max_share => 1);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.anomalies_chart('SELECT day, visits FROM visits', causal => NULL);
\echo :LAST_ERROR_SQLSTATE

-- Long work can be cancelled (the array is built beforehand, so the time goes to the detector).
CREATE TEMP TABLE big AS
  SELECT array_agg(sin(i * 0.01) + (i % 97) * 0.001) AS a FROM generate_series(1, 2000000) AS i;
SET statement_timeout = '300ms';
SELECT count(*) FROM big, autoreport.anomalies(big.a, 1440);
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;

-- Volatility and parallel safety as declared.
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel
  FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
 WHERE n.nspname = 'autoreport' AND p.proname IN ('anomalies', 'anomalous', 'anomalies_chart')
 ORDER BY p.oid::regprocedure::text COLLATE "C";
