-- demo/generate.sql: the deterministic generator of the demo dataset (functions and procedures in
-- schema demo; run demo/schema.sql first).
--
--   CALL demo.load_dimensions();      regions, calendar, customers, products, planted anomalies
--   CALL demo.load_orders();          about 1,000,000 orders, one month per chunk
--   CALL demo.add_keys_and_indexes(); primary keys, foreign keys, reporting indexes
--
-- Every "random" choice is a hash of a fixed key (demo.rnd), not random(): two loads give identical
-- rows whatever the plan, the order of evaluation or the number of parallel workers. No procedure
-- commits, so a load run in one transaction (as demo/load.sql does) is all or nothing. Each one
-- reports its progress in autoreport.progress, where other sessions can watch it.

-- A uniform number in (0, 1) determined by key and stream: the generator's only source of chance.
-- Different streams of one key are independent draws for the same row.
CREATE FUNCTION demo.rnd(key bigint, stream integer) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ((hashint8extended(key, stream) & 4503599627370495)::double precision + 0.5) / 4503599627370496.0 $$;
COMMENT ON FUNCTION demo.rnd(bigint, integer) IS 'demo generator: deterministic uniform draw in (0, 1)';

-- A standard normal draw determined by key and stream (Box-Muller on two uniform draws).
CREATE FUNCTION demo.rnd_normal(key bigint, stream integer) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT sqrt(-2 * ln(demo.rnd(key, stream))) * cos(2 * pi() * demo.rnd(key, stream + 1000)) $$;
COMMENT ON FUNCTION demo.rnd_normal(bigint, integer) IS 'demo generator: deterministic standard normal draw';

-- Fills the dimension tables and demo.planted_anomalies for the period first_day .. last_day.
CREATE PROCEDURE demo.load_dimensions(first_day date DEFAULT '2024-11-01', last_day date DEFAULT '2026-10-31')
LANGUAGE plpgsql
AS $$
DECLARE
  n_customers constant integer := 20000;
  n_products  constant integer := 500;
