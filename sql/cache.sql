-- The result cache: hits, misses, and every way the data can change under a cached result.
CREATE TABLE orders_c (id serial PRIMARY KEY, region text NOT NULL, amount numeric NOT NULL);
INSERT INTO orders_c (region, amount) SELECT CASE WHEN i % 2 = 0 THEN 'EMEA' ELSE 'APAC' END, i FROM generate_series(1, 10) AS i;
SELECT autoreport.define_report('region_totals',
  'SELECT region, count(*) AS orders, sum(amount) AS total FROM orders_c WHERE amount >= :min GROUP BY region ORDER BY region',
  '{"min": {"type": "numeric", "default": 0}}') AS version;
SELECT cacheable, cache_note FROM autoreport.reports WHERE name = 'region_totals';
-- The table is watched by a statement trigger that fires even in replication apply.
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'orders_c'::regclass;

-- A helper that shows what the cache did since the last call.
CREATE TEMP TABLE last_stats AS SELECT hits, misses, bypassed FROM autoreport.cache_stats;
CREATE FUNCTION pg_temp.cache_delta() RETURNS TABLE (hits bigint, misses bigint, bypassed bigint)
  LANGUAGE plpgsql AS $$
  DECLARE n record;
  BEGIN
    SELECT s.hits, s.misses, s.bypassed INTO n FROM autoreport.cache_stats AS s;
    RETURN QUERY SELECT n.hits - l.hits, n.misses - l.misses, n.bypassed - l.bypassed FROM last_stats AS l;
    UPDATE last_stats SET hits = n.hits, misses = n.misses, bypassed = n.bypassed;
  END $$;

SELECT * FROM reports.region_totals();
SELECT * FROM pg_temp.cache_delta();
SELECT * FROM reports.region_totals();
SELECT * FROM pg_temp.cache_delta();
-- run() and render() share the cached rows.
SELECT * FROM autoreport.run('region_totals');
SELECT convert_from(autoreport.render('region_totals', '{}', 'csv'), 'UTF8') AS csv;
SELECT * FROM pg_temp.cache_delta();
-- Other parameters, other entry.
SELECT * FROM reports.region_totals(min => 5);
SELECT * FROM pg_temp.cache_delta();

-- Every kind of write makes cached results computed before it stale.
INSERT INTO orders_c (region, amount) VALUES ('AMER', 100);
SELECT * FROM reports.region_totals();
SELECT * FROM pg_temp.cache_delta();
UPDATE orders_c SET amount = amount * 2 WHERE region = 'AMER';
SELECT * FROM reports.region_totals();
DELETE FROM orders_c WHERE region = 'AMER';
SELECT * FROM reports.region_totals();
COPY orders_c (region, amount) FROM stdin;
AMER	1
\.
SELECT * FROM reports.region_totals();
SELECT * FROM pg_temp.cache_delta();

-- A transaction that sees its own uncommitted change never gets the entry computed without it;
-- after its rollback, the entry serves again.
SELECT * FROM reports.region_totals();
SELECT * FROM pg_temp.cache_delta();
BEGIN;
INSERT INTO orders_c (region, amount) VALUES ('AMER', 1000);
SELECT * FROM reports.region_totals();
ROLLBACK;
SELECT * FROM reports.region_totals();
SELECT * FROM pg_temp.cache_delta();

-- TRUNCATE too.
CREATE TABLE orders_backup AS SELECT * FROM orders_c;
TRUNCATE orders_c;
SELECT * FROM reports.region_totals();
INSERT INTO orders_c SELECT * FROM orders_backup;
SELECT * FROM reports.region_totals();
SELECT * FROM pg_temp.cache_delta();

-- A report over a view is watched through the tables behind the view.
CREATE VIEW big_orders AS SELECT * FROM orders_c WHERE amount > 5;
SELECT autoreport.define_report('big', 'SELECT count(*) AS n FROM big_orders');
SELECT cacheable FROM autoreport.reports WHERE name = 'big';
SELECT * FROM reports.big();
SELECT * FROM reports.big();
INSERT INTO orders_c (region, amount) VALUES ('EMEA', 50);
SELECT * FROM reports.big();
SELECT * FROM pg_temp.cache_delta();

