-- Managed views: the SQL surface and its errors. (views_differential proves the contents.)
CREATE EXTENSION IF NOT EXISTS autoreport;
\set VERBOSITY terse

CREATE TABLE mv_region (id int PRIMARY KEY, name text);
CREATE TABLE mv_order (id int PRIMARY KEY, region int, at timestamp, amount numeric, note text);
INSERT INTO mv_region VALUES (1, 'north'), (2, 'south');
INSERT INTO mv_order SELECT i, 1 + i % 2, timestamp '2026-01-01' + i * interval '10 days', i * 10, 'n' || i
  FROM generate_series(1, 10) AS i;

-- A view of revenue by region and month: an ordinary table with a unique index on the group keys.
SELECT autoreport.create_view('mv_revenue',
  $$SELECT r.name AS region, date_trunc('month', o.at) AS month, count(*) AS orders, sum(o.amount) AS revenue
      FROM mv_order AS o JOIN mv_region AS r ON r.id = o.region GROUP BY 1, 2$$);
SELECT region, month, orders, revenue FROM mv_revenue ORDER BY region, month;
SELECT indexdef FROM pg_indexes WHERE tablename = 'mv_revenue';
SELECT name, kind, refresh_mode, last_mode, last_reason, pending, state FROM autoreport.view_status;

-- Changes are pending until a refresh applies them.
INSERT INTO mv_order VALUES (11, 2, '2026-01-15', 5, 'late');
UPDATE mv_region SET name = 'west' WHERE id = 1;
SELECT name, pending, state FROM autoreport.view_status;
SELECT mode_used, reason, rows_changed FROM autoreport.refresh_view('mv_revenue', 'incremental');
SELECT region, month, orders, revenue FROM mv_revenue ORDER BY region, month;
SELECT mode_used, reason, rows_changed FROM autoreport.refresh_view('mv_revenue');
SELECT name, pending, state FROM autoreport.view_status;
SELECT mode_used, reason FROM autoreport.refresh_view('mv_revenue', 'full');

-- A renamed source column is followed; a dropped one breaks the view, and the refresh says why.
ALTER TABLE mv_order RENAME COLUMN amount TO value;
SELECT mode_used FROM autoreport.refresh_view('mv_revenue', 'full');
CREATE TABLE mv_scratch (id int, v numeric);
SELECT autoreport.create_view('mv_scratch_sum', 'SELECT id, sum(v) AS total FROM mv_scratch GROUP BY id');
ALTER TABLE mv_scratch DROP COLUMN v;
SELECT name, state, broken_reason FROM autoreport.view_status WHERE name = 'mv_scratch_sum'::regclass;
SELECT autoreport.refresh_view('mv_scratch_sum');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.drop_view('mv_scratch_sum');
-- A retyped column breaks the view too, and writes to the table go on.
CREATE TABLE mv_scratch2 (id int, v numeric);
SELECT autoreport.create_view('mv_scratch2_sum', 'SELECT id, sum(v) AS total FROM mv_scratch2 GROUP BY id');
ALTER TABLE mv_scratch2 ALTER COLUMN v TYPE text;
INSERT INTO mv_scratch2 VALUES (1, 'one');
SELECT state, broken_reason FROM autoreport.view_status WHERE name = 'mv_scratch2_sum'::regclass;
-- DROP TABLE of a view's table removes the view, and the capture of its sources with it.
DROP TABLE mv_scratch2_sum;
SELECT count(*) AS views_left FROM autoreport.view_status WHERE name::text LIKE 'mv_scratch%';
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'mv_scratch2'::regclass;
-- A dropped source breaks the views that read it.
CREATE TABLE mv_scratch3 (id int, v numeric);
SELECT autoreport.create_view('mv_scratch3_sum', 'SELECT id, sum(v) AS total FROM mv_scratch3 GROUP BY id');
DROP TABLE mv_scratch3;
SELECT state, broken_reason FROM autoreport.view_status WHERE name = 'mv_scratch3_sum'::regclass;
SELECT autoreport.drop_view('mv_scratch3_sum');

