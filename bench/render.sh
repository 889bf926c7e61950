#!/bin/bash
# Benchmark: rendering a one-million-row report, and the result cache, each against a baseline
# measured in the same run, printed next to the targets of the issue.
#
#   1. render(csv)  vs COPY (query) TO '/dev/null' WITH (FORMAT csv, HEADER)   target: render <= 1.5x COPY
#   2. render(json) vs SELECT json_agg(t) FROM (query) t                        target: json_agg / render >= 5
#   3. render(xlsx): its time, and the peak memory of the backend              target: < 64 MiB more than idle
#   4. the cache: a hit of a ~100 ms report, against a miss                     target: a hit < 1 ms
#
# The data: bench_orders, 1,000,000 rows of a star-schema-like fact table (bigint, timestamptz, date,
# two text columns, integer, two numerics, boolean), generated deterministically from hashes of the
# row number (no random()), with its primary key, vacuumed and analyzed. The report "orders" is
# "SELECT * FROM bench_orders ORDER BY order_id"; COPY and json_agg run that very query text.
#
# How the time is measured (items 1 and 2): by the server's clock, clock_timestamp() before and after
# the statement in the same session, each run in a fresh connection, autoreport.cache = off so that
# every render runs the query. Both sides produce all their bytes inside the server and neither sends
# them to the client: the render builds its bytea and only length() of it crosses to the client;
# COPY writes to '/dev/null' on the server (superuser, fine on this throwaway cluster); json_agg's
# result is measured with octet_length() (its text, no character counting). So client transfer and
# psql's output handling weigh on neither side. Note this is not entirely symmetric: COPY streams its
# bytes to a file and never holds them, while render() by its contract returns one bytea and must build
# it in memory (its page faults count against it), as does json_agg. One untimed warm-up run of each,
# then 3 timed runs of each, interleaved; the median is reported.
#
# Memory (item 3): the peak resident set of the backend doing the render, read from outside as
# VmHWM in /proc/<pid>/status (a high-water mark since the process started, so each measurement is a
# fresh connection). Shared buffers a backend touches count in its resident set (RssShmem): reading
# the 1M rows maps about 120 MiB of shared_buffers into the process, memory that is not the render's
# and that any query over the table (COPY included) would show. So the baseline is taken after the
# connection has rendered a trivial report in the same format (library code loaded) AND run a COPY of
# the same query to /dev/null (the same pages mapped); the render's figure is VmHWM after the render
# minus that baseline. The figure over the bare idle connection (shared pages included) is printed too.
# The xlsx time is taken in those same connections (warm-up, then median of 3): the COPY before it
# spares the render only the first touch of the shared pages, a few tens of ms out of many seconds.
#
# The cache (item 4): a report "region_month" (an aggregate by region and month over the first
# :max_order rows) whose size is calibrated here so that running its query takes about 100 ms on this
# machine. A miss is a run after autoreport.clear_cache() with the cache on (query + storing the
# entry); warm-up then median of 3, server clock. Hits are timed in one session, after one call that
# fills the cache: 200 calls, each timed by clock_timestamp() around an EXECUTE of the statement (so
# each call is parsed and planned like a client's statement; only the network is left out); median
# and p95. That is done for reports.region_month(...), autoreport.run() and render(csv), and the
# cache's hit counter must rise by one per call or the benchmark fails. As a cross-check, pgbench
# gives the latency of a hit as a client sees it (one statement per transaction, round trip included).
# Run it through bench/run.sh render.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
[ -n "${BENCH_CLUSTER:-}" ] || die "run this benchmark through bench/run.sh render"

CLUSTER=$ROOT/scripts/cluster.sh
DB=bench_render
RUNS=3
ROWS=1000000
HIT_CALLS=200
QUERY="SELECT * FROM bench_orders ORDER BY order_id"
WORK=$(mktemp -d)

# psql against the benchmark database, stopping at the first error.
psql_bench() { "$CLUSTER" psql "$BENCH_CLUSTER" -d "$DB" -v ON_ERROR_STOP=1 -q -At -v query="$QUERY" "$@"; }

# Prints the seconds (by the server's clock) one SQL statement takes, in a fresh connection with the
# cache off. The statement's own output (a length, or COPY's status) is discarded.
time_statement() {
  psql_bench <<SQL
SET autoreport.cache = off;
SELECT clock_timestamp() AS t0 \gset
$1 \g /dev/null
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 4);
SQL
}

