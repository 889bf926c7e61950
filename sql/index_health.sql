-- index_health: unused, duplicate and redundant indexes, never one that enforces a constraint.
CREATE EXTENSION IF NOT EXISTS autoreport;
\set VERBOSITY terse
SELECT pg_stat_reset();
CREATE TABLE ih (id int PRIMARY KEY, a int, b int, c text, CONSTRAINT ih_c_unique UNIQUE (c));
INSERT INTO ih SELECT i, i % 10, i % 7, 'c' || i FROM generate_series(1, 1000) AS i;
CREATE INDEX ih_a ON ih (a);
CREATE INDEX ih_a_again ON ih (a);          -- a duplicate of ih_a
CREATE INDEX ih_a_b ON ih (a, b);           -- ih_a and ih_a_again lead it
CREATE INDEX ih_a_desc ON ih (a DESC);      -- another ordering: not a duplicate, not a prefix
CREATE INDEX ih_lower ON ih (lower(c));     -- an expression: never a prefix
CREATE INDEX ih_id ON ih (id);              -- a duplicate of the primary key, which is kept
CREATE INDEX ih_b_part ON ih (b) WHERE a > 5;
CREATE INDEX ih_b_inc ON ih (b) INCLUDE (a);
ANALYZE ih;
-- Scan ih_a_b and ih_b_part once each, so that they are used.
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT count(*) FROM ih WHERE a = 1 AND b = 1;
SELECT count(*) FROM ih WHERE b = 3 AND a > 5;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT pg_stat_force_next_flush();
SELECT index, "table", kind, detail LIKE 'never scanned since the statistics were reset (%' OR kind <> 'unused' AS detail_ok, suggestion
  FROM autoreport.index_health WHERE "table" = 'ih'::regclass ORDER BY index::text, kind;
SELECT regexp_replace(detail, '\(.*\)', '(...)') AS detail FROM autoreport.index_health WHERE index = 'ih_a_again'::regclass ORDER BY kind;
-- Never the primary key or a unique constraint, even unused.
SELECT count(*) AS enforcing FROM autoreport.index_health WHERE index IN ('ih_pkey'::regclass, 'ih_c_unique'::regclass);
-- A role sees only the tables it may read.
CREATE ROLE ih_stranger;
SET ROLE ih_stranger;
SELECT count(*) FROM autoreport.index_health WHERE "table"::text = 'ih';
RESET ROLE;
DROP ROLE ih_stranger;
DROP TABLE ih;
