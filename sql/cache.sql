-- The result cache: hits, misses, and every way the data can change under a cached result.
CREATE TABLE orders_c (id serial PRIMARY KEY, region text NOT NULL, amount numeric NOT NULL);
INSERT INTO orders_c (region, amount) SELECT CASE WHEN i % 2 = 0 THEN 'EMEA' ELSE 'APAC' END, i FROM generate_series(1, 10) AS i;
SELECT autoreport.define_report('region_totals',
  'SELECT region, count(*) AS orders, sum(amount) AS total FROM orders_c WHERE amount >= :min GROUP BY region ORDER BY region',
  '{"min": {"type": "numeric", "default": 0}}') AS version;
SELECT cacheable, cache_note FROM autoreport.reports WHERE name = 'region_totals';
-- The table is watched by a statement trigger that fires even in replication apply.
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'orders_c'::regclass ORDER BY tgname;

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

-- A partitioned table is watched with its partitions: a write straight into a partition is seen.
SELECT n FROM reports.parts();
INSERT INTO parted_1 VALUES (1);
SELECT n FROM reports.parts();
SELECT * FROM pg_temp.cache_delta();

-- Every write path reaches the cache (issue 11, item 5). A table read through inheritance, written
-- through a child only:
CREATE TABLE inh_parent (k int);
CREATE TABLE inh_child () INHERITS (inh_parent);
INSERT INTO inh_parent VALUES (1);
INSERT INTO inh_child VALUES (10);
SELECT autoreport.define_report('inh_total', 'SELECT count(*) AS n, sum(k) AS total FROM inh_parent');
SELECT autoreport.define_report('child_total', 'SELECT count(*) AS n, sum(k) AS total FROM inh_child');
SELECT * FROM reports.inh_total();
SELECT * FROM reports.child_total();
INSERT INTO inh_child VALUES (20);
SELECT * FROM reports.inh_total();
-- A child read directly, written through its parent (the parent's statement trigger fires, not its):
UPDATE inh_parent SET k = k + 1;
SELECT * FROM reports.child_total();
SELECT * FROM pg_temp.cache_delta();
-- A child attached after the report was defined is not watched: the cache steps aside until the
-- report is redefined, and the rows of the new child are there.
CREATE TABLE inh_late (k int);
INSERT INTO inh_late VALUES (100);
ALTER TABLE inh_late INHERIT inh_parent;
SELECT * FROM reports.inh_total();
INSERT INTO inh_late VALUES (200);
SELECT * FROM reports.inh_total();
SELECT * FROM pg_temp.cache_delta();
SELECT autoreport.define_report('inh_total', 'SELECT count(*) AS n, sum(p.k) AS total FROM inh_parent AS p');
SELECT * FROM reports.inh_total();
INSERT INTO inh_late VALUES (300);
SELECT * FROM reports.inh_total();
-- Detaching it changes what the parent reads, and is seen too.
ALTER TABLE inh_late NO INHERIT inh_parent;
SELECT * FROM reports.inh_total();
SELECT * FROM pg_temp.cache_delta();
-- A partition read directly, written through its partitioned parent:
CREATE TABLE parted2 (k int) PARTITION BY RANGE (k);
CREATE TABLE parted2_low PARTITION OF parted2 FOR VALUES FROM (0) TO (100);
SELECT autoreport.define_report('low_part', 'SELECT count(*) AS n FROM parted2_low');
SELECT n FROM reports.low_part();
INSERT INTO parted2 VALUES (5);
SELECT n FROM reports.low_part();
DELETE FROM parted2;
SELECT n FROM reports.low_part();
SELECT * FROM pg_temp.cache_delta();
-- A user's function labelled IMMUTABLE may read a table: not cached, and the note names it.
CREATE TABLE rates (r numeric);
INSERT INTO rates VALUES (2);
CREATE FUNCTION current_rate() RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT r FROM rates';
SELECT autoreport.define_report('rated', 'SELECT count(*) * current_rate() AS total FROM orders_c');
SELECT cacheable, cache_note FROM autoreport.reports WHERE name = 'rated';
SELECT * FROM reports.rated();
UPDATE rates SET r = 3;
SELECT * FROM reports.rated();
-- Operators and domain constraints run functions too.
CREATE FUNCTION times_rate(numeric, numeric) RETURNS numeric LANGUAGE sql IMMUTABLE
  AS 'SELECT $1 * $2 * (SELECT r FROM rates)';
CREATE OPERATOR *** (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = times_rate);
SELECT autoreport.define_report('rated_op', 'SELECT sum(amount) *** 1 AS total FROM orders_c');
CREATE DOMAIN rated_amount AS numeric CHECK (VALUE < current_rate() * 1000000);
SELECT autoreport.define_report('rated_domain', 'SELECT count(*) AS n FROM orders_c WHERE amount::rated_amount > 0');
SELECT name, cacheable, cache_note FROM autoreport.reports WHERE name IN ('rated_op', 'rated_domain') ORDER BY name;

-- Owner-level operations never leave a stale entry, nor bring back one from before (item 6).
CREATE TABLE stock (qty numeric NOT NULL);
INSERT INTO stock VALUES (1), (2);
SELECT autoreport.define_report('amounts', 'SELECT count(*) AS n, sum(qty) AS total FROM stock');
SELECT * FROM reports.amounts();
-- A table rewrite fires no trigger; the table gets a new file.
ALTER TABLE stock ALTER COLUMN qty TYPE numeric USING qty * 10;
SELECT * FROM reports.amounts();
SELECT * FROM reports.amounts();
SELECT * FROM pg_temp.cache_delta();
-- Trigger disabled, rows loaded, trigger enabled again: the entry from before is not served again.
ALTER TABLE stock DISABLE TRIGGER autoreport_cache_invalidate;
INSERT INTO stock VALUES (7);
ALTER TABLE stock ENABLE ALWAYS TRIGGER autoreport_cache_invalidate;
SELECT * FROM reports.amounts();
SELECT * FROM pg_temp.cache_delta();
-- ENABLE TRIGGER ALL turns ENABLE ALWAYS into ENABLE, which session_replication_role = replica
-- silences: the table is no longer watched.
ALTER TABLE stock DISABLE TRIGGER ALL;
ALTER TABLE stock ENABLE TRIGGER ALL;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'stock'::regclass ORDER BY tgname;
SET session_replication_role = replica;
INSERT INTO stock VALUES (8);
RESET session_replication_role;
SELECT * FROM reports.amounts();
SELECT * FROM pg_temp.cache_delta();
-- Redefining the report watches the table again.
SELECT autoreport.define_report('amounts', 'SELECT count(*) AS n, sum(s.qty) AS total FROM stock AS s');
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'stock'::regclass ORDER BY tgname;
SELECT * FROM reports.amounts();
SELECT * FROM reports.amounts();
SELECT * FROM pg_temp.cache_delta();
-- An impostor under the trigger's name is not the trigger.
CREATE FUNCTION do_nothing() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
DROP TRIGGER autoreport_cache_invalidate ON stock;
CREATE TRIGGER autoreport_cache_invalidate AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stock
  FOR EACH STATEMENT EXECUTE FUNCTION do_nothing();
ALTER TABLE stock ENABLE ALWAYS TRIGGER autoreport_cache_invalidate;
INSERT INTO stock VALUES (9);
SELECT * FROM reports.amounts();
SELECT * FROM pg_temp.cache_delta();
SELECT autoreport.define_report('amounts', 'SELECT count(*) AS n, sum(qty) AS total FROM stock');
SELECT tgfoid::regproc FROM pg_trigger WHERE tgrelid = 'stock'::regclass AND tgname = 'autoreport_cache_invalidate';

-- Role renames: a policy comparing current_user sees the new name, and so does the cache (item 7).
CREATE ROLE cache_alice;
CREATE TABLE notes (owner name NOT NULL, body text NOT NULL);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON notes USING (owner = current_user);
GRANT SELECT ON notes TO cache_alice;
INSERT INTO notes VALUES ('cache_alice', 'alice''s secret'), ('cache_carol', 'carol''s note');
SELECT autoreport.define_report('my_notes', 'SELECT body FROM notes ORDER BY body');
SELECT cacheable FROM autoreport.reports WHERE name = 'my_notes';
GRANT EXECUTE ON FUNCTION reports.my_notes() TO cache_alice;
SET ROLE cache_alice;
SELECT * FROM reports.my_notes();
RESET ROLE;
ALTER ROLE cache_alice RENAME TO cache_carol;
SET ROLE cache_carol;
SELECT * FROM reports.my_notes();
RESET ROLE;

-- Values turned into text inside the query follow the caller's settings (item 9).
SELECT autoreport.define_report('float_text', 'SELECT (sum(r) / 7)::float8::text AS third FROM rates');
SELECT autoreport.define_report('interval_text', 'SELECT (interval ''1 day 2 hours'' * count(*))::text AS span FROM rates');
SELECT name, cacheable, cache_note FROM autoreport.reports WHERE name IN ('float_text', 'interval_text') ORDER BY name;
SET extra_float_digits = 0;
SELECT * FROM reports.float_text();
SELECT * FROM reports.interval_text();
SET extra_float_digits = 3;
SELECT * FROM reports.float_text();
SET IntervalStyle = 'iso_8601';
SELECT * FROM reports.interval_text();
RESET IntervalStyle;
SELECT * FROM reports.interval_text();
RESET extra_float_digits;
SELECT * FROM reports.float_text();
SELECT * FROM pg_temp.cache_delta();

-- The cache's own writes never fail the caller; a serializable transaction does not use the cache
-- (its predicate locks on the cache's tables could fail the caller's commit) (item 10).
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT * FROM reports.amounts();
COMMIT;
SELECT * FROM pg_temp.cache_delta();

-- cache_stats shows others' activity only to those who may see it (item 19).
CREATE ROLE cache_outsider;
SET ROLE cache_outsider;
SELECT hits, misses, evictions, bypassed, entries, bytes, hit_percent FROM autoreport.cache_stats;
RESET ROLE;
SELECT hits IS NOT NULL AS sees_counters, entries > 0 AS sees_entries FROM autoreport.cache_stats;
GRANT pg_read_all_stats TO cache_outsider;
SET ROLE cache_outsider;
SELECT hits IS NOT NULL AS sees_counters, entries > 0 AS sees_entries FROM autoreport.cache_stats;
RESET ROLE;
-- A role sees its own entries.
SET ROLE cache_carol;
SELECT * FROM reports.my_notes();
SELECT hits IS NULL AS counters_hidden, entries, bytes > 0 AS has_bytes FROM autoreport.cache_stats;
RESET ROLE;

-- Dropping the last report that reads a table removes the trigger from it.
SELECT autoreport.drop_report(name) FROM autoreport.reports WHERE name IN ('region_totals', 'big', 'brief', 'today', 'lucky', 'wide', 'amounts', 'rated', 'rated_op', 'rated_domain', 'float_text', 'interval_text');
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'orders_c'::regclass;
SELECT autoreport.drop_report(name) FROM autoreport.reports
  WHERE name IN ('parts', 'catalog', 'inh_total', 'child_total', 'low_part', 'my_notes');
SELECT count(*) AS triggers_left FROM pg_trigger
  WHERE tgrelid IN ('parted'::regclass, 'parted_1'::regclass, 'inh_parent'::regclass, 'inh_child'::regclass,
                    'inh_late'::regclass, 'parted2'::regclass, 'parted2_low'::regclass, 'stock'::regclass, 'notes'::regclass);
DROP OWNED BY cache_carol, cache_outsider;
DROP ROLE cache_carol, cache_outsider;
