-- The demo's slow report: what the query-analysis step (demo/demo.sh, step_query_analysis) explains
-- and speeds up with advise(), and one of the reports of the advise benchmark's star-schema workload
-- (bench/advise.sh). Without an index on status it reads every order to find the returned ones.
SELECT autoreport.define_report('demo_returns',
  $$SELECT o.order_id, o.date, c.name AS customer, r.name AS region, o.revenue
      FROM demo.orders AS o JOIN demo.customers AS c USING (customer_id) JOIN demo.regions AS r ON r.region_id = o.region_id
     WHERE o.status = 'returned' AND o.date >= :since
     ORDER BY o.revenue DESC LIMIT 20$$,
  '{"since": {"type": "date", "default": "2024-11-01"}}',
  'The largest returned orders since a date (by default, all of them)');
