#!/bin/bash
# Benchmark: autoreport.advise() against Dexter's rule and against an exhaustive search, on two
# workloads measured in the same run; and the cost of slow-query capture.
#
#   1. Workloads: (tpch) bench/tpch/schema.sql at scale ADVISE_SCALE (0.5: lineitem ~3M rows), primary
#      keys only, and the 22 queries of bench/tpch/queries.sql with the specification's parameters;
#      (star) the demo's star schema (demo/load.sql: 1M orders), its reporting indexes dropped (keys
#      kept), and the demo's six reports (demo/reports.sql, demo/slow_report.sql) called as users call
#      them, reports.<name>() at their defaults with the result cache off. For the star workload,
#      advise() reads the captured workload (queries => NULL, after one call of each report with
#      capture on); Dexter's rule and the exhaustive search get the same captured statements with
#      their parameters put back. ADVISE_WORKLOADS (default "tpch star") picks them.
#   2. Index sets: (a) none; (b) Dexter's rule (bench/advise/baselines.sql, on what_if: single-column
#      candidates, then pairs, kept when they halve a query's cost); (c) advise() at budgets of 5%, 10%
#      and 25% of the workload's tables' size, as users call it (its defaults otherwise), timed
#      (target < 10 s).
#   3. Each set is built for real (CREATE INDEX, then CHECKPOINT) on the vacuumed tables, the
#      queries run once untimed, then one after another three times; the workload's time is the
#      median of the three totals (server clock, each query capped by statement_timeout =
#      ADVISE_TIMEOUT s, 30 by default, a capped query counted at the cap and marked; per query, the
#      median of its runs is printed too), and the indexes' real bytes are summed. The star
#      workload's six reports take about a second, less than the time over which this machine's
#      speed drifts, so its sets are measured in 5 interleaved rounds (each set built and run in
#      turn, 5 times) and its time is the median of the 15 totals. Targets: ours at most Dexter's
#      time with no more bytes than it, at every budget.
#   4. Exhaustive search over the top 12 candidates (those of advise() at every budget, Dexter's, and
#      every single column a query filters, joins, groups or sorts on, ranked by the planner cost each
#      saves alone): the best subset within each budget by the workload's planner cost, against the
#      cost of advise()'s set. Target: within 5%.
#   5. Capture: pgbench -S (select-only, 2 clients, 20 s, scale 10) with capture on and a threshold
#      above every query, against capture off (autoreport.capture_min_duration = -1), alternated,
#      median of 3 each. Target: within 3%.
# Run it through bench/run.sh advise.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
[ -n "${BENCH_CLUSTER:-}" ] || die "run this benchmark through bench/run.sh advise"

CLUSTER=$ROOT/scripts/cluster.sh
SCALE=${ADVISE_SCALE:-0.5}
TIMEOUT=${ADVISE_TIMEOUT:-30}
RUNS=3
ROUNDS=1 # rounds of building and running every set, interleaved (the star workload takes 5)
WORK=$ROOT/build/bench-advise
mkdir -p "$WORK"
# The workload being measured: its database, the schema of its tables, and its number of queries.
DB=
SCHEMA=
NQ=0

psql_bench() { "$CLUSTER" psql "$BENCH_CLUSTER" -d "$DB" -v ON_ERROR_STOP=1 -q -At "$@"; }

# The sum of the heap sizes of the workload's schema's tables.
tables_bytes() {
  psql_bench -c "SELECT sum(pg_relation_size(c.oid)) FROM pg_class AS c
                  WHERE c.relnamespace = '$SCHEMA'::regnamespace AND c.relkind = 'r'"
}

# A fresh database for the workload, with autoreport, the baselines and the tables both setups fill:
# bench_workload (n, run: the statement that is executed and timed) and bench_set (the index sets).
new_database() {
  DB=$1 SCHEMA=$2
  "$CLUSTER" psql "$BENCH_CLUSTER" -d postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  psql_bench -c "CREATE EXTENSION autoreport"
  psql_bench -f "$ROOT/bench/advise/baselines.sql"
  psql_bench -c "CREATE TABLE bench_workload (n int PRIMARY KEY, run text NOT NULL)"
  psql_bench -c "CREATE TABLE bench_set (label text, ddl text, seconds float8)"
}

