#!/bin/bash
# The command-line client build/autoreport against a real server: what it writes equals what render()
# returns, connections from PG* variables, service files, conninfo strings and URIs, psql's error
# output and exit statuses, and no half-written file after a failure.
#
#   test/cli/cli_test.sh BINARY CLUSTER_DIR     (the cluster started by scripts/cluster.sh)
#
# Prints "ok - ..." or "not ok - ..." per check.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
CLUSTER=$2
PORT=$("$ROOT/scripts/cluster.sh" port "$CLUSTER")
WORK=$(mktemp -d /tmp/autoreport-cli-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

unset PGSERVICE PGSERVICEFILE PGDATABASE PGPASSWORD PGAPPNAME PGOPTIONS
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=autoreport_cli

psql_() { "$ROOT/scripts/cluster.sh" psql "$CLUSTER" -X -q -v ON_ERROR_STOP=1 "$@"; }

ok() { echo "ok - $1"; }
not_ok() {
  echo "not ok - $1"
  shift
  local f
  for f in "$@"; do [ -f "$f" ] && sed 's/^/#   /' "$f" | head -20; done
}
check() { # description command...: ok when the command succeeds
  local what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what" out err; fi
}

# No temporary output file (".NAME.autoreport-XXXXXX") is left in the working folder.
no_temp_files() { ! compgen -G '.*.autoreport-*' >/dev/null; }

# Runs the client, keeping stdout in out, stderr in err and the status in $st.
run() {
  "$BIN" "$@" >out 2>err
  st=$?
}

# The exact bytes of render(...) from psql, as the reference.
expected() { # name params format [options]
  psql_ -d autoreport_cli -At -c "SELECT encode(autoreport.render('$1', '$2', '$3', '${4:-{\}}'), 'hex')" | xxd -r -p
}

# ---- setup --------------------------------------------------------------------------------------
psql_ -d postgres -c "DROP DATABASE IF EXISTS autoreport_cli" -c "DROP DATABASE IF EXISTS autoreport_cli_bare" \
  -c "CREATE DATABASE autoreport_cli" -c "CREATE DATABASE autoreport_cli_bare" >/dev/null 2>&1 ||
  { echo "not ok - setup: could not create the test databases"; exit 1; }
psql_ -d autoreport_cli >/dev/null 2>&1 <<'SQL' || { echo "not ok - setup"; exit 1; }
CREATE EXTENSION autoreport;
CREATE TABLE sales (id integer, sold date, region text, product text, amount numeric);
INSERT INTO sales SELECT i, date '2026-01-01' + (i % 90), (ARRAY['north','south','east','west'])[1 + i % 4],
  'Product "' || (i % 37) || '", size ' || (i % 3), round((i * 7.31) % 1000, 2)
  FROM generate_series(1, 5000) AS i;
SELECT autoreport.define_report('top_products',
  $$SELECT product, sum(amount) AS revenue FROM sales WHERE sold >= :since GROUP BY product
    ORDER BY revenue DESC, product LIMIT :n$$,
  '[{"name": "since", "type": "date", "default": "2026-01-01", "description": "first day counted"},
    {"name": "n", "type": "integer", "default": 10, "min": 1, "max": 500, "description": "how many products"}]',
  'Best-selling products by revenue');
SELECT autoreport.define_report('by_region',
  $$SELECT region, count(*) AS sales, sum(amount) AS total FROM sales
    WHERE region = ANY (:regions) AND sold BETWEEN :first AND :last GROUP BY region ORDER BY region$$,
  '[{"name": "regions", "type": "text[]", "required": true, "allowed": ["north", "south", "east", "west"]},
    {"name": "first", "type": "date", "default": "2026-01-01"},
    {"name": "last", "type": "date", "default": "2026-12-31"}]',
  'Sales by region');
SELECT autoreport.define_report('all_sales', $$SELECT * FROM sales ORDER BY id$$, '[]', 'Every sale');
SELECT autoreport.define_report('whoami', $$SELECT current_setting('application_name') AS app$$, '[]');
SELECT autoreport.define_report('slow', $$SELECT s FROM (SELECT :s AS s) AS x, pg_sleep(:s)$$,
  '[{"name": "s", "type": "numeric"}]');
