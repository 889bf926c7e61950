#!/bin/bash
# Benchmark: managed views against REFRESH MATERIALIZED VIEW of the same query, measured in the same
# run, printed next to the targets of the issue.
#
#   1. refresh after changing 1 row, 0.1%, 1% and 10% of the fact table, with refresh_view() at its
#      default (mode 'auto'), against REFRESH MATERIALIZED VIEW of the same query
#        targets: >= 300x faster at 1 row, >= 50x at 0.1%, never slower at any size
#   2. the writer's cost of capture: a 100,000-row INSERT into the fact table with capture on (the
#      views read it) against the same INSERT into an identical table without   target: <= 1.3x
#      and a one-row UPDATE transaction, the time added per transaction          target: <= 0.3 ms
#   3. refresh => 'immediate': the small view applies each one-row UPDATE in the writer's transaction;
#      the time per transaction against capture only, and against refresh_view() of one changed row
#
# The data: bench_fact, 1,000,000 rows (customer, product, region, day, amount numeric(12,2), qty),
# generated from hashes of the row number (no random()), with its primary key; bench_product (1,000
# products in 25 categories) and bench_region (50 regions in 5 zones). Two views over the fact joined
# to its dimensions: "small", revenue by zone, category and month (1,500 groups: count, sum, avg, max),
# and "large", by customer and zone (500,000 groups: count, sum). Each is also a materialized view of
# the very same query: the baseline is REFRESH MATERIALIZED VIEW (not CONCURRENTLY, the faster one),
# median of 3, each the second in its connection. A change of k rows is one UPDATE of amount on k rows
# chosen by a hash, committed; then refresh_view() of the view is timed (server clock, one statement)
# in a connection that already refreshed it after a one-row change (as a user's session or a pool's
# connection that refreshes it has), median of 3 rounds of change and refresh; the same in a new
# connection, whose first call also reads the catalogs and plans every statement (as a scheduled
# refresh's worker, a process of its own, does), is printed beside it. The mode auto chose, and
# why, is printed.
#
# Writer cost: bench_fact and bench_fact_plain (the same columns, primary key, rows); the first has the
# capture triggers (the views read it), the second none; both rewritten first, so their pages are laid
# out alike. A 100,000-row INSERT ... SELECT into each, alternately, each after a CHECKPOINT, median of
# 5 (the rows deleted after each, untimed); 2,000 one-row UPDATE transactions (a procedure that commits
# after each) on each, the difference per transaction.
# Run it through bench/run.sh views.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
[ -n "${BENCH_CLUSTER:-}" ] || die "run this benchmark through bench/run.sh views"

CLUSTER=$ROOT/scripts/cluster.sh
DB=bench_views
ROWS=${VIEWS_BENCH_ROWS:-1000000} # smaller only to try the script out
RUNS=3
INSERT_RUNS=5 # the INSERTs vary more from run to run (WAL, extending files)

psql_bench() { "$CLUSTER" psql "$BENCH_CLUSTER" -d "$DB" -v ON_ERROR_STOP=1 -q -At "$@"; }

# Seconds (server clock) one statement takes, in a fresh connection; its output is discarded. With a
# second argument, that statement runs first in the same connection, untimed (a warm-up). The timer's
# own statements run once before (their first parse and catalog lookups in a connection took about
# 1 ms, which the first timing counted).
time_statement() {
  psql_bench <<SQL
\o /dev/null
SELECT clock_timestamp() AS t0 \gset
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 6);
${2:-SELECT 1};
SELECT clock_timestamp() AS t0 \gset
$1;
\o
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 6);
SQL
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

