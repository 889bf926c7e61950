#!/bin/bash
# Benchmark: scheduled jobs, ours (autoreport.schedule(), run by background workers) against pg_cron,
# Debian's postgresql-15-cron, installed here if missing (as the other benchmarks install their
# baselines; autoreport never needs it). Both run in the same throwaway cluster, preloaded with
# 'autoreport,pg_cron', in the same run, each measured while the other is idle:
#
#   1. a burst: 100 jobs due at the same second, at most 8 running at once (autoreport.max_running_jobs
#      = 8, cron.max_running_jobs = 8), each run taking 0.2 s (ours: a report "SELECT 1 AS x FROM
#      pg_sleep(0.2)", as a report may not return void; pg_cron: the command "SELECT pg_sleep(0.2)"). The delay from the due time to the start of the
#      first and of the last of the 100 runs, median of 3 bursts. Ideal: 100 / 8 x 0.2 s = 2.5 s.
#      Target: our last start within 3.0 s, and ahead of pg_cron's.
#   2. idle: 1,000 enabled jobs, none due (a daily cron twelve hours away), each side; the CPU time
#      (utime + stime in /proc/PID/stat) of our launcher and scheduler and of pg_cron's launcher over
#      60 s, both sides measured over the same 60 s. Target: ours under 0.5% of one core.
#   3. one job on an idle server: ours every second ("* * * * * *"), 200 runs; the delay from its due
#      time to its start: p50, p99, max. Target: p99 under 50 ms. pg_cron runs one job in the same
#      window, every minute (see below), and its delays are shown beside ours.
#
# Due and start times: ours from autoreport.job_runs (scheduled_for, started_at: when the run worker
# marked the run running, just before it runs the report). pg_cron records no due time; its jobs here
# are every-minute crons, so a run's due time is the minute it was due in (the bursts are placed on
# known minutes), and its start is start_time in cron.job_run_details. Both clocks are the server's.
#
# pg_cron runs in its default mode, the one users get: each job through a libpq connection to the
# server (cron.use_background_workers = off). SCHEDULES_PGCRON_BGW=on measures its background-worker
# mode instead. Debian 12 ships pg_cron 1.4, whose finest schedule is one minute (seconds came in 1.5),
# so pg_cron's bursts are three consecutive minutes, and item 3 gets only the 3 or 4 minutes of our
# 200-second run for pg_cron. Our bursts fall at seconds 20, 30 and 40 of those minutes, between
# pg_cron's (the script checks that pg_cron's burst was over before ours began).
#
# The cluster: its own, in build/bench-schedules-cluster (scripts/cluster.sh with an extra conf:
# the two libraries preloaded, cron.database_name = 'postgres', max_worker_processes = 40 so both
# sides can start all their workers), started fresh and stopped at the end. Takes about 7 minutes.
# Run it through bench/run.sh schedules.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
[ -n "${BENCH_CLUSTER:-}" ] || die "run this benchmark through bench/run.sh schedules"

CLUSTER=$ROOT/scripts/cluster.sh
DIR=$ROOT/build/bench-schedules-cluster
PGCRON_BGW=${SCHEDULES_PGCRON_BGW:-off}
BURST_JOBS=100
CAP=8
BURSTS=3
IDLE_JOBS=1000
CPU_SECONDS=60
SINGLE_RUNS=200
CONF=$(mktemp)

# ---- helpers ---------------------------------------------------------------------------------------
# psql in the database "postgres" of our cluster, unaligned, stopping at the first error.
q() { "$CLUSTER" psql "$DIR" -d postgres -v ON_ERROR_STOP=1 -q -At "$@"; }

# The current time, seconds since the epoch with microseconds.
now() { date +%s.%6N; }

# Sleeps until the epoch second $1 (fractional) has passed.
sleep_until() {
  local d
  d=$(awk -v t="$1" -v n="$(now)" 'BEGIN { d = t - n; printf "%.3f", (d > 0) ? d : 0 }')
  sleep "$d"
}

