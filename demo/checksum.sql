-- demo/checksum.sql: row count and an md5 fingerprint of every demo table, in key order.
--
--   scripts/cluster.sh psql .cluster -d autoreport_demo -f demo/checksum.sql
--
-- Two loads of the same generator must print the same lines (the generator is deterministic). Rows
-- are hashed as text, so time zone and date style are fixed first.
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SELECT 'demo.regions' AS "table", count(*) AS rows, md5(string_agg(md5(t::text), '' ORDER BY region_id)) AS md5
  FROM demo.regions AS t
UNION ALL
SELECT 'demo.dates', count(*), md5(string_agg(md5(t::text), '' ORDER BY date)) FROM demo.dates AS t
UNION ALL
SELECT 'demo.customers', count(*), md5(string_agg(md5(t::text), '' ORDER BY customer_id)) FROM demo.customers AS t
UNION ALL
SELECT 'demo.products', count(*), md5(string_agg(md5(t::text), '' ORDER BY product_id)) FROM demo.products AS t
UNION ALL
SELECT 'demo.orders', count(*), md5(string_agg(md5(t::text), '' ORDER BY order_id)) FROM demo.orders AS t
UNION ALL
SELECT 'demo.planted_anomalies', count(*), md5(string_agg(md5(t::text), '' ORDER BY region_id, day, kind))
  FROM demo.planted_anomalies AS t;
