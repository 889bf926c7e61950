#!/bin/bash
# The entry point of `make bench`: runs every benchmark bench/*.sh in turn against one throwaway
# cluster in build/bench-cluster, started fresh for the run and stopped at the end.
#
#   bench/run.sh            every benchmark
#   bench/run.sh NAME...    only these (NAME is the file name without .sh, e.g. load_vs_copy)
#
# A benchmark is a bash script bench/NAME.sh. It finds the cluster folder in $BENCH_CLUSTER (reach it
# with scripts/cluster.sh psql "$BENCH_CLUSTER"), works in a database of its own, and prints its result
# as a ratio against a baseline it measures in the same run. It exits non-zero when it fails.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"

CLUSTER=$ROOT/scripts/cluster.sh
export BENCH_CLUSTER=$ROOT/build/bench-cluster

# The names of all benchmarks, in alphabetical order.
all_benchmarks() {
  local f
  for f in "$ROOT"/bench/*.sh; do
    case $(basename "$f") in
      run.sh | lib.sh) ;; # this script, and what the benchmarks share
      *) basename "$f" .sh ;;
    esac
  done
}

# Stops the benchmark cluster; called on every exit.
stop_cluster() {
  "$CLUSTER" stop "$BENCH_CLUSTER" || true
}

main() {
  local names=("$@") name failed=() started
  if [ ${#names[@]} -eq 0 ]; then
    mapfile -t names < <(all_benchmarks)
  fi
  for name in "${names[@]}"; do
    [ -f "$ROOT/bench/$name.sh" ] || die "no benchmark bench/$name.sh (have: $(all_benchmarks | tr '\n' ' '))"
  done

  # A fresh cluster every run, so no leftovers of an earlier run skew the numbers.
  "$CLUSTER" stop "$BENCH_CLUSTER"
  rm -rf "$BENCH_CLUSTER"
  trap stop_cluster EXIT
  "$CLUSTER" start "$BENCH_CLUSTER" "$ROOT/bench/postgresql.conf"

  for name in "${names[@]}"; do
    say "benchmark $name"
    started=$SECONDS
    if bash "$ROOT/bench/$name.sh"; then
      echo "    ($name took $((SECONDS - started)) s)"
    else
      echo "error: benchmark $name failed" >&2
      failed+=("$name")
    fi
  done

  if [ ${#failed[@]} -gt 0 ]; then
    die "${#failed[@]} of ${#names[@]} benchmarks failed: ${failed[*]}"
  fi
  say "benchmarks done: ${names[*]}"
}

main "$@"