SELECT autoreport.define_report('wide', $$SELECT g, repeat('x', 200) AS pad FROM generate_series(1, :n) AS g$$,
  '[{"name": "n", "type": "integer"}]');
SELECT autoreport.define_report('divide', $$SELECT 1 / :d AS q$$, '[{"name": "d", "type": "integer"}]');
SQL

# ---- render ---------------------------------------------------------------------------------------
run render top_products --param n=5
expected top_products '{"n": "5"}' csv >want.csv
if [ "$st" -eq 0 ] && cmp -s out want.csv && [ "$(wc -l <out)" -eq 6 ]; then
  ok "render to standard output: CSV equal to render() byte for byte"
else not_ok "render to standard output: CSV equal to render() byte for byte" err; fi

run render top_products --param n=5 --param since=2026-03-01 -F markdown
expected top_products '{"n": "5", "since": "2026-03-01"}' markdown >want.md
if [ "$st" -eq 0 ] && cmp -s out want.md; then ok "an integer and a date parameter from the shell, -F markdown"
else not_ok "an integer and a date parameter from the shell, -F markdown" err; fi

run render by_region --param regions=north --param regions=west --param first=2026-02-01 -F json
expected by_region '{"regions": ["north", "west"], "first": "2026-02-01"}' json >want.json
if [ "$st" -eq 0 ] && cmp -s out want.json && grep -q '"west"' out && ! grep -q '"south"' out; then
  ok "a text[] parameter given once per element"
else not_ok "a text[] parameter given once per element" out err; fi

run render by_region --param 'regions:=["south"]' --params-json '{"regions": ["north"], "last": "2026-01-31"}'
expected by_region '{"regions": ["south"], "last": "2026-01-31"}' csv >want.csv
if [ "$st" -eq 0 ] && cmp -s out want.csv; then ok "--param NAME:=JSON and --params-json (--param wins)"
else not_ok "--param NAME:=JSON and --params-json (--param wins)" out err; fi

run render top_products --param n=3 --option header=false --option delimiter=';' -o top.csv
expected top_products '{"n": "3"}' csv '{"header": false, "delimiter": ";"}' >want.csv
if [ "$st" -eq 0 ] && [ ! -s out ] && cmp -s top.csv want.csv; then ok "--option header=false (a boolean) and -o FILE"
else not_ok "--option header=false (a boolean) and -o FILE" err; fi

# XLSX: the workbook's core.xml and its Parameters sheet (sheet2) hold the generation time, so every
# other member is compared, and the Parameters sheet is checked to be there.
run render top_products --param n=5 -o top.xlsx
expected top_products '{"n": "5"}' xlsx >want.xlsx
if [ "$st" -eq 0 ] && python3 - top.xlsx want.xlsx <<'PY'; then
import sys, zipfile
a, b = (zipfile.ZipFile(p) for p in sys.argv[1:3])
assert a.namelist() == b.namelist() and 'xl/worksheets/sheet1.xml' in a.namelist()
assert b'Generated at' in a.read('xl/worksheets/sheet2.xml')
for n in a.namelist():
    if n not in ('docProps/core.xml', 'xl/worksheets/sheet2.xml'):
        assert a.read(n) == b.read(n), n
PY
  ok "-o top.xlsx infers xlsx; the workbook equals render(..., 'xlsx') but for its creation time"
else not_ok "-o top.xlsx infers xlsx; the workbook equals render(..., 'xlsx') but for its creation time" err; fi

run render top_products -o top.html -F csv
if [ "$st" -eq 0 ] && head -1 top.html | grep -q '^product,revenue'; then ok "-F wins over the file's extension"
else not_ok "-F wins over the file's extension" err; fi