# Prints the median of the numbers given.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Prints the largest of the numbers given.
maximum() { printf '%s\n' "$@" | sort -g | tail -1; }

# "met" or "NOT met" for an awk condition over a and b.
verdict() { awk -v a="$1" -v b="$2" "BEGIN { print (($3) ? \"met\" : \"NOT met\") }"; }

# Removes the database and the scratch folder; called on every exit.
cleanup() {
  rm -rf "$WORK"
  "$CLUSTER" psql "$BENCH_CLUSTER" -d postgres -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# ---- data and reports ---------------------------------------------------------------------------
"$CLUSTER" psql "$BENCH_CLUSTER" -d postgres -q -v ON_ERROR_STOP=1 \
  -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
echo "    generating $ROWS rows of bench_orders"
psql_bench -v rows="$ROWS" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION autoreport;
CREATE TABLE bench_orders (
  order_id    bigint PRIMARY KEY,
  ordered_at  timestamptz NOT NULL,
  day         date NOT NULL,
  region      text NOT NULL,
  product     text NOT NULL,
  quantity    integer NOT NULL,
  unit_price  numeric(10,2) NOT NULL,
  revenue     numeric(12,2) NOT NULL,
  is_returned boolean NOT NULL
);
-- Every "random" choice is a hash of the row number: the same rows every run.
INSERT INTO bench_orders
SELECT i, ts, (ts AT TIME ZONE 'UTC')::date,
       (ARRAY['North America', 'Latin America', 'Western Europe', 'Central & Eastern Europe',
              'Asia Pacific', 'Middle East & Africa'])[1 + (h1 & 65535) % 6],
       'Product ' || lpad(((h2 & 65535) % 500)::text, 3, '0'),
       qty, price, qty * price, (h3 & 1023) < 31
  FROM generate_series(1, :rows) AS g(i)
 CROSS JOIN LATERAL (SELECT hashint8extended(i, 1) AS h1, hashint8extended(i, 2) AS h2,
                            hashint8extended(i, 3) AS h3) AS h
 CROSS JOIN LATERAL (SELECT timestamptz '2024-11-01 00:00:00+00' + i * interval '63 seconds' AS ts,
                            1 + ((h2 >> 20) & 1048575) % 9 AS qty,
                            round(2 + ((h1 >> 20) & 1048575) % 49800 / 100.0, 2)::numeric(10,2) AS price) AS v;
VACUUM ANALYZE bench_orders;
CHECKPOINT;
SELECT autoreport.define_report('orders', :'query', description => 'every order, one row each');
SELECT autoreport.define_report('tiny', 'SELECT 1 AS x', description => 'a trivial report');
SELECT autoreport.define_report('region_month',
  'SELECT region, date_trunc(''month'', day::timestamp)::date AS month, count(*) AS orders,
          sum(quantity) AS units, sum(revenue) AS revenue, avg(unit_price)::numeric(10,2) AS avg_price,
          count(*) FILTER (WHERE is_returned) AS returns
     FROM bench_orders WHERE order_id <= :max_order GROUP BY 1, 2 ORDER BY 1, 2',
  '{"max_order": {"type": "bigint"}}', 'orders, units and revenue by region and month');
SQL
[ "$(psql_bench -c 'SELECT count(*) FROM bench_orders')" = "$ROWS" ] || die "bench_orders does not hold $ROWS rows"
[ "$(psql_bench -c "SELECT cacheable FROM autoreport.reports WHERE name = 'region_month'")" = t ] \
  || die "report region_month is not cacheable: $(psql_bench -c "SELECT cache_note FROM autoreport.reports WHERE name = 'region_month'")"

RENDER_CSV="SELECT length(autoreport.render('orders', '{}', 'csv'))"
COPY_CSV="COPY ($QUERY) TO '/dev/null' WITH (FORMAT csv, HEADER)"
RENDER_JSON="SELECT length(autoreport.render('orders', '{}', 'json'))"
JSON_AGG="SELECT octet_length(json_agg(t)::text) FROM ($QUERY) AS t"
# The query alone: every row fetched, nothing formatted (count(*) over it would let the planner skip the
# heap with an index-only scan, so it is run by EXPLAIN ANALYZE, whose output is a few lines).
QUERY_ONLY="EXPLAIN (ANALYZE, TIMING OFF) $QUERY"

# The sizes of what each side produces (untimed; they need not be equal, but should be comparable).
csv_bytes=$(psql_bench -c "SET autoreport.cache = off" -c "$RENDER_CSV")
copy_bytes=$(psql_bench -c "COPY ($QUERY) TO STDOUT WITH (FORMAT csv, HEADER)" | wc -c)
json_bytes=$(psql_bench -c "SET autoreport.cache = off" -c "$RENDER_JSON")
agg_bytes=$(psql_bench -c "$JSON_AGG")

# ---- 1 and 2: csv against COPY, json against json_agg -------------------------------------------
# Runs each statement once untimed, then RUNS times interleaved; keeps the times in times[label].
declare -A times
measure_pair() {
  local label_a=$1 sql_a=$2 label_b=$3 sql_b=$4 i
  time_statement "$sql_a" >/dev/null
  time_statement "$sql_b" >/dev/null
  times[$label_a]=""
  times[$label_b]=""
  for i in $(seq "$RUNS"); do
    local ta tb
    ta=$(time_statement "$sql_a")
    tb=$(time_statement "$sql_b")
    times[$label_a]+=" $ta"
    times[$label_b]+=" $tb"
    echo "    run $i of $RUNS: $label_a $ta s, $label_b $tb s"
  done
}
# shellcheck disable=SC2086 # the lists of times are meant to be split
{
  measure_pair "render csv" "$RENDER_CSV" "COPY csv" "$COPY_CSV"
  render_csv=$(median ${times[render csv]})
  copy_csv=$(median ${times[COPY csv]})
  measure_pair "render json" "$RENDER_JSON" "json_agg" "$JSON_AGG"
  render_json=$(median ${times[render json]})
  json_agg=$(median ${times[json_agg]})
  # For reference: the query alone (executor only, nothing formatted), to show what the rest costs.
  time_statement "$QUERY_ONLY" >/dev/null
  qt=()
  for i in $(seq "$RUNS"); do qt+=("$(time_statement "$QUERY_ONLY")"); done
  query_only=$(median "${qt[@]}")
  echo "    the query alone ($QUERY_ONLY): ${qt[*]} s"
}

# ---- 3: memory of the backend (and the xlsx time) -------------------------------------------------
# In a fresh connection: renders the trivial report in format $1, reads VmHWM (idle), COPYs the big
# query to /dev/null, reads VmHWM (baseline), renders the big report in format $1 timed by the server's
# clock, reads VmHWM (after). Prints "idle KB", "baseline KB", "after KB", "seconds S", "bytes N" lines.
render_memory() {
  local out=$WORK/memory
  rm -f "$out"
  BENCH_MEM_OUT=$out psql_bench -v fmt="$1" >>"$out" <<SQL
SET autoreport.cache = off;
SELECT pg_backend_pid() AS pid \gset
\setenv BENCH_PID :pid
SELECT length(autoreport.render('tiny', '{}', :'fmt')) \g /dev/null
\! awk '/^VmHWM:/ { print "idle", \$2 }' /proc/\$BENCH_PID/status >>"\$BENCH_MEM_OUT"
COPY (:query) TO '/dev/null' WITH (FORMAT csv, HEADER);
\! awk '/^VmHWM:/ { print "baseline", \$2 }' /proc/\$BENCH_PID/status >>"\$BENCH_MEM_OUT"
SELECT clock_timestamp() AS t0 \gset
SELECT length(autoreport.render('orders', '{}', :'fmt')) AS bytes \gset
SELECT 'seconds ' || round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 4);
SELECT 'bytes ' || :bytes;
\! awk '/^VmHWM:/ { print "after", \$2 }' /proc/\$BENCH_PID/status >>"\$BENCH_MEM_OUT"
SQL
  cat "$out"
}
field() { awk -v k="$1" '$1 == k { print $2 }'; }
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

