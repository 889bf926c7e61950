-- advise(): candidates from the workload's predicates, joins, GROUP BY and ORDER BY, costed on
-- hypothetical indexes, chosen within the budget; every suggestion used by a plan, and used for real
-- once built; existing indexes taken into account; the captured workload; errors.
CREATE EXTENSION IF NOT EXISTS autoreport;
CREATE SCHEMA adv;
CREATE TABLE adv.customers (id int PRIMARY KEY, region text NOT NULL, name text NOT NULL);
INSERT INTO adv.customers SELECT i, (ARRAY['north', 'south', 'east', 'west'])[1 + i % 4] || (i % 50)::text,
       'customer ' || i FROM generate_series(1, 20000) AS i;
CREATE TABLE adv.orders (id int PRIMARY KEY, customer int NOT NULL, status text NOT NULL, created date NOT NULL,
                         total numeric(12, 2) NOT NULL, note text);
INSERT INTO adv.orders
SELECT i, 1 + (i * 7919) % 20000, CASE WHEN i % 100 = 0 THEN 'open' WHEN i % 10 = 0 THEN 'held' ELSE 'done' END,
       date '2024-01-01' + (i % 366), (i % 1000) * 1.25, repeat('x', 40)
  FROM generate_series(1, 200000) AS i;
ANALYZE adv.customers, adv.orders;

CREATE TEMP TABLE workload(n int, q text);
INSERT INTO workload VALUES
  (1, 'SELECT id, total FROM adv.orders WHERE customer = 4242'),
  (2, 'SELECT count(*) FROM adv.orders WHERE status = ''open'' AND created >= date ''2024-12-01'''),
  (3, 'SELECT c.name, o.total FROM adv.customers AS c JOIN adv.orders AS o ON o.customer = c.id WHERE c.region = ''north7'''),
  (4, 'SELECT name FROM adv.customers WHERE id = 5'),
  (5, 'SELECT id FROM adv.orders ORDER BY created DESC, id DESC LIMIT 10');

-- The advice: the CREATE INDEX statements, their sizes, the savings, how many queries use each; then
-- the summary.
CREATE TEMP TABLE advice AS
SELECT row_number() OVER () AS n, * FROM autoreport.advise('1GB', (SELECT array_agg(q ORDER BY n) FROM workload));
SELECT ddl, bytes > 0 AS sized, cost_saving > 0 AS saves, queries FROM advice WHERE ddl NOT LIKE '--%' ORDER BY ddl;
SELECT n = (SELECT max(n) FROM advice) AS last, ddl ~ '^-- workload cost \d+ -> \d+ \(\d+\.\d% less\) with 4 indexes of .* \(budget 1024 MB\); 5 queries, \d+ candidates, \d+ what-if plannings \(\d+ answered from the cache\), [0-9.]+ s$' AS summary,
       bytes = (SELECT sum(bytes) FROM advice WHERE ddl NOT LIKE '--%') AS total_bytes,
       cost_saving > 0 AS saves, queries
  FROM advice WHERE ddl LIKE '--%';

-- Each suggestion is what what_if uses for some query of the workload.
SELECT a.ddl, count(*) FILTER (WHERE cardinality(w.used) > 0) AS used_by
  FROM advice AS a, workload AS q, autoreport.what_if(q.q, ARRAY[a.ddl]) AS w
 WHERE a.ddl NOT LIKE '--%' GROUP BY a.ddl ORDER BY a.ddl;

-- Built for real: the plans use them, and each is within 15% of the size advise estimated.
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT ddl FROM advice WHERE ddl NOT LIKE '--%' LOOP
    EXECUTE r.ddl;
  END LOOP;
END $$;
SELECT a.ddl, abs(pg_relation_size(i.indexrelid) - a.bytes)::float8 / pg_relation_size(i.indexrelid) < 0.15 AS within_15_percent
  FROM advice AS a
  JOIN pg_index AS i ON a.ddl = 'CREATE INDEX ON ' || i.indrelid::regclass::text || ' ('
       || (SELECT string_agg(attname, ', ' ORDER BY k) FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS u(att, k)
             JOIN pg_attribute ON attrelid = i.indrelid AND attnum = u.att) || ')'
 WHERE a.ddl NOT LIKE '--%' ORDER BY a.ddl;
SELECT n, (SELECT string_agg(DISTINCT m[1], ', ') FROM regexp_matches(plan::text, '"Index Name": "([^"]+)"', 'g') AS m) AS indexes
  FROM workload, LATERAL (SELECT autoreport.explain(q) AS e) AS x, LATERAL (SELECT (x.e).detail AS plan) AS p
 WHERE (x.e).finding = 'plan' ORDER BY n;

-- Existing indexes are taken into account: nothing more to suggest.
SELECT ddl LIKE '-- workload cost % with 0 indexes %' AS nothing_more
  FROM autoreport.advise('1GB', (SELECT array_agg(q ORDER BY n) FROM workload));
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT i.indexrelid::regclass AS ix FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indrelid
            WHERE c.relnamespace = 'adv'::regnamespace AND NOT i.indisprimary LOOP
    EXECUTE 'DROP INDEX ' || r.ix;
  END LOOP;
