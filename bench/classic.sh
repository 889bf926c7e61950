#!/bin/bash
# Benchmark: forecasts on a holdout of classic real series that are not M3 (R's datasets and forecast's
# data sets: lynx, sunspots, Nile, AirPassengers, UKgas, ...; taken from R at bench time, see
# bench/classic/classic_r.R), against R forecast's auto.arima(), ets() and thetaf() at their defaults,
# measured in the same run. M3 rewards ETS and Theta; many users' series have long cycles that only
# ARIMA expresses, so this is the check that `auto` holds up off M3.
#
# Ours: autoreport.forecast_groups(...) per group at its defaults (method 'auto'), with the period given
# as R gets it, and each other method named in CLASSIC_METHODS (default: arima). Scored by the R script:
# mean sMAPE (0-200, as M3) and MASE per group.
# Run it through bench/run.sh classic.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "$0")/lib.sh"
[ -n "${BENCH_CLUSTER:-}" ] || die "run this benchmark through bench/run.sh classic"
command -v Rscript >/dev/null || die "Rscript is missing: run scripts/deps.sh bench (make bench does)"

WORK=$BENCH_CLUSTER/classic
METHODS="auto ${CLASSIC_METHODS-arima}"

mkdir -p "$WORK"
chmod 777 "$WORK"
Rscript "$ROOT/bench/classic/classic_r.R" export "$WORK" 2>&1 | sed 's/^/    /'

bench_database bench_classic
psql_bench -c 'CREATE TABLE train (series text, grp text, period integer, t integer, value float8)'
psql_bench -c "COPY train FROM STDIN (FORMAT csv, HEADER)" <"$WORK/train.csv"

echo "series,method,step,mean" >"$WORK/ours.csv"
for method in $METHODS; do
  for g in 'yearly:1:1 year' 'quarterly:4:3 months' 'monthly:12:1 month'; do
    IFS=: read -r grp period step <<<"$g"
    seconds=$(psql_bench -At <<SQL
SELECT clock_timestamp() AS t0 \gset
CREATE TEMP TABLE ours AS
  SELECT * FROM autoreport.forecast_groups(
    \$\$SELECT series, timestamptz '1900-01-01' + (t - 1) * interval '$step', value
        FROM train WHERE grp = '$grp'\$\$,
    CASE '$grp' WHEN 'monthly' THEN 18 WHEN 'quarterly' THEN 8 ELSE 6 END,
    period => $period, method => '$method', frequency => '$step');
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 3);
\copy (SELECT series, 'ours_$method', step, value FROM ours ORDER BY series, step) TO '$WORK/ours_part.csv' (FORMAT csv)
SQL
    ) || { echo "    ours $method $grp: failed (method not available?)"; continue; }
    cat "$WORK/ours_part.csv" >>"$WORK/ours.csv"
    echo "    ours $method $grp: $seconds s"
  done
done

echo
echo "Classic holdout (not M3): ours (autoreport.forecast_groups) against R forecast 8.20 at defaults"
Rscript "$ROOT/bench/classic/classic_r.R" score "$WORK" | sed 's/^/    /'