BEGIN
  PERFORM autoreport.progress_begin('load demo data', 'dimension tables', 5);

  INSERT INTO demo.regions (region_id, code, name) VALUES
    (1, 'NA',    'North America'),
    (2, 'LATAM', 'Latin America'),
    (3, 'WEU',   'Western Europe'),
    (4, 'CEE',   'Central & Eastern Europe'),
    (5, 'APAC',  'Asia Pacific'),
    (6, 'MEA',   'Middle East & Africa');
  PERFORM autoreport.progress_update(1);

  INSERT INTO demo.dates
  SELECT d, extract(year FROM d), extract(quarter FROM d), extract(month FROM d), to_char(d, 'FMMonth'),
         extract(isoyear FROM d), extract(week FROM d), extract(day FROM d), extract(isodow FROM d),
         to_char(d, 'FMDay'), extract(isodow FROM d) >= 6, h.name IS NOT NULL, h.name
    FROM generate_series(first_day, last_day, interval '1 day') AS g(ts)
   CROSS JOIN LATERAL (SELECT g.ts::date AS d) AS dd
    LEFT JOIN (VALUES ('01-01', 'New Year''s Day'), ('05-01', 'Labour Day'), ('12-24', 'Christmas Eve'),
                      ('12-25', 'Christmas Day'), ('12-26', 'Boxing Day'), ('12-31', 'New Year''s Eve'))
              AS h(month_day, name) ON h.month_day = to_char(d, 'MM-DD');
  PERFORM autoreport.progress_update(2);

  -- Customers are numbered by signup date: 60% signed up before the period, the rest during it.
  INSERT INTO demo.customers (customer_id, name, region_id, segment, signup_date)
  SELECT i,
         CASE WHEN segment = 'Consumer'
              THEN first_names[1 + floor(demo.rnd(i, 14) * 24)::int] || ' ' || last_names[1 + floor(demo.rnd(i, 15) * 24)::int]
              ELSE last_names[1 + floor(demo.rnd(i, 15) * 24)::int] || ' ' || suffixes[1 + floor(demo.rnd(i, 16) * 8)::int]
         END,
         region_id, segment,
         CASE WHEN f < 0.6 THEN date '2019-01-01' + floor(f / 0.6 * (first_day - date '2019-01-01'))::int
              ELSE first_day + floor((f - 0.6) / 0.4 * (last_day - first_day + 1))::int
         END
    FROM generate_series(1, n_customers) AS i
   CROSS JOIN LATERAL (
         SELECT (i - 1) / n_customers::numeric AS f,
                -- region shares: the same as the order volume shares in demo.load_orders()
                CASE WHEN demo.rnd(i, 11) < 0.32 THEN 1 WHEN demo.rnd(i, 11) < 0.42 THEN 2
                     WHEN demo.rnd(i, 11) < 0.66 THEN 3 WHEN demo.rnd(i, 11) < 0.75 THEN 4
                     WHEN demo.rnd(i, 11) < 0.93 THEN 5 ELSE 6 END AS region_id,
                CASE WHEN demo.rnd(i, 12) < 0.70 THEN 'Consumer'
                     WHEN demo.rnd(i, 12) < 0.94 THEN 'Small Business' ELSE 'Enterprise' END AS segment,
                ARRAY['Anna', 'Ben', 'Carla', 'David', 'Elif', 'Felix', 'Grace', 'Hiro', 'Ines', 'Jonas',
                      'Kofi', 'Lena', 'Marco', 'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tara',
                      'Umar', 'Vera', 'Wei', 'Yusuf'] AS first_names,
                ARRAY['Andersen', 'Bauer', 'Costa', 'Dubois', 'Eriksson', 'Fischer', 'Garcia', 'Huang',
                      'Ivanova', 'Jensen', 'Kowalski', 'Lopez', 'Müller', 'Nakamura', 'Okafor', 'Patel',
                      'Rossi', 'Silva', 'Tanaka', 'Novak', 'Weber', 'Yilmaz', 'Zhang', 'Smith'] AS last_names,
                ARRAY['Ltd', 'GmbH', '& Co', 'Group', 'Holdings', 'Trading', 'Systems', 'Partners'] AS suffixes
         ) AS c;
  PERFORM autoreport.progress_update(3);

  -- Products: list prices spread log-uniformly over each category's range, ending in .99.
  INSERT INTO demo.products (product_id, name, category, unit_price)
  SELECT p,
         format('%s %s %s-%s', adjectives[1 + floor(demo.rnd(p, 22) * 10)::int],
                cat.nouns[1 + floor(demo.rnd(p, 23) * 8)::int], upper(left(cat.category, 1)), lpad(p::text, 3, '0')),
         cat.category,
         greatest(ceil(exp(ln(cat.lo) + power(demo.rnd(p, 24), 1.3) * (ln(cat.hi) - ln(cat.lo)))) - 0.01, 0.99)
    FROM generate_series(1, n_products) AS p
   CROSS JOIN LATERAL (SELECT 1 + floor(demo.rnd(p, 21) * 10)::int AS category_no,
                              ARRAY['Classic', 'Pro', 'Compact', 'Deluxe', 'Eco', 'Smart', 'Ultra', 'Essential',
                                    'Premium', 'Mini'] AS adjectives) AS pick
    JOIN (VALUES
      (1,  'Electronics',    25, 1500, ARRAY['Headphones', 'Monitor', 'Keyboard', 'Tablet', 'Speaker', 'Webcam', 'Router', 'Charger']),
      (2,  'Home & Kitchen',  8,  400, ARRAY['Blender', 'Kettle', 'Pan Set', 'Knife Block', 'Toaster', 'Coffee Maker', 'Vacuum', 'Lamp']),
      (3,  'Office',          2,  350, ARRAY['Desk Chair', 'Stapler', 'Notebook', 'Pen Set', 'Desk', 'Shredder', 'Label Maker', 'Whiteboard']),
      (4,  'Sports',          6,  600, ARRAY['Yoga Mat', 'Dumbbells', 'Bike Helmet', 'Running Shoes', 'Tent', 'Backpack', 'Water Bottle', 'Racket']),
      (5,  'Toys',            4,  150, ARRAY['Puzzle', 'Building Set', 'Board Game', 'Plush Bear', 'RC Car', 'Doll House', 'Kite', 'Train Set']),
      (6,  'Beauty',          3,  120, ARRAY['Face Cream', 'Shampoo', 'Perfume', 'Hair Dryer', 'Lip Balm', 'Razor', 'Nail Kit', 'Serum']),
      (7,  'Books',           5,   80, ARRAY['Cookbook', 'Novel', 'Atlas', 'Travel Guide', 'Biography', 'Dictionary', 'Comic', 'Textbook']),
      (8,  'Garden',          5,  500, ARRAY['Hose', 'Planter', 'Lawn Mower', 'Pruner', 'Grill', 'Bird Feeder', 'Seed Kit', 'Lantern']),
      (9,  'Grocery',         1,   60, ARRAY['Coffee Beans', 'Olive Oil', 'Tea Box', 'Chocolate', 'Pasta', 'Honey', 'Spice Set', 'Granola']),
      (10, 'Apparel',         8,  250, ARRAY['T-Shirt', 'Jacket', 'Jeans', 'Sneakers', 'Scarf', 'Hoodie', 'Dress', 'Cap']))
      AS cat(category_no, category, lo, hi, nouns) USING (category_no);
  PERFORM autoreport.progress_update(4);

  -- The ground truth for anomaly detection; demo.load_orders() applies these factors.
  INSERT INTO demo.planted_anomalies (region_id, day, kind, factor, description)
  SELECT * FROM (VALUES
    (5, date '2025-06-18', 'spike',       4.0,  'Asia Pacific: one-day flash sale, about 4x the usual number of orders'),
    (2, date '2026-03-10', 'outage',      0.03, 'Latin America: checkout outage, day 1 of 3, almost no orders'),
    (2, date '2026-03-11', 'outage',      0.03, 'Latin America: checkout outage, day 2 of 3, almost no orders'),
    (2, date '2026-03-12', 'outage',      0.03, 'Latin America: checkout outage, day 3 of 3, almost no orders'),
    (3, date '2026-08-05', 'price_error', 10.0, 'Western Europe: price list error, unit prices and revenue 10x for one day'))
    AS a(region_id, day, kind, factor, description)
   WHERE day BETWEEN first_day AND last_day;
  PERFORM autoreport.progress_update(5);

  PERFORM autoreport.progress_end();
