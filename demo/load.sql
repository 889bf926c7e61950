-- demo/load.sql: (re)builds the whole demo dataset in schema demo, in one transaction.
--
--   psql -v ON_ERROR_STOP=1 -d DB -f demo/load.sql      (needs CREATE EXTENSION autoreport first)
--
-- Drops schema demo (and whatever depends on it) and loads it again; the same rows every time. A
-- failed load leaves the previous dataset untouched. demo/demo.sh passes -v generator=<fingerprint
-- of the generator files> so that the schema's comment says which generator made the data.
\set ON_ERROR_STOP on
\if :{?generator}
\else
\set generator unknown
\endif

BEGIN;
\ir schema.sql
\ir generate.sql

CALL demo.load_dimensions();
CALL demo.load_orders();
CALL demo.add_keys_and_indexes();
ANALYZE demo.regions, demo.dates, demo.customers, demo.products, demo.orders, demo.planted_anomalies;

-- Marks the load complete: demo/demo.sh skips a reload when this matches.
SELECT format('COMMENT ON SCHEMA demo IS %L',
              format('autoreport demo dataset: generator %s, %s orders', :'generator', count(*)))
  FROM demo.orders
\gexec
COMMIT;
