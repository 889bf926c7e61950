# shellcheck shell=bash
# What the forecasting benchmarks share; sourced after scripts/lib.sh by a script run through
# bench/run.sh (BENCH_CLUSTER set).
#
#   bench_database NAME   a fresh database NAME in the benchmark cluster with autoreport created in it,
#                         dropped again when the script exits
#   psql_bench ARGS...    psql in that database, stopping at the first error

bench_database() {
  BENCH_DB=$1
  trap bench_drop_database EXIT
  "$ROOT/scripts/cluster.sh" psql "$BENCH_CLUSTER" -d postgres -q -v ON_ERROR_STOP=1 \
    -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $BENCH_DB" -c "CREATE DATABASE $BENCH_DB"
  psql_bench -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION autoreport'
}

psql_bench() { "$ROOT/scripts/cluster.sh" psql "$BENCH_CLUSTER" -d "$BENCH_DB" -v ON_ERROR_STOP=1 -q "$@"; }

bench_drop_database() {
  "$ROOT/scripts/cluster.sh" psql "$BENCH_CLUSTER" -d postgres -q -c "DROP DATABASE IF EXISTS $BENCH_DB" \
    >/dev/null 2>&1 || true
}
