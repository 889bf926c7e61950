#!/bin/bash
# Benchmark: multiple seasonality. Rolling-origin forecasts of two NAB series with a daily and a weekly
# cycle (../shared/data/nab, the values, not the anomaly labels, read in place): realKnownCause's
# nyc_taxi (every 30 minutes, 10,320 values) and machine_temperature_system_failure (every 5
# minutes, 22,695 values), by autoreport.forecast(query, ...) at its defaults, against R forecast
# 8.20's mstl + forecast() (stlf on an msts of a day and a week) and Prophet at its defaults, in the
# same run, on the same histories.
#
# Origins: 10 per file, evenly spaced over the last fifth of the series, each forecasting one day (48
# or 288 values) from everything before it. Ours is called as a user would: the query returns the
# timestamps, the frequency is detected and with it the candidate periods (a day, a week, a year),
# method 'auto'. Score: MASE, each origin's mean absolute error over its day scaled by the in-sample
# mean absolute error of the seasonal naive forecast with a lag of one day, averaged over the origins
# (bench/mstl/score.R). Target: below both R's mstl and Prophet on both files.
#
# Run it through bench/run.sh mstl.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "$0")/lib.sh"
[ -n "${BENCH_CLUSTER:-}" ] || die "run this benchmark through bench/run.sh mstl"

NAB=$(cd "$ROOT/../shared/data/nab/data" 2>/dev/null && pwd) || die "the NAB data are not in ../shared/data/nab"
FILES="realKnownCause/nyc_taxi.csv realKnownCause/machine_temperature_system_failure.csv"
ORIGINS=10
WORK=$BENCH_CLUSTER/mstl
command -v Rscript >/dev/null || die "Rscript is missing: run scripts/deps.sh bench (make bench does)"
Rscript -e 'suppressMessages({library(forecast); library(prophet)})' >/dev/null 2>&1 ||
  die "R's forecast and prophet packages are missing (r-cran-forecast, r-cran-prophet)"


mkdir -p "$WORK"
chmod 777 "$WORK" # the server writes each origin's forecasts there
bench_database bench_mstl
psql_bench -c 'CREATE TABLE nab (file text, t timestamp, value float8, PRIMARY KEY (file, t))'

echo "file,train,horizon,period,step_seconds" >"$WORK/origins.csv"
for f in $FILES; do
  # Rows get the file's first time plus their position times the step of the first two rows: the
  # values in the file's order, as R and Prophet get them (machine_temperature's clock goes back an
  # hour once, on 2014-01-07, and repeats 12 times of day; each row keeps its own place).
  awk -F, -v f="$f" 'NR > 1 { print f "," NR - 2 "," $1 "," $2 }' "$NAB/$f" |
    psql_bench -c "CREATE TEMP TABLE raw (file text, pos int, t timestamp, value float8)" \
      -c "COPY raw FROM STDIN (FORMAT csv)" \
      -c "INSERT INTO nab SELECT r.file, f.t + r.pos * (s.t - f.t), r.value
            FROM raw r, (SELECT t FROM raw WHERE pos = 0) f, (SELECT t FROM raw WHERE pos = 1) s"
  read -r n step < <(psql_bench -At -F ' ' -c "
    SELECT count(*), extract(epoch FROM (array_agg(t ORDER BY t))[2] - min(t))::int FROM nab WHERE file = '$f'")
  # A day of values is the horizon and the seasonal naive's lag.
  day=$((86400 / step))
  last=$((n - day))
  first=$((n - n / 5))
  for i in $(seq 0 $((ORIGINS - 1))); do
    echo "$f,$((first + (last - first) * i / (ORIGINS - 1))),$day,$day,$step" >>"$WORK/origins.csv"
  done
done
psql_bench -c 'VACUUM ANALYZE nab'

echo "file,train,method,step,mean" >"$WORK/ours.csv"
echo "file|train|seconds|model" >"$WORK/ours_models.txt"
tail -n +2 "$WORK/origins.csv" | while IFS=, read -r f train horizon _ _; do
  query="SELECT t, value FROM nab WHERE file = '$f' ORDER BY t LIMIT $train"
  psql_bench -At -F "|" <<SQL >>"$WORK/ours_models.txt"
SELECT clock_timestamp() AS t0 \gset
COPY (SELECT '$f', $train, 'ours', step, value
        FROM autoreport.forecast(\$q\$$query\$q\$, $horizon)) TO '$WORK/ours_part.csv' (FORMAT csv);
SELECT '$f', $train, round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 2), model
  FROM autoreport.forecast_model(\$q\$$query\$q\$);
SQL
  cat "$WORK/ours_part.csv" >>"$WORK/ours.csv"
  tail -n 1 "$WORK/ours_models.txt" | awk -F'|' '{ printf "    ours: %s, %d values: %s s, %s\n", $1, $2, $3, $4 }'
done

TZ=UTC Rscript "$ROOT/bench/mstl/forecast_r.R" "$NAB" "$WORK" 2>&1 | sed 's/^/    /'

echo
echo "NAB rolling origin, $ORIGINS origins per file, one day ahead: MASE (scaled by the in-sample seasonal"
echo "naive error, lag one day), mean over the origins. Ours: autoreport.forecast(query, horizon) at its"
echo "defaults; R: forecast 8.20 forecast(mstl(msts(y, c(day, week)))); Prophet 1.0 at its defaults."
Rscript "$ROOT/bench/mstl/score.R" "$NAB" "$WORK"
echo
echo "seconds per forecast, mean over the origins (ours: inside PostgreSQL, forecast and forecast_model"
echo "each fitting the model; R: its own clock)"
awk -F, '
  FNR == 1 { next }
  FILENAME ~ /ours_models/ { split($0, f, "|"); s["ours " f[1]] += f[3]; c["ours " f[1]]++; next }
  { gsub(/"/, ""); s[$2 " " $1] += $3; c[$2 " " $1]++ }
  END { for (k in s) printf "    %-70s %8.2f\n", k, s[k] / c[k] }' "$WORK/ours_models.txt" "$WORK/r_seconds.csv" | sort
