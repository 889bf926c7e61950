#!/bin/bash
# The layers of extension/: a capability folder includes only itself and the folders below it.
#
#   common/                      the foundation: includes no other capability
#   render/, audit/              over common/
#   forecast/                    over render/ (charts) and common/
#   reports/                     over render/, audit/ and common/
#   schedules/                   over reports/ and what it builds on
#   views/                       over schedules/ and what it builds on
#   analyze/                     over views/ and what it builds on
#   extension/autoreport_pg.cpp  the composition root: may include every capability's header
#
# PostgreSQL's own headers (access/, utils/...) are not folders of extension/ and are not checked here.
# Prints each include that runs the wrong way and exits 1 when there is one.
set -uo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
  [common]="common"
  [render]="common render"
  [audit]="common audit"
  [forecast]="common render forecast"
  [reports]="common render audit reports"
  [schedules]="common render audit reports schedules"
  [views]="common render audit reports schedules views"
  [analyze]="common render audit reports schedules views analyze"
)
ours=$(find extension -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
bad=0
for dir in $ours; do
  if [ -z "${allowed[$dir]+set}" ]; then
    # A folder with no C++ (channels/ holds SQL only) needs no rule.
    if compgen -G "extension/$dir/*.[ch]pp" >/dev/null; then
      echo "extension/$dir: a capability folder with no layer rule in scripts/check_layers.sh"
      bad=1
    fi
    continue
  fi
  for file in extension/$dir/*.cpp extension/$dir/*.hpp; do
    [ -e "$file" ] || continue
    while IFS= read -r included; do
      folder=${included%%/*}
      # Only folders of extension/ are layers; anything else is a PostgreSQL or system header.
      grep -qx "$folder" <<<"$ours" || continue
      if ! grep -qw "$folder" <<<"${allowed[$dir]}"; then
        echo "$file: includes \"$included\", but $dir/ may include only: ${allowed[$dir]}"
        bad=1
      fi
    done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
  done
done
exit $bad