setup_tpch() {
  new_database bench_advise tpch
  local started=$SECONDS
  psql_bench -v scale="$SCALE" -f "$ROOT/bench/tpch/schema.sql" >/dev/null
  # Every set is measured on tables in the same state: vacuumed (hint bits and visibility map set)
  # and analysed, so that no autovacuum runs in the middle of a measurement.
  psql_bench -c "VACUUM (ANALYZE) tpch.region, tpch.nation, tpch.supplier, tpch.customer, tpch.part, tpch.partsupp, tpch.orders, tpch.lineitem"
  echo "  TPC-H-like data at scale $SCALE loaded and vacuumed in $((SECONDS - started)) s"
  # The workload: one row per query, planned (bench_queries) as it is run.
  awk '/^-- Q[0-9]+$/ { if (q != "") print n "\t" q; n = substr($0, 5); q = ""; next }
       n != "" { gsub(/\t/, " "); sub(/;[ ]*$/, ""); q = q (q == "" ? "" : " ") $0 }
       END { if (q != "") print n "\t" q }' "$ROOT/bench/tpch/queries.sql" |
    psql_bench -c "COPY bench_workload FROM STDIN"
  NQ=$(psql_bench -c "SELECT count(*) FROM bench_workload")
  [ "$NQ" = 22 ] || die "expected 22 queries"
  psql_bench -c "CREATE VIEW bench_queries AS SELECT array_agg(run ORDER BY n) AS q FROM bench_workload"
  echo "  data size (the tables): $(psql_bench -c "SELECT pg_size_pretty($(tables_bytes)::bigint)")"
}

setup_star() {
  new_database bench_star demo
  local started=$SECONDS
  psql_bench -v generator=bench -f "$ROOT/demo/load.sql" >/dev/null
  psql_bench -c 'SET client_min_messages = warning' -f "$ROOT/demo/reports.sql" -f "$ROOT/demo/slow_report.sql" >/dev/null
  # The reporting indexes demo/generate.sql adds go; the keys (primary, unique, foreign) stay.
  drop_indexes
  psql_bench -c "VACUUM (ANALYZE) demo.regions, demo.dates, demo.customers, demo.products, demo.orders, demo.planted_anomalies"
  echo "  demo star schema loaded (its reporting indexes dropped) and vacuumed in $((SECONDS - started)) s"
  # The workload: each report once, at its defaults, as users call it.
  psql_bench -c "INSERT INTO bench_workload SELECT row_number() OVER (ORDER BY name), format('SELECT * FROM reports.%I()', name)
                   FROM autoreport.reports"
  NQ=$(psql_bench -c "SELECT count(*) FROM bench_workload")
  [ "$NQ" = 6 ] || die "expected the demo's 6 reports, found $NQ"
  psql_bench -c "SELECT '    ' || run FROM bench_workload ORDER BY n"
  # Captured as the reports run (the statements inside reports.<name>()); the planned texts are the
  # captured statements with their parameters put back, the last one first ($12 before $1).
  psql_bench <<'SQL' >/dev/null
SELECT autoreport.clear_captured();
SET autoreport.cache = off;
SET autoreport.capture_min_duration = 0;
SELECT run FROM bench_workload ORDER BY n \gexec
RESET autoreport.capture_min_duration;
SQL
  psql_bench -c "SELECT '  captured: ' || count(*) || ' statements of the reports' FROM autoreport.captured_queries
                  WHERE database = current_database() AND NOT toplevel AND query LIKE '%demo.%'"
  psql_bench <<'SQL'
CREATE FUNCTION bench_put_back(statement text, params text[]) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE i int;
BEGIN
  FOR i IN REVERSE coalesce(cardinality(params), 0) .. 1 LOOP
    statement := replace(statement, '$' || i, params[i]);
  END LOOP;
  RETURN statement;
END $$;
CREATE TABLE bench_captured AS
  SELECT bench_put_back(query, params) AS q FROM autoreport.captured_queries
   WHERE database = current_database() AND NOT toplevel AND query LIKE '%demo.%' AND params_complete;
CREATE VIEW bench_queries AS SELECT array_agg(q ORDER BY q) AS q FROM bench_captured;
SQL
  echo "  data size (the tables): $(psql_bench -c "SELECT pg_size_pretty($(tables_bytes)::bigint)")"
}

