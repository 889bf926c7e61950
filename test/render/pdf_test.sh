#!/bin/bash
# PDF and PNG as readers meet them: reports rendered by the extension on a throwaway cluster, the PDF
# read back by poppler (pdftotext: every value there and in order, the header and "Page N of M" on
# every page, the locale's numbers, the totals; pdftoppm: no page blank) and the PNG decoded (not
# blank). The files stay in build/test/pdf/ for a person to look at.
#
#   test/render/pdf_test.sh     prints "pdf_test: N passed, M failed"; exit 0 when none failed
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/test/pdf
CLUSTER=$ROOT/build/test/pdf-cluster
PYTHON=${AUTOREPORT_PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || PYTHON=python3
passed=0
failed=0
check() { # description, then a command that succeeds when the check holds
  local what=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "  ok: $what"
  else
    failed=$((failed + 1))
    echo "  FAILED: $what"
  fi
}
finish() {
  "$ROOT/scripts/cluster.sh" stop "$CLUSTER" >/dev/null 2>&1
  echo "pdf_test: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

for tool in pdftotext pdftoppm pdfinfo; do
  if ! command -v "$tool" >/dev/null; then
    echo "pdf_test: $tool is missing (apt-get install poppler-utils)" >&2
    failed=1
    finish
  fi
done
rm -rf "$OUT" "$CLUSTER" && mkdir -p "$OUT"
if ! "$ROOT/scripts/cluster.sh" start "$CLUSTER" >"$OUT/cluster.log" 2>&1; then
  cat "$OUT/cluster.log"
  failed=1
  finish
fi
sql() { "$ROOT/scripts/cluster.sh" psql "$CLUSTER" -X -q -v ON_ERROR_STOP=1 "$@"; }
sql -c "CREATE EXTENSION autoreport" >/dev/null
sql >/dev/null <<'SQL'
CREATE TABLE sales AS
  SELECT g AS order_id, 'customer ' || g AS customer, round((g * 37 % 1000) * 3.17, 2)::numeric(12, 2) AS revenue,
         g % 7 AS items, date '2026-01-01' + g % 90 AS day, g % 3 = 0 AS paid
    FROM generate_series(1, 300) AS g;
SELECT autoreport.define_report('sales_list', 'SELECT * FROM sales ORDER BY order_id',
  columns => '{"revenue": {"format": "currency", "currency": "EUR"}}', description => 'Every order');
SELECT autoreport.define_report('daily_revenue',
  'SELECT day, sum(revenue) AS revenue, sum(items) AS items FROM sales GROUP BY day ORDER BY day');
SQL
render() { # report format options file
  sql -At -c "SELECT encode(autoreport.render('$1', '{}', '$2', '$3'), 'base64')" | base64 -d >"$4"
}
render sales_list pdf '{"totals": true}' "$OUT/sales_list.pdf"
render sales_list pdf '{"locale": "de-DE", "totals": true}' "$OUT/sales_list_de.pdf"
render daily_revenue pdf '{}' "$OUT/daily_revenue.pdf"
render daily_revenue png '{}' "$OUT/daily_revenue.png"

pages=$(pdfinfo "$OUT/sales_list.pdf" | awk '/^Pages:/ {print $2}')
pdftotext -layout "$OUT/sales_list.pdf" "$OUT/sales_list.txt"
pdftotext -layout "$OUT/sales_list_de.pdf" "$OUT/sales_list_de.txt"
pdftotext -layout "$OUT/daily_revenue.pdf" "$OUT/daily_revenue.txt"
# The values the database has, in the report's order, as the locale writes them.
sql -At -c "SELECT order_id || '|customer ' || order_id || '|€' || to_char(revenue, 'FM999,990.00') FROM sales ORDER BY order_id" \
  >"$OUT/expected.txt"

check "the PDF has more than one page ($pages)" test "${pages:-0}" -gt 1
check "every row's values are there, in order" "$PYTHON" - "$OUT/sales_list.txt" "$OUT/expected.txt" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
rows = [l.split("|") for l in open(sys.argv[2], encoding="utf-8").read().split("\n") if l]
at = 0
for order_id, customer, revenue in rows:
    m = re.compile(r"^\s*" + order_id + r"\s+" + re.escape(customer) + r"\s+" + re.escape(revenue) + r"\s", re.M).search(text, at)
    if not m:
        print("missing or out of order:", order_id, customer, revenue)
        sys.exit(1)
    at = m.end()
PY
check "the header row is on every page" test "$(grep -c 'Order ID *Customer *Revenue *Items *Day *Paid' "$OUT/sales_list.txt")" -eq "$pages"
check "every page says Page N of $pages" "$PYTHON" - "$OUT/sales_list.txt" "$pages" <<'PY'
import sys
text, pages = open(sys.argv[1], encoding="utf-8").read(), int(sys.argv[2])
sys.exit(0 if all(f"Page {n} of {pages}" in text for n in range(1, pages + 1)) else 1)
PY
total=$(sql -At -c "SELECT '€' || to_char(sum(revenue), 'FM999,999,990.00') FROM sales")
check "the totals row has the database's sum ($total)" grep -qE "^ *Total .*$total" "$OUT/sales_list.txt"
total_de=$(sql -At -c "SELECT replace(replace(replace(to_char(sum(revenue), 'FM999,999,990.00'), ',', '#'), '.', ','), '#', '.') || ' €' FROM sales")
check "de-DE writes $total_de and Summe" grep -q "Summe .*$total_de" "$OUT/sales_list_de.txt"
check "de-DE writes dates as 02.01.2026" grep -q " 02\.01\.2026 " "$OUT/sales_list_de.txt"
check "the heading has the title and description" grep -qz "Sales list.*Every order" "$OUT/sales_list.txt"
check "a time series gets its chart above the table" "$PYTHON" - "$OUT/daily_revenue.txt" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
import re
table = re.search(r"^Day +Revenue +Items", text, re.M)
sys.exit(0 if table and "Revenue" in text[:table.start()] else 1)
PY
check "the chart plots the numeric revenue, not only the integer items" "$PYTHON" - "$OUT/daily_revenue.txt" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
table = re.search(r"^Day +Revenue +Items", text, re.M)
chart = text[:table.start()] if table else ""  # the chart is above the table
ticks = re.findall(r"(?<![\w.,:-])(\d[\d,]*(?:\.\d+)?)([kM]?)(?![\w.,:-])", chart)
values = [float(n.replace(",", "")) * {"": 1, "k": 1e3, "M": 1e6}[s] for n, s in ticks]
sys.exit(0 if values and max(values) >= 1000 else 1)
PY
# No page blank: each page drawn at 40 dpi has anti-aliased text (many greys) and some ink.
pdftoppm -r 40 -png "$OUT/sales_list.pdf" "$OUT/page"
pdftoppm -r 40 -png "$OUT/daily_revenue.pdf" "$OUT/chart-page"
blank=0
for png in "$OUT"/page-*.png "$OUT"/chart-page-*.png "$OUT/daily_revenue.png"; do
  if ! "$PYTHON" - "$png" "$ROOT/test/render/check_svg.py" <<'PY'; then
import json, subprocess, sys
png, checker = sys.argv[1], sys.argv[2]
info = json.loads(subprocess.run([sys.executable, checker, "--png", png], check=True,
                                 capture_output=True, text=True).stdout)
ok = info["colours"] >= 8 and 0.002 <= info["non_white_share"] <= 0.6
if not ok:
    print(f"  {png}: {info}")
sys.exit(0 if ok else 1)
PY
    blank=$((blank + 1))
  fi
done
check "no page and no PNG is blank ($(ls "$OUT"/page-*.png | wc -l) pages)" test "$blank" -eq 0
check "the PNG is 1600 x 800 (scale 2)" "$PYTHON" -c "
import struct, sys
d = open('$OUT/daily_revenue.png', 'rb').read()
sys.exit(0 if d[:8] == b'\x89PNG\r\n\x1a\n' and struct.unpack('>II', d[16:24]) == (1600, 800) else 1)"
finish
