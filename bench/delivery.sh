#!/bin/bash
# Benchmark: deliveries (issue 18's target: at least 500 webhook deliveries a second on this machine
# with 10 KiB bodies, and the latency after report_ready, p50 and p99).
#
# 50 jobs of a report whose CSV output is about 10 KiB, each subscribed to 20 webhook destinations (one
# local receiver, FastReceiver of test/sidecar/receiver.py: one asyncio loop, checks every signature): the 50 runs are made while
# no sidecar runs, leaving 1,000 pending deliveries; then one sidecar starts at its defaults (with only
# what a loopback receiver needs: --deliver-allow 127.0.0.1, --deliver-allow-http,
# --deliver-allow-private) and the figure is the deliveries per second from the first request on the
# wire to the last. Beside it, for context, what the receiver itself accepts from 8 keep-alive Python
# clients posting the same bodies. Latency: with a sidecar running, 20 runs one after another, 400
# deliveries; delivered_at minus the time the run created the delivery (the moment report_ready is
# sent), p50 and p99. Run it through bench/run.sh delivery.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
[ -n "${BENCH_CLUSTER:-}" ] || die "run this benchmark through bench/run.sh delivery"

CLUSTER=$ROOT/scripts/cluster.sh
DB=bench_delivery
PGOPTIONS="-c client_min_messages=warning" "$CLUSTER" psql "$BENCH_CLUSTER" -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
"$CLUSTER" psql "$BENCH_CLUSTER" -d "$DB" -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION autoreport" >/dev/null
/usr/bin/python3 "$ROOT/bench/delivery.py" "$ROOT/build/autoreport-sidecar" "$BENCH_CLUSTER" "$DB"
