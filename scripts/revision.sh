#!/bin/bash
# Writes the build's git revision to the header given as $1, only when it changed.
set -euo pipefail
out=$1
cd "$(dirname "$0")/.."
rev=unknown
if git rev-parse --git-dir >/dev/null 2>&1 && git rev-parse HEAD >/dev/null 2>&1; then
  rev=$(git rev-parse --short=12 HEAD)
  if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    rev="$rev-dirty"
  fi
elif [ -n "${AUTOREPORT_REVISION:-}" ]; then
  rev=$AUTOREPORT_REVISION
fi
mkdir -p "$(dirname "$out")"
line="#define AUTOREPORT_REVISION \"$rev\""
if [ ! -f "$out" ] || [ "$(cat "$out")" != "$line" ]; then
  echo "$line" > "$out"
fi
