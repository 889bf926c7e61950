-- define_report(..., expose => 'view'): the report is also the view report_views.<name>, at its
-- defaults, for tools that list only tables and views; kept in step with every redefinition, dropped
-- with the report, readable exactly by those who may execute the report's function.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
CREATE SCHEMA rx;
CREATE TABLE rx.sales (region text NOT NULL, amount numeric(10, 2) NOT NULL);
INSERT INTO rx.sales VALUES ('north', 10.50), ('north', 4.50), ('south', 7.25);
CREATE ROLE rx_viewer;

SELECT autoreport.define_report('by_region',
  $$SELECT region, sum(amount) AS total FROM rx.sales WHERE amount >= :min_amount GROUP BY region ORDER BY region$$,
  '{"min_amount": {"type": "numeric", "default": 5}}', 'Sales by region', expose => 'view') AS version;
SELECT * FROM report_views.by_region;
SELECT obj_description('report_views.by_region'::regclass) AS comment;
-- A tool's catalog query finds it with its columns.
SELECT column_name, data_type FROM information_schema.columns
 WHERE table_schema = 'report_views' AND table_name = 'by_region' ORDER BY ordinal_position;

-- Privileges are the function's: no EXECUTE, no rows; granted EXECUTE, the rows.
SET ROLE rx_viewer;
SELECT * FROM report_views.by_region;
RESET ROLE;
-- (A report runs as its caller: the grantee reads the table too.)
GRANT EXECUTE ON FUNCTION reports.by_region(numeric) TO rx_viewer;
GRANT USAGE ON SCHEMA rx TO rx_viewer;
GRANT SELECT ON rx.sales TO rx_viewer;
SET ROLE rx_viewer;
SELECT * FROM report_views.by_region;
RESET ROLE;

-- Redefined with new columns, the view follows (and stays exposed without saying so again).
SELECT autoreport.define_report('by_region',
  $$SELECT region, count(*) AS orders, sum(amount) AS total FROM rx.sales WHERE amount >= :min_amount GROUP BY region ORDER BY region$$,
  '{"min_amount": {"type": "numeric", "default": 0}}', 'Sales by region') AS version;
SELECT * FROM report_views.by_region;
SET ROLE rx_viewer;
SELECT count(*) AS rows_for_the_grantee FROM report_views.by_region;
RESET ROLE;
-- expose => 'none' removes the view; 'view' brings it back without a new version.
SELECT autoreport.define_report('by_region',
  $$SELECT region, count(*) AS orders, sum(amount) AS total FROM rx.sales WHERE amount >= :min_amount GROUP BY region ORDER BY region$$,
  '{"min_amount": {"type": "numeric", "default": 0}}', 'Sales by region', expose => 'none') AS version;
SELECT to_regclass('report_views.by_region') AS view;
SELECT autoreport.define_report('by_region',
  $$SELECT region, count(*) AS orders, sum(amount) AS total FROM rx.sales WHERE amount >= :min_amount GROUP BY region ORDER BY region$$,
  '{"min_amount": {"type": "numeric", "default": 0}}', 'Sales by region', expose => 'view') AS version;
SELECT count(*) FROM report_views.by_region;

-- Errors: an unknown value; a required parameter (a view has no arguments). Nothing is left behind.
SELECT autoreport.define_report('by_region', 'SELECT 1 AS one', expose => 'table');
SELECT autoreport.define_report('needs_region',
  $$SELECT sum(amount) AS total FROM rx.sales WHERE region = :region$$,
  '{"region": {"type": "text", "required": true}}', expose => 'view');
SELECT to_regclass('report_views.needs_region') AS view, to_regprocedure('reports.needs_region(text)') AS function;

-- Dropping the report drops its view.
SELECT autoreport.drop_report('by_region');
SELECT to_regclass('report_views.by_region') AS view;

DROP SCHEMA rx CASCADE;
DROP OWNED BY rx_viewer;
DROP ROLE rx_viewer;
