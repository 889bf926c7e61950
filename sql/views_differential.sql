-- Managed views, proven against their own queries (aggregates by group, over joins and without GROUP BY,
-- groups without aggregates, HAVING, rows followed by their sources' keys, and immediate views): seeded random batches of INSERT, UPDATE, DELETE and
-- TRUNCATE on a fact table and two dimensions (NULL keys, rows moving between groups, groups emptied,
-- minimums and maximums deleted, dimensions renamed and merged, several tables in one transaction),
-- an incremental refresh after each batch, and each view compared with its query by EXCEPT ALL both
-- ways. A difference stops the run and names the seed, the batch and the view.
CREATE EXTENSION IF NOT EXISTS autoreport;
SET client_min_messages = warning;

CREATE TABLE dv_region (id int PRIMARY KEY, name text, zone text);
CREATE TABLE dv_product (id int PRIMARY KEY, category text, active boolean);
CREATE TABLE dv_sale (
  id serial PRIMARY KEY,
  region int,
  product int,
  at timestamp,
  amount numeric(12, 2),
  qty int,
  paid boolean
);

-- The views under test, each by the query it must equal.
CREATE TABLE dv_case (view text PRIMARY KEY, query text NOT NULL, columns text NOT NULL,
                      refresh text NOT NULL DEFAULT 'incremental');
INSERT INTO dv_case VALUES
  ('dv_by_region_month',
   $q$SELECT r.name AS region, date_trunc('month', s.at) AS month, count(*) AS n, sum(s.amount) AS revenue,
             avg(s.qty) AS avg_qty, min(s.amount) AS lo, max(s.at) AS last_at, bool_and(s.paid) AS all_paid,
             count(s.paid) AS with_paid
        FROM dv_sale AS s JOIN dv_region AS r ON r.id = s.region
       GROUP BY r.name, date_trunc('month', s.at)$q$,
   'region, month, n, revenue, avg_qty, lo, last_at, all_paid, with_paid'),
  ('dv_by_zone_category',
   $q$SELECT r.zone, p.category, sum(s.qty) AS qty, max(s.amount) AS hi, bool_or(p.active) AS any_active,
             count(*) AS n
        FROM dv_sale AS s JOIN dv_region AS r ON r.id = s.region JOIN dv_product AS p ON p.id = s.product
       WHERE s.amount > 10
       GROUP BY r.zone, p.category$q$,
   'zone, category, qty, hi, any_active, n'),
  ('dv_by_product',
   $q$SELECT s.product, count(s.amount) AS priced, sum(s.amount) AS revenue, min(s.qty) AS min_qty
        FROM dv_sale AS s GROUP BY s.product$q$,
   'product, priced, revenue, min_qty'),
  ('dv_rows',
   $q$SELECT s.id, r.name AS region, s.amount * 2 AS doubled, s.at, p.category
        FROM dv_sale AS s JOIN dv_region AS r ON r.id = s.region JOIN dv_product AS p ON p.id = s.product
       WHERE s.qty > 3$q$,
   'id, region, doubled, at, category'),
  ('dv_zones_paid',
   $q$SELECT r.zone, s.paid FROM dv_sale AS s JOIN dv_region AS r ON r.id = s.region GROUP BY r.zone, s.paid$q$,
   'zone, paid'),
  ('dv_big_regions',
   $q$SELECT r.name AS region, p.category, sum(s.amount) AS revenue, count(*) AS n
        FROM dv_sale AS s JOIN dv_region AS r ON r.id = s.region JOIN dv_product AS p ON p.id = s.product
       GROUP BY r.name, p.category
      HAVING count(*) >= 8 AND max(s.qty) > 15 AND (r.name IS NULL OR r.name <> 'west')$q$,
   'region, category, revenue, n'),
  ('dv_busy_months',
   $q$SELECT date_trunc('month', s.at) AS month, min(s.amount) AS lo
        FROM dv_sale AS s GROUP BY date_trunc('month', s.at)
      HAVING sum(s.amount) > 1400 OR sum(s.amount) IS NULL$q$,
   'month, lo'),
  ('dv_totals',
   $q$SELECT count(*) AS n, sum(s.amount) AS revenue, avg(s.amount) AS mean, min(s.at) AS first_at
        FROM dv_sale AS s WHERE s.paid$q$,
   'n, revenue, mean, first_at');

-- refresh => 'immediate': applied by each writing statement, never refreshed by the run, exact all the same.
INSERT INTO dv_case VALUES
  ('dv_now_zone_category',
   $q$SELECT r.zone, p.category, sum(s.qty) AS qty, min(s.amount) AS lo, max(s.at) AS last_at, count(*) AS n
        FROM dv_sale AS s JOIN dv_region AS r ON r.id = s.region JOIN dv_product AS p ON p.id = s.product
       WHERE s.paid IS NOT NULL
       GROUP BY r.zone, p.category$q$,
   'zone, category, qty, lo, last_at, n', 'immediate'),
  ('dv_now_rows',
   $q$SELECT s.id, r.name AS region, s.amount FROM dv_sale AS s JOIN dv_region AS r ON r.id = s.region$q$,
   'id, region, amount', 'immediate');

-- Rows of the view and of its query that the other lacks.
CREATE FUNCTION dv_differences(c dv_case) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  d bigint;
BEGIN
  EXECUTE format('SELECT (SELECT count(*) FROM (SELECT %1$s FROM %2$I EXCEPT ALL SELECT * FROM (%3$s) AS q) AS a)
                       + (SELECT count(*) FROM (SELECT * FROM (%3$s) AS q EXCEPT ALL SELECT %1$s FROM %2$I) AS b)',
                 c.columns, c.view, c.query) INTO d;
  RETURN d;
END $$;

-- One random batch; the random state is the caller's (setseed).
CREATE FUNCTION dv_batch() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  k int := 1 + (random() * 6)::int;
BEGIN
  CASE (random() * 9)::int
  WHEN 0, 1, 2 THEN
    INSERT INTO dv_sale (region, product, at, amount, qty, paid)
    SELECT CASE WHEN random() < 0.1 THEN NULL ELSE (random() * 5)::int END,
           CASE WHEN random() < 0.1 THEN NULL ELSE (random() * 4)::int END,
           CASE WHEN random() < 0.05 THEN NULL ELSE timestamp '2026-01-01' + random() * interval '120 days' END,
           CASE WHEN random() < 0.1 THEN NULL ELSE round((random() * 100)::numeric, 2) END,
           CASE WHEN random() < 0.1 THEN NULL ELSE (random() * 20)::int END,
           CASE WHEN random() < 0.1 THEN NULL ELSE random() < 0.7 END
      FROM generate_series(1, k);
  WHEN 3, 4 THEN -- rows move between groups, minimums and maximums change
    UPDATE dv_sale SET region = CASE WHEN random() < 0.5 THEN region ELSE (random() * 5)::int END,
                       amount = CASE WHEN random() < 0.5 THEN amount ELSE round((random() * 100)::numeric, 2) END,
                       at = CASE WHEN random() < 0.7 THEN at ELSE timestamp '2026-01-01' + random() * interval '120 days' END,
                       paid = CASE WHEN random() < 0.7 THEN paid ELSE NOT paid END
     WHERE id IN (SELECT id FROM dv_sale ORDER BY random() LIMIT k);
  WHEN 5 THEN -- often the extreme of a group, sometimes a whole group
    IF random() < 0.5 THEN
      DELETE FROM dv_sale WHERE id IN (SELECT id FROM dv_sale ORDER BY amount DESC NULLS LAST LIMIT 2);
    ELSIF random() < 0.5 THEN
      DELETE FROM dv_sale WHERE region = (random() * 5)::int;
    ELSE
      DELETE FROM dv_sale WHERE id IN (SELECT id FROM dv_sale ORDER BY random() LIMIT k);
    END IF;
  WHEN 6 THEN -- a dimension renamed, merged into another's name, or made NULL
    UPDATE dv_region SET name = (ARRAY['north', 'south', 'east', NULL])[1 + (random() * 3)::int],
                         zone = (ARRAY['a', 'b', NULL])[1 + (random() * 2)::int]
     WHERE id = (random() * 5)::int;
  WHEN 7 THEN -- several tables in one transaction (the delta then holds rows that cancel out)
    UPDATE dv_product SET category = (ARRAY['x', 'y', NULL])[1 + (random() * 2)::int], active = random() < 0.5
     WHERE id = (random() * 4)::int;
    UPDATE dv_region SET zone = (ARRAY['a', 'b', NULL])[1 + (random() * 2)::int] WHERE id = (random() * 5)::int;
    INSERT INTO dv_sale (region, product, at, amount, qty, paid)
    VALUES ((random() * 5)::int, (random() * 4)::int, timestamp '2026-02-01' + random() * interval '30 days',
            round((random() * 100)::numeric, 2), (random() * 20)::int, random() < 0.5);
    DELETE FROM dv_sale WHERE id = (SELECT id FROM dv_sale ORDER BY random() LIMIT 1);
  ELSE
    IF random() < 0.05 THEN
      TRUNCATE dv_sale;
    ELSE
      DELETE FROM dv_product WHERE id = (random() * 4)::int;
      INSERT INTO dv_product VALUES ((random() * 4)::int, (ARRAY['x', 'y', NULL])[1 + (random() * 2)::int], random() < 0.5)
        ON CONFLICT (id) DO NOTHING;
    END IF;
  END CASE;
END $$;

-- Runs `batches` batches from seed `seed`, refreshing and comparing every view after each.
CREATE FUNCTION dv_run(seed float8, batches int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  c dv_case;
  d bigint;
  modes text := '';
  r record;
BEGIN
  PERFORM setseed(seed);
  FOR b IN 1..batches LOOP
    PERFORM dv_batch();
    FOR c IN SELECT * FROM dv_case ORDER BY view LOOP
      -- Mostly incremental; now and then the automatic choice, which may be a full refresh. (An
      -- immediate view is compared as the batch left it.)
      IF c.refresh = 'immediate' THEN
        SELECT 'immediate' AS mode_used, 'applied by the writing statements' AS reason INTO r;
      ELSE
        SELECT * INTO r FROM autoreport.refresh_view(c.view, CASE WHEN b % 10 = 0 THEN 'auto' ELSE 'incremental' END)
          AS f WHERE true;
      END IF;
      d := dv_differences(c);
      IF d <> 0 THEN
        RAISE EXCEPTION 'seed % batch %: view % differs from its query in % rows (after % refresh: %)',
          seed, b, c.view, d, r.mode_used, r.reason;
      END IF;
    END LOOP;
  END LOOP;
  RETURN format('seed %s: %s batches, every view equal to its query after each', seed, batches);
END $$;

INSERT INTO dv_region VALUES (0, 'north', 'a'), (1, 'south', 'a'), (2, 'east', 'b'), (3, NULL, 'b'), (4, 'west', NULL);
INSERT INTO dv_product VALUES (0, 'x', true), (1, 'y', false), (2, NULL, true), (3, 'x', NULL);
SELECT setseed(0.5);
INSERT INTO dv_sale (region, product, at, amount, qty, paid)
SELECT (random() * 5)::int, (random() * 4)::int, timestamp '2026-01-01' + random() * interval '120 days',
       round((random() * 100)::numeric, 2), (random() * 20)::int, random() < 0.7
  FROM generate_series(1, 300);
SELECT autoreport.create_view(view, query, refresh) FROM dv_case ORDER BY view;

-- Truncation resets a view in full; a failed batch would have stopped with its seed.
SELECT dv_run(0.11, 400);
SELECT dv_run(0.42, 400);
SELECT dv_run(-0.73, 400);

-- A batch rolled back leaves no trace: the views stay equal and nothing is pending.
BEGIN;
DELETE FROM dv_sale;
UPDATE dv_region SET name = 'gone';
ROLLBACK;
SELECT v.view, r.mode_used, r.rows_changed, dv_differences(v) AS differences
  FROM dv_case AS v, autoreport.refresh_view(v.view, 'incremental') AS r ORDER BY v.view;
