#!/bin/bash
# Reports on a hot standby: a real primary and a streaming replica (pg_basebackup -R). Runs, renders,
# reports.<name>(), forecasts and anomaly screens must work on the standby, without writing the cache
# (or anything else). Scheduled jobs never run on the standby, and run there once it is promoted.
# Prints one line per check ("ok - ..." / "not ok - ...") and exits non-zero when any failed.
set -uo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

BASE=$ROOT/build/test/standby
CLUSTER=$ROOT/scripts/cluster.sh
PRIMARY=$BASE/primary
STANDBY=$BASE/standby
failed=0

check() { # description, command...
  local what=$1
  shift
  if "$@"; then echo "ok - $what"; else echo "not ok - $what"; failed=$((failed + 1)); fi
}

cleanup() {
  "$CLUSTER" stop "$STANDBY" >/dev/null 2>&1
  "$CLUSTER" stop "$PRIMARY" >/dev/null 2>&1
}
trap cleanup EXIT
[ "${KEEP:-}" = 1 ] && trap - EXIT

rm -rf "$BASE"
pg_owned_dir "$BASE"
"$CLUSTER" start "$PRIMARY" >/dev/null || { echo "not ok - primary starts"; exit 1; }
primary() { "$CLUSTER" psql "$PRIMARY" -v ON_ERROR_STOP=1 -qAt "$@"; }
standby() { "$CLUSTER" psql "$STANDBY" -v ON_ERROR_STOP=1 -qAt "$@"; }

primary >/dev/null <<'SQL'
CREATE EXTENSION autoreport;
CREATE TABLE sales (day date, region text, amount numeric);
INSERT INTO sales SELECT DATE '2026-01-01' + i % 30, CASE WHEN i % 2 = 0 THEN 'EMEA' ELSE 'APAC' END, i
  FROM generate_series(1, 1000) AS i;
SELECT autoreport.define_report('by_region', 'SELECT region, sum(amount) AS total FROM sales WHERE day >= :since GROUP BY region ORDER BY region',
  '{"since": {"type": "date", "default": "2026-01-01"}}');
SELECT count(*) FROM reports.by_region();
SELECT autoreport.schedule('ticker', 'every 1 second', 'by_region');
CREATE TABLE orders (id serial PRIMARY KEY, region text, amount numeric);
INSERT INTO orders (region, amount) SELECT region, amount FROM sales;
SELECT autoreport.create_view('sales_by_region', 'SELECT region, count(*) AS n, sum(amount) AS total FROM orders GROUP BY region');
INSERT INTO orders (region, amount) VALUES ('EMEA', 5);
SQL

pg_owned_dir "$STANDBY"
as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$("$CLUSTER" port "$PRIMARY")" -U postgres -D "$STANDBY/data" -R \
  --checkpoint=fast >/dev/null 2>&1 || { echo "not ok - pg_basebackup"; exit 1; }
"$CLUSTER" start "$STANDBY" >/dev/null || { echo "not ok - standby starts"; exit 1; }

# Wait until the standby has replayed everything the primary wrote.
target=$(primary -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 1 100); do
  caught_up=$(standby -c "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn" 2>/dev/null)
  [ "$caught_up" = t ] && break
  sleep 0.1
done

check "the standby is in recovery" test "$(standby -c 'SELECT pg_is_in_recovery()')" = t
check "reports.<name>() runs on the standby" \
  test "$(standby -c "SELECT string_agg(region || '=' || total, ',') FROM reports.by_region()")" = "APAC=250000,EMEA=250500"
check "run() runs on the standby" test "$(standby -c "SELECT count(*) FROM autoreport.run('by_region')")" = 2
check "render() renders on the standby" \
  test "$(standby -c "SELECT convert_from(autoreport.render('by_region', '{}', 'csv'), 'UTF8')")" = $'region,total\r\nAPAC,250000\r\nEMEA,250500\r'
check "render() as xlsx on the standby" test "$(standby -c "SELECT substr(autoreport.render('by_region', '{}', 'xlsx'), 1, 2) = '\\x504b'")" = t
check "the standby bypasses the cache instead of failing" \
  test "$(standby -c "SELECT bypassed >= 4 AND hits = 0 FROM autoreport.cache_stats")" = t
