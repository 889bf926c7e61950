#!/bin/bash
# The sidecar under load: 1,000 concurrent clients each receive every one of 1,000 notifications,
# exactly once, with a contiguous seq and in order (build/sidecar-load count checks each client); 20
# clients each receive all of 10,000 notifications sent in one transaction (a burst); and under
# `ulimit -n 200`, 260 idle TCP connections neither make the sidecar spin nor stop /healthz, and are
# closed at --handshake-timeout.
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

status=0
out=$(timeout 90 "$LOAD" count --url "ws://127.0.0.1:$PORT/" --token "$(token sc_load)" --database "$DATABASE" \
  --channel load.burst --clients 20 --notifications 10000 --burst --timeout 60 2>&1) || status=$?
printf '%s\n' "$out" | sed 's/^/# /'
check "20 clients each received all 10000 notifications sent in one transaction, seq contiguous" "$status"

alive=0
kill -0 "$SIDECAR_PID" 2>/dev/null || alive=1
check "the sidecar is still running after the load" "$alive"
stop_sidecar

# Idle sockets under a low descriptor limit: 260 connections that never send a request.
PORT=$(free_port)
(ulimit -n 200 && AUTOREPORT_SIDECAR_JWT_SECRET=$SECRET AUTOREPORT_SIDECAR_DATABASE=$DATABASE \
  exec "$BINARY" --port "$PORT" --shutdown-seconds 1 --handshake-timeout 6 2>/dev/null) &
SIDECAR_PID=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.1
done
sleep 1 # the first probe's socket goes at the handshake timeout
status=0
timeout 60 python3 - "$PORT" "$SIDECAR_PID" <<'PY' || status=$?
import socket, sys, time, urllib.request
port, pid = int(sys.argv[1]), int(sys.argv[2])
tick = __import__("os").sysconf("SC_CLK_TCK")
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick
def health():
    t = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return r.status, time.monotonic() - t
    except Exception as e:
        return repr(e), time.monotonic() - t
failed = 0
def check(what, ok, detail=""):
    global failed
    print(("ok - " if ok else "not ok - ") + what + ("" if ok else f"  ({detail})"), flush=True)
    failed += 0 if ok else 1
socks = []
for _ in range(260):
    s = socket.socket()
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    socks.append(s)
opened = time.monotonic()
time.sleep(0.5)
c0, t0 = cpu(), time.monotonic()
time.sleep(3)
share = (cpu() - c0) / (time.monotonic() - t0)
check("with 260 idle connections under ulimit -n 200 the sidecar uses little CPU", share < 0.2, f"{share:.0%} of a core")
status, took = health()
check("and /healthz still answers, within 2 s", status == 200 and took < 2.5, (status, took))
time.sleep(max(0, opened + 6 + 2 - time.monotonic()))
def gone(s):
    try:
        s.settimeout(0.5)
        return s.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except OSError:
        return False
closed = sum(gone(s) for s in socks)
check("every idle connection is closed (shed, or at --handshake-timeout)", closed == 260, f"{closed} of 260")
with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
    text = r.read().decode()
sockets = [l for l in text.splitlines() if l.startswith("autoreport_sidecar_sockets ")]
check("the sockets gauge is back to this one request", sockets == ["autoreport_sidecar_sockets 1"], sockets)
shed = [l for l in text.splitlines() if l.startswith("autoreport_sidecar_shed_total ")]
check("connections beyond the descriptors were shed and counted", shed and int(shed[0].split()[1]) >= 60, shed)
sys.exit(failed)
PY
if [ "$status" -gt 100 ]; then # timed out or crashed, not a count of failed checks
  echo "not ok - the idle-socket checks ran to their end (status $status)"
  status=1
fi
failed=$((failed + status))
stop_sidecar
echo "$failed checks failed"
[ "$failed" -eq 0 ]
