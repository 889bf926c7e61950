#!/bin/bash
# A burst on managed views, driven by pgbench (8 clients): writers insert, update and delete rows of a
# table that an `immediate` view and an incremental view read, while other clients refresh the
# incremental one and read both. Afterwards both equal their query (EXCEPT ALL both ways), no client
# met an error other than a deadlock PostgreSQL resolved (none expected), and no backend crashed.
# Prints TAP-style "ok"/"not ok".
#
#   test/concurrency/views_burst.sh CLUSTER_DIR [SECONDS]
set -uo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

dir=$1
seconds=${2:-15}
db=autoreport_burst
# shellcheck source=burst.sh
source "$(dirname "$0")/burst.sh"

burst_setup <<'SQL'
CREATE TABLE region (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO region SELECT i, 'region ' || (i % 7) FROM generate_series(1, 20) AS i;
CREATE TABLE sale (id int PRIMARY KEY, region int NOT NULL, amount numeric NOT NULL, note text);
INSERT INTO sale SELECT i, 1 + i % 20, i % 100, 'n' FROM generate_series(1, 5000) AS i;
SELECT autoreport.create_view('sale_now', 'SELECT r.name, count(*) AS n, sum(s.amount) AS total, max(s.amount) AS top
  FROM sale AS s JOIN region AS r ON r.id = s.region GROUP BY r.name', 'immediate');
SELECT autoreport.create_view('sale_inc', 'SELECT s.region, count(*) AS n, sum(s.amount) AS total, min(s.amount) AS low
  FROM sale AS s GROUP BY s.region');
SQL

cat >"$work/insert.sql" <<'SQL'
\set id random(5001, 200000)
\set region random(1, 20)
\set amount random(0, 999)
SELECT try('insert', format('INSERT INTO sale VALUES (%s, %s, %s, ''b'') ON CONFLICT (id) DO NOTHING', :id, :region, :amount));
SQL
cat >"$work/update.sql" <<'SQL'
\set id random(1, 5000)
\set region random(1, 20)
SELECT try('update', format('UPDATE sale SET amount = amount + 1, region = %s WHERE id BETWEEN %s AND %s + 20', :region, :id, :id));
SQL
cat >"$work/delete.sql" <<'SQL'
\set id random(1, 200000)
SELECT try('delete', format('DELETE FROM sale WHERE id = %s', :id));
SQL
cat >"$work/note.sql" <<'SQL'
\set id random(1, 5000)
SELECT try('note', format('UPDATE sale SET note = md5(random()::text) WHERE id BETWEEN %s AND %s + 50', :id, :id));
SQL
cat >"$work/refresh.sql" <<'SQL'
SELECT try('refresh', 'SELECT autoreport.refresh_view(''sale_inc'')');
SQL
cat >"$work/read.sql" <<'SQL'
SELECT try('read', 'SELECT sum(total) FROM sale_now UNION ALL SELECT sum(total) FROM sale_inc');
SQL
burst_run "writing, refreshing and reading managed views" \
  -f "$work/insert.sql@4" -f "$work/update.sql@3" -f "$work/delete.sql@2" -f "$work/note.sql@2" \
  -f "$work/refresh.sql@2" -f "$work/read.sql@2"
bad=$(q "SELECT count(*) FROM burst_error WHERE sqlstate <> '40P01'")
if [ "$bad" = 0 ]; then echo "ok - no client met an error"; else echo "not ok - $bad errors"; fi
writes=$(q "SELECT count(*) FROM sale WHERE id > 5000 OR amount >= 100")
if [ "${writes:-0}" -gt 50 ]; then echo "ok - the writers changed $writes rows"; else echo "not ok - only ${writes:-0} rows changed"; fi
now_diff=$(q "SELECT count(*) FROM ((SELECT name, n, total, top FROM sale_now EXCEPT ALL SELECT r.name, count(*), sum(s.amount), max(s.amount) FROM sale AS s JOIN region AS r ON r.id = s.region GROUP BY r.name) UNION ALL (SELECT r.name, count(*), sum(s.amount), max(s.amount) FROM sale AS s JOIN region AS r ON r.id = s.region GROUP BY r.name EXCEPT ALL SELECT name, n, total, top FROM sale_now)) AS d")
if [ "$now_diff" = 0 ]; then echo "ok - the immediate view equals its query after the burst, without a refresh"; else
  echo "not ok - the immediate view differs from its query in $now_diff rows"; fi
q "SELECT autoreport.refresh_view('sale_inc')" >/dev/null
inc_diff=$(q "SELECT count(*) FROM ((SELECT region, n, total, low FROM sale_inc EXCEPT ALL SELECT region, count(*), sum(amount), min(amount) FROM sale GROUP BY region) UNION ALL (SELECT region, count(*), sum(amount), min(amount) FROM sale GROUP BY region EXCEPT ALL SELECT region, n, total, low FROM sale_inc)) AS d")
if [ "$inc_diff" = 0 ]; then echo "ok - the incremental view equals its query after a last refresh"; else
  echo "not ok - the incremental view differs from its query in $inc_diff rows"; fi
burst_end