END
$$;
COMMENT ON PROCEDURE demo.load_dimensions(date, date) IS
  'demo generator: fills regions, dates, customers, products and planted_anomalies';

-- Fills demo.orders (which must be empty) from the dimension tables, one calendar month per chunk.
--
-- The number of orders of each region on each day is
--   base * region share * trend * weekday factor * yearly factor * planted anomaly factor * noise
-- with an upward trend of 35% a year, fewer orders at weekends, a peak around the start of December and
-- a summer dip, and about 6% day-to-day noise. Within a day, the hour follows a typical pattern (quiet
-- at night, busiest late morning and evening). Customers are drawn from the region's customers signed
-- up by that day (long-standing customers order more often), products by popularity (low ids sell most).
CREATE PROCEDURE demo.load_orders()
LANGUAGE plpgsql
SET work_mem = '64MB'
AS $$
DECLARE
  -- orders per day at the start of the period, before the weekday and yearly factors
  base        constant double precision := 1065;
  first_day   date;
  last_day    date;
  n_products  integer;
  hour_of     integer[];   -- hour_of[1 + floor(u * 1000)] draws an hour of the day from u
  next_id     bigint := 1;
  chunks      integer;
  chunk       integer := 0;
  month_start date;
  inserted    bigint;
BEGIN
  IF EXISTS (SELECT FROM demo.orders) THEN
    RAISE EXCEPTION 'demo.orders is not empty'
      USING HINT = 'Truncate demo.orders first, or reload the whole dataset with demo/load.sql.';
  END IF;
  SELECT min(date), max(date), count(DISTINCT date_trunc('month', date)) INTO first_day, last_day, chunks FROM demo.dates;
  SELECT count(*) INTO n_products FROM demo.products;
  IF first_day IS NULL OR n_products = 0 THEN
    RAISE EXCEPTION 'the demo dimension tables are empty' USING HINT = 'CALL demo.load_dimensions() first.';
  END IF;
  PERFORM autoreport.progress_begin('load demo data', 'demo.orders', chunks);

  -- Share of the day's orders in each hour (UTC), turned into a lookup table of 1000 slots.
  WITH w AS (
    SELECT (n - 1)::int AS hour, weight
      FROM unnest(ARRAY[1.5, 1.0, 0.6, 0.5, 0.5, 0.8, 1.5, 2.8, 4.5, 6.0, 7.0, 7.0,
                        6.5, 6.5, 6.5, 6.0, 5.5, 5.0, 5.0, 5.5, 6.0, 5.0, 3.5, 2.4]) WITH ORDINALITY AS t(weight, n)
  ), c AS (
    SELECT hour, sum(weight) OVER (ORDER BY hour) / sum(weight) OVER () AS upto FROM w
  )
  SELECT array_agg((SELECT min(hour) FROM c WHERE c.upto > s / 1000.0) ORDER BY s) INTO hour_of
    FROM generate_series(0, 999) AS s;

  -- Customers of each region numbered 1, 2, ... by signup: those signed up by day d are 1 .. N(d).
  IF to_regclass('pg_temp.demo_customer_pick') IS NOT NULL THEN  -- left by an earlier call in this transaction
    DROP TABLE pg_temp.demo_customer_pick;
  END IF;
  CREATE TEMP TABLE demo_customer_pick ON COMMIT DROP AS
    SELECT region_id, row_number() OVER (PARTITION BY region_id ORDER BY customer_id)::int AS seq,
           customer_id, segment, signup_date
      FROM demo.customers;
  CREATE INDEX ON demo_customer_pick (region_id, signup_date, seq);
  ANALYZE demo_customer_pick;

  -- The plan: how many orders each region gets each day, and the factors that apply to them.
  IF to_regclass('pg_temp.demo_order_plan') IS NOT NULL THEN  -- left by an earlier call in this transaction
    DROP TABLE pg_temp.demo_order_plan;
  END IF;
  CREATE TEMP TABLE demo_order_plan ON COMMIT DROP AS
    SELECT d.date AS day, d.month, d.date - first_day AS day_index, last_day - d.date AS age, r.region_id,
           greatest(0, round(base * r.share
                             * power(1.35, (d.date - first_day) / 365.0)
                             * (ARRAY[1.00, 1.03, 1.04, 1.01, 0.94, 0.70, 0.66])[d.day_of_week]
                             * yearly.factor
                             * coalesce(vol.factor, 1)
                             * exp(0.06 * demo.rnd_normal((d.date - first_day) * 8 + r.region_id, 101))))::int AS orders,
           CASE WHEN d.date < date '2026-01-01' THEN 0.97 ELSE 1.00 END AS price_level,
           coalesce(price.factor, 1) AS price_factor,
           (SELECT c.seq FROM demo_customer_pick AS c
             WHERE c.region_id = r.region_id AND c.signup_date <= d.date
             ORDER BY c.signup_date DESC, c.seq DESC LIMIT 1) AS customers
      FROM demo.dates AS d
     CROSS JOIN (VALUES (1, 0.32), (2, 0.10), (3, 0.24), (4, 0.09), (5, 0.18), (6, 0.07)) AS r(region_id, share)
     CROSS JOIN LATERAL (
           -- peak of +45% around 1 December (about three weeks either side), dip of 8% in early August
           SELECT 1 + 0.45 * exp(-power(least(abs(extract(doy FROM d.date) - 335), 365 - abs(extract(doy FROM d.date) - 335)) / 22.0, 2))
                    - 0.08 * exp(-power((extract(doy FROM d.date) - 215) / 35.0, 2)) AS factor) AS yearly
      LEFT JOIN demo.planted_anomalies AS vol
             ON vol.region_id = r.region_id AND vol.day = d.date AND vol.kind IN ('spike', 'outage')
      LEFT JOIN demo.planted_anomalies AS price
             ON price.region_id = r.region_id AND price.day = d.date AND price.kind = 'price_error';
  IF EXISTS (SELECT FROM demo_order_plan WHERE customers IS NULL AND orders > 0) THEN
    RAISE EXCEPTION 'a region has orders before any of its customers signed up';
  END IF;
  ANALYZE demo_order_plan;

  FOR month_start IN SELECT DISTINCT date_trunc('month', date)::date FROM demo.dates ORDER BY 1 LOOP
    -- Each order's draws are keyed by (day, region, k-th order of that region that day). order_id
    -- numbers the orders by time, continuing from the previous month.
    INSERT INTO demo.orders (order_id, ordered_at, date, customer_id, product_id, region_id,
                             quantity, unit_price, discount, revenue, status)
    SELECT next_id - 1 + row_number() OVER (ORDER BY o.ordered_at, o.region_id, o.k),
           o.ordered_at, o.day, o.customer_id, o.product_id, o.region_id, o.quantity, o.unit_price, o.discount,
           round(o.quantity * o.unit_price * (1 - o.discount), 2),
           o.status
      FROM (
        SELECT p.day, p.region_id, g.k, c.customer_id, pr.product_id,
               (p.day + hour_of[1 + floor(demo.rnd(g.key, 1) * 1000)::int] * interval '1 hour'
                      + floor(demo.rnd(g.key, 2) * 3600) * interval '1 second') AT TIME ZONE 'UTC' AS ordered_at,
               CASE c.segment
                 WHEN 'Consumer'       THEN 1 + floor(power(demo.rnd(g.key, 5), 3) * 4)
                 WHEN 'Small Business' THEN 1 + floor(power(demo.rnd(g.key, 5), 2) * 12)
                 ELSE                       5 + floor(power(demo.rnd(g.key, 5), 1.5) * 45)
               END::int AS quantity,
               round(pr.unit_price * p.price_level * p.price_factor, 2) AS unit_price,
               -- more orders are discounted in the November-December season
               CASE WHEN demo.rnd(g.key, 6) < CASE WHEN p.month IN (11, 12) THEN 0.50 ELSE 0.72 END THEN 0.00
                    ELSE (ARRAY[0.05, 0.10, 0.15, 0.20])[1 + floor(demo.rnd(g.key, 7) * 4)::int]
               END AS discount,
               -- the last days' orders are still on their way
               CASE WHEN p.age < 3  THEN CASE WHEN demo.rnd(g.key, 8) < 0.60 THEN 'pending' ELSE 'shipped' END
                    WHEN p.age < 10 THEN CASE WHEN demo.rnd(g.key, 8) < 0.03 THEN 'cancelled'
                                              WHEN demo.rnd(g.key, 8) < 0.70 THEN 'shipped' ELSE 'delivered' END
                    ELSE CASE WHEN demo.rnd(g.key, 8) < 0.030 THEN 'cancelled'
                              WHEN demo.rnd(g.key, 8) < 0.055 THEN 'returned' ELSE 'delivered' END
               END AS status
          FROM demo_order_plan AS p
         CROSS JOIN LATERAL (SELECT k, ((p.day_index::bigint * 8 + p.region_id) << 20) + k AS key
                               FROM generate_series(1, p.orders) AS k) AS g
          JOIN demo_customer_pick AS c
            ON c.region_id = p.region_id AND c.seq = 1 + floor(p.customers * power(demo.rnd(g.key, 3), 1.3))::int
          JOIN demo.products AS pr
            ON pr.product_id = 1 + floor(n_products * power(demo.rnd(g.key, 4), 2.2))::int
         WHERE p.day >= month_start AND p.day < (month_start + interval '1 month')::date
      ) AS o;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    next_id := next_id + inserted;
    chunk := chunk + 1;
    PERFORM autoreport.progress_update(chunk);
  END LOOP;

  DROP TABLE demo_order_plan;
  DROP TABLE demo_customer_pick;
  PERFORM autoreport.progress_end();