# Drops the schema's indexes, except those of constraints (primary keys, unique).
drop_indexes() {
  psql_bench -c "DO \$\$ DECLARE r record; BEGIN
    FOR r IN SELECT i.indexrelid::regclass AS ix FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indrelid
              WHERE c.relnamespace = '$SCHEMA'::regnamespace
                AND NOT EXISTS (SELECT FROM pg_constraint AS k WHERE k.conindid = i.indexrelid) LOOP
      EXECUTE 'DROP INDEX ' || r.ix;
    END LOOP; END \$\$"
}

# The workload, $1 times, each statement timed by the server's clock; prints "run n seconds capped".
run_workload() {
  local script=$WORK/workload.sql run n
  {
    echo "SET statement_timeout = '${TIMEOUT}s';"
    echo "SET autoreport.cache = off;"
    for run in $(seq 1 "$1"); do
      for n in $(seq 1 "$NQ"); do
        echo "SELECT run AS query FROM bench_workload WHERE n = $n \\gset"
        echo "SELECT clock_timestamp() AS t0 \\gset"
        echo "\\o /dev/null"
        echo ":query;"
        echo "\\o"
        echo "SELECT $run, $n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz), clock_timestamp() - :'t0'::timestamptz >= interval '${TIMEOUT}s';"
      done
    done
  } >"$script"
  "$CLUSTER" psql "$BENCH_CLUSTER" -d "$DB" -q -At -F ' ' -f "$script" 2>/dev/null
}

# The file of a set's measurements.
slug() { tr ' %' '__' <<<"$1"; }

# Builds the set named label (its CREATE INDEX statements in bench_set), runs the workload once
# untimed and then $RUNS times, and appends the timings ("round*100+run n seconds capped") to the
# set's file in $WORK, and the indexes' real bytes and the planner cost to its .bytes file.
measure_round() {
  local label=$1 round=$2 file
  file=$WORK/times-$(slug "$label")
  drop_indexes
  psql_bench -c "DO \$\$ DECLARE r record; BEGIN
    FOR r IN SELECT ddl FROM bench_set WHERE label = '$label' LOOP EXECUTE r.ddl; END LOOP; END \$\$"
  psql_bench -c "CHECKPOINT" >/dev/null
  run_workload 1 >/dev/null # a warm-up pass, untimed
  run_workload $RUNS | awk -v r="$round" '{ $1 = r * 100 + $1; print }' >>"$file"
  psql_bench -c "SELECT coalesce(sum(pg_relation_size(i.indexrelid)), 0) FROM pg_index AS i
      JOIN pg_class AS c ON c.oid = i.indrelid WHERE c.relnamespace = '$SCHEMA'::regnamespace
       AND NOT EXISTS (SELECT FROM pg_constraint AS k WHERE k.conindid = i.indexrelid)" >"$file.bytes"
  psql_bench -c "SELECT round(bench_cost((SELECT q FROM bench_queries), '{}'))" >>"$file.bytes"
}