cleanup() {
  "$CLUSTER" psql "$BENCH_CLUSTER" -d postgres -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

SMALL="SELECT r.zone, p.category, date_trunc('month', f.day::timestamp) AS month, count(*) AS orders,
              sum(f.amount) AS revenue, avg(f.qty) AS mean_qty, max(f.amount) AS largest
         FROM bench_fact AS f JOIN bench_product AS p ON p.id = f.product JOIN bench_region AS r ON r.id = f.region
        GROUP BY r.zone, p.category, date_trunc('month', f.day::timestamp)"
LARGE="SELECT f.customer, r.zone, count(*) AS orders, sum(f.amount) AS revenue
         FROM bench_fact AS f JOIN bench_region AS r ON r.id = f.region
        GROUP BY f.customer, r.zone"

"$CLUSTER" psql "$BENCH_CLUSTER" -d postgres -q -v ON_ERROR_STOP=1 \
  -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
echo "    generating $ROWS fact rows and two dimensions"
psql_bench -v rows="$ROWS" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION autoreport;
CREATE TABLE bench_region (id int PRIMARY KEY, name text NOT NULL, zone text NOT NULL);
INSERT INTO bench_region SELECT i, 'region ' || i, 'zone ' || (i % 5) FROM generate_series(1, 50) AS i;
CREATE TABLE bench_product (id int PRIMARY KEY, category text NOT NULL);
INSERT INTO bench_product SELECT i, 'category ' || (i % 25) FROM generate_series(1, 1000) AS i;
CREATE TABLE bench_fact (id bigint PRIMARY KEY, customer int NOT NULL, product int NOT NULL,
                         region int NOT NULL, day date NOT NULL, amount numeric(12, 2) NOT NULL, qty int NOT NULL);
INSERT INTO bench_fact
SELECT i, c, 1 + (hashint8extended(i, 2) & 65535) % 1000, 1 + c % 50,
       date '2025-01-01' + ((hashint8extended(i, 3) & 65535) % 365)::int,
       round(((hashint8extended(i, 4) & 1048575) % 100000) / 100.0, 2), 1 + (hashint8extended(i, 5) & 255) % 9
  FROM generate_series(1, :rows) AS g(i)
 CROSS JOIN LATERAL (SELECT (i % 500000)::int AS c) AS cc;
CREATE TABLE bench_fact_plain (LIKE bench_fact INCLUDING ALL);
INSERT INTO bench_fact_plain SELECT * FROM bench_fact;
VACUUM ANALYZE bench_region, bench_product, bench_fact, bench_fact_plain;
SQL
psql_bench -c "CREATE MATERIALIZED VIEW mat_small AS $SMALL" -c "CREATE MATERIALIZED VIEW mat_large AS $LARGE" >/dev/null
psql_bench -c "SELECT autoreport.create_view('small', \$q\$$SMALL\$q\$)" \
  -c "SELECT autoreport.create_view('large', \$q\$$LARGE\$q\$)" >/dev/null
psql_bench -c "VACUUM ANALYZE small, large" -c CHECKPOINT >/dev/null
echo "    groups: small $(psql_bench -c 'SELECT count(*) FROM small'), large $(psql_bench -c 'SELECT count(*) FROM large')"

# The views must equal their materialized twins (the benchmark times nothing that is wrong).
check_equal() {
  local view=$1 mat=$2 cols=$3 d
  d=$(psql_bench -c "SELECT (SELECT count(*) FROM (SELECT $cols FROM $view EXCEPT ALL SELECT $cols FROM $mat) a)
                          + (SELECT count(*) FROM (SELECT $cols FROM $mat EXCEPT ALL SELECT $cols FROM $view) b)")
  [ "$d" = 0 ] || die "$view differs from $mat in $d rows"
}

# ---- 1. refresh after a change ------------------------------------------------------------------
declare -A FULL
for v in small large; do
  times=()
  for _ in $(seq 1 $RUNS); do
    times+=("$(time_statement "REFRESH MATERIALIZED VIEW mat_$v" "REFRESH MATERIALIZED VIEW mat_$v")")
  done
  FULL[$v]=$(median "${times[@]}")
done
echo
echo "1. refresh after a change (median of $RUNS; REFRESH MATERIALIZED VIEW: small ${FULL[small]} s, large ${FULL[large]} s)"
printf '    %-6s %-6s %10s %10s %9s %10s  %s\n' view change "refresh_view" "REFRESH MV" "speed-up" "new conn." "auto chose"
round=0
for k in 1 1000 10000 100000; do
  declare -A T=() C=() MODE=()
  for v in small large; do T[$v]=""; C[$v]=""; done
  for r in $(seq 1 $RUNS); do
    for v in small large; do
      # A session that already refreshed the view once, applying a change (its statements planned,
      # its caches warm), as a user's or a pooled connection that refreshes it is; then the same in a
      # new connection (its first call reads the catalogs and plans every statement), shown beside it.
      for how in warm cold; do
        round=$((round + 1))
        change="UPDATE bench_fact SET amount = amount + 1 WHERE id IN
                  (SELECT 1 + (hashint8extended(g, $round) & 1048575) % $ROWS FROM generate_series(1, $k) AS g)"
        if [ $how = warm ]; then
          warmup="UPDATE bench_fact SET amount = amount + 1 WHERE id = 1 + (hashint8extended($round, 0) & 1048575) % $ROWS"
          T[$v]+="$(time_statement "SELECT * FROM autoreport.refresh_view('$v')" \
                    "SELECT * FROM autoreport.refresh_view('$v'); $warmup; SELECT * FROM autoreport.refresh_view('$v'); $change") "
          MODE[$v]=$(psql_bench -c "SELECT last_mode || ': ' || last_reason FROM autoreport.view_status WHERE name = '$v'::regclass")
        else
          psql_bench -c "$change" >/dev/null
          C[$v]+="$(time_statement "SELECT * FROM autoreport.refresh_view('$v')") "
        fi
      done
    done
  done
  # (each change came after the other view's refresh: bring both up to date before comparing)
  psql_bench -c "SELECT autoreport.refresh_view('small')" -c "SELECT autoreport.refresh_view('large')" \
    -c "REFRESH MATERIALIZED VIEW mat_small" -c "REFRESH MATERIALIZED VIEW mat_large" >/dev/null
  check_equal small mat_small "zone, category, month, orders, revenue, mean_qty, largest"
  check_equal large mat_large "customer, zone, orders, revenue"
  for v in small large; do
    # shellcheck disable=SC2086
    t=$(median ${T[$v]})
    if [ "$v/$k" = small/1 ]; then SMALL_ONE_ROW=$t; fi
    label=$([ "$k" = 1 ] && echo "1 row" || awk -v k="$k" -v n="$ROWS" 'BEGIN { printf "%g%%", 100 * k / n }')
    # shellcheck disable=SC2086
    c=$(median ${C[$v]})
    printf '    %-6s %-6s %9.4fs %9.4fs %8.1fx %9.4fs  %s\n' "$v" "$label" "$t" "${FULL[$v]}" \
      "$(awk -v a="${FULL[$v]}" -v b="$t" 'BEGIN { print a / b }')" "$c" "${MODE[$v]}"
  done
done
echo "    targets: >= 300x at 1 row, >= 50x at 0.1%, never below 1x"

# ---- 2. the writer's cost ---------------------------------------------------------------------------
# Both tables are rewritten first (VACUUM FULL): the changes of part 1 left bench_fact's free space
# scattered over its pages while bench_fact_plain was never changed, and an INSERT filling scattered
# space costs more than one appending (measured: up to 1.5x) whatever the triggers do. Each timed
# INSERT follows a CHECKPOINT (untimed), so that neither side pays for creating WAL segment files the
# other found recycled (the cluster keeps 8 GB of WAL between checkpoints: a 100,000-row INSERT writing
# its first WAL into a new 16 MB segment took up to 100 ms more). The two tables alternate.
psql_bench -c "SELECT autoreport.refresh_view('small')" -c "SELECT autoreport.refresh_view('large')" \
  -c "VACUUM FULL bench_fact" -c "VACUUM FULL bench_fact_plain" -c "VACUUM ANALYZE bench_fact, bench_fact_plain" >/dev/null
on=(); off=()
for r in $(seq 1 $INSERT_RUNS); do
  for t in bench_fact bench_fact_plain; do
    s=$(time_statement "INSERT INTO $t SELECT 2000000 + i, i % 500000, 1 + i % 1000, 1 + i % 50, date '2025-06-01', 1.5, 2
                          FROM generate_series(1, 100000) AS i" CHECKPOINT)
    if [ $t = bench_fact ]; then on+=("$s"); else off+=("$s"); fi
    psql_bench -c "DELETE FROM $t WHERE id > 2000000" >/dev/null
  done
  psql_bench -c "SELECT autoreport.refresh_view('small')" -c "SELECT autoreport.refresh_view('large')" \
    -c "VACUUM bench_fact, bench_fact_plain" >/dev/null
done
ins_on=$(median "${on[@]}"); ins_off=$(median "${off[@]}")
psql_bench >/dev/null <<'SQL'
CREATE PROCEDURE bench_updates(t regclass, n int) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..n LOOP
    EXECUTE format('UPDATE %s SET qty = qty + 1 WHERE id = $1', t) USING 1 + (i * 7919) % 1000000;
    COMMIT;
  END LOOP;
END $$;
SQL
u_on=(); u_off=()
for r in $(seq 1 $RUNS); do
  u_off+=("$(time_statement "CALL bench_updates('bench_fact_plain', 2000)")")
  u_on+=("$(time_statement "CALL bench_updates('bench_fact', 2000)")")
done
upd_on=$(median "${u_on[@]}"); upd_off=$(median "${u_off[@]}")
echo
echo "2. the writer's cost of capture (median of $INSERT_RUNS INSERTs, $RUNS x 2,000 UPDATEs)"
awk -v a="$ins_on" -v b="$ins_off" 'BEGIN { printf "    100,000-row INSERT: %.3f s with capture, %.3f s without: %.2fx (target <= 1.3x)\n", a, b, a / b }'
awk -v a="$upd_on" -v b="$upd_off" 'BEGIN { printf "    one-row UPDATE transaction: %.3f ms with capture, %.3f ms without: %.3f ms added (target <= 0.3 ms)\n", a / 2, b / 2, (a - b) / 2 }'

# ---- 3. immediate -----------------------------------------------------------------------------------
# The small view made immediate: each one-row UPDATE transaction applies its change to it (the large
# view still only captures). Against the incremental refresh of the same one-row change (section 1).
psql_bench -c "SELECT autoreport.alter_view('small', refresh => 'immediate')" >/dev/null
u_imm=()
for r in $(seq 1 $RUNS); do
  u_imm+=("$(time_statement "CALL bench_updates('bench_fact', 2000)")")
done
upd_imm=$(median "${u_imm[@]}")
psql_bench -c "REFRESH MATERIALIZED VIEW mat_small" >/dev/null
check_equal small mat_small "zone, category, month, orders, revenue, mean_qty, largest"
echo
echo "3. refresh => 'immediate' (the small view; median of $RUNS runs of 2,000 one-row UPDATE transactions)"
awk -v i="$upd_imm" -v a="$upd_on" -v b="$upd_off" -v r="$SMALL_ONE_ROW" 'BEGIN {
  printf "    one-row UPDATE transaction: %.3f ms applying it to the view, %.3f ms capturing only, %.3f ms without capture\n", i / 2, a / 2, b / 2
  printf "    the change applied by the writer: %.3f ms; by refresh_view() afterwards (section 1): %.3f ms\n", (i - a) / 2, r * 1000 }'