END
$$;
COMMENT ON PROCEDURE demo.load_orders() IS
  'demo generator: fills the empty demo.orders from the dimension tables, one month per chunk';

-- Adds the primary keys, foreign keys and indexes of the demo schema, once the data is in.
CREATE PROCEDURE demo.add_keys_and_indexes()
LANGUAGE plpgsql
SET maintenance_work_mem = '256MB'
AS $$
DECLARE
  steps text[] := ARRAY[
    'ALTER TABLE demo.regions ADD PRIMARY KEY (region_id), ADD UNIQUE (code), ADD UNIQUE (name)',
    'ALTER TABLE demo.dates ADD PRIMARY KEY (date)',
    'ALTER TABLE demo.customers ADD PRIMARY KEY (customer_id)',
    'ALTER TABLE demo.products ADD PRIMARY KEY (product_id), ADD UNIQUE (name)',
    'ALTER TABLE demo.orders ADD PRIMARY KEY (order_id)',
    'ALTER TABLE demo.planted_anomalies ADD PRIMARY KEY (region_id, day, kind)',
    'ALTER TABLE demo.customers ADD FOREIGN KEY (region_id) REFERENCES demo.regions',
    'ALTER TABLE demo.planted_anomalies ADD FOREIGN KEY (region_id) REFERENCES demo.regions, '
      || 'ADD FOREIGN KEY (day) REFERENCES demo.dates',
    'ALTER TABLE demo.orders ADD FOREIGN KEY (customer_id) REFERENCES demo.customers',
    'ALTER TABLE demo.orders ADD FOREIGN KEY (product_id) REFERENCES demo.products',
    'ALTER TABLE demo.orders ADD FOREIGN KEY (region_id) REFERENCES demo.regions',
    'ALTER TABLE demo.orders ADD FOREIGN KEY (date) REFERENCES demo.dates',
    -- reporting: by day, by region and day, per customer and product (also serve the foreign keys),
    -- and a small BRIN index for time ranges (orders are stored in ordered_at order)
    'CREATE INDEX orders_date_idx ON demo.orders (date)',
    'CREATE INDEX orders_region_id_date_idx ON demo.orders (region_id, date)',
    'CREATE INDEX orders_customer_id_idx ON demo.orders (customer_id)',
    'CREATE INDEX orders_product_id_idx ON demo.orders (product_id)',
    'CREATE INDEX orders_ordered_at_brin ON demo.orders USING brin (ordered_at)',
    'CREATE INDEX customers_region_id_idx ON demo.customers (region_id)',
    'CREATE INDEX products_category_idx ON demo.products (category)'];
  i integer;
BEGIN
  PERFORM autoreport.progress_begin('load demo data', 'keys and indexes', cardinality(steps));
  FOR i IN 1 .. cardinality(steps) LOOP
    EXECUTE steps[i];
    PERFORM autoreport.progress_update(i);
  END LOOP;
  PERFORM autoreport.progress_end();
END
$$;
COMMENT ON PROCEDURE demo.add_keys_and_indexes() IS
  'demo generator: primary keys, foreign keys and reporting indexes, added after loading';