END $$;

-- The budget: a size, or a share of the workload's tables; what does not fit is left out.
SELECT count(*) - 1 AS indexes, max(bytes) FILTER (WHERE ddl LIKE '--%') <= 300 * 1024 AS within
  FROM autoreport.advise('300kB', (SELECT array_agg(q ORDER BY n) FROM workload));
SELECT count(*) - 1 AS indexes FROM autoreport.advise('0', (SELECT array_agg(q ORDER BY n) FROM workload));
SELECT max(bytes) FILTER (WHERE ddl LIKE '--%') <= 0.05 * (pg_relation_size('adv.orders') + pg_relation_size('adv.customers')) AS within_share
  FROM autoreport.advise('5%', (SELECT array_agg(q ORDER BY n) FROM workload));

-- A constant the query writes makes partial candidates: the largest open orders (1% of them), in a
-- budget no index on every row fits, get an index of the open orders only; built, the plan uses it.
CREATE TEMP TABLE partial AS
SELECT ddl, bytes FROM autoreport.advise('200kB', ARRAY['SELECT id, total FROM adv.orders WHERE status = ''open'' ORDER BY total DESC LIMIT 5'])
 WHERE ddl NOT LIKE '--%';
SELECT ddl, bytes < 200 * 1024 AS within FROM partial;
SELECT autoreport.estimate_index_size('CREATE INDEX ON adv.orders (total)') > 200 * 1024 AS a_full_index_does_not_fit;
DO $$ BEGIN EXECUTE (SELECT ddl FROM partial); END $$;
SELECT (SELECT string_agg(DISTINCT m[1], ', ') FROM regexp_matches(detail, '"Index Name": "([^"]+)"', 'g') AS m) AS index_used
  FROM autoreport.explain('SELECT id, total FROM adv.orders WHERE status = ''open'' ORDER BY total DESC LIMIT 5') WHERE finding = 'plan';
DROP INDEX adv.orders_total_idx;
-- A value written with a cast (as a captured statement's bound parameters come back) is taken for a
-- parameter, not a constant of the query: no partial index for it.
SELECT count(*) FILTER (WHERE ddl LIKE '% WHERE %') AS partial
  FROM autoreport.advise('1GB', ARRAY['SELECT id, total FROM adv.orders WHERE status = ''open''::text ORDER BY total DESC LIMIT 5']);

-- The captured workload, weighted by calls, its constants put back.
SELECT autoreport.clear_captured() >= 0 AS cleared;
SET autoreport.capture_min_duration = 0;
SELECT id, total FROM adv.orders WHERE customer = 4242;
SELECT id, total FROM adv.orders WHERE customer = 17;
SELECT count(*) FROM adv.orders WHERE status = 'open' AND created >= date '2024-12-01';
CREATE TABLE adv.gone (x int);
SELECT x FROM adv.gone WHERE x = 1;
SET autoreport.capture_min_duration = -1;
DROP TABLE adv.gone;
SELECT ddl, queries FROM autoreport.advise() WHERE ddl LIKE '%adv.%' ORDER BY ddl;
SELECT ddl ~ ' \d+ queries \(1 captured statement skipped: it cannot be planned again\)' AS summary
  FROM autoreport.advise() WHERE ddl LIKE '--%';

-- Errors.
SELECT * FROM autoreport.advise('lots', ARRAY['SELECT 1']);
SELECT * FROM autoreport.advise('-1MB', ARRAY['SELECT 1']);
SELECT * FROM autoreport.advise('-5%', ARRAY['SELECT 1']);
SELECT * FROM autoreport.advise(NULL, ARRAY['SELECT 1']);
SELECT * FROM autoreport.advise('1GB', ARRAY['SELECT 1', NULL]);
SELECT * FROM autoreport.advise('1GB', ARRAY['CREATE TABLE adv.x ()']);
SELECT * FROM autoreport.advise('1GB', ARRAY['SELECT * FROM adv.missing']);
SELECT * FROM autoreport.advise('1GB', ARRAY['SELECT 1; SELECT 2']);
CREATE ROLE advise_user;
SET ROLE advise_user;
SELECT * FROM autoreport.advise('1GB', ARRAY['SELECT * FROM adv.orders WHERE customer = 1']);
RESET ROLE;
GRANT USAGE ON SCHEMA adv TO advise_user;
SET ROLE advise_user;
SELECT * FROM autoreport.advise('1GB', ARRAY['SELECT * FROM adv.orders WHERE customer = 1']);
RESET ROLE;
REVOKE USAGE ON SCHEMA adv FROM advise_user;
DROP ROLE advise_user;
SELECT ddl LIKE '-- workload cost % with 0 indexes %' AS empty FROM autoreport.advise('1GB', '{}');

DROP SCHEMA adv CASCADE;