render_memory xlsx >/dev/null
xlsx_times=()
xlsx_deltas=()
xlsx_over_idle=()
for i in $(seq "$RUNS"); do
  m=$(render_memory xlsx)
  idle=$(field idle <<<"$m") base=$(field baseline <<<"$m") after=$(field after <<<"$m")
  xlsx_times+=("$(field seconds <<<"$m")")
  xlsx_bytes=$(field bytes <<<"$m")
  xlsx_deltas+=("$(mib $((after - base)))")
  xlsx_over_idle+=("$(mib $((after - idle)))")
  echo "    run $i of $RUNS: render xlsx ${xlsx_times[-1]} s; VmHWM idle $(mib "$idle") MiB," \
    "after the COPY $(mib "$base") MiB, after the render $(mib "$after") MiB"
done
render_xlsx=$(median "${xlsx_times[@]}")
xlsx_peak=$(maximum "${xlsx_deltas[@]}")
xlsx_peak_idle=$(maximum "${xlsx_over_idle[@]}")

m=$(render_memory csv)
idle=$(field idle <<<"$m") base=$(field baseline <<<"$m") after=$(field after <<<"$m")
csv_peak=$(mib $((after - base)))
csv_peak_idle=$(mib $((after - idle)))
echo "    render csv (memory run) $(field seconds <<<"$m") s; VmHWM idle $(mib "$idle") MiB," \
  "after the COPY $(mib "$base") MiB, after the render $(mib "$after") MiB"