run render all_sales -F tsv --chunk-size 1024 -o all.tsv
expected all_sales '{}' tsv >want.tsv
if [ "$st" -eq 0 ] && cmp -s all.tsv want.tsv && [ "$(stat -c %s all.tsv)" -gt 100000 ]; then
  ok "streamed in 1,024-byte chunks: $(stat -c %s all.tsv) bytes equal to render()"
else not_ok "streamed in 1,024-byte chunks: equal to render()" err; fi

# Rows are written as they arrive: an 80 MB result does not make an 80 MB client.
/usr/bin/time -f '%M' -o rss "$BIN" render wide --param n=400000 -o wide.csv 2>err
st=$?
size=$(stat -c %s wide.csv 2>/dev/null || echo 0)
if [ "$st" -eq 0 ] && [ "$size" -gt 80000000 ] && [ "$(tail -1 rss)" -lt 40000 ]; then
  ok "an ${size}-byte result streamed by a client of $(tail -1 rss) kB at most"
else not_ok "a large result streamed with bounded memory (status $st, $size bytes, $(tail -1 rss) kB)" err; fi
rm -f wide.csv

umask 022
run render top_products -o mode.csv
if [ "$(stat -c %a mode.csv)" = 644 ]; then ok "the written file has the mode a new file gets (umask 022: 644)"
else not_ok "the written file has the mode a new file gets (umask 022: 644): $(stat -c %a mode.csv)"; fi

run render whoami
if [ "$st" -eq 0 ] && grep -qx 'autoreport.\?' out; then ok "application_name is autoreport"
else not_ok "application_name is autoreport" out err; fi
PGAPPNAME=nightly run render whoami
if grep -qx 'nightly.\?' out; then ok "PGAPPNAME overrides the application name"; else not_ok "PGAPPNAME overrides the application name" out; fi

# ---- connections ----------------------------------------------------------------------------------
cat >services.conf <<CONF
[reports]
host=127.0.0.1
port=$PORT
user=postgres
dbname=autoreport_cli
CONF
env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE PGSERVICEFILE="$WORK/services.conf" PGSERVICE=reports \
  "$BIN" list >out 2>err
st=$?
if [ "$st" -eq 0 ] && grep -q '^ top_products ' out; then ok "PGSERVICE with a service file"
else not_ok "PGSERVICE with a service file" err; fi

env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE "$BIN" -d "host=127.0.0.1 port=$PORT user=postgres dbname=autoreport_cli" \
  render top_products --param n=1 >out 2>err
st=$?
if [ "$st" -eq 0 ] && [ "$(wc -l <out)" -eq 2 ]; then ok "-d with a conninfo string"; else not_ok "-d with a conninfo string" err; fi

env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE "$BIN" list -d "postgresql://postgres@127.0.0.1:$PORT/autoreport_cli" >out 2>err
st=$?
if [ "$st" -eq 0 ] && grep -q '^ by_region ' out; then ok "-d with a URI, after the command"; else not_ok "-d with a URI, after the command" err; fi

run -h 127.0.0.1 -p "$PORT" -U postgres -d autoreport_cli list
if [ "$st" -eq 0 ]; then ok "-h -p -U -d"; else not_ok "-h -p -U -d" err; fi

# ---- errors and exit statuses -----------------------------------------------------------------------
run render no_such_report
if [ "$st" -eq 3 ] && grep -q '^ERROR:  report "no_such_report" does not exist$' err && grep -q '^HINT:  ' err && [ ! -s out ]; then
  ok "an unknown report: status 3, the server's ERROR and HINT on stderr"
else not_ok "an unknown report: status 3 ($st), the server's ERROR and HINT on stderr" err; fi

run render top_products --param n=1000
if [ "$st" -eq 3 ] && grep -q '^ERROR:  parameter "n" (integer) must be at most 500$' err && grep -q '^DETAIL:  It was 1000.$' err; then
  ok "a value out of bounds: status 3 with ERROR and DETAIL"
else not_ok "a value out of bounds: status 3 ($st) with ERROR and DETAIL" err; fi

run render top_products --param since=yesterdayish
if [ "$st" -eq 3 ] && grep -q '^ERROR:  parameter "since" must be a date$' err && grep -q '^DETAIL:  ' err; then
  ok "a value that is not a date: status 3 with ERROR and DETAIL"
