-- Slow-query capture: the threshold, normalised texts, samples of constants and parameters, nested
-- statements, the fixed capacity with eviction, privileges.
CREATE EXTENSION IF NOT EXISTS autoreport;
SELECT autoreport.clear_captured() >= 0 AS cleared;
SELECT capacity, min_duration_ms, entries, evictions, errors FROM autoreport.capture_info();

-- Off: nothing is captured.
SET autoreport.capture_min_duration = -1;
SELECT pg_sleep(0.03);
SELECT count(*) AS captured FROM autoreport.captured_queries;

-- Above the threshold: captured once per query id, constants replaced; the sample is the slowest call.
SET autoreport.capture_min_duration = '40ms';
SELECT 1 AS fast;
SELECT pg_sleep(0.05), 42 AS answer, 'it''s' AS quoted;
SELECT pg_sleep(0.08), 7 AS answer, 'slowest' AS quoted;
SELECT pg_sleep(0.045), 9 AS answer, 'x' AS quoted;
SELECT query, calls, toplevel, params, params_complete, query_cut,
       max_ms >= 80 AS max_is_slowest, total_ms >= 175 AS total, mean_ms = total_ms / calls AS mean,
       rows, role = current_user::regrole AS own, database = current_database() AS here,
       first_seen <= last_seen AS seen, query_id <> 0 AS has_id
  FROM autoreport.captured_queries WHERE query LIKE 'SELECT pg_sleep%' ORDER BY query;

-- Nested statements (a report's query runs inside a function) carry their bound parameters, typed.
CREATE FUNCTION capture_nested(seconds float8, label text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'SELECT pg_sleep($1), $2::text, 5' USING seconds, label;
END $$;
SELECT capture_nested(0.05, 'a label');
SELECT query, toplevel, params, params_complete FROM autoreport.captured_queries
 WHERE NOT toplevel AND query LIKE 'SELECT pg_sleep%' ORDER BY query;
-- autoreport.capture_nested = off keeps top-level statements only.
SET autoreport.capture_nested = off;
SELECT capture_nested(0.051, 'again');
SELECT query, calls FROM autoreport.captured_queries WHERE NOT toplevel AND query LIKE 'SELECT pg_sleep%';
RESET autoreport.capture_nested;

-- Without the core's query id, the normalised text identifies the statement.
SET compute_query_id = off;
SELECT pg_sleep(0.041), 'no id' AS c;
SELECT pg_sleep(0.042), 'still no id' AS c;
RESET compute_query_id;
SELECT query, calls, query_id <> 0 AS has_id FROM autoreport.captured_queries
 WHERE query LIKE '%AS c' ORDER BY query;

-- The capacity is fixed: past it, the least costly statement is evicted (the slow ones stay).
SET autoreport.capture_min_duration = 0;
DO $$
BEGIN
  FOR i IN 1..1010 LOOP
    EXECUTE 'SELECT 1' || repeat(' + 1', i);
  END LOOP;
END $$;
SET autoreport.capture_min_duration = -1;
SELECT entries = capacity AS full, evictions >= 10 AS evicted, errors FROM autoreport.capture_info();
SELECT count(*) AS slow_kept FROM autoreport.captured_queries WHERE query LIKE 'SELECT pg_sleep%';

-- Other roles see only their own statements, and may not clear them.
CREATE ROLE capture_user;
SET ROLE capture_user;
SELECT count(*) AS seen_by_other FROM autoreport.captured_queries;
SELECT autoreport.clear_captured();
RESET ROLE;
DROP ROLE capture_user;

-- Clearing removes everything and resets the counters.
SELECT autoreport.clear_captured() >= 1000 AS cleared;
SELECT entries, evictions, errors, captured FROM autoreport.capture_info();
DROP FUNCTION capture_nested(float8, text);
