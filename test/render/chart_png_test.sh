#!/bin/bash
# Renders sample charts to PNG with headless Chromium and checks that they are not blank.
#
# The SVGs come from the unit test binary (test SvgSample.ChartsOfEveryShapeParse writes them
# when AUTOREPORT_CHART_DIR is set), so this needs no build step of its own: `make build/unit_tests`
# first. Each is screenshot at its own size and decoded by check_svg.py --png: a readable chart has
# many colours (anti-aliased text and lines) and a modest share of ink. The PNGs stay in
# build/test/charts/ for a person to look at.
#
#   test/render/chart_png_test.sh        exit 0 when every chart rendered, 1 otherwise
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/test/charts
PYTHON=${AUTOREPORT_PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || PYTHON=python3
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}

if [ ! -x "$ROOT/build/unit_tests" ]; then
  echo "chart_png_test: build/unit_tests is missing; run make build/unit_tests" >&2
  exit 1
fi
if [ -z "$CHROMIUM" ]; then
  echo "chart_png_test: chromium is not installed (apt-get install chromium)" >&2
  exit 1
fi

rm -rf "$OUT" && mkdir -p "$OUT"
if ! AUTOREPORT_CHART_DIR=$OUT "$ROOT/build/unit_tests" --gtest_filter='SvgSample.*' >"$OUT/unit.log" 2>&1; then
  cat "$OUT/unit.log" >&2
  exit 1
fi

PROFILE=$(mktemp -d)
trap 'rm -rf "$PROFILE"' EXIT
failed=0
for svg in "$OUT"/*.svg; do
  name=$(basename "$svg" .svg)
  png=$OUT/$name.png
  # The SVG's own size, so that the screenshot shows all of it and nothing else.
  size=$(sed -n '1s/.* width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' "$svg")
  # Headless Chromium as root needs --no-sandbox; the rest keeps it off the network and quiet.
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$PROFILE/$name" --screenshot="$png" --window-size="${size:-800,400}" \
    "file://$svg" >"$OUT/$name.chromium.log" 2>&1
  if [ ! -s "$png" ]; then
    echo "chart_png_test: $name: no screenshot"
    tail -5 "$OUT/$name.chromium.log"
    failed=1
    continue
  fi
  # Not blank: many colours (text and lines are anti-aliased) and some ink, but not a filled picture.
  if ! "$PYTHON" - "$png" "$ROOT/test/render/check_svg.py" <<'PY'; then
import json, subprocess, sys
png, checker = sys.argv[1], sys.argv[2]
info = json.loads(subprocess.run([sys.executable, checker, "--png", png], check=True,
                                 capture_output=True, text=True).stdout)
ok = info["colours"] >= 20 and 0.02 <= info["non_white_share"] <= 0.5
print(f"  {png.split('/')[-1]}: {info['width']}x{info['height']}, {info['colours']} colours, "
      f"{info['non_white_share']:.1%} ink: {'ok' if ok else 'LOOKS BLANK OR BROKEN'}")
sys.exit(0 if ok else 1)
PY
    failed=1
  fi
done
exit $failed
