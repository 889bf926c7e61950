#!/bin/bash
# Runs every test suite of autoreport and ends with one line: "N passed, N failed".
#
# Called by `make test` after the build and `make install`. Suites:
#   unit       GoogleTest, pure C++ (build/unit_tests)
#   fuzz       each libFuzzer target (build/fuzz/*) for a short, bounded run over its seed corpus
#   regress    pg_regress on a temporary instance with shared_preload_libraries = 'autoreport'
#   nopreload  pg_regress on a temporary instance without it
#   isolation  pg_isolation_regress specs (test/isolation/specs)
#   pgtap      pgTAP files (test/pgtap) through pg_prove, on the throwaway cluster
#   concurrency  pgbench: define, drop and calls of one report name from 8 clients at once
#   schedules  jobs run by the launcher, schedulers and run workers: events, retries, a stopped server
#   standby    a real primary and streaming replica: reports run on the standby
#   sidecar    the WebSocket sidecar against the throwaway cluster with real WebSocket clients
#   delivery   the sidecar delivering job outputs to a real HTTP receiver and SMTP server on loopback
#   cli        the command-line client build/autoreport against the throwaway cluster
#   jdbc       reports through pgjdbc (java, test/jdbc/ReportClient.java) on its own throwaway cluster
#   charts     SVG charts rendered by headless Chromium to PNGs that are checked not to be blank
#   pdf        PDF and PNG rendered by the extension, read back by pdftotext and pdftoppm
#   lint       clang-format and cppcheck on our own files
# A failing suite does not stop the others. Set SUITES="unit regress" to run some of them.
set -uo pipefail
source "$(dirname "$0")/../scripts/lib.sh"

OUT=$ROOT/build/test
SUITES=${SUITES:-unit fuzz regress nopreload isolation pgtap concurrency schedules standby sidecar delivery cli jdbc charts pdf lint}
PASSED=0
FAILED=0
declare -a SUMMARY=()

record() { # suite passed failed
  PASSED=$((PASSED + $2))
  FAILED=$((FAILED + $3))
  SUMMARY+=("$(printf '%-10s %4d passed, %d failed' "$1" "$2" "$3")")
}

