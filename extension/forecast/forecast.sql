-- autoreport: forecasting (extension/forecast). The models are pure C++ (forecast/auto.hpp); these
-- functions convert arguments and results.

CREATE FUNCTION @extschema@.forecast(
    history float8[], horizon integer, period integer DEFAULT NULL, method text DEFAULT 'auto',
    levels float8[] DEFAULT '{80,95}', fill text DEFAULT 'linear', periods integer[] DEFAULT NULL)
  RETURNS TABLE(step integer, value float8, lower float8[], upper float8[])
  LANGUAGE c IMMUTABLE PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'autoreport_forecast_array';
COMMENT ON FUNCTION @extschema@.forecast(float8[], integer, integer, text, float8[], text, integer[]) IS
  'forecast a series given as an array: one row per step ahead with the point forecast and, per level, the interval bounds';

CREATE FUNCTION @extschema@.forecast(
    query text, horizon integer, period integer DEFAULT NULL, method text DEFAULT 'auto',
    levels float8[] DEFAULT '{80,95}', fill text DEFAULT NULL, aggregate text DEFAULT 'sum',
    frequency interval DEFAULT NULL, periods integer[] DEFAULT NULL)
  RETURNS TABLE(step integer, at timestamptz, value float8, lower float8[], upper float8[])
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_forecast_query';
COMMENT ON FUNCTION @extschema@.forecast(text, integer, integer, text, float8[], text, text, interval, integer[]) IS
  'forecast the series a query returns as (time, value) rows: bucketed at its detected frequency, gaps filled (by default with zero under the sum, linearly otherwise), future times returned';

CREATE FUNCTION @extschema@.forecast_groups(
    query text, horizon integer, period integer DEFAULT NULL, method text DEFAULT 'auto',
    levels float8[] DEFAULT '{80,95}', fill text DEFAULT NULL, aggregate text DEFAULT 'sum',
    frequency interval DEFAULT NULL, periods integer[] DEFAULT NULL)
  RETURNS TABLE(series text, step integer, at timestamptz, value float8, lower float8[], upper float8[])
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_forecast_groups';
COMMENT ON FUNCTION @extschema@.forecast_groups(text, integer, integer, text, float8[], text, text, interval, integer[]) IS
  'forecast every series a query returns as (series, time, value) rows, reporting progress in autoreport.progress';

CREATE FUNCTION @extschema@.forecast_model(
    history float8[], period integer DEFAULT NULL, method text DEFAULT 'auto', fill text DEFAULT 'linear',
    periods integer[] DEFAULT NULL,
    OUT method text, OUT model text, OUT n integer, OUT period integer, OUT period_detected boolean,
    OUT frequency interval, OUT parameters jsonb, OUT aic float8, OUT aicc float8, OUT bic float8,
    OUT sigma float8, OUT notes text[])
  RETURNS record
  LANGUAGE c IMMUTABLE PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'autoreport_forecast_model_array';
COMMENT ON FUNCTION @extschema@.forecast_model(float8[], integer, text, text, integer[]) IS
  'the model autoreport.forecast fits to an array: method, parameters, information criteria, residual spread, period';

CREATE FUNCTION @extschema@.forecast_model(
    query text, period integer DEFAULT NULL, method text DEFAULT 'auto', fill text DEFAULT NULL,
    aggregate text DEFAULT 'sum', frequency interval DEFAULT NULL, periods integer[] DEFAULT NULL,
    OUT method text, OUT model text, OUT n integer, OUT period integer, OUT period_detected boolean,
    OUT frequency interval, OUT parameters jsonb, OUT aic float8, OUT aicc float8, OUT bic float8,
    OUT sigma float8, OUT notes text[])
  RETURNS record
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_forecast_model_query';
COMMENT ON FUNCTION @extschema@.forecast_model(text, integer, text, text, text, interval, integer[]) IS
  'the model autoreport.forecast fits to the series a query returns, with the frequency it detected';

CREATE FUNCTION @extschema@.forecast_chart(
    query text, horizon integer, period integer DEFAULT NULL, method text DEFAULT 'auto',
    levels float8[] DEFAULT '{95}', fill text DEFAULT NULL, aggregate text DEFAULT 'sum',
    frequency interval DEFAULT NULL, title text DEFAULT NULL, width integer DEFAULT 800,
    height integer DEFAULT 400, periods integer[] DEFAULT NULL)
  RETURNS bytea
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_forecast_chart';
COMMENT ON FUNCTION @extschema@.forecast_chart(text, integer, integer, text, float8[], text, text, interval, text, integer, integer, integer[]) IS
  'an SVG chart of the series a query returns, its forecast and the prediction interval as a shaded band';

CREATE FUNCTION @extschema@.anomalies(
    history float8[], period integer DEFAULT NULL, sensitivity text DEFAULT 'medium', fill text DEFAULT 'linear',
    max_share float8 DEFAULT 0.02, causal boolean DEFAULT false)
  RETURNS TABLE(ordinal integer, value float8, expected float8, lower float8, upper float8, score float8,
                is_anomaly boolean, kind text, probability float8)
  LANGUAGE c IMMUTABLE PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'autoreport_anomalies_array';
COMMENT ON FUNCTION @extschema@.anomalies(float8[], integer, text, text, float8, boolean) IS
  'anomalies in a series given as an array: per value the expected value, its bounds, a robust score, a flag (spike or level shift, at most max_share of the points) and an anomaly probability; causal scores each value on the values before it only';

CREATE FUNCTION @extschema@.anomalous(
    history float8[], last integer DEFAULT 1, period integer DEFAULT NULL, sensitivity text DEFAULT 'medium',
    fill text DEFAULT 'linear', max_share float8 DEFAULT 0.02, causal boolean DEFAULT false)
  RETURNS boolean
  LANGUAGE c IMMUTABLE PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'autoreport_anomalous';
COMMENT ON FUNCTION @extschema@.anomalous(float8[], integer, integer, text, text, float8, boolean) IS
  'whether any of the last values of a series given as an array is an anomaly, as anomalies() flags them; for alert conditions (causal => true judges each value on the values before it only)';

CREATE FUNCTION @extschema@.anomalies(
    query text, period integer DEFAULT NULL, sensitivity text DEFAULT 'medium', fill text DEFAULT NULL,
    aggregate text DEFAULT 'sum', frequency interval DEFAULT NULL, max_share float8 DEFAULT 0.02,
    causal boolean DEFAULT false)
  RETURNS TABLE(at timestamptz, value float8, expected float8, lower float8, upper float8, score float8,
                is_anomaly boolean, kind text, probability float8)
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_anomalies_query';
COMMENT ON FUNCTION @extschema@.anomalies(text, integer, text, text, text, interval, float8, boolean) IS
  'anomalies in the series a query returns as (time, value) rows: per point the expected value, its bounds, a robust score, a flag (spike or level shift) and an anomaly probability';

CREATE FUNCTION @extschema@.anomalies_chart(
    query text, period integer DEFAULT NULL, sensitivity text DEFAULT 'medium', fill text DEFAULT NULL,
    aggregate text DEFAULT 'sum', frequency interval DEFAULT NULL, title text DEFAULT NULL,
    width integer DEFAULT 800, height integer DEFAULT 400, max_share float8 DEFAULT 0.02,
    causal boolean DEFAULT false)
  RETURNS bytea
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_anomalies_chart';
COMMENT ON FUNCTION @extschema@.anomalies_chart(text, integer, text, text, text, interval, text, integer, integer, float8, boolean) IS
  'an SVG chart of the series a query returns, its expected range as a band and its anomalies marked';
