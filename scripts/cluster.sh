#!/bin/bash
# A throwaway PostgreSQL 15 cluster in a folder of the checkout, used by tests, the demo and benchmarks.
#
#   scripts/cluster.sh start DIR [EXTRA_CONF_FILE]   initdb if needed, start on a free local port
#   scripts/cluster.sh stop DIR                      stop it (fast shutdown)
#   scripts/cluster.sh status DIR                    exit 0 when running
#   scripts/cluster.sh port DIR                      print the port
#   scripts/cluster.sh psql DIR [psql args...]       psql as the superuser "postgres"
#   scripts/cluster.sh url DIR                       print a connection URI
#
# The server runs as an unprivileged user (postgres when we are root), listens on 127.0.0.1 only, and
# has shared_preload_libraries = 'autoreport'. Local connections are trusted: never use it for data
# you care about.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,12p' "$0"; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data=$dir/data

port_of() { cat "$dir/port" 2>/dev/null || true; }

running() { [ -f "$data/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  local p
  for p in $(seq "${AUTOREPORT_PORT_BASE:-55432}" 1 "$(( ${AUTOREPORT_PORT_BASE:-55432} + 200 ))"); do
    if port_free "$p" && ! grep -qs "^$p\$" /tmp/.autoreport-ports-in-use 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  die "no free port found from ${AUTOREPORT_PORT_BASE:-55432} on"
}

start() {
  local extra=${1:-}
  ensure_pg_can_reach_checkout
  pg_owned_dir "$dir"
  if running; then
    say "cluster in $dir already running on port $(port_of)"
    return 0
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log"; die "initdb failed"; }
    {
      echo "# autoreport throwaway cluster"
      echo "listen_addresses = '127.0.0.1'"
      echo "unix_socket_directories = ''"
      echo "shared_preload_libraries = 'autoreport'"
      echo "max_connections = 100"
      echo "fsync = off"
      echo "logging_collector = off"
      echo "log_min_messages = warning"
    } | as_pg tee -a "$data/postgresql.conf" >/dev/null
    if [ -n "$extra" ]; then
      as_pg tee -a "$data/postgresql.conf" <"$extra" >/dev/null
    fi
  fi
  local attempt port
  for attempt in 1 2 3 4 5; do
    port=$(pick_port)
    if as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
      echo "$port" | as_pg tee "$dir/port" >/dev/null
      say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') running in $dir on 127.0.0.1:$port"
      return 0
    fi
    echo "start on port $port failed (attempt $attempt); server log:" >&2
    tail -5 "$dir/server.log" >&2 || true
  done
  die "could not start the cluster in $dir"
}

stop() {
  if running; then
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    say "stopped the cluster in $dir"
  fi
}

case "$cmd" in
  start) start "${3:-}" ;;
  stop) stop ;;
  status) running ;;
  port) port_of ;;
  url) echo "postgresql://postgres@127.0.0.1:$(port_of)/postgres" ;;
  psql) shift 2; exec "$PG_BIN/psql" -X -h 127.0.0.1 -p "$(port_of)" -U postgres "$@" ;;
  *) die "unknown command $cmd" ;;
esac
