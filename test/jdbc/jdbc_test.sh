#!/bin/bash
# Reports through JDBC, as DBeaver, Metabase, Jasper or a Java program reach them: pgjdbc binds a
# string as varchar, so without stringtype=unspecified a date parameter bound with setString finds no
# function; with it, the call returns exactly the rows psql gets. Also NULLs and left-out required
# parameters through the driver, autoreport.report_parameters, a report view, and README's example.
#
#   test/jdbc/jdbc_test.sh CLUSTER_DIR    starts a throwaway cluster there (scripts/cluster.sh) unless
#                                         one already runs, and stops it at the end if it started it
#
# Needs java and pgjdbc (default-jdk-headless, libpostgresql-jdbc-java: scripts/deps.sh); without them
# the suite fails. Prints "ok - ..." or "not ok - ..." per check.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLUSTER=$1
JDBC_JAR=${JDBC_JAR:-/usr/share/java/postgresql.jar}
CLIENT=$ROOT/test/jdbc/ReportClient.java
DB=autoreport_jdbc

if ! command -v java >/dev/null || ! java -version >/dev/null 2>&1 || [ ! -r "$JDBC_JAR" ]; then
  echo "not ok - java and the PostgreSQL JDBC driver ($JDBC_JAR) are installed: run scripts/deps.sh"
  exit 1
fi

started=
if ! "$ROOT/scripts/cluster.sh" status "$CLUSTER"; then
  "$ROOT/scripts/cluster.sh" start "$CLUSTER" >/dev/null || { echo "not ok - setup: the cluster did not start"; exit 1; }
  started=1
fi
WORK=$(mktemp -d /tmp/autoreport-jdbc-test.XXXXXX)
cleanup() {
  cd "$ROOT" || return # the server's user may not enter $WORK
  [ -n "$started" ] && "$ROOT/scripts/cluster.sh" stop "$CLUSTER" >/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 1
PORT=$("$ROOT/scripts/cluster.sh" port "$CLUSTER")
URL="jdbc:postgresql://127.0.0.1:$PORT/$DB?user=postgres"

psql_() { "$ROOT/scripts/cluster.sh" psql "$CLUSTER" -X -q -v ON_ERROR_STOP=1 "$@"; }

ok() { echo "ok - $1"; }
not_ok() {
  echo "not ok - $1"
  shift
  local f
  for f in "$@"; do [ -f "$f" ] && sed 's/^/#   /' "$f" | head -20; done
}

# Runs ReportClient.java with a URL and arguments; its output goes to out, its status to $st.
jdbc() { # [-Duser.timezone=...] url args...
  local opts=()
  case $1 in -D*) opts+=("$1"); shift ;; esac
  timeout 120 java "${opts[@]}" -cp "$JDBC_JAR" "$CLIENT" "$@" >out 2>err
  st=$?
}

# The rows psql returns for a query, in ReportClient's form ("row: a | b"), into expected.
psql_rows() {
  psql_ -d "$DB" -At -F ' | ' -P null=NULL -c "$1" 2>err | sed 's/^/row: /' >expected
}

# The rows JDBC read (out) are psql's (expected), and there are at least $2 of them.
same_rows() { # description min_rows
  grep '^row: ' out >got
  if [ "$st" -eq 0 ] && [ "$(wc -l <expected)" -ge "$2" ] && diff -u expected got >changes; then
    ok "$1"
  else
    not_ok "$1 (status $st)" changes out err
  fi
}

# The call failed with this exact error line.
fails_with() { # description expected-line
  if [ "$st" -eq 3 ] && [ "$(grep '^error ' out)" = "$2" ]; then
    ok "$1"
  else
    echo "$2" >wanted
    not_ok "$1 (status $st)" wanted out err
  fi
}

# psql's timestamptz values as the UTC instants ReportClient prints.
UTC="'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'"

# ---- setup --------------------------------------------------------------------------------------
psql_ -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null 2>&1 ||
  { echo "not ok - setup: could not create the test database"; exit 1; }
psql_ -d "$DB" >/dev/null 2>setup.err <<'SQL' || { not_ok "setup" setup.err; exit 1; }
CREATE EXTENSION autoreport;
CREATE TABLE sales (id integer, sold date, region text, amount numeric(10,2), at timestamptz);
INSERT INTO sales SELECT i, date '2026-01-01' + (i % 60), (ARRAY['north','south','east','west'])[1 + i % 4],
  round((i * 7.31) % 1000, 2),
  timestamptz '2026-01-01 08:00+00' + (i % 60) * interval '1 day' + (i * 37) % 36000 * interval '1 second'
  FROM generate_series(1, 400) AS i;
SELECT autoreport.define_report('sales',
  $$SELECT region, count(*) AS n, sum(amount) AS total, max(at) AS last_sale FROM sales
    WHERE sold >= :since AND region = ANY (:regions) GROUP BY region ORDER BY total DESC LIMIT :top$$,
  '[{"name": "since", "type": "date", "default": "2026-01-01", "description": "first day counted"},
    {"name": "top", "type": "integer", "default": 10, "min": 1, "max": 100},
    {"name": "regions", "type": "text[]", "default": ["north", "south", "east", "west"]}]',
  'Sales by region', expose => 'view');