# One line for the set named label from its measurements: label, median seconds (of the workload's
# totals), real bytes, planner cost, capped queries; and its per-query medians in per_query.txt.
summarize() {
  local label=$1 file times
  file=$WORK/times-$(slug "$label")
  times=$(cat "$file")
  awk '{ print $2 "\t" $3 }' <<<"$times" | sort -k1,1n -k2,2g |
    awk -F'\t' -v l="$label" '{ t[$1] = t[$1] " " $2 }
      END { for (q in t) { n = split(t[q], a, " "); printf "%s\t%d\t%.3f\n", l, q, a[int((n + 1) / 2)] } }' >>"$WORK/per_query.txt"
  local median capped
  median=$(awk '{ t[$1] += $3 } END { for (r in t) print t[r] }' <<<"$times" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  capped=$(awk '$4 == "t" { c[$2] = 1 } END { s = ""; for (q in c) s = s " Q" q; print (s == "" ? "none" : s) }' <<<"$times")
  printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$median" "$(sed -n 1p "$file.bytes")" "$(sed -n 2p "$file.bytes")" "$capped"
}

# The advice, the runtimes and the exhaustive search for the workload set up last; $1 names it.
compare() {
  local name=$1 budgets=(5 10 25) b started
  say "$name: advice"
  psql_bench -c "INSERT INTO bench_set SELECT 'dexter', d, NULL FROM bench_dexter((SELECT q FROM bench_queries)) AS d"
  echo "  Dexter's rule: $(psql_bench -c "SELECT count(*) FROM bench_set WHERE label = 'dexter'") indexes"
  psql_bench -c "SELECT '    ' || ddl FROM bench_set WHERE label = 'dexter' ORDER BY ddl"
  # tpch: the queries passed; star: the captured workload (queries => NULL).
  local queries="(SELECT q FROM bench_queries)"
  [ "$name" = star ] && queries=NULL
  for b in "${budgets[@]}"; do
    psql_bench <<SQL
SELECT clock_timestamp() AS t0 \\gset
CREATE TEMP TABLE a AS SELECT * FROM autoreport.advise('$b%', $queries);
INSERT INTO bench_set SELECT 'ours $b%', ddl, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) FROM a WHERE ddl NOT LIKE '--%';
SELECT '  ours at $b%: ' || ddl FROM a WHERE ddl LIKE '--%';
SELECT '    ' || ddl || '   (' || pg_size_pretty(bytes) || ', saves ' || round(cost_saving) || ', ' || queries || ' queries)' FROM a WHERE ddl NOT LIKE '--%';
SQL
  done

  say "$name: workload runtime ($NQ queries; $ROUNDS round(s) of every set, $RUNS runs each: the median of the $((ROUNDS * RUNS)) totals; each query capped at ${TIMEOUT}s)"
  local results=$WORK/results-$name.txt label sets round
  : >"$results"
  : >"$WORK/per_query.txt"
  IFS=, read -r -a sets <<<"${ADVISE_SETS:-none,dexter,ours 5%,ours 10%,ours 25%}"
  for label in "${sets[@]}"; do
    rm -f "$WORK/times-$(slug "$label")"
  done
  for round in $(seq 1 "$ROUNDS"); do
    for label in "${sets[@]}"; do
      measure_round "$label" "$round"
    done
  done
  for label in "${sets[@]}"; do
    summarize "$label" | tee -a "$results" |
      awk -F'\t' '{ printf "  %-9s %9.2f s   indexes %11s bytes   planner cost %11s   capped: %s\n", $1, $2, $3, $4, $5 }'
  done
  drop_indexes
  echo "  per query (median seconds):"
  awk -F'\t' -v nq="$NQ" '{ v[$2, $1] = $3; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
    END { printf "    %-4s", "q"; for (i = 1; i <= n; i++) printf " %9s", order[i]; print "";
          for (q = 1; q <= nq; q++) { printf "    Q%-3d", q; for (i = 1; i <= n; i++) printf " %9.3f", v[q, order[i]]; print "" } }' "$WORK/per_query.txt"
  local dexter_t dexter_b
  dexter_t=$(awk -F'\t' '$1 == "dexter" { print $2 }' "$results")
  dexter_b=$(awk -F'\t' '$1 == "dexter" { print $3 }' "$results")
  for b in "${budgets[@]}"; do
    awk -F'\t' -v l="ours $b%" -v n="$name" -v dt="$dexter_t" -v db="$dexter_b" '$1 == l {
      ok = ($2 <= dt && $3 <= db) ? "met" : "NOT met";
      printf "  %s %-9s time / Dexter %.2f, bytes / Dexter %.2f (target <= 1 and <= 1)   %s\n", n, l, $2 / dt, (db > 0 ? $3 / db : 0), ok }' "$results"
  done

  say "$name: exhaustive search over the top 12 candidates"
  psql_bench <<SQL
