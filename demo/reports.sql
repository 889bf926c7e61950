-- The demo's reports: defined over schema demo, each becoming reports.<name>(...).
-- Run by demo/demo.sh (step define_reports); safe to run again: defining a report exactly as it is
-- makes no new version.

SELECT autoreport.define_report('revenue_by_region_month',
  $$SELECT date_trunc('month', o.date::timestamp)::date AS month, r.name AS region,
           count(*) AS orders, sum(o.revenue) AS revenue
      FROM demo.orders AS o JOIN demo.regions AS r USING (region_id)
     WHERE o.date BETWEEN :since AND :until
       AND o.status NOT IN ('cancelled', 'returned')
       AND (:region IS NULL OR r.name = :region)
     GROUP BY 1, 2 ORDER BY 1, 2$$,
  '[{"name": "since", "type": "date", "default": "2025-11-01", "min": "2024-11-01", "max": "2026-10-31"},
    {"name": "until", "type": "date", "default": "2026-10-31", "min": "2024-11-01", "max": "2026-10-31"},
    {"name": "region", "type": "enum", "description": "one region, or all when not given",
     "allowed": ["North America", "Latin America", "Western Europe", "Central & Eastern Europe",
                 "Asia Pacific", "Middle East & Africa"]}]',
  'Monthly orders and revenue per region (cancelled and returned orders excluded)',
  columns => '{"revenue": {"format": "currency", "currency": "USD"}}');

SELECT autoreport.define_report('top_products',
  $$SELECT p.name AS product, p.category, sum(o.quantity) AS units, sum(o.revenue) AS revenue
      FROM demo.orders AS o JOIN demo.products AS p USING (product_id)
     WHERE o.date >= :since AND (:category IS NULL OR p.category = :category)
       AND o.status NOT IN ('cancelled', 'returned')
     GROUP BY p.product_id, p.name, p.category
     ORDER BY revenue DESC, product LIMIT :n$$,
  '{"since": {"type": "date", "default": "2026-01-01"},
    "category": {"type": "text", "max_length": 40},
    "n": {"type": "integer", "default": 10, "min": 1, "max": 500}}',
  'Best-selling products by revenue');

SELECT autoreport.define_report('daily_orders',
  $$SELECT o.date AS day, count(*) AS orders, sum(o.revenue) AS revenue
      FROM demo.orders AS o JOIN demo.regions AS r USING (region_id)
     WHERE o.date >= :since AND (:region IS NULL OR r.name = :region)
     GROUP BY o.date ORDER BY o.date$$,
  '{"since": {"type": "date", "default": "2025-11-01"},
    "region": {"type": "text"}}',
  'Orders and revenue per day');

SELECT autoreport.define_report('revenue_by_region',
  $$SELECT r.name AS region, sum(o.revenue) AS revenue
      FROM demo.orders AS o JOIN demo.regions AS r USING (region_id)
     WHERE o.date >= :since AND o.status NOT IN ('cancelled', 'returned')
     GROUP BY r.name ORDER BY revenue DESC$$,
  '{"since": {"type": "date", "default": "2026-01-01"}}',
  'Revenue per region');

SELECT autoreport.define_report('daily_revenue',
  $$SELECT o.date AS day, sum(o.revenue) AS revenue
      FROM demo.orders AS o WHERE o.date >= :since AND o.status NOT IN ('cancelled', 'returned')
     GROUP BY o.date ORDER BY o.date$$,
  '{"since": {"type": "date", "default": "2025-11-01"}}',
  'Revenue per day: the planted anomalies stand out');

SELECT name, version, cacheable FROM autoreport.reports ORDER BY name;