# Counts "ok"/"FAILED" lines of pg_regress and pg_isolation_regress output.
count_regress() { # suite logfile exit-status outputdir
  local ok failed
  ok=$(grep -cE '\.\.\. ok( |$)|^ok ' "$2" || true)
  failed=$(grep -cE '\.\.\. FAILED|^not ok ' "$2" || true)
  if [ "$3" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1 # the runner itself failed (e.g. the instance did not start)
  fi
  record "$1" "$ok" "$failed"
  if [ "$3" -ne 0 ]; then
    [ -f "$4/regression.diffs" ] && { echo "---- $4/regression.diffs"; cat "$4/regression.diffs"; }
    [ -f "$4/log/postmaster.log" ] && { echo "---- tail of $4/log/postmaster.log"; tail -30 "$4/log/postmaster.log"; }
  fi
}

suite_unit() {
  say "unit tests (GoogleTest)"
  local log=$OUT/unit.log
  "$ROOT/build/unit_tests" --gtest_brief=1 2>&1 | tee "$log"
  local st=${PIPESTATUS[0]}
  local total failed
  total=$(sed -n 's/.*\[==========\] \([0-9]*\) tests\? from .* ran.*/\1/p' "$log" | tail -1)
  failed=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) tests\?, listed below.*/\1/p' "$log" | tail -1)
  total=${total:-0}
  failed=${failed:-0}
  if [ "$st" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  record unit $((total - failed)) "$failed"
}

# Each fuzz target runs for FUZZ_SECONDS (default 10) from its seed corpus test/fuzz/corpus/NAME, if any.
suite_fuzz() {
  say "fuzz targets (libFuzzer, ${FUZZ_SECONDS:-10} s each)"
  local t name ok=0 failed=0 corpus work
  for t in "$ROOT"/build/fuzz/*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    name=$(basename "$t")
    work=$OUT/fuzz/$name
    rm -rf "$work" && mkdir -p "$work/corpus"
    corpus=$ROOT/test/fuzz/corpus/$name
    [ -d "$corpus" ] && cp -r "$corpus"/. "$work/corpus/"
    if (cd "$work" && "$t" -max_total_time="${FUZZ_SECONDS:-10}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
          corpus >"$work/log" 2>&1); then
      ok=$((ok + 1))
      echo "  $name: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | awk '{print $2}') inputs, no crash"
    else
      failed=$((failed + 1))
      echo "  $name: FAILED"
      tail -40 "$work/log"
    fi
  done
  record fuzz "$ok" "$failed"
}

# pg_regress with a temporary instance; $1 suite name, $2 temp config, rest: test names.
run_pg_regress() {
  local name=$1 conf=$2
  shift 2
  local dir=$OUT/$name
  rm -rf "$dir"
  pg_owned_dir "$dir"
  cp "$ROOT/build/autoreport_test.so" "$dir/" && chmod 755 "$dir/autoreport_test.so"
  as_pg "$PGXS_DIR/src/test/regress/pg_regress" \
    --bindir="$PG_BIN" --inputdir="$ROOT" --outputdir="$dir" --dlpath="$dir" \
    --temp-instance="$dir/tmp_check" --temp-config="$conf" --dbname=regression "$@" 2>&1 | tee "$dir/run.log"
  count_regress "$name" "$dir/run.log" "${PIPESTATUS[0]}" "$dir"
}

suite_regress() {
  say "pg_regress (preloaded)"
  # The suite is the Makefile's REGRESS list, which `make installcheck` runs too.
  # shellcheck disable=SC2046
  run_pg_regress regress "$ROOT/test/preload.conf" $(make -s --no-print-directory -C "$ROOT" print-regress)
}

suite_nopreload() {
  say "pg_regress (not preloaded)"
  run_pg_regress nopreload "$ROOT/test/no_preload.conf" no_preload audit_no_preload schedules_no_preload analyze_no_preload
}

suite_isolation() {
  say "isolation specs"
  local dir=$OUT/isolation
  rm -rf "$dir"
  pg_owned_dir "$dir"
  local specs
  specs=$(cd "$ROOT/test/isolation/specs" && ls -1 *.spec | sed 's/\.spec$//')
  # shellcheck disable=SC2086
  as_pg "$PGXS_DIR/src/test/isolation/pg_isolation_regress" \
    --bindir="$PG_BIN" --inputdir="$ROOT/test/isolation" --outputdir="$dir" \
    --temp-instance="$dir/tmp_check" --temp-config="$ROOT/test/preload.conf" --dbname=isolation_regression \
    $specs 2>&1 | tee "$dir/run.log"
  count_regress isolation "$dir/run.log" "${PIPESTATUS[0]}" "$dir"
}

suite_pgtap() {
  say "pgTAP (pg_prove)"
  local dir=$OUT/pgtap-cluster
  rm -rf "$dir"
  if ! "$ROOT/scripts/cluster.sh" start "$dir"; then
    record pgtap 0 1
    return
  fi
  local port
  port=$("$ROOT/scripts/cluster.sh" port "$dir")
  "$ROOT/scripts/cluster.sh" psql "$dir" -q -c "CREATE DATABASE autoreport_tap" >/dev/null
  "$ROOT/scripts/cluster.sh" psql "$dir" -q -d autoreport_tap -v ON_ERROR_STOP=1 \
    -c "CREATE EXTENSION pgtap; CREATE EXTENSION autoreport;" >/dev/null
  local log=$OUT/pgtap.log
  pg_prove --verbose -h 127.0.0.1 -p "$port" -U postgres -d autoreport_tap "$ROOT"/test/pgtap/*.sql 2>&1 | tee "$log"
  local st=${PIPESTATUS[0]}
  local ok failed
  ok=$(grep -cE '^ok [0-9]+' "$log" || true)
  failed=$(grep -cE '^not ok [0-9]+' "$log" || true)
  if [ "$st" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  record pgtap "$ok" "$failed"
  "$ROOT/scripts/cluster.sh" stop "$dir"
}

suite_concurrency() {
  say "concurrency (pgbench, 8 clients: define, drop and call one report; write, refresh and read managed views)"
  local dir=$OUT/concurrency-cluster log=$OUT/concurrency.log
  rm -rf "$dir"
  if ! "$ROOT/scripts/cluster.sh" start "$dir" >/dev/null; then
    record concurrency 0 1
    return
  fi
  timeout 300 "$ROOT/test/concurrency/define_drop_call.sh" "$dir" >"$log" 2>&1 ||
    echo "not ok - test/concurrency/define_drop_call.sh exited with status $?" >>"$log"
  timeout 300 "$ROOT/test/concurrency/views_burst.sh" "$dir" >>"$log" 2>&1 ||
    echo "not ok - test/concurrency/views_burst.sh exited with status $?" >>"$log"
  cat "$log"
  record concurrency "$(grep -c '^ok - ' "$log")" "$(grep -c '^not ok - ' "$log")"
  "$ROOT/scripts/cluster.sh" stop "$dir" >/dev/null
}

# Runs one test script against a fresh cluster of its own and records its "ok - " and "not ok - " lines:
#   run_on_cluster NAME SECONDS CONF SCRIPT ARGS...   (CONF: extra server settings, or ""; "{cluster}" in
#   an argument is the cluster's folder). A script that exits non-zero, or is stopped after SECONDS,
#   without saying which check failed still counts as one failure.
run_on_cluster() {
  local name=$1 seconds=$2 conf=$3 script=$4
  shift 4
  local dir=$OUT/$name-cluster log=$OUT/$name.log
  rm -rf "$dir"
  if ! "$ROOT/scripts/cluster.sh" start "$dir" ${conf:+"$conf"} >/dev/null; then
    record "$name" 0 1
    return
  fi
  local args=("${@//\{cluster\}/$dir}")
  case $script in
    *.py) timeout "$seconds" /usr/bin/python3 "$ROOT/$script" "${args[@]}" >"$log" 2>&1 ;;
    *) timeout "$seconds" bash "$ROOT/$script" "${args[@]}" >"$log" 2>&1 ;;
  esac
  local status=$?
  cat "$log"
  if [ "$status" -ne 0 ] && ! grep -q '^not ok - ' "$log"; then
    echo "not ok - $script exited with status $status" | tee -a "$log"
  fi
  record "$name" "$(grep -c '^ok - ' "$log")" "$(grep -c '^not ok - ' "$log")"
  "$ROOT/scripts/cluster.sh" stop "$dir" >/dev/null
}

suite_schedules() {
  say "schedules (jobs run by the background workers of a real preloaded server)"
  printf "max_worker_processes = 24\n" >"$OUT/schedules.conf"
  run_on_cluster schedules 600 "$OUT/schedules.conf" test/schedules/schedules_test.py - "{cluster}"
}

suite_delivery() {
  say "delivery (jobs' outputs to a webhook receiver and an SMTP server on loopback, two sidecars)"
  run_on_cluster delivery 600 "" test/sidecar/delivery_test.py "$ROOT/build/autoreport-sidecar" "{cluster}"
}

suite_standby() {
  say "hot standby (primary + streaming replica)"
  local log=$OUT/standby.log
  "$ROOT/test/standby/standby_test.sh" 2>&1 | tee "$log"
  record standby "$(grep -c '^ok - ' "$log")" "$(grep -c '^not ok - ' "$log")"
}

suite_sidecar() {
  say "sidecar (real PostgreSQL, real WebSocket clients, 1,000-client load, the dashboard in Chromium)"
  local dir=$OUT/sidecar-cluster log=$OUT/sidecar.log test
  rm -rf "$dir"
  if ! "$ROOT/scripts/cluster.sh" start "$dir" >/dev/null; then
    record sidecar 0 1
    return
  fi
  # One open file per WebSocket client on each side.
  ulimit -n "$(ulimit -Hn)"
  : >"$log"
  for test in sidecar_test.py availability_test.py hardening_test.py load_test.sh dashboard_test.py; do
    local one=$OUT/sidecar-$test.log
    case $test in
      *.py) timeout 300 /usr/bin/python3 "$ROOT/test/sidecar/$test" "$ROOT/build/autoreport-sidecar" "$dir" >"$one" 2>&1 ;;
      *.sh) timeout 300 bash "$ROOT/test/sidecar/$test" "$ROOT/build/autoreport-sidecar" "$dir" >"$one" 2>&1 ;;
    esac
    local status=$?
    cat "$one"
    cat "$one" >>"$log"
    # A script that failed without saying which check failed still counts as a failure.
    if [ "$status" -ne 0 ] && ! grep -q '^not ok - ' "$one"; then
      echo "not ok - test/sidecar/$test exited with status $status" | tee -a "$log"
    fi
  done
  record sidecar "$(grep -c '^ok - ' "$log")" "$(grep -c '^not ok - ' "$log")"
  "$ROOT/scripts/cluster.sh" stop "$dir" >/dev/null
}

suite_cli() {
  say "command-line client (build/autoreport against a real server)"
  run_on_cluster cli 300 "" test/cli/cli_test.sh "$ROOT/build/autoreport" "{cluster}"
}

suite_jdbc() {
  say "JDBC (pgjdbc against a real server: stringtype=unspecified, binds, errors, report_parameters, views)"
  local dir=$OUT/jdbc-cluster log=$OUT/jdbc.log
  rm -rf "$dir"
  # The script starts the cluster and stops it; without java or the driver it fails with a "not ok".
  timeout 600 bash "$ROOT/test/jdbc/jdbc_test.sh" "$dir" >"$log" 2>&1
  local status=$?
  cat "$log"
  if [ "$status" -ne 0 ] && ! grep -q '^not ok - ' "$log"; then
    echo "not ok - test/jdbc/jdbc_test.sh exited with status $status" | tee -a "$log"
  fi
  record jdbc "$(grep -c '^ok - ' "$log")" "$(grep -c '^not ok - ' "$log")"
}

suite_charts() {
  say "charts in a real browser (headless Chromium)"
  if bash "$ROOT/test/render/chart_png_test.sh"; then record charts 1 0; else record charts 0 1; fi
}

suite_pdf() {
  say "PDF and PNG read back by poppler (pdftotext, pdftoppm)"
  local log=$OUT/pdf.log
  bash "$ROOT/test/render/pdf_test.sh" 2>&1 | tee "$log"
  local line
  line=$(grep -E '^pdf_test: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -z "$line" ]; then
    record pdf 0 1
    return
  fi
  record pdf "$(echo "$line" | awk '{print $2}')" "$(echo "$line" | awk '{print $4}')"
}

suite_lint() {
  say "lint (clang-format, cppcheck, pure files, layers)"
  local ok=0 failed=0 target
  for target in check-format cppcheck check-pure check-layers; do
    if make -s -C "$ROOT" "$target"; then ok=$((ok + 1)); else failed=$((failed + 1)); echo "lint: $target failed"; fi
  done
  record lint "$ok" "$failed"
}

mkdir -p "$OUT"
ensure_pg_can_reach_checkout
for s in $SUITES; do
  "suite_$s"
done

echo
for line in "${SUMMARY[@]}"; do echo "  $line"; done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
