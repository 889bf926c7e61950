-- autoreport.forecast_groups reports its progress in autoreport.progress, seen from another session:
-- here the forecast runs in a second connection (dblink, asynchronously) while this one watches.
CREATE EXTENSION IF NOT EXISTS dblink;
CREATE TABLE progress_series AS
  SELECT s, date '2000-01-01' + t * interval '1 month' AS month, 100 + t + 20 * sin(t + s) + 10 * cos(t * 2.1 * s) AS v
    FROM generate_series(1, 120) AS s, generate_series(0, 239) AS t;
SELECT dblink_connect('worker', format('host=%s port=%s dbname=%s',
                                       coalesce(nullif(split_part(current_setting('unix_socket_directories'), ',', 1), ''), '127.0.0.1'),
                                       current_setting('port'), current_database()));
SELECT dblink_send_query('worker',
  $$SELECT count(*) FROM autoreport.forecast_groups('SELECT s, month, v FROM progress_series', 12, method => 'ets')$$);
-- Wait (up to 20 s) until the forecast shows with at least one series done.
DO $$
BEGIN
  FOR i IN 1..400 LOOP
    EXIT WHEN EXISTS (SELECT FROM autoreport.progress WHERE operation = 'forecast' AND done > 0);
    PERFORM pg_sleep(0.05);
  END LOOP;
END
$$;
SELECT operation, object, total, done > 0 AND done < total AS partway, percent BETWEEN 0 AND 100 AS percent_shown,
       usename = current_user AS same_user
  FROM autoreport.progress WHERE pid <> pg_backend_pid();
SELECT * FROM dblink_get_result('worker') AS t(forecast_rows bigint);
-- Once it has finished, it is gone from the registry.
SELECT count(*) AS left_behind FROM autoreport.progress WHERE operation = 'forecast';
SELECT dblink_disconnect('worker');
DROP TABLE progress_series;