-- Results that depend on more than the data are never cached, and say why.
SELECT autoreport.define_report('today', 'SELECT count(*) AS n, current_date AS day FROM orders_c');
SELECT autoreport.define_report('lucky', 'SELECT count(*) AS n FROM orders_c WHERE random() < 2');
CREATE TABLE parted (k int) PARTITION BY RANGE (k);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
SELECT autoreport.define_report('parts', 'SELECT count(*) AS n FROM parted');
SELECT autoreport.define_report('catalog', 'SELECT count(*) AS n FROM pg_class WHERE relname = ''orders_c''');
SELECT name, cacheable, cache_note FROM autoreport.reports WHERE name IN ('today', 'lucky', 'parts', 'catalog') ORDER BY name;
SELECT n FROM reports.lucky();
SELECT n FROM reports.lucky();
SELECT * FROM pg_temp.cache_delta();

-- A disabled trigger means writes can no longer be seen: the cache steps aside.
ALTER TABLE orders_c DISABLE TRIGGER autoreport_cache_invalidate;
SELECT count(*) FROM reports.region_totals();
SELECT * FROM pg_temp.cache_delta();
ALTER TABLE orders_c ENABLE ALWAYS TRIGGER autoreport_cache_invalidate;

-- Switched off by a setting; too large for the per-entry limit; expired by time to live.
SET autoreport.cache = off;
SELECT count(*) FROM reports.region_totals();
SELECT * FROM pg_temp.cache_delta();
RESET autoreport.cache;
SELECT autoreport.clear_cache('big') AS cleared;
SET autoreport.cache_max_entry_size = 0;
SELECT count(*) FROM reports.big();
SELECT count(*) FROM reports.big();
SELECT * FROM pg_temp.cache_delta();
RESET autoreport.cache_max_entry_size;
SELECT autoreport.define_report('brief', 'SELECT count(*) AS n FROM orders_c', cache_ttl => '1 second');
SELECT n FROM reports.brief();
SELECT pg_sleep(1.2);
SELECT n FROM reports.brief();
SELECT * FROM pg_temp.cache_delta();

-- clear_cache() empties it (for one report, or all) and says how much it removed.
SELECT count(*) > 0 AS has_entries FROM autoreport.cache_entry;
SELECT autoreport.clear_cache('region_totals') > 0 AS cleared_one;
SELECT count(*) FROM autoreport.cache_entry WHERE report = 'region_totals';
SELECT autoreport.clear_cache() >= 0 AS cleared_all;
SELECT entries, bytes FROM autoreport.cache_stats;

-- Beyond autoreport.cache_max_size the least recently used entries are evicted.
SELECT autoreport.clear_cache() >= 0 AS cleared;
SET autoreport.cache_max_size = '8kB';
SELECT autoreport.define_report('wide', 'SELECT i, repeat(''x'', 1000) AS filler FROM generate_series(1, :n) AS i',
  '{"n": "integer"}');
SELECT count(*) FROM reports.wide(1);
SELECT count(*) FROM reports.wide(2);
SELECT count(*) FROM reports.wide(3);
SELECT count(*) FROM reports.wide(4);
SELECT evictions > 0 AS evicted, bytes <= 8192 AS within_limit, entries < 4 AS fewer_entries FROM autoreport.cache_stats;
SELECT array_agg(params ORDER BY params) AS kept FROM autoreport.cache_entry WHERE report = 'wide';
RESET autoreport.cache_max_size;

-- Dropping the last report that reads a table removes the trigger from it.
SELECT autoreport.drop_report(name) FROM autoreport.reports WHERE name IN ('region_totals', 'big', 'brief', 'today', 'lucky', 'wide');
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'orders_c'::regclass;