else not_ok "a value that is not a date: status 3 ($st) with ERROR and DETAIL" err; fi

run render top_products --param limit=5
if [ "$st" -eq 3 ] && grep -q '^HINT:  Its parameters are: since (date), n (integer).$' err; then
  ok "an unknown parameter: status 3 and the HINT listing the parameters"
else not_ok "an unknown parameter: status 3 ($st) and the HINT listing the parameters" err; fi

run render top_products -F docx
if [ "$st" -eq 3 ] && grep -q '^ERROR:  ' err; then ok "an unknown format: status 3"; else not_ok "an unknown format: status 3 ($st)" err; fi

printf 'previous contents\n' >keep.csv
run render divide --param d=0 -o keep.csv
if [ "$st" -eq 3 ] && grep -q '^ERROR:  division by zero' err && [ "$(cat keep.csv)" = "previous contents" ]; then
  ok "a render failing at run time with -o: status 3, the existing file untouched"
else not_ok "a render failing at run time with -o: status 3 ($st), the existing file untouched" err; fi
run render divide --param d=0 -o new.csv
if [ "$st" -eq 3 ] && [ ! -e new.csv ] && no_temp_files; then
  ok "a failing render leaves no file and no temporary file"
else not_ok "a failing render leaves no file and no temporary file: $(ls -A)" err; fi

# Ctrl-C during a render: the query is cancelled on the server (as psql does), the temporary file removed.
log_cancels() { grep -c 'canceling statement due to user request' "$CLUSTER/server.log"; }
before=$(log_cancels)
"$BIN" render slow --param s=30 -o slow.csv >out 2>err &
pid=$!
sleep 1.5
had_temp=$(compgen -G '.*.autoreport-*' | wc -l)
kill -INT "$pid"
wait "$pid"
st=$?
sleep 0.5
if [ "$st" -eq 130 ] && [ "$had_temp" -eq 1 ] && [ ! -e slow.csv ] && no_temp_files && [ "$(log_cancels)" -gt "$before" ]; then
  ok "SIGINT during a render: the query cancelled, no file left, status 130"
else not_ok "SIGINT during a render: status $st, temporary file seen $had_temp, cancels $before -> $(log_cancels)" err; fi

# The connection lost in the middle: status 2.
"$BIN" render slow --param s=30 -o slow.csv >out 2>err &
pid=$!
sleep 1.5
psql_ -d postgres -At -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'autoreport'" >/dev/null
wait "$pid"
st=$?
if [ "$st" -eq 2 ] && grep -q '^autoreport: error: connection to server was lost$' err && [ ! -e slow.csv ] && no_temp_files; then
  ok "the connection lost during a render: status 2, no file left"
else not_ok "the connection lost during a render: status 2 ($st), no file left" err; fi

run -p 1 list
if [ "$st" -eq 2 ] && grep -q '^autoreport: error: connection to server at "127.0.0.1", port 1 failed' err; then
  ok "no server: status 2 and libpq's message"
else not_ok "no server: status 2 ($st) and libpq's message" err; fi
run -p 1 render top_products -o none.csv
if [ "$st" -eq 2 ] && [ ! -e none.csv ] && no_temp_files; then ok "no server with -o: no file left"
else not_ok "no server with -o: no file left ($st)" err; fi

run -d autoreport_cli_bare list
if [ "$st" -eq 3 ] && grep -q 'autoreport: hint: is the autoreport extension installed in database "autoreport_cli_bare"' err; then
  ok "a database without the extension: status 3 and a hint"
else not_ok "a database without the extension: status 3 ($st) and a hint" err; fi

run -d autoreport_cli -c x list
if [ "$st" -eq 1 ] && grep -q '^autoreport: error: invalid option "-c"$' err && grep -q -- '--help' err; then
  ok "bad usage: status 1 and the hint to --help"
