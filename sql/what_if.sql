-- Hypothetical indexes: what_if() costs a query with indexes that do not exist, as HypoPG does, and
-- estimate_index_size() says what CREATE INDEX would write. Costs and sizes depend on ANALYZE's
-- sample, so they are compared (with HypoPG's, with a real index), not printed.
CREATE EXTENSION IF NOT EXISTS autoreport;
CREATE EXTENSION IF NOT EXISTS hypopg;
\set VERBOSITY terse

CREATE TABLE wi (id int PRIMARY KEY, a int, b text, c numeric, d date, e float8, skew int)
  WITH (autovacuum_enabled = off); -- no autovacuum between our planning and HypoPG's
INSERT INTO wi SELECT i, i % 100, md5(i::text), i / 7.0, date '2020-01-01' + i % 1000, (i * 7919 % 100003) / 100003.0,
  CASE WHEN i % 10 < 8 THEN 1 ELSE i END
  FROM generate_series(1, 200000) AS i;
-- Every row in the sample (300 × 1000 >= 200,000), so the statistics, and the costs compared below,
-- are the same on every run: with a partial sample an unlucky one moved a cost by a cent.
SET default_statistics_target = 1000;
ANALYZE wi;
RESET default_statistics_target;

-- HypoPG's cost of a query with hypothetical indexes (its EXPLAIN, as it prints it: two decimals).
CREATE FUNCTION hypopg_cost(q text, idx text[]) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  i text;
  j json;
BEGIN
  PERFORM hypopg_reset();
  FOREACH i IN ARRAY idx LOOP
    PERFORM hypopg_create_index(i);
  END LOOP;
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO j;
  PERFORM hypopg_reset();
  RETURN (j -> 0 -> 'Plan' ->> 'Total Cost')::float8;
END $$;

-- The cost before, the cost after (HypoPG's to the cent), the hypothetical indexes the plan uses.
CREATE TABLE wi_case (n int, q text, idx text[]);
INSERT INTO wi_case VALUES
  (1, 'SELECT * FROM wi WHERE a = 5', ARRAY['CREATE INDEX ON wi (a)']),
  (2, 'SELECT * FROM wi WHERE a BETWEEN 5 AND 30', ARRAY['CREATE INDEX ON wi (a)']),
  (3, 'SELECT * FROM wi WHERE b = ''x''', ARRAY['CREATE INDEX ON wi (a)', 'CREATE INDEX wi_b ON wi (b)']),
  (4, 'SELECT * FROM wi WHERE a = 5 AND d > ''2021-01-01''', ARRAY['CREATE INDEX ON wi (a, d)']),
  (5, 'SELECT * FROM wi WHERE lower(b) = ''x''', ARRAY['CREATE INDEX ON wi (lower(b))']),
  (6, 'SELECT a, d FROM wi WHERE d = ''2020-02-01''', ARRAY['CREATE INDEX ON wi (d) INCLUDE (a)']),
  (7, 'SELECT * FROM wi ORDER BY e DESC LIMIT 10', ARRAY['CREATE INDEX ON wi (e DESC)']),
  (8, 'SELECT * FROM wi WHERE b = ''x''', ARRAY['CREATE INDEX ON wi USING hash (b)']),
  (9, 'SELECT * FROM wi x JOIN wi y ON y.a = x.id WHERE x.id < 50', ARRAY['CREATE INDEX ON wi (a)']),
  (10, 'SELECT count(*) FROM wi WHERE e < 0.01', ARRAY['CREATE INDEX ON wi (a)', 'CREATE INDEX ON wi (e)']),
  (11, 'UPDATE wi SET c = 0 WHERE b = ''x''', ARRAY['CREATE INDEX ON wi (b)']),
  (12, 'SELECT * FROM wi WHERE id = (SELECT max(a) FROM wi WHERE d = ''2020-03-01'')', ARRAY['CREATE INDEX ON wi (d)']),
  (13, 'SELECT * FROM wi', ARRAY[]::text[]);
SELECT n, w.cost_after < w.cost_before AS cheaper, round(w.cost_after::numeric, 2) = round(hypopg_cost(q, idx)::numeric, 2) AS as_hypopg,
       w.used, w.plan_after -> 0 -> 'Plan' ->> 'Node Type' AS top
  FROM wi_case, autoreport.what_if(q, idx) AS w ORDER BY n;

-- The plan names the hypothetical indexes as CREATE INDEX would (or as given).
SELECT jsonb_path_query(plan_after::jsonb, 'strict $.**."Index Name"') FROM autoreport.what_if(
  'SELECT * FROM wi WHERE a = 1 OR b = ''y''', ARRAY['CREATE INDEX ON wi (a)', 'CREATE INDEX ON wi (b)']);

-- A partial index is used when the query implies its predicate (HypoPG does not use it; the real
-- index is used, at a cost within 2% of ours).
SELECT w.used, w.cost_after < w.cost_before AS cheaper FROM autoreport.what_if(
  'SELECT * FROM wi WHERE a = 5 AND c > 100', ARRAY['CREATE INDEX ON wi (a) WHERE c > 100']) AS w;
SELECT used FROM autoreport.what_if('SELECT * FROM wi WHERE a = 5 AND c < 100', ARRAY['CREATE INDEX ON wi (a) WHERE c > 100']);
CREATE TEMP TABLE wi_cost AS SELECT cost_after FROM autoreport.what_if(
  'SELECT * FROM wi WHERE a = 5 AND c > 100', ARRAY['CREATE INDEX ON wi (a) WHERE c > 100']);
BEGIN;
CREATE INDEX wi_partial ON wi (a) WHERE c > 100;
SELECT abs(w.cost_before / c.cost_after - 1) < 0.02 AS close_to_real
  FROM wi_cost AS c, autoreport.what_if('SELECT * FROM wi WHERE a = 5 AND c > 100', ARRAY[]::text[]) AS w;
ROLLBACK;

-- Nothing is built and nothing outlives the call: the session's own plans do not see them.
SELECT count(*) AS indexes FROM pg_indexes WHERE tablename = 'wi';
EXPLAIN (COSTS OFF) SELECT * FROM wi WHERE a = 5;

-- A function the planner evaluates on the way plans its own statements without them: its custom plan
-- (made again at each call) would otherwise scan an index that does not exist, and fail.
CREATE FUNCTION wi_probe(x int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN (SELECT count(*) FROM wi WHERE a = x);
END $$;
SELECT used FROM autoreport.what_if('SELECT * FROM wi WHERE id = wi_probe(7)', ARRAY['CREATE INDEX ON wi (a)']);
SELECT wi_probe(7);

-- estimate_index_size() against the real index: within 15% (B-tree, deduplicated or not,
-- multicolumn, expression, partial, INCLUDE, fillfactor, hash, BRIN; skewed values).
CREATE FUNCTION real_size(s text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  EXECUTE regexp_replace(s, ' ON ', ' wi_probe_idx ON ');
  n := pg_relation_size('wi_probe_idx');
  DROP INDEX wi_probe_idx;
  RETURN n;
END $$;
SELECT s, autoreport.estimate_index_size(s)::numeric / real_size(s) BETWEEN 0.85 AND 1.15 AS within_15_percent
  FROM (VALUES ('CREATE INDEX ON wi (id)'), ('CREATE UNIQUE INDEX ON wi (id)'), ('CREATE INDEX ON wi (a)'),
    ('CREATE INDEX ON wi (b)'), ('CREATE INDEX ON wi (c)'), ('CREATE INDEX ON wi (d)'), ('CREATE INDEX ON wi (skew)'),
    ('CREATE INDEX ON wi (a, d)'), ('CREATE INDEX ON wi (d, b)'), ('CREATE INDEX ON wi (lower(b))'),
    ('CREATE INDEX ON wi (a) WHERE c > 100'), ('CREATE INDEX ON wi (d) INCLUDE (a)'),
    ('CREATE INDEX ON wi (a) WITH (fillfactor = 50)'), ('CREATE INDEX ON wi (a) WITH (deduplicate_items = off)'),
    ('CREATE INDEX ON wi USING hash (b)'), ('CREATE INDEX ON wi USING hash (a)'), ('CREATE INDEX ON wi USING brin (d)')) AS c (s);
SELECT autoreport.estimate_index_size('CREATE INDEX ON wi (a)') = autoreport.estimate_index_size('create index on public.wi using btree (a asc)') AS same;

-- Errors.
SELECT * FROM autoreport.what_if(NULL, ARRAY['CREATE INDEX ON wi (a)']);
SELECT * FROM autoreport.what_if('SELECT 1', NULL);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY[NULL]);
SELECT * FROM autoreport.what_if('SELECT 1; SELECT 2', ARRAY[]::text[]);
SELECT * FROM autoreport.what_if('', ARRAY[]::text[]);
SELECT * FROM autoreport.what_if('VACUUM wi', ARRAY[]::text[]);
SELECT * FROM autoreport.what_if('SELECT * FROM nowhere', ARRAY[]::text[]);
SELECT * FROM autoreport.what_if('SELEC 1', ARRAY[]::text[]);
SELECT * FROM autoreport.what_if('SELECT $1', ARRAY[]::text[]);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['DROP TABLE wi']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi (a); DROP TABLE wi']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON nowhere (a)']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi (a)', 'CREATE INDEX ON wi (nothing)']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi (ctid)']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi ((a + random()))']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi (a) WHERE random() > 0.5']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi USING gin (a)']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi USING nothing (a)']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi USING hash (a, b)']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE UNIQUE INDEX ON wi USING hash (a)']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi USING hash (a DESC)']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi (a) INCLUDE ((a + 1))']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi (a) WITH (fillfactor = 5)']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi (a) WITH (colour = 1)']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi (a text_pattern_ops)']);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi (a COLLATE "C")']);
CREATE VIEW wi_view AS SELECT * FROM wi;
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi_view (a)']);
DROP VIEW wi_view;
SELECT * FROM autoreport.what_if('SELECT 1', array_fill('CREATE INDEX ON wi (a)'::text, ARRAY[1025]));
SELECT autoreport.estimate_index_size(NULL);
SELECT autoreport.estimate_index_size('CREATE TABLE x (a int)');
SELECT autoreport.estimate_index_size('CREATE INDEX ON wi (nothing)');

-- A partitioned table: its partitions are named instead.
CREATE TABLE wi_parted (k int, v int) PARTITION BY RANGE (k);
CREATE TABLE wi_part1 PARTITION OF wi_parted FOR VALUES FROM (0) TO (1000);
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi_parted (v)']);
SELECT used FROM autoreport.what_if('SELECT * FROM wi_parted WHERE v = 3', ARRAY['CREATE INDEX ON wi_part1 (v)']);

-- A role that may not read the table may not plan with it, nor size an index on it.
CREATE ROLE wi_stranger;
SET ROLE wi_stranger;
SELECT * FROM autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON wi (a)']);
SELECT * FROM autoreport.what_if('SELECT * FROM wi', ARRAY[]::text[]);
SELECT autoreport.estimate_index_size('CREATE INDEX ON wi (a)');
RESET ROLE;
DROP ROLE wi_stranger;
DROP TABLE wi_parted;
DROP FUNCTION wi_probe(int), real_size(text), hypopg_cost(text, text[]);
DROP TABLE wi, wi_case;
DROP EXTENSION hypopg;