# ---- 4: the cache -------------------------------------------------------------------------------
# Calibrates max_order so that the report's query (cache off) takes about 100 ms: scales it by the
# measured time (median of 3), up to three times, keeping the last size.
max_order=$ROWS
calibrate_sql() { echo "SELECT count(*) FROM reports.region_month(max_order => $1)"; }
calibrate_time() {
  local i ts=()
  for i in 1 2 3; do ts+=("$(time_statement "$(calibrate_sql "$1")")"); done
  median "${ts[@]}"
}
time_statement "$(calibrate_sql "$max_order")" >/dev/null
for _ in 1 2 3; do
  t=$(calibrate_time "$max_order")
  if awk -v t="$t" 'BEGIN { exit !(t >= 0.085 && t <= 0.115) }'; then
    break
  fi
  next=$(awk -v n="$max_order" -v t="$t" -v max="$ROWS" 'BEGIN { n = int(n * 0.1 / t); print (n > max) ? max : (n < 1000 ? 1000 : n) }')
  [ "$next" = "$max_order" ] && break
  echo "    calibrating the cached report: max_order $max_order took $t s; trying $next"
  max_order=$next
done
PARAMS="{\"max_order\": $max_order}"
HIT_REPORT="SELECT * FROM reports.region_month(max_order => $max_order)"
HIT_RUN="SELECT * FROM autoreport.run('region_month', '$PARAMS')"
HIT_RENDER="SELECT length(autoreport.render('region_month', '$PARAMS', 'csv'))"

# A miss: the cache emptied, then one run with the cache on (the query, and storing its result).
time_miss() {
  psql_bench <<SQL
SELECT autoreport.clear_cache() \g /dev/null
SELECT clock_timestamp() AS t0 \gset
$HIT_REPORT \g /dev/null
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 4);
SQL
}
time_miss >/dev/null
miss_times=()
bare_times=()
for i in $(seq "$RUNS"); do
  miss_times+=("$(time_miss)")
  bare_times+=("$(time_statement "$HIT_REPORT")")
done
miss=$(median "${miss_times[@]}")
bare=$(median "${bare_times[@]}")
echo "    region_month over $max_order rows: miss (cache on, after clear_cache) ${miss_times[*]} s;" \
  "query with the cache off ${bare_times[*]} s"

# Hits: one session; each statement is called once to fill the cache (or hit it), then HIT_CALLS
# times timed. Prints "label median p95 max hits" per statement.
psql_bench -v calls="$HIT_CALLS" >"$WORK/hits" <<SQL
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.time_calls(what text, statement text, calls integer)
  RETURNS TABLE (label text, median_ms numeric, p95_ms numeric, max_ms numeric, hits bigint)
  LANGUAGE plpgsql AS \$\$
  DECLARE
    t0 timestamptz;
    ms double precision[] := '{}';
    hits0 bigint;
  BEGIN
    EXECUTE statement;
    SELECT s.hits INTO hits0 FROM autoreport.cache_stats AS s;
    FOR i IN 1 .. calls LOOP
      t0 := clock_timestamp();
      EXECUTE statement;
      ms := ms || 1000 * extract(epoch FROM clock_timestamp() - t0)::double precision;
    END LOOP;
    RETURN QUERY
      SELECT what,
             round(percentile_cont(0.5) WITHIN GROUP (ORDER BY m)::numeric, 3),
             round(percentile_cont(0.95) WITHIN GROUP (ORDER BY m)::numeric, 3),
             round(max(m)::numeric, 3),
             (SELECT s.hits FROM autoreport.cache_stats AS s) - hits0
        FROM unnest(ms) AS m;
  END \$\$;