check "forecast() over a query forecasts on the standby" \
  test "$(standby -c "SELECT count(*) FROM autoreport.forecast('SELECT day, sum(amount) FROM sales GROUP BY day', 7)")" = 7
check "forecast_groups() forecasts every series on the standby" \
  test "$(standby -c "SELECT count(DISTINCT series) FROM autoreport.forecast_groups('SELECT region, day, amount FROM sales', 3)")" = 2
check "anomalies() screens a query on the standby" \
  test "$(standby -c "SELECT count(*) FROM autoreport.anomalies('SELECT day, sum(amount) FROM sales GROUP BY day')")" = 30
check "the standby still answers the catalog" test "$(standby -c "SELECT count(*) FROM autoreport.reports")" = 1
refused=$("$CLUSTER" psql "$STANDBY" -qAt -c "SELECT autoreport.define_report('x', 'SELECT 1 AS a')" 2>&1)
check "defining a report on the standby is refused with a clear error" \
  grep -q "cannot define a report on a standby" <<<"$refused"
refused=$("$CLUSTER" psql "$STANDBY" -qAt -c "SELECT autoreport.drop_report('by_region')" 2>&1)
check "dropping a report on the standby is refused with a clear error" \
  grep -q "cannot drop a report on a standby" <<<"$refused"

# Managed views: read like any table on the standby; refreshed on the primary only.
check "a managed view reads on the standby" \
  test "$(standby -c "SELECT string_agg(region || '=' || total, ',' ORDER BY region) FROM sales_by_region")" = "APAC=250000,EMEA=250500"
check "view_status answers on the standby, with no pending count (the logs live on the primary)" \
  test "$(standby -c "SELECT name || ' ' || coalesce(pending::text, 'unknown') FROM autoreport.view_status")" = "sales_by_region unknown"
refused=$("$CLUSTER" psql "$STANDBY" -qAt -c "SELECT autoreport.refresh_view('sales_by_region')" 2>&1)
check "refreshing a view on the standby is refused with a clear error" \
  grep -q "managed views are refreshed on the primary only" <<<"$refused"
primary -c "SELECT autoreport.refresh_view('sales_by_region')" >/dev/null
check "a refresh on the primary reaches the standby" \
  bash -c "for _ in \$(seq 1 100); do [ \"\$($CLUSTER psql $STANDBY -qAt -c \"SELECT total FROM sales_by_region WHERE region = 'EMEA'\")\" = 250505 ] && exit 0; sleep 0.1; done; exit 1"

# Schedules: nothing runs on a standby; after a promotion the launcher starts without a restart.
children() { # the processes of a cluster's postmaster, by title
  ps --ppid "$(head -1 "$1/data/postmaster.pid")" -o args= 2>/dev/null
}
check "the standby says why jobs do not run there" \
  test "$(standby -c "SELECT autoreport.scheduler_status()")" = "on a standby"
check "jobs runs on the primary meanwhile" \
  test "$(primary -c "SELECT count(*) > 0 FROM autoreport.job_runs WHERE status = 'succeeded'")" = t
check "no launcher, scheduler or run worker on the standby" \
  test "$(children "$STANDBY" | grep -c 'autoreport \(launcher\|scheduler\|job run\)')" = 0
as_pg "$PG_BIN/pg_ctl" -D "$STANDBY/data" -w -t 60 promote >/dev/null 2>&1
check "the standby is promoted" test "$(standby -c 'SELECT pg_is_in_recovery()')" = f
promoted_at=$(standby -c "SELECT clock_timestamp()")
ran=f
for _ in $(seq 1 150); do
  ran=$(standby -c "SELECT count(*) > 0 FROM autoreport.job_runs WHERE status = 'succeeded' AND started_at > '$promoted_at'" 2>/dev/null)
  [ "$ran" = t ] && break
  sleep 0.2
done
check "after the promotion, jobs run there without a restart" test "$ran" = t
check "the promoted server has its launcher" test "$(children "$STANDBY" | grep -c 'autoreport launcher')" = 1

echo "$failed checks failed"
[ "$failed" -eq 0 ]
