-- demo/schema.sql: the tables of the demo dataset, a small sales star schema in schema "demo".
--
-- Run by demo/load.sql (which fills them) and by bench/load_vs_copy.sh. Running it drops an existing
-- schema demo first, with everything in it. Keys, foreign keys and indexes are not here: they are
-- added after the data is in (demo.add_keys_and_indexes() in demo/generate.sql), which is much faster
-- than maintaining them row by row.
--
-- All times are UTC; orders.date is the UTC date of orders.ordered_at.

DROP SCHEMA IF EXISTS demo CASCADE;
CREATE SCHEMA demo;
COMMENT ON SCHEMA demo IS 'autoreport demo dataset (incomplete: being loaded)';

-- Sales regions; every customer belongs to one.
CREATE TABLE demo.regions (
  region_id integer NOT NULL,
  code      text    NOT NULL,
  name      text    NOT NULL
);
COMMENT ON TABLE demo.regions IS 'sales regions (dimension)';

-- Customers, numbered in the order they signed up.
CREATE TABLE demo.customers (
  customer_id integer NOT NULL,
  name        text    NOT NULL,
  region_id   integer NOT NULL,
  segment     text    NOT NULL CHECK (segment IN ('Consumer', 'Small Business', 'Enterprise')),
  signup_date date    NOT NULL
);
COMMENT ON TABLE demo.customers IS 'customers (dimension); a customer orders only on or after its signup_date';

-- The product catalogue; unit_price is today's list price (it was 3% lower before 2026).
CREATE TABLE demo.products (
  product_id integer       NOT NULL,
  name       text          NOT NULL,
  category   text          NOT NULL,
  unit_price numeric(10,2) NOT NULL CHECK (unit_price > 0)
);
COMMENT ON TABLE demo.products IS 'product catalogue (dimension); unit_price is the current list price';

-- One row per calendar day of the dataset.
CREATE TABLE demo.dates (
  date         date     NOT NULL,
  year         integer  NOT NULL,
  quarter      integer  NOT NULL,
  month        integer  NOT NULL,
  month_name   text     NOT NULL,
  iso_year     integer  NOT NULL,
  iso_week     integer  NOT NULL,
  day_of_month integer  NOT NULL,
  day_of_week  integer  NOT NULL CHECK (day_of_week BETWEEN 1 AND 7),
  day_name     text     NOT NULL,
  is_weekend   boolean  NOT NULL,
  is_holiday   boolean  NOT NULL,
  holiday_name text
);
COMMENT ON TABLE demo.dates IS 'calendar (dimension) over the two years of orders; day_of_week is ISO (1 = Monday)';
COMMENT ON COLUMN demo.dates.is_holiday IS
  'a fixed-date holiday; holidays are labelled only and do not change order volume, so '
  'demo.planted_anomalies is the complete list of unusual days';

-- The fact table: one row per order line.
CREATE TABLE demo.orders (
  order_id    bigint        NOT NULL,
  ordered_at  timestamptz   NOT NULL,
  date        date          NOT NULL,
  customer_id integer       NOT NULL,
  product_id  integer       NOT NULL,
  region_id   integer       NOT NULL,
  quantity    integer       NOT NULL CHECK (quantity > 0),
  unit_price  numeric(10,2) NOT NULL CHECK (unit_price > 0),
  discount    numeric(4,2)  NOT NULL CHECK (discount >= 0 AND discount < 1),
  revenue     numeric(12,2) NOT NULL CHECK (revenue >= 0),
  status      text          NOT NULL
              CHECK (status IN ('pending', 'shipped', 'delivered', 'cancelled', 'returned'))
);
COMMENT ON TABLE demo.orders IS
  'orders (fact); order_id follows ordered_at; revenue = round(quantity * unit_price * (1 - discount), 2); '
  'region_id is the customer''s region';

-- The ground truth for anomaly detection: the unusual days the generator planted on purpose.
CREATE TABLE demo.planted_anomalies (
  region_id   integer NOT NULL,
  day         date    NOT NULL,
  kind        text    NOT NULL CHECK (kind IN ('spike', 'outage', 'price_error')),
  factor      numeric NOT NULL,
  description text    NOT NULL
);
COMMENT ON TABLE demo.planted_anomalies IS
  'anomalies planted in demo.orders: spike and outage multiply that region''s order count on that day '
  'by factor; price_error multiplies its unit prices (and so revenue) by factor';
