#!/bin/bash
# Benchmark: a PDF of 10,000 rows (issue 17's target: under 2 s), against the HTML render of the same
# rows, measured in the same run.
#
# The data: bench_pdf_orders, 10,000 rows of eight columns (bigint id, customer text, region text,
# numeric(12,2) revenue shown as EUR currency, integer items, date, timestamptz, boolean), generated
# deterministically from the row number. The report "pdf_orders" is "SELECT * FROM bench_pdf_orders
# ORDER BY order_id" with a currency presentation on revenue. Each render runs at its defaults (as users
# call it: no options), in a fresh connection, with autoreport.cache = off so that every render runs the
# query; the time is the server's clock around SELECT length(autoreport.render(...)), so the bytes
# never cross to the client. One untimed warm-up of each (the first PDF of a backend also loads its
# fonts: that one-off cost is printed separately), then 3 timed runs of each, interleaved; the median
# is reported. Run it through bench/run.sh pdf.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
[ -n "${BENCH_CLUSTER:-}" ] || die "run this benchmark through bench/run.sh pdf"

CLUSTER=$ROOT/scripts/cluster.sh
DB=bench_pdf
RUNS=3

psql_bench() { "$CLUSTER" psql "$BENCH_CLUSTER" -d "$DB" -v ON_ERROR_STOP=1 -q -At "$@"; }

# Seconds (server clock) one render takes in a fresh connection; $2: "warm" renders a tiny report of
# the same format first, so that loading fonts and libraries is left out.
time_render() {
  local warm=""
  [ "${2:-}" = warm ] && warm="SELECT length(autoreport.render('pdf_tiny', '{}', '$1')) \\g /dev/null"
  psql_bench <<SQL
SET autoreport.cache = off;
$warm
SELECT clock_timestamp() AS t0 \gset
SELECT length(autoreport.render('pdf_orders', '{}', '$1')) \g /dev/null
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 4);
SQL
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

PGOPTIONS="-c client_min_messages=warning" "$CLUSTER" psql "$BENCH_CLUSTER" -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
psql_bench >/dev/null <<'SQL'
CREATE EXTENSION autoreport;
CREATE TABLE bench_pdf_orders AS
  SELECT g::bigint AS order_id, 'customer ' || (g * 7919 % 2000) AS customer,
         (ARRAY['North', 'South', 'East', 'West'])[1 + g % 4] AS region,
         round((g * 37 % 1000) * 3.17, 2)::numeric(12, 2) AS revenue, g % 9 AS items,
         date '2026-01-01' + g % 365 AS day, timestamptz '2026-01-01 00:00+00' + g * interval '17 minutes' AS placed_at,
         g % 3 = 0 AS paid
    FROM generate_series(1, 10000) AS g;
ALTER TABLE bench_pdf_orders ADD PRIMARY KEY (order_id);
VACUUM ANALYZE bench_pdf_orders;
SELECT autoreport.define_report('pdf_orders', 'SELECT * FROM bench_pdf_orders ORDER BY order_id',
  columns => '{"revenue": {"format": "currency", "currency": "EUR"}}');
SELECT autoreport.define_report('pdf_tiny', 'SELECT 1 AS n');
SQL

cold=$(time_render pdf)
time_render html >/dev/null
pdf_times=()
html_times=()
for _ in $(seq "$RUNS"); do
  pdf_times+=("$(time_render pdf warm)")
  html_times+=("$(time_render html warm)")
done
pdf=$(median "${pdf_times[@]}")
html=$(median "${html_times[@]}")
pages=$(psql_bench -c "SELECT encode(autoreport.render('pdf_orders', '{}', 'pdf'), 'base64')" | base64 -d |
  pdfinfo - 2>/dev/null | awk '/^Pages:/ {print $2}')
verdict=$(awk -v p="$pdf" 'BEGIN { print (p < 2) ? "met" : "NOT met" }')
printf '    render pdf   %7.3f s (%s pages)   render html %7.3f s   pdf / html %5.2f   target: pdf < 2 s   %s\n' \
  "$pdf" "${pages:-?}" "$html" "$(awk -v a="$pdf" -v b="$html" 'BEGIN { print a / b }')" "$verdict"
printf '    (the first PDF of a fresh backend, fonts loaded: %.3f s)\n' "$cold"
"$CLUSTER" psql "$BENCH_CLUSTER" -q -c "DROP DATABASE $DB" >/dev/null
