#!/bin/bash
# Benchmark: the demo's orders load against a plain COPY of the very same rows.
#
# "demo load" is CALL demo.load_orders(), the procedure demo/load.sql uses: it generates the ~1M orders
# and INSERTs them, one month per chunk. "plain COPY" is a server-side COPY demo.orders FROM a text
# file holding exactly those rows (written once by COPY ... TO). Both sides are measured the same way:
#   - into the same table, demo.orders, emptied by TRUNCATE before each run, with no keys and no
#     indexes (index and foreign key builds are excluded; the CHECK constraints apply to both);
#   - after a CHECKPOINT, so that neither run pays for the other's dirty pages;
#   - by the server's clock (clock_timestamp() before and after the statement, in the same session, so
#     client start-up is excluded and the commit is included);
#   - one untimed warm-up run each, then 3 timed runs each, interleaved; the median is reported.
# Run it through bench/run.sh load_vs_copy.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
[ -n "${BENCH_CLUSTER:-}" ] || die "run this benchmark through bench/run.sh load_vs_copy"

CLUSTER=$ROOT/scripts/cluster.sh
DB=bench_load_vs_copy
RUNS=3
COPY_FILE=$BENCH_CLUSTER/orders.copy   # the cluster folder: the server's user may write there

# psql against the benchmark database, stopping at the first error.
psql_bench() { "$CLUSTER" psql "$BENCH_CLUSTER" -d "$DB" -v ON_ERROR_STOP=1 -q "$@"; }

# Prints the seconds (by the server's clock) that one SQL statement takes on an empty demo.orders.
time_into_empty_orders() {
  psql_bench -At <<SQL
TRUNCATE demo.orders;
CHECKPOINT;
SELECT clock_timestamp() AS t0 \gset
$1;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 3);
SQL
}

# Prints the median of the numbers given.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Removes the database and the COPY file; called on every exit.
cleanup() {
  rm -f "$COPY_FILE"
  "$CLUSTER" psql "$BENCH_CLUSTER" -d postgres -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The demo schema with its dimension tables, and an empty demo.orders.
"$CLUSTER" psql "$BENCH_CLUSTER" -d postgres -q -v ON_ERROR_STOP=1 \
  -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
psql_bench -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION autoreport' \
  -f "$ROOT/demo/schema.sql" -f "$ROOT/demo/generate.sql" -c 'CALL demo.load_dimensions()'

GENERATE="CALL demo.load_orders()"
COPY_IN="COPY demo.orders FROM '$COPY_FILE'"

# Warm-up, and the file for COPY: the rows the demo load makes.
time_into_empty_orders "$GENERATE" >/dev/null
rows=$(psql_bench -At -c "COPY demo.orders TO '$COPY_FILE'" -c 'SELECT count(*) FROM demo.orders')
time_into_empty_orders "$COPY_IN" >/dev/null
[ "$(psql_bench -At -c 'SELECT count(*) FROM demo.orders')" = "$rows" ] || die "COPY did not load the $rows rows back"

load_times=()
copy_times=()
for i in $(seq "$RUNS"); do
  load_times+=("$(time_into_empty_orders "$GENERATE")")
  copy_times+=("$(time_into_empty_orders "$COPY_IN")")
  echo "    run $i of $RUNS: demo load ${load_times[-1]} s, plain COPY ${copy_times[-1]} s"
done

load=$(median "${load_times[@]}")
copy=$(median "${copy_times[@]}")
file_mb=$(( $(stat -c %s "$COPY_FILE") / 1000000 ))
echo
echo "  $rows rows into an empty demo.orders (no keys or indexes), median of $RUNS runs:"
printf '    %-58s %8.3f s\n' "demo load (demo.load_orders(): generate + INSERT, by month)" "$load"
printf '    %-58s %8.3f s\n' "plain COPY (COPY FROM a $file_mb MB text file on the server)" "$copy"
awk -v a="$load" -v b="$copy" 'BEGIN { printf "    demo load / plain COPY = %.2fx\n", a / b }'