CREATE TEMP TABLE pool AS
SELECT DISTINCT ddl FROM bench_set WHERE label <> 'none'
UNION
SELECT format('CREATE INDEX ON %s (%I)', c.oid::regclass, a.attname)
  FROM pg_class AS c JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0
 WHERE c.relnamespace = '$SCHEMA'::regnamespace AND c.relkind = 'r'
   AND EXISTS (SELECT FROM unnest((SELECT q FROM bench_queries)) AS w(q) WHERE w.q ~* ('\m' || a.attname || '\M'));
CREATE TABLE bench_top AS
SELECT ddl, autoreport.estimate_index_size(ddl) AS bytes,
       bench_cost((SELECT q FROM bench_queries), '{}') - bench_cost((SELECT q FROM bench_queries), ARRAY[ddl]) AS saving
  FROM pool ORDER BY saving DESC, ddl LIMIT 12;
SQL
  psql_bench -c "SELECT '    ' || ddl || '  saves ' || round(saving) FROM bench_top ORDER BY saving DESC"
  local size
  size=$(tables_bytes)
  for b in "${budgets[@]}"; do
    local row
    started=$SECONDS
    row=$(psql_bench -c "SELECT e.best_cost AS best, e.subsets, e.plannings,
                          bench_cost((SELECT q FROM bench_queries), ARRAY(SELECT ddl FROM bench_set WHERE label = 'ours $b%')) AS ours
                     FROM bench_exhaustive((SELECT q FROM bench_queries), ARRAY(SELECT ddl FROM bench_top ORDER BY saving DESC),
                                           ARRAY(SELECT bytes FROM bench_top ORDER BY saving DESC), ($size::bigint * $b / 100)) AS e")
    awk -F'|' -v n="$name" -v b="$b%" -v s=$((SECONDS - started)) '{
        r = $4 / $1; printf "  %s budget %-4s exhaustive best %.0f (%d subsets, %d plannings, %d s), ours %.0f: ours / best %.3f (target <= 1.05)   %s\n",
          n, b, $1, $2, $3, s, $4, r, (r <= 1.05 ? "met" : "NOT met") }' <<<"$row"
  done
}

capture_overhead() {
  say "capture overhead (pgbench -S)"
  "$CLUSTER" psql "$BENCH_CLUSTER" -d postgres -q -c "DROP DATABASE IF EXISTS bench_pgbench" -c "CREATE DATABASE bench_pgbench"
  local pgbench=$PG_BIN/pgbench port
  port=$("$CLUSTER" port "$BENCH_CLUSTER")
  as_pg "$pgbench" -h 127.0.0.1 -p "$port" -U postgres -i -q -s 10 bench_pgbench >/dev/null 2>&1
  local on=() off=() tps
  for run in $(seq 1 $RUNS); do
    for mode in off on; do
      local setting=-1
      [ "$mode" = on ] && setting=10s
      "$CLUSTER" psql "$BENCH_CLUSTER" -d postgres -q -c "ALTER DATABASE bench_pgbench SET autoreport.capture_min_duration = '$setting'"
      tps=$(as_pg "$pgbench" -h 127.0.0.1 -p "$port" -U postgres -S -n -c 2 -j 2 -T 20 bench_pgbench 2>/dev/null |
        awk '/^tps/ { print $3; exit }')
      if [ "$mode" = on ]; then on+=("$tps"); else off+=("$tps"); fi
    done
  done
  local med_on med_off
  med_on=$(printf '%s\n' "${on[@]}" | sort -g | sed -n 2p)
  med_off=$(printf '%s\n' "${off[@]}" | sort -g | sed -n 2p)
  awk -v on="$med_on" -v off="$med_off" 'BEGIN {
    r = on / off; printf "  tps capture off %.0f, on %.0f (threshold 10s): on / off %.3f (target >= 0.97)   %s\n", off, on, r, (r >= 0.97 ? "met" : "NOT met") }'
}

main() {
  local name
  for name in ${ADVISE_WORKLOADS:-tpch star}; do
    case $name in
      tpch) ROUNDS=1 && setup_tpch ;;
      star) ROUNDS=5 && setup_star ;;
      *) die "unknown workload $name (tpch, star)" ;;
    esac
    compare "$name"
  done
  capture_overhead
}

main "$@"