else not_ok "bad usage: status 1 ($st) and the hint to --help" err; fi
bad=0
for args in "" "frobnicate" "render" "list extra" "render top_products --param n" "list --param n=1" \
  "render top_products --param n=1 --param n=2" "render top_products --param n:=five" "render top_products --option width=wide"; do
  # shellcheck disable=SC2086
  "$BIN" $args >/dev/null 2>err
  s=$?
  if [ "$s" -ne 1 ] || ! grep -q '^autoreport: error: ' err; then bad=1; echo "# '$args' exited $s"; fi
done
if [ "$bad" -eq 0 ]; then ok "nine more usage errors: status 1, before connecting"; else not_ok "usage errors: status 1" err; fi

run render top_products -o "$WORK/no/such/dir/top.csv"
if [ "$st" -eq 1 ] && grep -q '^autoreport: error: could not open file ".*/no/such/dir/top.csv" for writing: No such file or directory$' err; then
  ok "an output file that cannot be created: status 1"
else not_ok "an output file that cannot be created: status 1 ($st)" err; fi

run render top_products -o "$WORK"
if [ "$st" -eq 1 ] && grep -q 'Is a directory' err; then ok "-o naming a directory: status 1"
else not_ok "-o naming a directory: status 1 ($st)" err; fi

run --help
if [ "$st" -eq 0 ] && grep -q '^Exit status' out; then ok "--help"; else not_ok "--help" err; fi
run --version
if [ "$st" -eq 0 ] && grep -qE '^autoreport \(autoreport\) [0-9]' out; then ok "--version"; else not_ok "--version" err; fi

# ---- list and describe ------------------------------------------------------------------------------
run list
cat >want.txt <<'TXT'
     name     | version |           description
--------------+---------+----------------------------------
 all_sales    | 1       | Every sale
 by_region    | 1       | Sales by region
 divide       | 1       |
 slow         | 1       |
 top_products | 1       | Best-selling products by revenue
 whoami       | 1       |
 wide         | 1       |
TXT
if [ "$st" -eq 0 ] && diff want.txt out >diff.txt; then ok "list: an aligned table of name, version, description"
else not_ok "list: an aligned table of name, version, description" diff.txt err; fi

run list --json
if [ "$st" -eq 0 ] && python3 -c '
import json, sys
r = json.load(open("out"))
assert [x["name"] for x in r] == ["all_sales", "by_region", "divide", "slow", "top_products", "whoami", "wide"], r
assert r[4]["parameters"][1]["max"] == 500'; then ok "list --json: the reports view's rows"
else not_ok "list --json: the reports view's rows" out err; fi

run describe top_products
if [ "$st" -eq 0 ] && grep -q '^Report "top_products", version 1$' out && grep -q '^Best-selling products by revenue$' out &&
  grep -qE '^ n +\| integer \| no +\| 10 +\| +\| 1 to 500 +\| how many products$' out &&
  grep -qE '^ since +\| date +\| no +\| 2026-01-01 ' out && grep -qE '^ revenue \| numeric$' out; then
  ok "describe: parameters with type, default, bounds, description; the columns"
else not_ok "describe: parameters with type, default, bounds, description; the columns" out err; fi

run describe by_region
if [ "$st" -eq 0 ] && grep -qE '^ regions +\| text\[\] +\| yes +\| +\| north, south, east, west ' out; then
  ok "describe: a required array parameter and its allowed values"
else not_ok "describe: a required array parameter and its allowed values" out err; fi

run describe nothing_here
if [ "$st" -eq 3 ] && grep -q '^autoreport: error: report "nothing_here" does not exist$' err; then
  ok "describe of an unknown report: status 3"
else not_ok "describe of an unknown report: status 3 ($st)" err; fi

run describe top_products --json
if [ "$st" -eq 0 ] && python3 -c 'import json; r = json.load(open("out")); assert r["name"] == "top_products" and r["columns"][0]["name"] == "product"'; then
  ok "describe --json"
else not_ok "describe --json" out err; fi

psql_ -d postgres -c "DROP DATABASE autoreport_cli" -c "DROP DATABASE autoreport_cli_bare" >/dev/null
