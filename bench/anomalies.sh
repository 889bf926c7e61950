#!/bin/bash
# Benchmark: anomaly detection on the Numenta Anomaly Benchmark (NAB) files in ../shared/data/nab
# (realKnownCause and artificialWithAnomaly, read in place), scored with NAB's standard profile by
# build/nab-tool:
#   batch   what autoreport.anomalies() flags at its defaults (sensitivity medium, max_share 0.02),
#   causal  the same with causal => true,
# both at the SQL function's defaults (no threshold chosen on these files), and beside them
#   ours    the causal detector's probability (forecast/anomaly.hpp, OnlineDetector) with its threshold
#           optimised over these files as NAB's sweeper does,
#   gaussian, null  NAB's windowedGaussian (threshold optimised the same way) and null detectors.
# Targets at the defaults: NAB standard score >= 50 and at most 2% of any file's points flagged.
# Then the SQL function itself, on the benchmark cluster, must flag what nab-tool scored for batch and
# causal: each file is loaded and autoreport.anomalies(array, period) called with nab-tool's period.
#
# Run it through bench/run.sh anomalies.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"

NAB=$(cd "$ROOT/../shared/data/nab" 2>/dev/null && pwd) || die "the NAB data are not in ../shared/data/nab"
TOOL=$ROOT/build/nab-tool
[ -x "$TOOL" ] || die "build/nab-tool is missing: run make build/nab-tool (make bench does)"
DUMP=$BENCH_CLUSTER/nab-dump
rm -rf "$DUMP"

"$TOOL" "$NAB" --dump "$DUMP" | tee "$BENCH_CLUSTER/nab.txt" | sed 's/^/    /'
awk '$1 == "batch" || $1 == "causal" || $1 == "gaussian" { score[$1] = $2; share[$1] = $9 }
     END { printf "    at defaults: batch %.2f, causal %.2f (target >= 50); largest share flagged: batch %s, causal %s (target <= 2%%)\n", score["batch"], score["causal"], share["batch"], share["causal"]
           printf "    batch / windowed Gaussian = %.2fx (NAB standard profile; published full-corpus reference: windowedGaussian 39.6, Twitter ADVec 47.1, HTM 70.5)\n", score["batch"] / score["gaussian"] }' \
  "$BENCH_CLUSTER/nab.txt"

# The SQL function flags what nab-tool scored.
CLUSTER=$ROOT/scripts/cluster.sh
DB=bench_anomalies
"$CLUSTER" psql "$BENCH_CLUSTER" -d postgres -q -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
PSQL=("$CLUSTER" psql "$BENCH_CLUSTER" -d "$DB" -v ON_ERROR_STOP=1 -q -At)
"${PSQL[@]}" -c 'CREATE EXTENSION autoreport' \
  -c 'CREATE TABLE nab_file (i integer PRIMARY KEY, value float8, batch float8, causal float8)'
mismatches=0
for batch in "$DUMP"/batch_*.csv; do
  causal=$DUMP/causal_${batch#"$DUMP"/batch_}
  file=${batch#"$DUMP"/batch_}
  period=$(awk -v key="${file/_/\/}" '$1 == key { print $2 }' "$BENCH_CLUSTER/nab.txt")
  # index,value,score,label of both dumps side by side
  paste -d, <(cut -d, -f1-3 "$batch") <(cut -d, -f3 "$causal") | tail -n +2 >"$BENCH_CLUSTER/nab_file.csv"
  result=$("${PSQL[@]}" -c 'TRUNCATE nab_file' -c "\\copy nab_file FROM '$BENCH_CLUSTER/nab_file.csv' CSV" -c "
    WITH a AS (SELECT array_agg(value ORDER BY i) AS v FROM nab_file)
    SELECT count(*) FILTER (WHERE b.is_anomaly <> (f.batch = 1)) + count(*) FILTER (WHERE c.is_anomaly <> (f.causal = 1))
           + abs(count(*) - (SELECT count(*) FROM nab_file))
      FROM a, autoreport.anomalies(a.v, $period) AS b
      JOIN autoreport.anomalies((SELECT v FROM a), $period, causal => true) AS c USING (ordinal)
      JOIN nab_file AS f ON f.i + 1 = b.ordinal")
  if [ "$result" != 0 ]; then
    echo "    $file: the SQL function disagrees with nab-tool on $result flags (or rows)" >&2
    mismatches=$((mismatches + 1))
  fi
done
[ "$mismatches" = 0 ] || die "the SQL function's flags differ from nab-tool's on $mismatches files"
echo "    the SQL function (array form, nab-tool's period) flags exactly what nab-tool scored, batch and causal"