-- What incremental maintenance refuses, by name (0A000), and full refresh accepts.
SELECT autoreport.create_view('mv_bad', 'SELECT r.name, count(*) FROM mv_region r LEFT JOIN mv_order o ON o.region = r.id GROUP BY 1');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region, sum(value) OVER () FROM mv_order');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT DISTINCT region FROM mv_order');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region, count(*) FROM mv_order GROUP BY region LIMIT 1');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region, count(*) FROM mv_order WHERE region IN (SELECT id FROM mv_region) GROUP BY region');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region, count(*) FROM mv_order GROUP BY region UNION ALL SELECT 1, 1');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'WITH o AS (SELECT * FROM mv_order) SELECT region, count(*) FROM o GROUP BY region');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region, count(*) FROM mv_order WHERE at < now() GROUP BY region');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT count(*) FROM mv_order HAVING count(*) > 1');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region, max(at) AS last_at FROM mv_order GROUP BY region HAVING max(at) < now()');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region, count(*) FROM mv_order GROUP BY region HAVING max(note) <> ''$9''');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region, string_agg(note, '','') AS notes FROM mv_order GROUP BY region', refresh => 'immediate');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE mv_keyless (k int, v int);
SELECT autoreport.create_view('mv_bad', 'SELECT k, v FROM mv_keyless');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region, sum(value) / count(*) AS mean FROM mv_order GROUP BY region');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region, note, count(*) FROM mv_order GROUP BY region');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region, count(*) FILTER (WHERE value > 1) AS n FROM mv_order GROUP BY region');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region, string_agg(note, '','') AS notes FROM mv_order GROUP BY region');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region, count(DISTINCT note) AS notes FROM mv_order GROUP BY region');
\echo :LAST_ERROR_SQLSTATE
CREATE VIEW mv_plain AS SELECT * FROM mv_order;
SELECT autoreport.create_view('mv_bad', 'SELECT region, count(*) FROM mv_plain GROUP BY region');
\echo :LAST_ERROR_SQLSTATE
CREATE TEMP TABLE mv_temp (k int);
SELECT autoreport.create_view('mv_bad', 'SELECT k, count(*) FROM mv_temp GROUP BY k');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE mv_parted (k int) PARTITION BY RANGE (k);
SELECT autoreport.create_view('mv_bad', 'SELECT k, count(*) FROM mv_parted GROUP BY k');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_bad', 'SELECT region AS _ar_region, count(*) FROM mv_order GROUP BY region');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS left_behind FROM pg_class WHERE relname = 'mv_bad';

-- HAVING: only the groups that pass it are in the table; a group enters and leaves it as changes
-- move it across the condition, judged on aggregates the select list does not show too.
SELECT autoreport.create_view('mv_having', 'SELECT region, sum(value) AS total FROM mv_order GROUP BY region HAVING count(*) > 5 AND max(value) >= 50');
SELECT region, total FROM mv_having ORDER BY region;
INSERT INTO mv_order VALUES (101, 3, '2026-03-01', 50, NULL), (102, 3, '2026-03-01', 1, NULL), (103, 3, '2026-03-01', 1, NULL),
  (104, 3, '2026-03-01', 1, NULL), (105, 3, '2026-03-01', 1, NULL), (106, 3, '2026-03-01', 1, NULL);
SELECT mode_used, rows_changed FROM autoreport.refresh_view('mv_having');
SELECT region, total FROM mv_having ORDER BY region;
UPDATE mv_order SET value = 10 WHERE id = 101; -- its maximum falls below 50: the group leaves
SELECT mode_used, rows_changed FROM autoreport.refresh_view('mv_having');
SELECT region, total FROM mv_having ORDER BY region;
UPDATE mv_order SET value = 60 WHERE id = 101; -- and comes back, recomputed from the table
SELECT mode_used, rows_changed FROM autoreport.refresh_view('mv_having');
SELECT region, total FROM mv_having ORDER BY region;
SELECT region, sum(value) AS total FROM mv_order GROUP BY region HAVING count(*) > 5 AND max(value) >= 50 ORDER BY region;
DELETE FROM mv_order WHERE id > 100;
SELECT mode_used, rows_changed FROM autoreport.refresh_view('mv_having');
SELECT region, total FROM mv_having ORDER BY region;
SELECT autoreport.drop_view('mv_having');

-- refresh => 'immediate': each writing statement applies its changes in its own transaction, so the
-- view is never stale; a rolled-back write takes its changes with it; a TRUNCATE recomputes.
CREATE TABLE mv_now_src (id int PRIMARY KEY, k text, v numeric);
INSERT INTO mv_now_src VALUES (1, 'a', 1), (2, 'a', 2), (3, 'b', 3);
SELECT autoreport.create_view('mv_now', 'SELECT k, count(*) AS n, sum(v) AS total, max(v) AS hi FROM mv_now_src GROUP BY k', refresh => 'immediate');
INSERT INTO mv_now_src VALUES (4, 'b', 10), (5, 'c', 5);
SELECT k, n, total, hi FROM mv_now ORDER BY k;
BEGIN;
UPDATE mv_now_src SET k = 'a' WHERE k = 'b';
DELETE FROM mv_now_src WHERE id = 5;
SELECT k, n, total, hi FROM mv_now ORDER BY k;
ROLLBACK;
SELECT k, n, total, hi FROM mv_now ORDER BY k;
SELECT refresh_mode, pending, state, last_mode, last_reason FROM autoreport.view_status WHERE name = 'mv_now'::regclass;
TRUNCATE mv_now_src;
SELECT count(*) AS rows_after_truncate FROM mv_now;
SELECT last_mode, last_reason FROM autoreport.view_status WHERE name = 'mv_now'::regclass;
-- Back to incremental: writes are only captured; then immediate again, which applies what is pending.
SELECT autoreport.alter_view('mv_now', refresh => 'incremental');
INSERT INTO mv_now_src VALUES (6, 'd', 6);
SELECT count(*) AS rows_before_refresh FROM mv_now;
SELECT autoreport.alter_view('mv_now', refresh => 'immediate');
INSERT INTO mv_now_src VALUES (7, 'd', 7);
SELECT k, n, total, hi FROM mv_now ORDER BY k;
-- A writer with nothing but INSERT on the source: its rows are captured and applied all the same.
CREATE ROLE mv_writer;
GRANT INSERT ON mv_now_src TO mv_writer;
SET ROLE mv_writer;
INSERT INTO mv_now_src VALUES (9, 'e', 9);
RESET ROLE;
SELECT k, n, total, hi FROM mv_now WHERE k = 'e';
REVOKE ALL ON mv_now_src FROM mv_writer;
DROP ROLE mv_writer;
SELECT DISTINCT substr(encode(tgargs, 'escape'), position('\000' IN encode(tgargs, 'escape'))) AS trigger_flags
  FROM pg_trigger WHERE tgrelid = 'mv_now_src'::regclass;
-- A broken immediate view does not stop writes: the changes stay captured, the view says why.
ALTER TABLE mv_now_src ALTER COLUMN v TYPE int;
INSERT INTO mv_now_src VALUES (8, 'd', 8);
SELECT state, broken_reason FROM autoreport.view_status WHERE name = 'mv_now'::regclass;
SELECT autoreport.drop_view('mv_now');
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'mv_now_src'::regclass;

-- Any query with refresh => 'full'.
SELECT autoreport.create_view('mv_outer',
  'SELECT r.name, count(o.id) AS orders FROM mv_region r LEFT JOIN mv_order o ON o.region = r.id GROUP BY 1', 'full');
SELECT * FROM mv_outer ORDER BY name;
SELECT mode_used, reason FROM autoreport.refresh_view('mv_outer');
SELECT autoreport.refresh_view('mv_outer', 'incremental');
\echo :LAST_ERROR_SQLSTATE

-- Bad arguments.
SELECT autoreport.create_view(NULL, 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_x', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_x', 'SELECT region, count(*) FROM mv_order GROUP BY region', 'sometimes');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_x', 'SELECT region, count(*) FROM mv_order GROUP BY region', 'incremental', '61 * * * *');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_x', 'SELECT region, count(*) FROM mv_order GROUP BY region', 'full', 'on change');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_x', 'DELETE FROM mv_order');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_x', 'SELECT 1; SELECT 2');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_x', 'SELEC 1');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_x', 'SELECT k, count(*) FROM no_such_table GROUP BY k');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_revenue', 'SELECT region, count(*) FROM mv_order GROUP BY region');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.refresh_view('mv_nothing');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.refresh_view('mv_order');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.refresh_view('mv_revenue', 'sometimes');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.drop_view('mv_nothing');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.drop_view('mv_order');
\echo :LAST_ERROR_SQLSTATE

-- A view over a view: refreshing it refreshes the view it reads first; dropped only with cascade.
SELECT autoreport.create_view('mv_by_region', 'SELECT region, sum(revenue) AS revenue FROM mv_revenue GROUP BY region');
INSERT INTO mv_order VALUES (12, 2, '2026-03-15', 100, 'big');
SELECT mode_used, reason FROM autoreport.refresh_view('mv_by_region', 'incremental');
SELECT region, revenue FROM mv_by_region ORDER BY region;
-- A diamond: both middle views read mv_revenue, the last reads both; each refreshed once, sources first.
SELECT autoreport.create_view('mv_months', 'SELECT month, sum(orders) AS orders FROM mv_revenue GROUP BY month');
SELECT autoreport.create_view('mv_top', $$SELECT m.month, b.region, count(*) AS n
  FROM mv_months AS m JOIN mv_by_region AS b ON true GROUP BY m.month, b.region$$);
INSERT INTO mv_order VALUES (13, 1, '2026-05-15', 1, 'may');
SELECT mode_used, reason FROM autoreport.refresh_view('mv_top', 'incremental');
SELECT name, state, last_mode FROM autoreport.view_status ORDER BY name::text;
SELECT count(*) AS months FROM mv_top WHERE month = '2026-05-01';
SELECT autoreport.drop_view('mv_revenue');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.drop_view('mv_revenue', cascade => true);
SELECT count(*) AS views, (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'autoreport_capture_%') AS triggers,
       (SELECT count(*) FROM pg_class WHERE relnamespace = 'autoreport_log'::regnamespace AND relkind = 'r') AS logs
  FROM autoreport.view_status;

-- An existing materialized view, adopted: refreshed CONCURRENTLY when it has a unique index.
CREATE TABLE mv_base (id serial PRIMARY KEY, g int, v numeric);
INSERT INTO mv_base (g, v) SELECT i % 3, i FROM generate_series(1, 30) AS i;
CREATE MATERIALIZED VIEW mv_mat AS SELECT g, sum(v) AS s FROM mv_base GROUP BY g;
CREATE MATERIALIZED VIEW mv_mat_unique AS SELECT g, count(*) AS n FROM mv_base GROUP BY g;
CREATE UNIQUE INDEX ON mv_mat_unique (g);
SELECT autoreport.manage_view('mv_mat');
SELECT autoreport.manage_view('mv_mat_unique', '@hourly');
SELECT autoreport.manage_view('mv_mat');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.manage_view('mv_base');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.manage_view(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.manage_view('mv_mat', 'on change');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO mv_base (g, v) VALUES (9, 1);
SELECT mode_used, reason, rows_changed FROM autoreport.refresh_view('mv_mat');
SELECT mode_used, reason FROM autoreport.refresh_view('mv_mat_unique');
SELECT g, s FROM mv_mat WHERE g = 9;
SELECT name, kind, refresh_mode, schedule, state FROM autoreport.view_status WHERE kind = 'materialized view' ORDER BY 1;
-- Dropping an adopted view stops managing it; the materialized view stays.
SELECT autoreport.drop_view('mv_mat');
SELECT count(*) AS still_there FROM pg_matviews WHERE matviewname = 'mv_mat';

-- alter_view: from full to incremental and back (the table gains and loses what incremental
-- maintenance keeps), a schedule set and removed.
SELECT autoreport.create_view('mv_alter', 'SELECT g, sum(v) AS s, count(*) AS n FROM mv_base GROUP BY g', 'full');
SELECT autoreport.alter_view('mv_alter', 'incremental', 'on change');
SELECT count(*) AS hidden_columns FROM pg_attribute WHERE attrelid = 'mv_alter'::regclass AND attname LIKE '\_ar\_%' AND NOT attisdropped;
INSERT INTO mv_base (g, v) VALUES (9, 2);
SELECT mode_used, rows_changed FROM autoreport.refresh_view('mv_alter', 'incremental');
SELECT g, s, n FROM mv_alter WHERE g = 9;
SELECT autoreport.alter_view('mv_alter', 'full');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.alter_view('mv_alter', 'full', '*/5 * * * *');
SELECT count(*) AS hidden_columns FROM pg_attribute WHERE attrelid = 'mv_alter'::regclass AND attname LIKE '\_ar\_%' AND NOT attisdropped;
SELECT count(*) AS capture_triggers FROM pg_trigger WHERE tgrelid = 'mv_base'::regclass;
SELECT g, s, n FROM mv_alter WHERE g = 9;
SELECT name, refresh_mode, schedule FROM autoreport.view_status WHERE name = 'mv_alter'::regclass;
SELECT autoreport.alter_view('mv_alter', NULL, 'none');
SELECT name, refresh_mode, schedule FROM autoreport.view_status WHERE name = 'mv_alter'::regclass;
SELECT autoreport.alter_view('mv_mat_unique', 'incremental');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.alter_view('mv_alter', 'sometimes');
\echo :LAST_ERROR_SQLSTATE
-- From full to immediate: the hidden columns and the capture come back, and writes are applied.
SELECT autoreport.alter_view('mv_alter', 'immediate');
SELECT refresh_mode, state FROM autoreport.view_status WHERE name = 'mv_alter'::regclass;
SELECT count(*) AS capture_triggers FROM pg_trigger WHERE tgrelid = 'mv_base'::regclass;
SELECT autoreport.alter_view('mv_alter', NULL, 'bad cron');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.alter_view('mv_nothing', 'full');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.alter_view(NULL, 'full');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.drop_view('mv_alter');
SELECT autoreport.drop_view('mv_mat_unique');
DROP MATERIALIZED VIEW mv_mat, mv_mat_unique;

-- Privileges: triggers need TRIGGER on each source; only the owner (or autoreport_admin) refreshes.
CREATE ROLE mv_reader;
CREATE ROLE mv_other;
GRANT SELECT ON mv_order TO mv_reader;
GRANT CREATE ON SCHEMA public TO mv_reader;
SET ROLE mv_reader;
SELECT autoreport.create_view('mv_mine', 'SELECT region, count(*) AS n FROM mv_order GROUP BY region');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_view('mv_mine', 'SELECT region, count(*) AS n FROM mv_order GROUP BY region', 'full');
SELECT name, refresh_mode FROM autoreport.view_status;
RESET ROLE;
GRANT TRIGGER ON mv_order TO mv_reader;
SET ROLE mv_reader;
SELECT autoreport.create_view('mv_mine_incr', 'SELECT region, count(*) AS n FROM mv_order GROUP BY region');
RESET ROLE;
INSERT INTO mv_order VALUES (20, 1, '2026-06-01', 1, 'june');
SET ROLE mv_reader;
SELECT mode_used, rows_changed FROM autoreport.refresh_view('mv_mine_incr', 'incremental');
RESET ROLE;
-- An owner who lost SELECT on a source may not refresh (the captured changes would show what it may not read).
REVOKE SELECT ON mv_order FROM mv_reader;
INSERT INTO mv_order VALUES (21, 1, '2026-06-02', 1, 'june');
SET ROLE mv_reader;
SELECT autoreport.refresh_view('mv_mine_incr', 'incremental');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT SELECT ON mv_order TO mv_reader;
SET ROLE mv_other;
SELECT autoreport.refresh_view('mv_mine_incr');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS visible FROM autoreport.view_status;
RESET ROLE;
ALTER TABLE mv_region ENABLE ROW LEVEL SECURITY;
GRANT SELECT, TRIGGER ON mv_region TO mv_reader;
SET ROLE mv_reader;
SELECT autoreport.create_view('mv_rls', 'SELECT name, count(*) FROM mv_region GROUP BY name');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- A capture trigger made by hand may write only its own table's log (rows are logged as the extension's
-- owner: pointed at another table's log, it would forge that table's changes).
CREATE TABLE mv_forger (id int);
SELECT autoreport.create_view('mv_forged', 'SELECT id, count(*) AS n FROM mv_forger GROUP BY id');
CREATE TRIGGER forge AFTER INSERT ON mv_forger REFERENCING NEW TABLE AS n FOR EACH STATEMENT
  EXECUTE FUNCTION autoreport.capture_changes('autoreport_log.log_1');
INSERT INTO mv_forger VALUES (1);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.drop_view('mv_forged');
-- Once no view reads the table, such a trigger (or one a restore of a dump left) does nothing.
INSERT INTO mv_forger VALUES (1);
SELECT count(*) FROM mv_forger;
DROP TABLE mv_forger;
-- A domain's CHECK never runs as the extension's owner when rows are captured: only as the writer.
CREATE TABLE mv_who (who text);
GRANT INSERT ON mv_who TO mv_reader;
CREATE FUNCTION mv_note_user(v int) RETURNS boolean LANGUAGE plpgsql AS $$
  BEGIN INSERT INTO public.mv_who VALUES (current_user); RETURN v IS NULL OR v > 0; END $$;
CREATE DOMAIN mv_checked AS int CHECK (mv_note_user(VALUE));
SET ROLE mv_reader;
CREATE TABLE mv_dom (id int PRIMARY KEY, v mv_checked);
SELECT autoreport.create_view('mv_dom_sum', 'SELECT sum(v) AS total FROM mv_dom');
INSERT INTO mv_dom VALUES (1, 5), (2, 6);
SELECT mode_used FROM autoreport.refresh_view('mv_dom_sum', 'incremental');
SELECT total FROM mv_dom_sum;
-- (A retyped column is logged as NULL: into a log column of the domain, the CHECK would run there.)
ALTER TABLE mv_dom ALTER COLUMN v TYPE int;
INSERT INTO mv_dom VALUES (3, 7);
SELECT autoreport.drop_view('mv_dom_sum');
DROP TABLE mv_dom;
RESET ROLE;
SELECT DISTINCT who FROM mv_who;
DROP DOMAIN mv_checked;
DROP FUNCTION mv_note_user(int);
DROP TABLE mv_who;
SELECT autoreport.drop_view('mv_mine');
SELECT autoreport.drop_view('mv_mine_incr');
SELECT autoreport.drop_view('mv_outer');
REVOKE ALL ON mv_order, mv_region FROM mv_reader;
REVOKE CREATE ON SCHEMA public FROM mv_reader;
REVOKE USAGE ON SCHEMA autoreport_log FROM mv_reader;
DROP ROLE mv_reader;
DROP ROLE mv_other;

-- Many views in one session: a backend keeps at most 64 prepared refresh statements, freed when full,
-- but never under a statement that is running (here each refresh of a source view applies its delta
-- to an immediate view over it, from the capture trigger its own write fires).
CREATE TABLE mv_many_src (id int PRIMARY KEY, k int, v numeric);
INSERT INTO mv_many_src SELECT i, i % 7, i FROM generate_series(1, 200) AS i;
DO $$
BEGIN
  FOR i IN 1..30 LOOP
    PERFORM autoreport.create_view(format('mv_many_%s', i),
      format('SELECT k, count(*) AS n, sum(v) AS total FROM mv_many_src WHERE v > %s GROUP BY k', i));
    PERFORM autoreport.create_view(format('mv_many_top_%s', i),
      format('SELECT k %% 2 AS parity, sum(total) AS total, max(n) AS most FROM mv_many_%s GROUP BY k %% 2', i),
      refresh => 'immediate');
  END LOOP;
  FOR round IN 1..3 LOOP
    UPDATE mv_many_src SET v = v + 1 WHERE id % 5 = round;
    FOR i IN 1..30 LOOP
      PERFORM autoreport.refresh_view(format('mv_many_%s', i));
    END LOOP;
  END LOOP;
END $$;
CREATE FUNCTION pg_temp.many_differences() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  d bigint := 0;
  n bigint;
BEGIN
  FOR i IN 1..30 LOOP
    EXECUTE format('SELECT count(*) FROM ((SELECT parity, total, most FROM mv_many_top_%1$s
                      EXCEPT ALL SELECT k %% 2, sum(s), max(c) FROM (SELECT k, count(*) AS c, sum(v) AS s
                        FROM mv_many_src WHERE v > %1$s GROUP BY k) AS q GROUP BY k %% 2)
                    UNION ALL (SELECT k %% 2, sum(s), max(c) FROM (SELECT k, count(*) AS c, sum(v) AS s
                        FROM mv_many_src WHERE v > %1$s GROUP BY k) AS q GROUP BY k %% 2
                      EXCEPT ALL SELECT parity, total, most FROM mv_many_top_%1$s)) AS x', i) INTO n;
    d := d + n;
  END LOOP;
  RETURN d;
END $$;
SELECT pg_temp.many_differences() AS differences;
DO $$
BEGIN
  FOR i IN 1..30 LOOP
    PERFORM autoreport.drop_view(format('mv_many_%s', i), cascade => true);
  END LOOP;
END $$;
DROP TABLE mv_many_src;
-- An UPDATE logs only the rows whose columns a view reads changed: an update of other columns writes
-- nothing to the log, and the view stays fresh; a mixed one logs the changed rows alone.
CREATE TABLE mv_wide (id int PRIMARY KEY, grp int, v numeric, other text);
INSERT INTO mv_wide SELECT i, i % 3, i, 'x' FROM generate_series(1, 100) AS i;
SELECT autoreport.create_view('mv_wide_sum', 'SELECT grp, sum(v) AS total FROM mv_wide GROUP BY grp');
UPDATE mv_wide SET other = 'y';
SELECT state, pending FROM autoreport.view_status WHERE name = 'mv_wide_sum'::regclass;
UPDATE mv_wide SET other = 'z', v = CASE WHEN id <= 10 THEN v + 1 ELSE v END;
SELECT state, pending FROM autoreport.view_status WHERE name = 'mv_wide_sum'::regclass;
SELECT mode_used, rows_changed FROM autoreport.refresh_view('mv_wide_sum', 'incremental');
SELECT count(*) AS differences FROM ((SELECT grp, total FROM mv_wide_sum EXCEPT ALL SELECT grp, sum(v) FROM mv_wide GROUP BY grp)
  UNION ALL (SELECT grp, sum(v) FROM mv_wide GROUP BY grp EXCEPT ALL SELECT grp, total FROM mv_wide_sum)) AS d;
SELECT autoreport.drop_view('mv_wide_sum');
DROP TABLE mv_wide;
-- A full refresh writes only the rows that differ from the query: none when nothing changed; a group
-- whose value differs only in scale (1.00 left by subtracting, 1 by summing again) is rewritten, so a
-- full refresh gives exactly what the query gives; a NULL group key equals nothing, so its row is
-- written again (and counted twice, deleted and inserted); groups gone are deleted and new ones
-- inserted.
CREATE TABLE mv_diff (id int PRIMARY KEY, grp text, v numeric);
INSERT INTO mv_diff VALUES (1, 'a', 1), (2, 'a', 1.50), (3, NULL, 2), (4, 'b', 3);
SELECT autoreport.create_view('mv_diff_sum', 'SELECT grp, sum(v) AS total, count(*) AS n FROM mv_diff GROUP BY grp');
SELECT mode_used, rows_changed FROM autoreport.refresh_view('mv_diff_sum', 'full');
DELETE FROM mv_diff WHERE id = 2;
SELECT mode_used, rows_changed FROM autoreport.refresh_view('mv_diff_sum', 'incremental');
SELECT grp, total::text FROM mv_diff_sum ORDER BY grp;
SELECT mode_used, rows_changed FROM autoreport.refresh_view('mv_diff_sum', 'full');
SELECT grp, total::text FROM mv_diff_sum ORDER BY grp;
INSERT INTO mv_diff VALUES (5, 'c', 7);
DELETE FROM mv_diff WHERE id = 4;
SELECT mode_used, rows_changed FROM autoreport.refresh_view('mv_diff_sum', 'full');
SELECT grp, total::text, n FROM mv_diff_sum ORDER BY grp;
SELECT pg_relation_size('mv_diff_sum') > 0 AS kept, (SELECT count(*) FROM mv_diff_sum) AS groups;
SELECT autoreport.drop_view('mv_diff_sum');
DROP TABLE mv_diff;
-- A log that a large batch grew and a refresh emptied is truncated, unless a view over the same table
-- has not applied it yet (then the refresh of that view truncates it).
CREATE TABLE mv_batch (id int PRIMARY KEY, grp int, v int);
SELECT autoreport.create_view('mv_batch_a', 'SELECT grp, sum(v) AS total FROM mv_batch GROUP BY grp');
SELECT autoreport.create_view('mv_batch_b', 'SELECT grp, count(*) AS n FROM mv_batch GROUP BY grp');
INSERT INTO mv_batch SELECT i, i % 10, i FROM generate_series(1, 30000) AS i;
SELECT pg_relation_size('autoreport_log.log_' || 'mv_batch'::regclass::oid) / 8192 >= 128 AS grown;
SELECT rows_changed FROM autoreport.refresh_view('mv_batch_a');
SELECT pg_relation_size('autoreport_log.log_' || 'mv_batch'::regclass::oid) / 8192 >= 128 AS still_grown;
SELECT rows_changed FROM autoreport.refresh_view('mv_batch_b');
SELECT pg_relation_size('autoreport_log.log_' || 'mv_batch'::regclass::oid) AS bytes_after;
UPDATE mv_batch SET v = v + 1 WHERE id <= 5;
SELECT rows_changed FROM autoreport.refresh_view('mv_batch_a');
SELECT (SELECT total FROM mv_batch_a WHERE grp = 1) = (SELECT sum(v) FROM mv_batch WHERE grp = 1) AS right_after;
SELECT autoreport.drop_view('mv_batch_a');
SELECT autoreport.drop_view('mv_batch_b');
DROP TABLE mv_batch;
-- A statement's rows equal in every column the views read are logged as one row with their count:
-- a load into 4 groups logs 4 rows (more than 32,767 equal rows take more than one); rows moved
-- between groups log a row per old and new group; view_status and the reason count the rows changed.
CREATE TABLE mv_load (id int PRIMARY KEY, grp int, note text);
SELECT autoreport.create_view('mv_load_n', 'SELECT grp, count(*) AS n FROM mv_load GROUP BY grp');
INSERT INTO mv_load SELECT i, i % 4, 'x' || i FROM generate_series(1, 20000) AS i;
SELECT format('SELECT count(*) AS log_rows, sum(_ar_sign) AS net FROM autoreport_log.log_%s', 'mv_load'::regclass::oid) AS q \gset
:q;
SELECT pending FROM autoreport.view_status WHERE name = 'mv_load_n'::regclass;
SELECT rows_changed, split_part(reason, ' against', 1) AS counted FROM autoreport.refresh_view('mv_load_n');
SELECT grp, n FROM mv_load_n ORDER BY grp;
UPDATE mv_load SET grp = 9 WHERE id <= 5000;
INSERT INTO mv_load SELECT i, 7, 'y' FROM generate_series(20001, 60000) AS i;
SELECT format('SELECT _ar_sign, count(*) FROM autoreport_log.log_%s GROUP BY 1 ORDER BY 1', 'mv_load'::regclass::oid) AS q \gset
:q;
SELECT rows_changed, split_part(reason, ' against', 1) AS counted FROM autoreport.refresh_view('mv_load_n');
SELECT (SELECT count(*) FROM ((SELECT grp, n FROM mv_load_n EXCEPT ALL SELECT grp, count(*) FROM mv_load GROUP BY grp)
  UNION ALL (SELECT grp, count(*) FROM mv_load GROUP BY grp EXCEPT ALL SELECT grp, n FROM mv_load_n)) AS d) AS differences;
SELECT autoreport.drop_view('mv_load_n');
DROP TABLE mv_load;