SELECT autoreport.define_report('region_days',
  $$SELECT sold AS day, count(*) AS n, sum(amount) AS total FROM sales
    WHERE region = :region AND sold BETWEEN :since AND :until GROUP BY sold ORDER BY sold$$,
  '[{"name": "region", "type": "text", "required": true, "allowed": ["north", "south", "east", "west"]},
    {"name": "since", "type": "date", "default": "2026-01-01"},
    {"name": "until", "type": "date", "default": "2026-12-31"}]',
  'Sales of one region per day');
SQL

# ---- without stringtype=unspecified --------------------------------------------------------------
jdbc "$URL" call sales since=string:2026-02-01
fails_with "without stringtype=unspecified, a date bound with setString is a varchar: no function matches (42883)" \
  "error 42883: ERROR: function reports.sales(since => character varying) does not exist"

jdbc "$URL" call sales top=int:2 regions=text[]:north,east
psql_rows "SELECT region, n, total, to_char(last_sale AT TIME ZONE 'UTC', $UTC)
  FROM reports.sales(top => 2, regions => '{north,east}')"
same_rows "without it, a call binding no string (setInt, setArray) works: only strings need the option" 2

# ---- with stringtype=unspecified -----------------------------------------------------------------
URL_U="$URL&stringtype=unspecified"

jdbc -Duser.timezone=Asia/Kolkata "$URL_U" call sales since=string:2026-02-01 top=int:2 regions=text[]:north,east,west
psql_rows "SELECT region, n, total, to_char(last_sale AT TIME ZONE 'UTC', $UTC)
  FROM reports.sales(since => '2026-02-01', top => 2, regions => '{north,east,west}')"
same_rows "with it, setString (date), setInt and setArray (text[]) return psql's rows; numeric as BigDecimal, timestamptz as OffsetDateTime from a JVM in Asia/Kolkata" 2

jdbc "$URL_U" call sales since=string:2026-02-15
psql_rows "SELECT region, n, total, to_char(last_sale AT TIME ZONE 'UTC', $UTC) FROM reports.sales(since => '2026-02-15')"
same_rows "named notation with the other parameters left out: they take their defaults, as in psql" 4

jdbc "$URL_U" call region_days region=string:west since=string:2026-02-10 until=string:2026-02-25
psql_rows "SELECT day, n, total FROM reports.region_days(region => 'west', since => '2026-02-10', until => '2026-02-25')"
same_rows "a text and two dates bound with setString; dates read as LocalDate" 3

jdbc "$URL_U" call sales regions=text[]:
psql_rows "SELECT region FROM reports.sales(regions => '{}')"
if [ "$st" -eq 0 ] && grep -qx 'rows: 0' out && [ ! -s expected ]; then
  ok "an empty text[] from createArrayOf gives no rows, as in psql"
else
  not_ok "an empty text[] from createArrayOf gives no rows, as in psql (status $st)" out err expected
fi

# ---- NULLs and required parameters through the driver --------------------------------------------
jdbc "$URL_U" call sales since=null:DATE
fails_with "setNull(Types.DATE) for a non-nullable parameter is 22023 naming it" \
  'error 22023: ERROR: parameter "since" of report "sales" must not be null'

jdbc "$URL_U" call sales since=string:2026-02-01 top=null:INTEGER
fails_with "setNull(Types.INTEGER) for a non-nullable parameter is 22023 naming it" \
  'error 22023: ERROR: parameter "top" of report "sales" must not be null'

jdbc "$URL_U" call region_days since=string:2026-02-01
fails_with "a required parameter left out is 22023 naming it" \
  'error 22023: ERROR: parameter "region" is required'

# ---- what a tool reads to build its pickers, and the report view ---------------------------------
jdbc "$URL_U" parameters
psql_rows "SELECT report, position, name, type, required::text, nullable::text, default_expression, allowed,
  min, max, max_length, max_items, description FROM autoreport.report_parameters ORDER BY report, position"
same_rows "autoreport.report_parameters reads through JDBC as in psql (allowed as text[], bounds, descriptions)" 6

jdbc "$URL_U" view sales
psql_rows "SELECT region, n, total, to_char(last_sale AT TIME ZONE 'UTC', $UTC) FROM reports.sales()"
same_rows "report_views.sales (expose => 'view') reads through JDBC as reports.sales() at its defaults" 4

# ---- README.md's example ---------------------------------------------------------------------
jdbc "$URL_U" example
missing=$(while IFS= read -r line; do grep -qxF "$line" "$ROOT/README.md" || echo "$line"; done <out)
if [ "$st" -eq 0 ] && [ -s out ] && [ -z "$missing" ]; then
  ok "README.md shows the output its JDBC example really prints"
else
  echo "$missing" >missing
  not_ok "README.md shows the output its JDBC example really prints (status $st; lines not in README below)" missing err
fi

psql_ -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
exit 0
