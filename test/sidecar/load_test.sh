#!/bin/bash
# The sidecar under load: 1,000 concurrent clients each receive every one of 1,000 notifications,
# exactly once, with a contiguous seq and in order (build/sidecar-load count checks each client).
#
# Usage: test/sidecar/load_test.sh SIDECAR_BINARY CLUSTER_DIR
# Starts the sidecar on a free port against the running throwaway cluster, prints "ok - ..." or
# "not ok - ..." lines, and exits non-zero when a check failed. Takes well under a minute.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../../scripts/lib.sh
source "$(dirname "$0")/../../scripts/lib.sh"

[ $# -eq 2 ] || { sed -n '5,7p' "$0"; exit 2; }
BINARY=$1
CLUSTER_DIR=$2
LOAD=$ROOT/build/sidecar-load
CLIENTS=1000
NOTIFICATIONS=1000
SECRET=load-test-secret-that-is-long-enough-0123456789
CHANNEL=load.count

failed=0
check() { # check WHAT EXIT_STATUS
  if [ "$2" -eq 0 ]; then echo "ok - $1"; else echo "not ok - $1"; failed=$((failed + 1)); fi
}

psql_q() { "$ROOT/scripts/cluster.sh" psql "$CLUSTER_DIR" -qAt -v ON_ERROR_STOP=1 "$@"; }

# An HS256 token whose role claim is $1, valid for ten minutes.
token() { hs256_token "$1" "$SECRET" 600; }

[ -x "$LOAD" ] || make -C "$ROOT" -s build/sidecar-load >/dev/null
# One open file per client on each side, plus some.
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((CLIENTS + 200)) ] || { echo "not ok - ulimit -n is $(ulimit -n), below $((CLIENTS + 200))"; exit 1; }

psql_q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS autoreport" \
  -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sc_load') THEN CREATE ROLE sc_load; END IF; END \$\$" \
  -c "SELECT autoreport.grant_channel('sc_load', 'load.*')" >/dev/null
DB_PORT=$("$ROOT/scripts/cluster.sh" port "$CLUSTER_DIR")
DATABASE="host=127.0.0.1 port=$DB_PORT user=postgres dbname=postgres"
PORT=$(free_port)

AUTOREPORT_SIDECAR_JWT_SECRET=$SECRET AUTOREPORT_SIDECAR_DATABASE=$DATABASE \
  "$BINARY" --port "$PORT" --shutdown-seconds 1 2>/dev/null &
SIDECAR_PID=$!
stop_sidecar() {
  kill "$SIDECAR_PID" 2>/dev/null || true
  wait "$SIDECAR_PID" 2>/dev/null || true
}
trap stop_sidecar EXIT
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.1
done

status=0
out=$(timeout 90 "$LOAD" count --url "ws://127.0.0.1:$PORT/" --token "$(token sc_load)" --database "$DATABASE" \
  --channel "$CHANNEL" --clients "$CLIENTS" --notifications "$NOTIFICATIONS" --rate 250 --timeout 30 2>&1) || status=$?
printf '%s\n' "$out" | sed 's/^/# /'
check "$CLIENTS clients each received all $NOTIFICATIONS notifications in order" "$status"

alive=0
kill -0 "$SIDECAR_PID" 2>/dev/null || alive=1
check "the sidecar is still running after the load" "$alive"
stop_sidecar
echo "$failed checks failed"
[ "$failed" -eq 0 ]
