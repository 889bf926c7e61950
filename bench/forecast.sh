#!/bin/bash
# Benchmark: forecasting the M3 competition's 3,003 series inside PostgreSQL against R's forecast
# package (ets() and thetaf(), at their defaults), measured in the same run on the same machine.
#
# Each series (../shared/data/m3, read in place) loses its last @horizon points, which become the test
# part. Ours: autoreport.forecast_groups(...) with method 'auto', one statement per group, period given
# as R gets it (12 monthly, 4 quarterly, 1 otherwise), timed by the server's clock; one backend, so one
# core. R: bench/m3/forecast_r.R, timed by R per method and group, also one core, run after ours (never
# at the same time). Both forecasts are scored by build/m3-tool with the same code: sMAPE (0-200),
# MASE, the coverage of the 95% interval and its MSIS, per group.
#
#   FORECAST_GROUPS="yearly quarterly"   fewer groups (default: all four; R's monthly ets takes ~9 min)
# Run it through bench/run.sh forecast.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "$0")/lib.sh"
[ -n "${BENCH_CLUSTER:-}" ] || die "run this benchmark through bench/run.sh forecast"

M3=$(cd "$ROOT/../shared/data/m3" 2>/dev/null && pwd) || die "the M3 data are not in ../shared/data/m3"
GROUPS_TO_RUN=${FORECAST_GROUPS:-yearly quarterly monthly other}
WORK=$BENCH_CLUSTER/forecast # the cluster folder: the server's user may read and write there
TOOL=$ROOT/build/m3-tool
[ -x "$TOOL" ] || die "build/m3-tool is missing: run make build/m3-tool (make bench does)"
command -v Rscript >/dev/null || die "Rscript is missing: run scripts/deps.sh bench (make bench does)"


mkdir -p "$WORK"
chmod 777 "$WORK"
bench_database bench_forecast
psql_bench -c 'CREATE TABLE m3_train (grp text, series text, t date, value float8)'

period_of() { case $1 in monthly) echo 12 ;; quarterly) echo 4 ;; *) echo 1 ;; esac; }
horizon_of() { case $1 in monthly) echo 18 ;; quarterly) echo 8 ;; other) echo 8 ;; yearly) echo 6 ;; esac; }
step_of() { case $1 in yearly) echo "1 year" ;; quarterly) echo "3 months" ;; *) echo "1 month" ;; esac; }

echo "group,method,series,seconds" >"$WORK/ours_seconds.csv"
echo "group,series,method,step,mean,lo80,hi80,lo95,hi95" >"$WORK/ours.csv"
for g in $GROUPS_TO_RUN; do
  "$TOOL" rows "$M3" "$g" | psql_bench -c "COPY m3_train (series, t, value) FROM STDIN (FORMAT csv)"
  psql_bench -c "UPDATE m3_train SET grp = '$g' WHERE grp IS NULL" -c "VACUUM ANALYZE m3_train"
  seconds=$(psql_bench -At <<SQL
SELECT clock_timestamp() AS t0 \gset
CREATE TABLE ours_$g AS
  SELECT * FROM autoreport.forecast_groups(
    \$\$SELECT series, t, value FROM m3_train WHERE grp = '$g'\$\$, $(horizon_of "$g"),
    period => $(period_of "$g"), frequency => '$(step_of "$g")');
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 3);
SQL
  )
  count=$(psql_bench -At -c "SELECT count(DISTINCT series) FROM ours_$g")
  echo "$g,auto,$count,$seconds" >>"$WORK/ours_seconds.csv"
  echo "    ours $g: $count series in $seconds s"
  psql_bench -c "COPY (SELECT '$g', series, 'ours', step, value, lower[1], upper[1], lower[2], upper[2]
                        FROM ours_$g ORDER BY series, step) TO STDOUT (FORMAT csv)" >>"$WORK/ours.csv"
done

# shellcheck disable=SC2086 # the group names are words
Rscript "$ROOT/bench/m3/forecast_r.R" "$M3" "$WORK" $GROUPS_TO_RUN 2>&1 | sed 's/^/    /'

echo
echo "M3 accuracy (ours: autoreport.forecast_groups method 'auto'; R: forecast 8.20 ets() and thetaf())"
"$TOOL" score "$M3" "$WORK/ours.csv" "$WORK/r_forecasts.csv"
echo
echo "M3 seconds, one core (ours inside PostgreSQL; R's own clock)"
awk -F, '
  FNR == 1 { next }
  { seconds[$1 "," $2] = $4; groups[$1] = 1 }
  END {
    printf "%-10s %10s %10s %10s %12s\n", "group", "ours", "R ets", "R thetaf", "R ets / ours"
    for (g in groups) {
      o = seconds[g ",auto"]; e = seconds[g ",r_ets"]; t = seconds[g ",r_thetaf"]
      printf "%-10s %10.2f %10.2f %10.2f %11.1fx\n", g, o, e, t, (o > 0 ? e / o : 0)
      to += o; te += e; tt += t
    }
    printf "%-10s %10.2f %10.2f %10.2f %11.1fx\n", "all", to, te, tt, (to > 0 ? te / to : 0)
  }' "$WORK/ours_seconds.csv" "$WORK/r_seconds.csv"
