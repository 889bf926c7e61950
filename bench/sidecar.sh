#!/bin/bash
# Benchmark: the sidecar (build/autoreport-sidecar) against a Node.js bridge doing the same job with
# the usual packages, pg and ws (test/bench/node-bridge/bridge.js: same JSON protocol, no
# authentication). Each server runs alone, started fresh for each measurement, against the benchmark
# cluster, and the same load client (build/sidecar-load, test/bench/load_client.cpp) drives both:
#   - fan-out: 1,000 subscribers on one channel; the NOTIFY rate grows by a quarter every 3 s from
#     50/s until the server saturates (delivered frames/s below 95% of offered, p99 over 500 ms, a
#     frame lost or a client closed); the figure is the most notify frames/s delivered in any step,
#     shown with the highest offered rate of a step that did not saturate it. The NOTIFYs go
#     through one libpq connection, several pg_notify() calls per statement (one per 2 ms tick at
#     most, one transaction each), so that round trips to PostgreSQL do not cap the offered rate.
#   - latency: 50 notifications/s to 1,000 subscribers for 20 s; latency = arrival time of the frame on
#     the client's socket (the kernel's receive timestamp, SO_TIMESTAMPNS) minus the send time carried
#     in the payload (same host, CLOCK_REALTIME); p50 and p99. The time until the load client has
#     processed the frame (which adds its own queueing, the same for both servers) is shown beside it.
#   - idle memory: 10,000 connections that complete the WebSocket handshake (ours: with a signed
#     token) and subscribe to nothing; the server's VmRSS before and after, per connection.
# The load client reports its own CPU use, and the table the servers', so that a reader can tell which
# side was the limit (this machine has few cores: server, load client and PostgreSQL share them).
# Run it through bench/run.sh sidecar.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
[ -n "${BENCH_CLUSTER:-}" ] || die "run this benchmark through bench/run.sh sidecar"

CLUSTER=$ROOT/scripts/cluster.sh
DB=bench_sidecar
SIDECAR=$ROOT/build/autoreport-sidecar
LOAD=$ROOT/build/sidecar-load
BRIDGE_DIR=$ROOT/test/bench/node-bridge
SECRET=bench-sidecar-secret-that-is-long-enough-0123456789
CHANNEL=bench.fanout
CLIENTS=1000
IDLE_CLIENTS=10000
LATENCY_RATE=50
LATENCY_SECONDS=20
STEP_SECONDS=3
OUT=$(mktemp -d)
SERVER_PID=
FAILED=() # the runs whose load client failed (a connection refused, a frame lost, ...)

# Stops the server under test, removes the database and the outputs; called on every exit.
cleanup() {
  stop_server
  rm -rf "$OUT"
  "$CLUSTER" psql "$BENCH_CLUSTER" -d postgres -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# An HS256 token whose role claim is $1, valid for an hour.
token() { hs256_token "$1" "$SECRET" 3600; }

# Starts server $1 (ours or node) alone on a free port: sets SERVER_PID and SERVER_URL.
start_server() {
  local port
  port=$(free_port)
  case "$1" in
    ours)
      AUTOREPORT_SIDECAR_JWT_SECRET=$SECRET AUTOREPORT_SIDECAR_DATABASE=$SERVER_DATABASE \
        "$SIDECAR" --port "$port" --shutdown-seconds 1 2>>"$OUT/ours.log" &
      ;;
    node)
      node "$BRIDGE_DIR/bridge.js" "$port" "$SERVER_DATABASE_URL" 2>>"$OUT/node.log" &
      ;;
  esac
  SERVER_PID=$!
  SERVER_URL=ws://127.0.0.1:$port/
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  tail -5 "$OUT/$1.log" >&2
  die "server $1 did not start"
}

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}