# Waits until the SQL condition $1 is true, at most $2 seconds; dies with $3 otherwise.
wait_for() {
  local deadline=$((SECONDS + $2))
  until [ "$(q -c "SELECT ($1)")" = t ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "$3"
    sleep 0.5
  done
}

# The median of column $2 of file $1.
median_of() {
  awk -v c="$2" '{ print $c }' "$1" | sort -g |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# utime + stime of process $1, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# The pids of the processes whose backend_type is $1 (a LIKE pattern).
pids_of() { q -c "SELECT pid FROM pg_stat_activity WHERE backend_type LIKE '$1' ORDER BY pid"; }

cleanup() {
  rm -f "$CONF"
  "$CLUSTER" stop "$DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# ---- pg_cron, the baseline ------------------------------------------------------------------------
if [ "$(dpkg-query -W -f='${Status}' postgresql-15-cron 2>/dev/null)" != "install ok installed" ]; then
  [ "$(id -u)" -eq 0 ] || die "pg_cron is missing: sudo apt-get install postgresql-15-cron, then run this again"
  say "installing Debian's postgresql-15-cron (the baseline of this benchmark only)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15-cron >/dev/null
fi
PGCRON_DEB=$(dpkg-query -W -f='${Version}' postgresql-15-cron)

# ---- the cluster ----------------------------------------------------------------------------------
cat >"$CONF" <<EOF
# bench/schedules.sh: ours and pg_cron side by side
shared_preload_libraries = 'autoreport,pg_cron'
cron.database_name = 'postgres'
max_worker_processes = 40
autoreport.max_running_jobs = $CAP
cron.max_running_jobs = $CAP
EOF
if [ "$PGCRON_BGW" = on ]; then
  echo "cron.use_background_workers = on" >>"$CONF"
fi
"$CLUSTER" stop "$DIR" >/dev/null 2>&1 || true
rm -rf "$DIR"
"$CLUSTER" start "$DIR" "$CONF" >/dev/null
q >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION autoreport;
CREATE EXTENSION pg_cron;
SELECT autoreport.define_report('sleep_02', 'SELECT 1 AS x FROM pg_sleep(0.2)');
SELECT autoreport.define_report('one', 'SELECT 1 AS x');
SQL
wait_for "autoreport.scheduler_status() IS NULL" 30 "our scheduler is not running: $(q -c 'SELECT autoreport.scheduler_status()')"
MODE=$(q -c "SELECT CASE current_setting('cron.use_background_workers') WHEN 'on' THEN 'background workers'
                    ELSE 'a libpq connection per run, its default' END")
echo "    ours: autoreport $(q -c "SELECT extversion FROM pg_extension WHERE extname = 'autoreport'"), max_running_jobs $(q -c 'SHOW autoreport.max_running_jobs')"
echo "    pg_cron $(q -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'") (Debian $PGCRON_DEB), max_running_jobs $(q -c 'SHOW cron.max_running_jobs'), $MODE"
echo "    $(nproc) cores; load average before the measurements: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 2. idle: 1,000 jobs, none due ---------------------------------------------------------------
say "$IDLE_JOBS jobs each, none due: CPU over $CPU_SECONDS s"
# A daily time twelve hours from now (UTC), for both.
IDLE_HOUR=$(( ($(date -u +%-H) + 12) % 24 ))
IDLE_MINUTE=$(date -u +%-M)
q >/dev/null <<SQL
SELECT count(autoreport.schedule('idle_' || i, '$IDLE_MINUTE $IDLE_HOUR * * *', 'one', time_zone => 'UTC'))
  FROM generate_series(1, $IDLE_JOBS) AS i;
SELECT count(cron.schedule('idle_' || i, '$IDLE_MINUTE $IDLE_HOUR * * *', 'SELECT 1'))
  FROM generate_series(1, $IDLE_JOBS) AS i;
SQL
sleep 5 # let both pick up their jobs
mapfile -t LAUNCHERS < <(pids_of 'autoreport launcher')
mapfile -t SCHEDULERS < <(pids_of 'autoreport scheduler%')
mapfile -t CRON_LAUNCHERS < <(pids_of 'pg_cron%')
if [ ${#LAUNCHERS[@]} -ne 1 ] || [ ${#SCHEDULERS[@]} -lt 1 ] || [ ${#CRON_LAUNCHERS[@]} -ne 1 ]; then
  die "expected one launcher, a scheduler and pg_cron's launcher; found ${LAUNCHERS[*]:-none}, ${SCHEDULERS[*]:-none}, ${CRON_LAUNCHERS[*]:-none}"
fi
declare -A before
for pid in "${LAUNCHERS[@]}" "${SCHEDULERS[@]}" "${CRON_LAUNCHERS[@]}"; do before[$pid]=$(cpu_ticks "$pid"); done
t0=$(now)
sleep "$CPU_SECONDS"
t1=$(now)
TICK=$(getconf CLK_TCK)
# % of one core used by the processes given, over the window.
cpu_percent() {
  local pid ticks=0
  for pid in "$@"; do ticks=$((ticks + $(cpu_ticks "$pid") - before[$pid])); done
  awk -v t="$ticks" -v hz="$TICK" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", 100 * t / hz / (b - a) }'
}
CPU_LAUNCHER=$(cpu_percent "${LAUNCHERS[@]}")
CPU_SCHEDULER=$(cpu_percent "${SCHEDULERS[@]}")
CPU_OURS=$(cpu_percent "${LAUNCHERS[@]}" "${SCHEDULERS[@]}")
CPU_CRON=$(cpu_percent "${CRON_LAUNCHERS[@]}")
IDLE_RUNS=$(q -c "SELECT (SELECT count(*) FROM autoreport.job_runs WHERE job LIKE 'idle\_%')
                       + (SELECT count(*) FROM cron.job_run_details)")
[ "$IDLE_RUNS" = 0 ] || die "$IDLE_RUNS runs of jobs that were not due"
q >/dev/null <<'SQL'
SELECT count(autoreport.unschedule(name)) FROM autoreport.jobs WHERE name LIKE 'idle\_%';
SELECT count(cron.unschedule(jobid)) FROM cron.job WHERE jobname LIKE 'idle\_%';
SQL

# ---- 1. bursts: 100 jobs due at once, 8 at a time ------------------------------------------------
say "$BURST_JOBS jobs due at once, at most $CAP at a time, 0.2 s each: $BURSTS bursts each"
# pg_cron's bursts at the next $BURSTS minutes at least 3 s away; ours at seconds 20, 30 and 40.
q >/dev/null <<SQL
SELECT count(cron.schedule('burst_' || i, '* * * * *', 'SELECT pg_sleep(0.2)')) FROM generate_series(1, $BURST_JOBS) AS i;
SELECT count(autoreport.schedule('burst_' || i, '20,30,40 * * * * *', 'sleep_02')) FROM generate_series(1, $BURST_JOBS) AS i;
SQL
created=$(now)
CRON_FIRST=$(awk -v c="$created" 'BEGIN { printf "%d", (int((c + 3) / 60) + 1) * 60 }')
OURS_FIRST=$(q -c "SELECT extract(epoch FROM t)::bigint FROM autoreport.next_runs('20,30,40 * * * * *', 'UTC',
                     to_timestamp($created + 3), 1) AS t")
OURS_LAST=$(q -c "SELECT max(extract(epoch FROM t))::bigint FROM autoreport.next_runs('20,30,40 * * * * *', 'UTC',
                    to_timestamp($OURS_FIRST - 1), $BURSTS) AS t")
CRON_LAST=$((CRON_FIRST + 60 * (BURSTS - 1)))
echo "    pg_cron's bursts at $(date -u -d "@$CRON_FIRST" +%T) and every minute after; ours from $(date -u -d "@$OURS_FIRST" +%T)"
wait_for "(SELECT count(*) FROM autoreport.job_runs WHERE job LIKE 'burst\_%' AND status = 'succeeded'
            AND scheduled_for BETWEEN to_timestamp($OURS_FIRST) AND to_timestamp($OURS_LAST)) = $BURST_JOBS * $BURSTS" \
  $((OURS_LAST - ${created%.*} + 60)) "our bursts did not all run"
q -c "SELECT count(autoreport.pause(name)) FROM autoreport.jobs WHERE name LIKE 'burst\_%'" >/dev/null
wait_for "(SELECT count(*) FROM cron.job_run_details WHERE status = 'succeeded'
            AND start_time >= to_timestamp($CRON_FIRST) AND start_time < to_timestamp($CRON_LAST + 60)) >= $BURST_JOBS * $BURSTS" \
  $((CRON_LAST - ${created%.*} + 60)) "pg_cron's bursts did not all run"
q -c "SELECT count(cron.unschedule(jobid)) FROM cron.job WHERE jobname LIKE 'burst\_%'" >/dev/null
FAILED=$(q -c "SELECT (SELECT count(*) FROM autoreport.job_runs WHERE status NOT IN ('succeeded', 'pending', 'running'))
                    + (SELECT count(*) FROM cron.job_run_details WHERE status NOT IN ('succeeded', 'running', 'starting'))")
[ "$FAILED" = 0 ] || die "$FAILED burst runs failed"

# One line per burst: due (epoch), first start, last start (s after due), last finish (epoch), runs.
q -F' ' >"$CONF.ours" -c "
  SELECT extract(epoch FROM scheduled_for), extract(epoch FROM min(started_at) - scheduled_for),
         extract(epoch FROM max(started_at) - scheduled_for), extract(epoch FROM max(finished_at)), count(*)
    FROM autoreport.job_runs WHERE job LIKE 'burst\_%'
     AND scheduled_for BETWEEN to_timestamp($OURS_FIRST) AND to_timestamp($OURS_LAST)
   GROUP BY scheduled_for ORDER BY scheduled_for"
q -F' ' >"$CONF.cron" -c "
  SELECT extract(epoch FROM due), extract(epoch FROM min(start_time) - due),
         extract(epoch FROM max(start_time) - due), extract(epoch FROM max(end_time)), count(*)
    FROM (SELECT date_trunc('minute', start_time) AS due, start_time, end_time FROM cron.job_run_details
           WHERE command = 'SELECT pg_sleep(0.2)'
             AND start_time >= to_timestamp($CRON_FIRST) AND start_time < to_timestamp($CRON_LAST + 60)) AS r
   GROUP BY due ORDER BY due"
for side in ours cron; do
  while read -r due first last finish runs; do
    [ "$runs" = "$BURST_JOBS" ] || die "$side: a burst at $(date -u -d "@${due%.*}" +%T) had $runs runs, not $BURST_JOBS"
    printf '    %-7s burst at %s: first start +%.3f s, last start +%.3f s, last finish +%.3f s\n' \
      "$side" "$(date -u -d "@${due%.*}" +%T)" "$first" "$last" "$(awk -v a="$finish" -v b="$due" 'BEGIN { print a - b }')"
  done <"$CONF.$side"
done
# Each of our bursts must have begun after the pg_cron burst of its minute had finished, and end before
# the next pg_cron burst: the two sides were never measured at the same time.
OVERLAP=$(awk 'NR == FNR { cron[NR] = $1; cron_end[NR] = $4; n = NR; next }
  { for (i = 1; i <= n; i++) if (($1 >= cron[i] && $1 < cron_end[i]) || (cron[i] >= $1 && cron[i] < $4)) c++ }
  END { print c + 0 }' "$CONF.cron" "$CONF.ours")
[ "$OVERLAP" = 0 ] || echo "    WARNING: $OVERLAP of our bursts overlapped one of pg_cron's: the figures are not clean"
BURST_FIRST_OURS=$(median_of "$CONF.ours" 2)
BURST_LAST_OURS=$(median_of "$CONF.ours" 3)
BURST_FIRST_CRON=$(median_of "$CONF.cron" 2)
BURST_LAST_CRON=$(median_of "$CONF.cron" 3)
rm -f "$CONF.ours" "$CONF.cron"
q >/dev/null <<'SQL'
SELECT count(autoreport.unschedule(name)) FROM autoreport.jobs WHERE name LIKE 'burst\_%';
TRUNCATE cron.job_run_details;
SQL

# ---- 3. one job on an idle server --------------------------------------------------------------
say "one job on an idle server: ours every second ($SINGLE_RUNS runs), pg_cron every minute over the same time"
q >/dev/null <<'SQL'
SELECT autoreport.schedule('single', '* * * * * *', 'one');
SELECT cron.schedule('single', '* * * * *', 'SELECT 1');
SQL
created=$(now)
SINGLE_FROM=$(awk -v c="$created" 'BEGIN { printf "%d", int(c) + 3 }') # the first instant counted
wait_for "(SELECT count(*) FROM autoreport.job_runs WHERE job = 'single' AND status = 'succeeded'
            AND scheduled_for >= to_timestamp($SINGLE_FROM)) >= $SINGLE_RUNS" $((SINGLE_RUNS + 60)) \
  "our job did not run $SINGLE_RUNS times in $((SINGLE_RUNS + 60)) s"
SINGLE_TO=$(now)
q -c "SELECT autoreport.pause('single')" -c "SELECT cron.unschedule('single')" >/dev/null
MISSED=$(q -c "SELECT $SINGLE_RUNS - count(DISTINCT scheduled_for) FROM autoreport.job_runs WHERE job = 'single'
                 AND scheduled_for >= to_timestamp($SINGLE_FROM) AND scheduled_for < to_timestamp($SINGLE_FROM + $SINGLE_RUNS)")
[ "$MISSED" = 0 ] || echo "    WARNING: $MISSED of the $SINGLE_RUNS instants have no run"
read -r SINGLE_N SINGLE_P50 SINGLE_P99 SINGLE_MAX < <(q -F' ' -c "
  SELECT count(*), round(1000 * percentile_disc(0.5) WITHIN GROUP (ORDER BY d), 1),
         round(1000 * percentile_disc(0.99) WITHIN GROUP (ORDER BY d), 1), round(1000 * max(d), 1)
    FROM (SELECT extract(epoch FROM started_at - scheduled_for)::numeric AS d FROM autoreport.job_runs
           WHERE job = 'single' AND status = 'succeeded' AND scheduled_for >= to_timestamp($SINGLE_FROM)
           ORDER BY scheduled_for LIMIT $SINGLE_RUNS) AS r")
read -r CRON_N CRON_P50 CRON_P99 CRON_MAX < <(q -F' ' -c "
  SELECT count(*), round(1000 * percentile_disc(0.5) WITHIN GROUP (ORDER BY d), 1),
         round(1000 * percentile_disc(0.99) WITHIN GROUP (ORDER BY d), 1), round(1000 * max(d), 1)
    FROM (SELECT extract(epoch FROM start_time - date_trunc('minute', start_time))::numeric AS d
            FROM cron.job_run_details WHERE command = 'SELECT 1' AND status = 'succeeded'
             AND start_time >= to_timestamp($SINGLE_FROM) AND start_time < to_timestamp($SINGLE_TO)) AS r")

# ---- the table --------------------------------------------------------------------------------------
verdict() { awk -v a="$1" -v b="$2" "BEGIN { print (($3) ? \"met\" : \"NOT met\") }"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
V_BURST=$(verdict "$BURST_LAST_OURS" "$BURST_LAST_CRON" 'a <= 3.0 && a < b')
V_CPU=$(verdict "$CPU_OURS" 0 'a < 0.5')
V_SINGLE=$(verdict "$SINGLE_P99" 0 'a < 50')
echo
echo "  Schedules against pg_cron $(q -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'") ($MODE), $(date -u +%F), $(nproc) cores"
printf '  %-58s %10s %10s %8s   %s\n' "" ours pg_cron ratio target
echo "  $BURST_JOBS jobs due at once, $CAP at a time, 0.2 s each (ideal last start 2.5 s), median of $BURSTS:"
printf '    %-56s %10.3f %10.3f %8s\n' "first start after due, s" "$BURST_FIRST_OURS" "$BURST_FIRST_CRON" ""
printf '    %-56s %10.3f %10.3f %8s   %s\n' "last start after due, s (ratio = pg_cron / ours)" "$BURST_LAST_OURS" \
  "$BURST_LAST_CRON" "$(ratio "$BURST_LAST_CRON" "$BURST_LAST_OURS")" "ours <= 3.0 s and ahead of pg_cron: $V_BURST"
echo "  $IDLE_JOBS jobs, none due: CPU over ${CPU_SECONDS} s, % of one core:"
printf '    %-56s %10.3f %10.3f %8s   %s\n' "launcher + scheduler (pg_cron: its launcher)" "$CPU_OURS" "$CPU_CRON" "" \
  "ours < 0.5%: $V_CPU"
printf '    %-56s %10.3f %10s\n' "  launcher" "$CPU_LAUNCHER" ""
printf '    %-56s %10.3f %10s\n' "  scheduler" "$CPU_SCHEDULER" ""
echo "  one job, idle server, due to start, ms (ours: $SINGLE_N runs every second; pg_cron: $CRON_N runs every minute):"
printf '    %-56s %10s %10s\n' "p50" "$SINGLE_P50" "$CRON_P50"
printf '    %-56s %10s %10s %8s   %s\n' "p99 (pg_cron: of $CRON_N runs)" "$SINGLE_P99" "$CRON_P99" "" "ours < 50 ms: $V_SINGLE"
printf '    %-56s %10s %10s\n' "max" "$SINGLE_MAX" "$CRON_MAX"
for v in "$V_BURST" "$V_CPU" "$V_SINGLE"; do
  if [ "$v" != met ]; then
    echo "  NOT MET: at least one target above is missed (see the verdicts)."
    break
  fi
done
