# What the concurrency scripts share (sourced): a database of their own with the extension and a
# try(script, statement) function that records each client's error (script, SQLSTATE, message) in
# table burst_error instead of failing, pgbench with 8 clients over some scripts, and the checks every
# burst ends with. The caller sets dir (the cluster folder) and db, and sources scripts/lib.sh first.

cluster() { "$ROOT/scripts/cluster.sh" "$@"; }
port=$(cluster port "$dir")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Creates the database with the extension, burst_error and try(); then runs the SQL on stdin in it.
burst_setup() {
  cluster psql "$dir" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >/dev/null
  {
    cat <<'SQL'
CREATE EXTENSION IF NOT EXISTS autoreport;
CREATE TABLE burst_error (script text, sqlstate text, message text);
CREATE FUNCTION try(script text, statement text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  state text;
  msg text;
BEGIN
  EXECUTE statement;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  INSERT INTO burst_error VALUES (script, state, msg);
END $$;
SQL
    cat
  } | cluster psql "$dir" -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null
}

# One query's result, unaligned.
q() { cluster psql "$dir" -d "$db" -Atq -c "$1"; }

# pgbench with 8 clients for `seconds` over the scripts given (-f $work/NAME.sql@WEIGHT ...); prints
# its counts, the errors the clients met, and whether it ran ("what" says what the clients did).
burst_run() {
  local what=$1 status
  shift
  chmod -R a+rX "$work"
  as_pg "$PG_BIN/pgbench" -n -h 127.0.0.1 -p "$port" -U postgres -c 8 -j 2 -T "$seconds" "$@" "$db" \
    >"$work/pgbench.log" 2>&1
  status=$?
  grep -E "^(number of transactions actually processed|number of failed transactions)" "$work/pgbench.log" |
    sed 's/^/# /'
  echo "# errors met, by script and SQLSTATE:"
  q "SELECT script || ' ' || sqlstate || ' x' || count(*) || ': ' || min(message) FROM burst_error
      GROUP BY script, sqlstate, regexp_replace(message, '[0-9]+', 'N', 'g') ORDER BY 1" | sed 's/^/#   /'
  if [ "$status" -eq 0 ]; then echo "ok - pgbench ran $seconds s with 8 clients $what"; else
    echo "not ok - pgbench failed (status $status)"; tail -20 "$work/pgbench.log"; fi
}

# The last checks: no backend crashed; the database is dropped.
burst_end() {
  if grep -qE "terminated by signal|server process .* exited with exit code [^0]" "$dir/server.log"; then
    echo "not ok - a backend crashed"; grep -E "terminated by signal" "$dir/server.log" | head -3
  else echo "ok - no backend crashed"; fi
  cluster psql "$dir" -q -c "DROP DATABASE $db" >/dev/null
}
