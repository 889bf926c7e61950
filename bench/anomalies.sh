#!/bin/bash
# Benchmark: anomaly detection on the Numenta Anomaly Benchmark (NAB) files in ../shared/data/nab
# (realKnownCause and artificialWithAnomaly, read in place), scored with NAB's standard profile by
# build/nab-tool: our causal detector (forecast/anomaly.hpp, OnlineDetector: robust STL refitted on a
# trailing window, robust residual scores calibrated per stream) against NAB's windowedGaussian and
# null detectors, each with its threshold optimised over these files as NAB's sweeper does. NAB wants
# a streaming detector (the score of a record may depend only on the records before it), so the
# batch function autoreport.anomalies(), which sees the whole series, is not what is scored here.
#
# Run it through bench/run.sh anomalies (it needs no database).
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"

NAB=$(cd "$ROOT/../shared/data/nab" 2>/dev/null && pwd) || die "the NAB data are not in ../shared/data/nab"
TOOL=$ROOT/build/nab-tool
[ -x "$TOOL" ] || die "build/nab-tool is missing: run make build/nab-tool (make bench does)"

"$TOOL" "$NAB" | tee "$BENCH_CLUSTER/nab.txt" | sed 's/^/    /'
awk '$1 == "ours" { ours = $2 } $1 == "gaussian" { gaussian = $2 }
     END { printf "    ours / windowed Gaussian = %.2fx (NAB standard profile; published full-corpus reference: windowedGaussian 39.6, Twitter ADVec 47.1, HTM 70.5)\n", ours / gaussian }' \
  "$BENCH_CLUSTER/nab.txt"
