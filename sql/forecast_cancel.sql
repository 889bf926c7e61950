-- Every forecasting and anomaly entry point can be cancelled: under statement_timeout = 1s each call
-- on an adversarial input ends (cancelled, or finished) within 1.5 s of its start. Each call prints
-- one boolean, so the output does not depend on how fast the machine is.
-- (The time is taken inside the block: a timeout that fires just as the call ends is caught there
-- too, never at the RETURN.)
CREATE FUNCTION pg_temp.ends_in_time(sql text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  started timestamptz := clock_timestamp();
  took interval;
BEGIN
  BEGIN
    EXECUTE sql;
    took := clock_timestamp() - started;
  EXCEPTION WHEN query_canceled THEN
    took := clock_timestamp() - started;
  END;
  RETURN took < interval '1.5 s';
END
$$;
-- Five rows a second apart and one ten days later: 864,001 buckets of a second, whose candidate
-- periods are a day (86,400) and a week.
CREATE TEMP TABLE spike AS
  SELECT timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second' AS t, (i % 3)::float8 AS v
    FROM generate_series(0, 4) AS i
  UNION ALL SELECT timestamptz '2026-01-11 00:00:05+00', 7;
CREATE TEMP TABLE spike_groups AS SELECT g::text AS g, t, v FROM spike, generate_series(1, 2) AS g;
-- Long arrays: noise (no season, every lag a candidate of period detection), and a series long
-- enough for an explicit period of 80,000 to be tested (more than two seasons).
CREATE TEMP TABLE long AS
  SELECT array_agg(sin(i * 0.7) + ((i::bigint * 7919) % 1000) / 500.0 + 10 ORDER BY i) AS noise
    FROM generate_series(1, 2000000) AS i;
CREATE TEMP TABLE seasonal AS
  SELECT array_agg(10 + sin(2 * pi() * i / 80000) + ((i::bigint * 7919) % 1000) / 5000.0 ORDER BY i) AS y
    FROM generate_series(1, 200000) AS i;
SET statement_timeout = '1s';
-- Period detection over the spike (a day and a week at a one-second step).
SELECT pg_temp.ends_in_time($$SELECT count(*) FROM autoreport.forecast('SELECT t, v FROM spike', 3)$$) AS forecast_query;
SELECT pg_temp.ends_in_time($$SELECT count(*) FROM autoreport.forecast_groups('SELECT g, t, v FROM spike_groups', 3)$$) AS forecast_groups;
SELECT pg_temp.ends_in_time($$SELECT * FROM autoreport.forecast_model('SELECT t, v FROM spike')$$) AS forecast_model_query;
SELECT pg_temp.ends_in_time($$SELECT autoreport.forecast_chart('SELECT t, v FROM spike', 3)$$) AS forecast_chart;
SELECT pg_temp.ends_in_time($$SELECT count(*) FROM autoreport.anomalies('SELECT t, v FROM spike')$$) AS anomalies_query;
SELECT pg_temp.ends_in_time($$SELECT autoreport.anomalies_chart('SELECT t, v FROM spike')$$) AS anomalies_chart;
-- An explicit huge period: Theta's seasonality test, the seasonal methods, the decomposition.
SELECT pg_temp.ends_in_time($$SELECT count(*) FROM autoreport.forecast((SELECT y FROM seasonal), 3, 80000, 'theta')$$) AS theta_period;
SELECT pg_temp.ends_in_time($$SELECT count(*) FROM autoreport.forecast((SELECT y FROM seasonal), 3, 80000, 'auto')$$) AS auto_period;
SELECT pg_temp.ends_in_time($$SELECT count(*) FROM autoreport.forecast((SELECT y FROM seasonal), 3, 80000, 'damped')$$) AS damped_period;
SELECT pg_temp.ends_in_time($$SELECT * FROM autoreport.forecast_model((SELECT y FROM seasonal), 80000, 'theta')$$) AS forecast_model_period;
SELECT pg_temp.ends_in_time($$SELECT count(*) FROM autoreport.anomalies((SELECT y FROM seasonal), 80000)$$) AS anomalies_period;
SELECT pg_temp.ends_in_time($$SELECT count(*) FROM autoreport.anomalies('SELECT t, v FROM spike', 86400)$$) AS anomalies_query_period;
-- Period detection over a long array (every lag up to 366 a candidate), then the models.
SELECT pg_temp.ends_in_time($$SELECT count(*) FROM autoreport.forecast((SELECT noise FROM long), 3)$$) AS forecast_array;
SELECT pg_temp.ends_in_time($$SELECT * FROM autoreport.forecast_model((SELECT noise FROM long))$$) AS forecast_model_array;
SELECT pg_temp.ends_in_time($$SELECT count(*) FROM autoreport.anomalies((SELECT noise FROM long))$$) AS anomalies_array;
RESET statement_timeout;