\pset fieldsep ' '
SELECT * FROM pg_temp.time_calls('report', \$q\$$HIT_REPORT\$q\$, :calls);
SELECT * FROM pg_temp.time_calls('run', \$q\$$HIT_RUN\$q\$, :calls);
SELECT * FROM pg_temp.time_calls('render', \$q\$$HIT_RENDER\$q\$, :calls);
SQL
declare -A hit
while read -r label med p95 max hits; do
  [ "$hits" -ge "$HIT_CALLS" ] || die "only $hits of $HIT_CALLS calls of $label were cache hits"
  hit[$label]="$med $p95"
  echo "    $HIT_CALLS hits through $label: median $med ms, p95 $p95 ms, max $max ms"
done <"$WORK/hits"
read -r hit_med hit_p95 <<<"${hit[report]}"
read -r run_med run_p95 <<<"${hit[run]}"
read -r rcsv_med rcsv_p95 <<<"${hit[render]}"

# Cross-check as a client sees it: pgbench, one hit per transaction, round trip included.
echo "$HIT_REPORT;" >"$WORK/hit.sql"
pgbench_out=$("$PG_BIN/pgbench" -n -h 127.0.0.1 -p "$("$CLUSTER" port "$BENCH_CLUSTER")" -U postgres \
  -f "$WORK/hit.sql" -t "$HIT_CALLS" "$DB" 2>&1) || die "pgbench failed: $pgbench_out"
client_hit=$(awk '/^latency average/ { print $4 }' <<<"$pgbench_out")

# ---- the summary --------------------------------------------------------------------------------
csv_ratio=$(awk -v a="$render_csv" -v b="$copy_csv" 'BEGIN { printf "%.2f", a / b }')
json_ratio=$(awk -v a="$json_agg" -v b="$render_json" 'BEGIN { printf "%.2f", a / b }')
miss_ms=$(awk -v s="$miss" 'BEGIN { printf "%.0f", s * 1000 }')
bare_ms=$(awk -v s="$bare" 'BEGIN { printf "%.0f", s * 1000 }')
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
echo
echo "  $ROWS rows ($QUERY), median of $RUNS runs after a warm-up, server clock:"
printf '    render csv   %7.3f s   COPY csv  %7.3f s   ratio %5.2f (target <= 1.5)   %s\n' \
  "$render_csv" "$copy_csv" "$csv_ratio" "$(verdict "$csv_ratio" 1.5 'a <= b')"
printf '    render json  %7.3f s   json_agg  %7.3f s   json_agg / render %5.2f (target >= 5)   %s\n' \
  "$render_json" "$json_agg" "$json_ratio" "$(verdict "$json_ratio" 5 'a >= b')"
printf '    render xlsx  %7.3f s   peak +%s MiB over the idle backend, shared buffers aside (target < 64 MiB)   %s\n' \
  "$render_xlsx" "$xlsx_peak" "$(verdict "$xlsx_peak" 64 'a < b')"
printf '    render csv   peak +%s MiB, the same way (for comparison; its bytea alone is %s)\n' \
  "$csv_peak" "$(mb "$csv_bytes")"
printf '    cache hit median %s ms, p95 %s ms; miss median %s ms (target hit < 1 ms)   %s\n' \
  "$hit_med" "$hit_p95" "$miss_ms" "$(verdict "$hit_med" 1 'a < b')"
printf '      hit through autoreport.run()  median %s ms, p95 %s ms   %s\n' \
  "$run_med" "$run_p95" "$(verdict "$run_med" 1 'a < b')"
printf '      hit through render(csv)       median %s ms, p95 %s ms   %s\n' \
  "$rcsv_med" "$rcsv_p95" "$(verdict "$rcsv_med" 1 'a < b')"
echo "  notes:"
echo "    sizes: render csv $(mb "$csv_bytes"), COPY csv $(mb "$copy_bytes"); render json $(mb "$json_bytes")," \
  "json_agg $(mb "$agg_bytes"); xlsx $(mb "$xlsx_bytes")"
printf '    the query alone (%s): %.3f s; the rest of each time above is conversion and output\n' \
  "$QUERY_ONLY" "$query_only"
echo "    memory: the worst of $RUNS xlsx runs; \"idle\" is a connection that rendered a trivial report and" \
  "COPYed the same query, so the ~120 MiB of shared buffers the scan maps are not counted; counting them," \
  "xlsx is +$xlsx_peak_idle MiB and csv +$csv_peak_idle MiB over a bare idle connection"
echo "    cache: region_month aggregates the first $max_order rows; its query with the cache off takes" \
  "$bare_ms ms; a hit as a client sees it (pgbench, round trip included) averages $client_hit ms"