# Runs the load client in mode $2 against a fresh server $1 with the rest as options; keeps its
# output in $OUT/$1-$2.txt and shows it indented.
measure() {
  local server=$1 mode=$2 status=0 args=()
  shift 2
  start_server "$server"
  [ "$server" = ours ] && args=(--token "$VIEWER_TOKEN")
  "$LOAD" "$mode" --url "$SERVER_URL" --server-pid "$SERVER_PID" "${args[@]}" "$@" >"$OUT/$server-$mode.txt" 2>&1 ||
    status=$?
  stop_server
  echo "    -- $server, $mode:"
  grep -v '^RESULT' "$OUT/$server-$mode.txt" | sed 's/^/    /'
  if [ "$status" -ne 0 ]; then
    echo "    (the load client exited with status $status)"
    FAILED+=("$server $mode")
  fi
}

# The value of KEY in the results of server $1, mode $2.
value() {
  tr ' ' '\n' <"$OUT/$1-$2.txt" | sed -n "s/^$3=//p" | tail -1
}

say "building the sidecar, the load client and the Node bridge"
make -C "$ROOT" -s build/autoreport-sidecar build/sidecar-load >/dev/null
if [ ! -f "$BRIDGE_DIR/node_modules/.package-lock.json" ] ||
  [ "$BRIDGE_DIR/package-lock.json" -nt "$BRIDGE_DIR/node_modules/.package-lock.json" ]; then
  (cd "$BRIDGE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
echo "    node $(node --version), pg $(node -p "require('$BRIDGE_DIR/node_modules/pg/package.json').version"), ws $(node -p "require('$BRIDGE_DIR/node_modules/ws/package.json').version")"

# One open file per connection on each side, plus some.
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((IDLE_CLIENTS + 500)) ] || die "ulimit -n is $(ulimit -n); $IDLE_CLIENTS connections need more"

# The database: the servers connect as bench_sidecar (a member of autoreport_sidecar, as the sidecar's
# README says to set it up), the clients' token names bench_viewer, which may listen on bench.*.
"$CLUSTER" psql "$BENCH_CLUSTER" -d postgres -q -v ON_ERROR_STOP=1 \
  -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
"$CLUSTER" psql "$BENCH_CLUSTER" -d "$DB" -q -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION autoreport;
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_viewer') THEN CREATE ROLE bench_viewer; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_sidecar') THEN
    CREATE ROLE bench_sidecar LOGIN IN ROLE autoreport_sidecar;
  END IF;
END
$$;
SELECT autoreport.grant_channel('bench_viewer', 'bench.*') \gset
SQL
DB_PORT=$("$CLUSTER" port "$BENCH_CLUSTER")
SERVER_DATABASE="host=127.0.0.1 port=$DB_PORT user=bench_sidecar dbname=$DB"
SERVER_DATABASE_URL="postgresql://bench_sidecar@127.0.0.1:$DB_PORT/$DB"
NOTIFY_DATABASE="host=127.0.0.1 port=$DB_PORT user=postgres dbname=$DB"
VIEWER_TOKEN=$(token bench_viewer)

# Everything else on this machine competes for the same cores: say how busy it was.
echo "    $(nproc) cores; load average before the measurements: $(cut -d' ' -f1-3 /proc/loadavg)"
for server in ours node; do
  say "$server: fan-out, latency, idle memory"
  measure "$server" fanout --database "$NOTIFY_DATABASE" --channel "$CHANNEL" --clients "$CLIENTS" \
    --step-seconds "$STEP_SECONDS"
  measure "$server" latency --database "$NOTIFY_DATABASE" --channel "$CHANNEL" --clients "$CLIENTS" \
    --rate "$LATENCY_RATE" --duration "$LATENCY_SECONDS"
  measure "$server" idle --clients "$IDLE_CLIENTS"
done

