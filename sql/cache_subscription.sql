-- On a logical-replication subscriber (issue 11, item 8): replicated rows fire no statement trigger,
-- so the cache does not serve a subscribed table, and an entry from before the subscription is never
-- served after it (apply fires the ENABLE REPLICA row trigger, which bumps the table's counter).
-- The publisher is another database of this cluster.
\set regress_db :DBNAME
CREATE DATABASE cache_pub;
\c cache_pub
CREATE TABLE feed (id int PRIMARY KEY, v int NOT NULL);
INSERT INTO feed VALUES (1, 10);
CREATE PUBLICATION cache_pub FOR TABLE feed;
-- Created here, not by CREATE SUBSCRIPTION (which would wait for this very cluster).
SELECT slot_name FROM pg_create_logical_replication_slot('cache_sub', 'pgoutput');
\c :regress_db

CREATE TABLE feed (id int PRIMARY KEY, v int NOT NULL);
INSERT INTO feed VALUES (1, 10);
SELECT autoreport.define_report('feed_total', 'SELECT count(*) AS n, sum(v) AS total FROM feed');
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'feed'::regclass ORDER BY tgname;
-- (Not temporary: the session reconnects.)
CREATE TABLE last_stats AS SELECT hits, misses, bypassed FROM autoreport.cache_stats;
CREATE FUNCTION cache_delta() RETURNS TABLE (hits bigint, misses bigint, bypassed bigint)
  LANGUAGE plpgsql AS $$
  DECLARE n record;
  BEGIN
    SELECT s.hits, s.misses, s.bypassed INTO n FROM autoreport.cache_stats AS s;
    RETURN QUERY SELECT n.hits - l.hits, n.misses - l.misses, n.bypassed - l.bypassed FROM last_stats AS l;
    UPDATE last_stats SET hits = n.hits, misses = n.misses, bypassed = n.bypassed;
  END $$;
SELECT * FROM reports.feed_total();
SELECT * FROM reports.feed_total();
SELECT * FROM cache_delta();

DO $$
BEGIN
  EXECUTE format('CREATE SUBSCRIPTION cache_sub CONNECTION %L PUBLICATION cache_pub '
                 'WITH (create_slot = false, slot_name = cache_sub, copy_data = false)',
                 format('host=%s port=%s dbname=cache_pub user=%s',
                        coalesce(nullif(split_part(current_setting('unix_socket_directories'), ',', 1), ''), '127.0.0.1'),
                        current_setting('port'), session_user));
END $$;

\c cache_pub
INSERT INTO feed VALUES (2, 20);
UPDATE feed SET v = 11 WHERE id = 1;
\c :regress_db
-- Wait (at most a minute) for the apply worker.
DO $$
BEGIN
  FOR i IN 1..600 LOOP
    EXIT WHEN (SELECT sum(v) FROM feed) = 31;
    PERFORM pg_sleep(0.1);
  END LOOP;
END $$;
SELECT * FROM feed ORDER BY id;
-- The subscribed table is not served from the cache: the fresh rows, every time.
SELECT * FROM reports.feed_total();
SELECT * FROM reports.feed_total();
SELECT * FROM cache_delta();

-- After the subscription is gone, the entry from before it is not served: apply changed the data.
ALTER SUBSCRIPTION cache_sub DISABLE;
ALTER SUBSCRIPTION cache_sub SET (slot_name = NONE);
DROP SUBSCRIPTION cache_sub;
DO $$
BEGIN
  FOR i IN 1..600 LOOP
    EXIT WHEN NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'cache_sub' AND active);
    PERFORM pg_sleep(0.1);
  END LOOP;
END $$;
SELECT pg_drop_replication_slot('cache_sub');
SELECT * FROM reports.feed_total();
SELECT * FROM reports.feed_total();
SELECT * FROM cache_delta();

SELECT autoreport.drop_report('feed_total');
DROP TABLE feed, last_stats;
DROP FUNCTION cache_delta();
DROP DATABASE cache_pub WITH (FORCE);