# The table: ours, node, and how far ours is ahead. Missing targets are reported, not failures.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2fx", a / b; else print "-" }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v != "-" && v + 0 >= t) ? "met" : "NOT met" }'; }
fan_ours=$(value ours fanout max_delivered)
fan_node=$(value node fanout max_delivered)
fan_ratio=$(ratio "$fan_ours" "$fan_node")
p50_ours=$(value ours latency p50_ms)
p50_node=$(value node latency p50_ms)
p99_ours=$(value ours latency p99_ms)
p99_node=$(value node latency p99_ms)
p99_ratio=$(ratio "$p99_node" "$p99_ours")
pp50_ours=$(value ours latency processed_p50_ms)
pp50_node=$(value node latency processed_p50_ms)
pp99_ours=$(value ours latency processed_p99_ms)
pp99_node=$(value node latency processed_p99_ms)
mem_ours=$(value ours idle kib_per_connection)
mem_node=$(value node idle kib_per_connection)
mem_verdict=$(awk -v v="$mem_ours" -v open="$(value ours idle open)" -v n="$IDLE_CLIENTS" \
  'BEGIN { print (open == n && v > 0 && v <= 32) ? "met" : "NOT met" }')

echo
echo "  The sidecar against a Node.js bridge (pg + ws), each alone, same load client, same host:"
printf '    %-54s %12s %12s %9s   %s\n' "" ours node ratio target
printf '    %-54s %12s %12s %9s   %s\n' "fan-out at saturation, frames/s ($CLIENTS subscribers)" \
  "$fan_ours" "$fan_node" "$fan_ratio" ">= 3x: $(verdict "${fan_ratio%x}" 3)"
printf '    %-54s %12s %12s %9s\n' "  highest offered frames/s kept up with (not saturated)" \
  "$(value ours fanout sustained)" "$(value node fanout sustained)" \
  "$(ratio "$(value ours fanout sustained)" "$(value node fanout sustained)")"
printf '    %-54s %12s %12s %9s\n' "latency p50, ms ($LATENCY_RATE/s x $CLIENTS subscribers, ${LATENCY_SECONDS} s)" \
  "$p50_ours" "$p50_node" "$(ratio "$p50_node" "$p50_ours")"
printf '    %-54s %12s %12s %9s   %s\n' "latency p99, ms (ratio = node / ours)" \
  "$p99_ours" "$p99_node" "$p99_ratio" ">= 3x: $(verdict "${p99_ratio%x}" 3)"
printf '    %-54s %12s %12s %9s\n' "  until the load client processed it: p50, ms" \
  "$pp50_ours" "$pp50_node" "$(ratio "$pp50_node" "$pp50_ours")"
printf '    %-54s %12s %12s %9s\n' "  until the load client processed it: p99, ms" \
  "$pp99_ours" "$pp99_node" "$(ratio "$pp99_node" "$pp99_ours")"
printf '    %-54s %12s %12s %9s   %s\n' "idle memory per connection, KiB ($IDLE_CLIENTS connections)" \
  "$mem_ours" "$mem_node" "" "ours <= 32 KiB: $mem_verdict"
echo
echo "  CPU use, % of one core (the load client's includes its NOTIFY connection):"
printf '    %-54s %12s %12s\n' "" ours node
row() { printf '    %-54s %11s%% %11s%%\n' "$1" "$(value ours "$2" "$3")" "$(value node "$2" "$3")"; }
row "fan-out, step of the maximum: server" fanout server_cpu_pct_at_max
row "fan-out, step of the maximum: load client" fanout client_cpu_pct_at_max
row "fan-out, whole run: load client" fanout cpu_pct
row "latency: server" latency server_cpu_pct
row "latency: load client" latency cpu_pct
row "idle: load client" idle cpu_pct
for f in ours-fanout node-fanout; do
  closed=$(value "${f%-*}" fanout closed)
  [ "${closed:-0}" -eq 0 ] || echo "  note: $closed ${f%-*} clients were closed by the server during the fan-out run"
done
[ ${#FAILED[@]} -eq 0 ] || die "runs that did not complete: ${FAILED[*]}"
