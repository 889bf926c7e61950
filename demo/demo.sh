#!/bin/bash
# The demo behind `make demo` and `make stop`: a throwaway PostgreSQL cluster in .cluster/ with the
# autoreport extension and a sample sales dataset (schema demo) in database autoreport_demo.
#
#   demo/demo.sh           start (or reuse) the cluster, load the data if needed, print what to try
#   demo/demo.sh reload    the same, but always reload the data
#   demo/demo.sh stop      stop the cluster (the data stays in .cluster/ for next time)
#
# The data is loaded once and kept: a later run skips the load when schema demo holds a complete load
# made by the same generator files (demo/schema.sql, generate.sql, load.sql). When they changed, or
# with `reload`, schema demo is dropped and loaded again, in one transaction.
#
# The demo is a list of steps (the STEPS array below), each a function named step_NAME. To add one,
# write the function and add its name to STEPS.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"

CLUSTER_DIR=$ROOT/.cluster
CLUSTER=$ROOT/scripts/cluster.sh
DB=autoreport_demo
STEPS=(start_cluster create_database create_extension load_data define_reports render_files forecast anomalies
       start_receivers start_sidecar schedule_jobs subscribe_deliveries watch_events show_jobs show_deliveries managed_view
       query_analysis summary)

FORCE_RELOAD=0
CURRENT_STEP=
LOAD_PID=
LOAD_LOG=

# psql against the demo database, stopping at the first error.
psql_demo() { "$CLUSTER" psql "$CLUSTER_DIR" -d "$DB" -v ON_ERROR_STOP=1 -q "$@"; }

# The value of one SQL query against the demo database, unaligned and without headers.
query_demo() { psql_demo -At -c "$1"; }

# ---- steps ---------------------------------------------------------------------------------------

# Background worker slots the scheduled jobs need: the launcher, a scheduler per database with jobs, up
# to autoreport.max_running_jobs (4) runs, the audit writer, and parallel query workers.
WORKER_PROCESSES=20

# Starts the cluster in .cluster/, or reuses it when it is already running. A cluster made by an older
# demo, with PostgreSQL's default of 8 worker processes, gets more and is restarted on its port.
step_start_cluster() {
  local conf have port
  conf=$(mktemp)
  echo "max_worker_processes = $WORKER_PROCESSES" >"$conf"
  chmod 644 "$conf"
  "$CLUSTER" start "$CLUSTER_DIR" "$conf"
  rm -f "$conf"
  have=$("$CLUSTER" psql "$CLUSTER_DIR" -d postgres -At -c 'SHOW max_worker_processes')
  if [ "$have" -lt "$WORKER_PROCESSES" ]; then
    say "max_worker_processes is $have: raising it to $WORKER_PROCESSES for the scheduled jobs (restarts the cluster)"
    "$CLUSTER" psql "$CLUSTER_DIR" -d postgres -q -c "ALTER SYSTEM SET max_worker_processes = $WORKER_PROCESSES"
    port=$("$CLUSTER" port "$CLUSTER_DIR")
    "$CLUSTER" stop "$CLUSTER_DIR"
    AUTOREPORT_PORT_BASE=$port "$CLUSTER" start "$CLUSTER_DIR"
  fi
}

# Creates the demo database when it does not exist yet.
step_create_database() {
  local exists
  exists=$("$CLUSTER" psql "$CLUSTER_DIR" -d postgres -At -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")
  if [ "$exists" != 1 ]; then
    "$CLUSTER" psql "$CLUSTER_DIR" -d postgres -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB"
    say "created database $DB"
  fi
}

# Installs the extension in the demo database (it must have been built and installed: make install).
# Creates the extension, or recreates it when the installed script changed since the cluster last
# created it (version 1.0 is not released yet, so a new build can change it without a new version).
step_create_extension() {
  local script stamp=$CLUSTER_DIR/extension.md5 sum
  script=$("$PG_CONFIG" --sharedir)/extension/autoreport--$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$ROOT/autoreport.control").sql
  sum=$(md5sum <"$script" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ] &&
    [ "$(query_demo "SELECT count(*) FROM pg_extension WHERE extname = 'autoreport'")" = 1 ]; then
    say "the installed autoreport script changed: recreating the extension (reports are defined again below)"
    # A job run in flight may take locks in the other order (a deadlock): try again after it.
    local attempt
    for attempt in 1 2 3; do
      psql_demo -c 'SET client_min_messages = warning' -c 'DROP EXTENSION IF EXISTS autoreport CASCADE' && break
      [ "$attempt" -lt 3 ] || die "could not drop the old extension"
      sleep 2
    done
  fi
  psql_demo -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS autoreport' \
    || die "could not create extension autoreport; build and install it first (make && make install)"
  echo "$sum" >"$stamp"
  say "$(query_demo 'SELECT autoreport.version()')"
}

# Loads the sample data unless a complete load by the same generator is already there. While the
# load runs, a second connection reads autoreport.progress about once a second and prints it.
step_load_data() {
  local fingerprint comment prefix recorded
  fingerprint=$(cat "$ROOT/demo/schema.sql" "$ROOT/demo/generate.sql" "$ROOT/demo/load.sql" | md5sum | cut -c1-12)
  comment=$(query_demo "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = 'demo'")
  prefix="autoreport demo dataset: generator $fingerprint, "
  if [ "$FORCE_RELOAD" = 0 ] && [[ $comment == "$prefix"* ]]; then
    recorded=${comment#"$prefix"}
    recorded=${recorded%% orders}
    if [ "$recorded" = "$(query_demo 'SELECT count(*) FROM demo.orders')" ]; then
      say "demo data already loaded ($recorded orders, generator $fingerprint): skipping the load (demo/demo.sh reload forces it)"
      return 0
    fi
  fi

  say "loading the demo data into $DB (schema demo)"
  LOAD_LOG=$(mktemp)
  local started=$SECONDS
  # (the background job reports its failure through wait below, not through the ERR trap)
  (trap - ERR; psql_demo -v generator="$fingerprint" -f "$ROOT/demo/load.sql") >"$LOAD_LOG" 2>&1 &
  LOAD_PID=$!
  local line
  while kill -0 "$LOAD_PID" 2>/dev/null; do
    sleep 1
    # A failed poll only costs one progress line; the load's own exit status decides.
    line=$(query_demo "
      SELECT format('%s: %s %s/%s (%s%%)', operation, object, done,
                    coalesce(total::text, '?'), coalesce(percent::text, '?'))
        FROM autoreport.progress
       WHERE datname = current_database() AND operation = 'load demo data'" 2>/dev/null || true)
    if [ -n "$line" ]; then
      printf '    [%3ds] %s\n' "$((SECONDS - started))" "$line"
    fi
  done
  if ! wait "$LOAD_PID"; then
    LOAD_PID=
    grep -v -e '^psql:.*NOTICE:' -e '^DETAIL:' -e '^drop cascades' "$LOAD_LOG" >&2 || true
    die "loading the demo data failed (psql output above); the previous data, if any, is unchanged"
  fi
  LOAD_PID=
  say "loaded the demo data in $((SECONDS - started)) s"
}

# Defines the demo's reports (demo/reports.sql): each becomes a function reports.<name>(...).
step_define_reports() {
  say "defining reports"
  psql_demo -c 'SET client_min_messages = warning' -f "$ROOT/demo/reports.sql"
}

# Renders the reports into every format, into build/demo-output/, and lists the files.
step_render_files() {
  local out=$ROOT/build/demo-output spec name params format ext
  rm -rf "$out"
  mkdir -p "$out"
  say "rendering reports into $out"
  for spec in \
    'revenue_by_region_month|{"region": "Western Europe"}|csv csv|tsv tsv|json json|ndjson ndjson|html html|markdown md|xlsx xlsx' \
    'top_products|{"n": 20}|html html|markdown md|xlsx xlsx|json json|csv csv' \
    'daily_orders|{}|csv csv|xlsx xlsx' \
    'daily_revenue|{}|svg svg' \
    'revenue_by_region|{}|svg svg|html html|markdown md'; do
    IFS='|' read -r -a parts <<<"$spec"
    name=${parts[0]}
    params=${parts[1]}
    for pair in "${parts[@]:2}"; do
      format=${pair% *}
      ext=${pair#* }
      query_demo "SELECT encode(autoreport.render('$name', '$params', '$format'), 'base64')" \
        | base64 -d >"$out/$name.$ext" || die "rendering $name as $format failed"
    done
  done
  # The line chart embedded in an HTML page, too.
  query_demo "SELECT encode(autoreport.render('daily_revenue', '{}', 'html', '{\"chart\": true}'), 'base64')" \
    | base64 -d >"$out/daily_revenue_with_chart.html"
  # Long data split into one line per region (month, region, revenue), as SVG and PNG; and the PDF an
  # e-mail would carry: heading, that chart, the table with totals, page numbers.
  local split='{"x": "month", "y": "revenue", "series": "region"}'
  query_demo "SELECT encode(autoreport.render('revenue_by_region_month', '{}', 'svg', '$split'), 'base64')" \
    | base64 -d >"$out/revenue_by_region_month_split.svg"
  query_demo "SELECT encode(autoreport.render('revenue_by_region_month', '{}', 'png', '$split'), 'base64')" \
    | base64 -d >"$out/revenue_by_region_month_split.png"
  query_demo "SELECT encode(autoreport.render('revenue_by_region_month', '{}', 'pdf',
                '{\"totals\": true, \"chart\": true, \"chart_options\": $split}'), 'base64')" \
    | base64 -d >"$out/revenue_by_region_month.pdf"
  (cd "$out" && ls -l --time-style=+ | awk 'NR > 1 {printf "    %-40s %10d bytes\n", $NF, $5}')
}

# Forecasts each region's daily revenue 90 days ahead (demo.revenue_forecast), prints what the models
# expect, and draws each region's history, forecast and 95% interval into build/demo-output/.
step_forecast() {
  local out=$ROOT/build/demo-output region file started=$SECONDS
  local daily="SELECT r.name, o.date, sum(o.revenue) FROM demo.orders o JOIN demo.regions r USING (region_id)
                WHERE o.status NOT IN ('cancelled', 'returned') GROUP BY 1, 2"
  say "forecasting daily revenue 90 days ahead per region (autoreport.forecast_groups)"
  psql_demo -c 'SET client_min_messages = warning' -c "DROP TABLE IF EXISTS demo.revenue_forecast" \
    -c "CREATE TABLE demo.revenue_forecast AS
          SELECT series AS region, step, at::date AS day, value AS revenue, lower[1] AS low80, upper[1] AS high80,
                 lower[2] AS low95, upper[2] AS high95
            FROM autoreport.forecast_groups(\$\$$daily\$\$, 90)"
  psql_demo -c "
    WITH totals AS (
      SELECT region, round(sum(revenue)) AS next_90_days,
             round(min(revenue) FILTER (WHERE step = 1)) AS tomorrow,
             round(min(low95) FILTER (WHERE step = 1)) || ' to ' || round(min(high95) FILTER (WHERE step = 1)) AS tomorrow_95
        FROM demo.revenue_forecast GROUP BY region)
    SELECT t.region, t.tomorrow, t.tomorrow_95, t.next_90_days, m.period, m.model
      FROM totals t,
           LATERAL autoreport.forecast_model(\$\$SELECT o.date, sum(o.revenue) FROM demo.orders o
                    JOIN demo.regions r USING (region_id) WHERE o.status NOT IN ('cancelled', 'returned')
                     AND r.name = \$\$ || quote_literal(t.region) || \$\$ GROUP BY 1\$\$) AS m
     ORDER BY t.region"
  while IFS= read -r region; do
    file=$out/forecast_$(echo "$region" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '_' | sed 's/_$//').svg
    query_demo "SELECT encode(autoreport.forecast_chart(
                  \$\$SELECT o.date AS day, sum(o.revenue) AS revenue FROM demo.orders o JOIN demo.regions r USING (region_id)
                     WHERE o.status NOT IN ('cancelled', 'returned') AND r.name = \$\$ || quote_literal('$region') || \$\$
                     GROUP BY 1\$\$, 90, title => 'Daily revenue, $region: 90-day forecast'), 'base64')" | base64 -d >"$file" \
      || die "charting the forecast of $region failed"
    echo "    $(basename "$file")"
  done < <(query_demo "SELECT name FROM demo.regions ORDER BY name")
  say "forecast and charts in $((SECONDS - started)) s (table demo.revenue_forecast, charts in $out)"
}

# Screens each region's daily revenue for anomalies (autoreport.anomalies at its defaults: rare by
# construction, an episode of several days reported once at its first day), shows what it finds on the
# planted days and how many other days it reports, and charts the regions with planted anomalies.
step_anomalies() {
  local out=$ROOT/build/demo-output region file
  local revenue="SELECT o.date AS day, sum(o.revenue) AS revenue FROM demo.orders o
                  WHERE o.status NOT IN ('cancelled', 'returned') AND o.region_id = %s GROUP BY 1"
  say "screening daily revenue per region for anomalies (autoreport.anomalies)"
  psql_demo -c "
    CREATE TEMP TABLE flagged AS
      SELECT r.region_id, a.at::date AS day, a.value, a.expected, a.lower, a.upper, a.score, a.probability,
             a.is_anomaly, a.kind
        FROM demo.regions r, LATERAL autoreport.anomalies(format(\$\$$revenue\$\$, r.region_id)) AS a;
    SELECT p.day, r.name AS region, p.kind AS planted, round(f.value) AS revenue, round(f.expected) AS expected,
           f.value NOT BETWEEN f.lower AND f.upper AS outside, round(f.probability::numeric, 4) AS probability,
           f.is_anomaly AS reported, f.kind
      FROM demo.planted_anomalies p JOIN demo.regions r USING (region_id) JOIN flagged f USING (region_id, day)
     ORDER BY p.day;
    SELECT count(*) FILTER (WHERE f.is_anomaly AND p.day IS NULL) AS other_days_reported, count(*) AS region_days
      FROM flagged f LEFT JOIN demo.planted_anomalies p USING (region_id, day);"
  while IFS='|' read -r region id; do
    file=$out/anomalies_$(echo "$region" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '_' | sed 's/_$//').svg
    query_demo "SELECT encode(autoreport.anomalies_chart(format(\$\$$revenue\$\$, $id),
                  title => 'Daily revenue, $region: anomalies'), 'base64')" | base64 -d >"$file" \
      || die "charting the anomalies of $region failed"
    echo "    $(basename "$file")"
  done < <(query_demo "SELECT DISTINCT r.name, r.region_id FROM demo.planted_anomalies p JOIN demo.regions r USING (region_id) ORDER BY 1" | tr '\t' '|')
}

SIDECAR_PID=$CLUSTER_DIR/sidecar.pid
SIDECAR_SECRET=$CLUSTER_DIR/sidecar.secret
SIDECAR_PORT_FILE=$CLUSTER_DIR/sidecar.port

# A signed HS256 token for a role, valid for a day (what a web application's login would issue).
demo_token() {
  hs256_token "$1" "$(cat "$SIDECAR_SECRET")" 86400
}

RECEIVERS_DIR=$CLUSTER_DIR/receivers
DELIVERY_SECRETS=$CLUSTER_DIR/delivery.secrets
DELIVERIES_OUT=$ROOT/build/demo-output/deliveries

# A free TCP port on 127.0.0.1 from $1 up.
free_port_from() {
  local port
  for port in $(seq "$1" $(($1 + 100))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
  echo "$port"
}

# Starts (or reuses) a local webhook receiver that checks each signature and writes what it receives to
# build/demo-output/deliveries/webhook/, and a local SMTP server that requires STARTTLS (a self-signed
# certificate made here) and writes each message to build/demo-output/deliveries/mail/ as .eml.
step_start_receivers() {
  local port
  mkdir -p "$RECEIVERS_DIR" "$DELIVERIES_OUT/webhook" "$DELIVERIES_OUT/mail"
  [ -s "$DELIVERY_SECRETS" ] || (umask 077 && echo "demo_hook=$(openssl rand -hex 24)" >"$DELIVERY_SECRETS")
  if ! { [ -f "$RECEIVERS_DIR/webhook.pid" ] && kill -0 "$(cat "$RECEIVERS_DIR/webhook.pid")" 2>/dev/null; }; then
    port=$(free_port_from 8280)
    RECEIVER_SECRET=$(sed -n 's/^demo_hook=//p' "$DELIVERY_SECRETS") nohup /usr/bin/python3 "$ROOT/test/sidecar/receiver.py" \
      --port "$port" --out "$DELIVERIES_OUT/webhook" >"$RECEIVERS_DIR/webhook.log" 2>&1 &
    echo $! >"$RECEIVERS_DIR/webhook.pid"
    echo "$port" >"$RECEIVERS_DIR/webhook.port"
  fi
  if ! { [ -f "$RECEIVERS_DIR/smtp.pid" ] && kill -0 "$(cat "$RECEIVERS_DIR/smtp.pid")" 2>/dev/null; }; then
    [ -s "$RECEIVERS_DIR/smtp-cert.pem" ] ||
      openssl req -x509 -newkey rsa:2048 -nodes -keyout "$RECEIVERS_DIR/smtp-key.pem" -out "$RECEIVERS_DIR/smtp-cert.pem" \
        -days 30 -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
    port=$(free_port_from 2525)
    nohup /usr/bin/python3 "$ROOT/test/sidecar/smtp_sink.py" --port "$port" --out "$DELIVERIES_OUT/mail" \
      --cert "$RECEIVERS_DIR/smtp-cert.pem" --key "$RECEIVERS_DIR/smtp-key.pem" >"$RECEIVERS_DIR/smtp.log" 2>&1 &
    echo $! >"$RECEIVERS_DIR/smtp.pid"
    echo "$port" >"$RECEIVERS_DIR/smtp.port"
  fi
  local _
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$(cat "$RECEIVERS_DIR/webhook.port")") 2>/dev/null &&
      (exec 3<>"/dev/tcp/127.0.0.1/$(cat "$RECEIVERS_DIR/smtp.port")") 2>/dev/null && break
    sleep 0.1
  done
  say "webhook receiver on 127.0.0.1:$(cat "$RECEIVERS_DIR/webhook.port"), SMTP server (STARTTLS required) on 127.0.0.1:$(cat "$RECEIVERS_DIR/smtp.port")"
}

# Two destinations (created by an administrator: postgres here) and demo_top_products subscribed to
# both: every run of it is posted, signed, to the webhook receiver and mailed as an attachment.
step_subscribe_deliveries() {
  say "delivering demo_top_products' outputs to a webhook and by e-mail (autoreport.create_destination, subscribe_job)"
  psql_demo -c "SET client_min_messages = warning" -c "
    DO \$\$ BEGIN
      IF EXISTS (SELECT FROM autoreport.destinations WHERE name = 'demo_hook') THEN
        PERFORM autoreport.drop_destination('demo_hook', cascade => true);
      END IF;
      IF EXISTS (SELECT FROM autoreport.destinations WHERE name = 'demo_mail') THEN
        PERFORM autoreport.drop_destination('demo_mail', cascade => true);
      END IF;
    END \$\$;
    SELECT autoreport.create_destination('demo_hook', 'webhook',
             '{\"url\": \"http://127.0.0.1:$(cat "$RECEIVERS_DIR/webhook.port")/ok\", \"secret\": \"demo_hook\"}') AS demo_hook,
           autoreport.create_destination('demo_mail', 'email',
             '{\"to\": \"sales-team@example.org\", \"subject\": \"{report}: top products ({scheduled_for})\"}') AS demo_mail;
    SELECT autoreport.subscribe_job('demo_top_products', 'demo_hook');
    SELECT autoreport.subscribe_job('demo_top_products', 'demo_mail');" >/dev/null
  psql_demo -c "SELECT name, kind, target FROM autoreport.destinations WHERE name LIKE 'demo\_%' ORDER BY name"
}

# The deliveries of demo_top_products' run: waits (at most 30 s) for them to settle, lists them and the
# files the receivers wrote.
step_show_deliveries() {
  local i
  for i in $(seq 1 60); do
    [ "$(query_demo "SELECT count(*) FILTER (WHERE status IN ('pending', 'delivering', 'failed')) = 0 AND count(*) > 0
                       FROM autoreport.deliveries WHERE job = 'demo_top_products'")" = t ] && break
    sleep 0.5
  done
  say "autoreport.deliveries (the latest 4)"
  psql_demo -c "SELECT id, job, run, destination, kind, status, attempts, last_status, left(last_error, 40) AS last_error,
                       delivered_at - created_at AS took
                  FROM autoreport.deliveries WHERE job LIKE 'demo\_%' ORDER BY id DESC LIMIT 4"
  say "what the receivers got ($DELIVERIES_OUT):"
  ls -1 "$DELIVERIES_OUT/webhook" "$DELIVERIES_OUT/mail" | sed 's/^/    /'
  tail -n 2 "$RECEIVERS_DIR/webhook.log" | sed 's/^/    receiver: /'
}

# Starts the WebSocket sidecar (or reuses it) for role demo_viewer on channels reports.*.
step_start_sidecar() {
  local binary=$ROOT/build/autoreport-sidecar port
  [ -x "$binary" ] || die "build/autoreport-sidecar is missing; run make demo (it builds it)"
  psql_demo -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'demo_viewer') THEN CREATE ROLE demo_viewer; END IF; END \$\$" \
    -c "SELECT autoreport.grant_channel('demo_viewer', 'reports.*')" >/dev/null
  if [ -f "$SIDECAR_PID" ] && kill -0 "$(cat "$SIDECAR_PID")" 2>/dev/null; then
    say "sidecar already running on port $(cat "$SIDECAR_PORT_FILE")"
    return 0
  fi
  [ -s "$SIDECAR_SECRET" ] || (umask 077 && openssl rand -hex 32 >"$SIDECAR_SECRET")
  for port in $(seq 8080 8180); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
  # Delivery: to the demo's own receivers on loopback only (so loopback and plain HTTP are allowed), with
  # the webhook's signing secret from a file only the demo's user reads, and the SMTP sink's certificate
  # trusted for STARTTLS.
  AUTOREPORT_SIDECAR_JWT_SECRET=$(cat "$SIDECAR_SECRET") \
    AUTOREPORT_SIDECAR_DATABASE="host=127.0.0.1 port=$("$CLUSTER" port "$CLUSTER_DIR") user=postgres dbname=$DB" \
    nohup "$binary" --port "$port" --allowed-origin "http://127.0.0.1:$port,http://localhost:$port" \
    --deliver-allow 127.0.0.1 --deliver-allow-http --deliver-allow-private \
    --deliver-secrets-file "$DELIVERY_SECRETS" --deliver-ca-file "$RECEIVERS_DIR/smtp-cert.pem" \
    --smtp-url "smtp://127.0.0.1:$(cat "$RECEIVERS_DIR/smtp.port")" --smtp-from reports@autoreport.invalid \
    >"$CLUSTER_DIR/sidecar.log" 2>&1 &
  echo $! >"$SIDECAR_PID"
  echo "$port" >"$SIDECAR_PORT_FILE"
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  say "sidecar listening on 127.0.0.1:$port (log: $CLUSTER_DIR/sidecar.log)"
}

# The channel the demo's jobs announce their runs on (demo_viewer may listen to reports.*).
JOBS_CHANNEL=reports.jobs

# The dashboard's address, signed in as demo_viewer and subscribed to the jobs' channel.
dashboard_url() {
  echo "http://127.0.0.1:$(cat "$SIDECAR_PORT_FILE")/#subscribe=$JOBS_CHANNEL&token=$(demo_token demo_viewer)"
}

# Schedules two jobs (autoreport.schedule creates or replaces them, so a second make demo changes
# nothing): Latin America's daily orders every 10 seconds, with an alert on days of almost no orders
# (the checkout outage planted in March 2026 makes it hold), and the top products every day at 06:00
# Paris time since the start of last month, a year back (the sample data ends in October 2026).
step_schedule_jobs() {
  say "scheduling two jobs (autoreport.schedule); their runs are announced on channel $JOBS_CHANNEL"
  psql_demo -c "
    SELECT autoreport.schedule('demo_latam_watch', 'every 10 seconds', 'daily_orders',
             '{\"since\": \"2026-03-01\", \"region\": \"Latin America\"}', 'csv', 'UTC',
             '{\"channel\": \"$JOBS_CHANNEL\", \"alert\": \"orders < 20\", \"retries\": 0, \"keep\": \"1 hour\"}')
             AS demo_latam_watch,
           autoreport.schedule('demo_top_products', '0 6 * * *', 'top_products',
             '{\"since\": {\"relative\": \"start of last month - 1 year\"}, \"n\": 10}', 'xlsx', 'Europe/Paris',
             '{\"channel\": \"$JOBS_CHANNEL\"}') AS demo_top_products"
  psql_demo -c "SELECT t AS \"next runs of demo_top_products\", t AT TIME ZONE 'Europe/Paris' AS \"in Paris\"
                  FROM autoreport.next_runs('0 6 * * *', 'Europe/Paris', n => 3) AS t"
}

# Listens on the jobs' channel with psql while demo_top_products runs once now (autoreport.run_now) and
# demo_latam_watch runs on its 10-second schedule, printing each payload as it arrives. Stops once both
# have finished a run, or after WATCH_SECONDS.
WATCH_SECONDS=45
step_watch_events() {
  local start condition
  start=$(query_demo "SELECT clock_timestamp()")
  condition="SELECT EXISTS (SELECT FROM autoreport.job_runs WHERE job = 'demo_top_products' AND manual
                               AND finished_at > '$start')
                AND EXISTS (SELECT FROM autoreport.job_runs WHERE job = 'demo_latam_watch' AND finished_at > '$start')"
  say "listening on $JOBS_CHANNEL (psql LISTEN) while demo_top_products runs now and demo_latam_watch every 10 s (at most $WATCH_SECONDS s):"
  echo "    (the sidecar's dashboard shows them too, live: its address is printed at the end)"
  {
    echo "LISTEN \"$JOBS_CHANNEL\";"
    echo "SELECT autoreport.run_now('demo_top_products');"
    local i
    for ((i = 0; i < WATCH_SECONDS; i++)); do
      sleep 1
      echo "SELECT 1;" # psql prints the notifications that arrived after each command
      if [ "$(query_demo "$condition")" = t ]; then
        sleep 0.5
        echo "SELECT 1;"
        break
      fi
    done
  } | psql_demo -At 2>&1 | {
    local line seen=0 started=$SECONDS
    while IFS= read -r line; do
      if [[ $line =~ ^Asynchronous\ notification\ \"([^\"]*)\"\ with\ payload\ \"(.*)\"\ received\ from\ server\ process\ with\ PID\ [0-9]+\.$ ]]; then
        printf '    [%2ds] %s %s\n' "$((SECONDS - started))" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
        seen=$((seen + 1))
      elif [[ ! $line =~ ^[0-9]+$ ]]; then
        echo "    $line" # psql's errors
      fi
    done
    [ "$seen" -gt 0 ] || echo "    no event arrived: see autoreport.jobs (why_not_running) below and $CLUSTER_DIR/server.log"
  }
}

# Lists the jobs, their latest runs and stored outputs, and writes demo_top_products' latest output to
# build/demo-output/ through autoreport.output(id), checking its SHA-256.
step_show_jobs() {
  local out=$ROOT/build/demo-output id name sha file
  say "autoreport.jobs"
  psql_demo -c "SELECT name, cron, time_zone, report, format, next_run, last_run, last_status,
                       why_not_running FROM autoreport.jobs WHERE name LIKE 'demo\_%' ORDER BY name"
  say "autoreport.job_runs (the latest 6)"
  psql_demo -c "SELECT id, job, scheduled_for, attempt, manual, status, rows, bytes, output_id, sqlstate,
                       left(error, 50) AS error
                  FROM autoreport.job_runs WHERE job LIKE 'demo\_%' ORDER BY id DESC LIMIT 6"
  say "autoreport.outputs (the latest 4)"
  psql_demo -c "SELECT id, job, run, format, mime_type, file_name, size, left(sha256, 12) AS sha256, created_at, expires_at
                  FROM autoreport.outputs WHERE job LIKE 'demo\_%' ORDER BY id DESC LIMIT 4"
  IFS='|' read -r id name sha < <(query_demo "SELECT id, file_name, sha256 FROM autoreport.outputs
                                                WHERE job = 'demo_top_products' ORDER BY id DESC LIMIT 1") || true
  [ -n "${id:-}" ] || die "demo_top_products stored no output: see its runs in autoreport.job_runs above"
  mkdir -p "$out"
  file=$out/$(basename "$name")
  query_demo "SELECT encode(autoreport.output($id), 'base64')" | base64 -d >"$file"
  [ "$(sha256sum <"$file" | cut -d' ' -f1)" = "$sha" ] || die "$file does not match the SHA-256 in autoreport.outputs"
  say "wrote output $id to $file ($(wc -c <"$file") bytes, SHA-256 as recorded)"
}

# A managed view of revenue by region, product category and month (demo.revenue_rcm, refreshed `on
# change`), a report that reads it, new orders written on the last day of the data: view_status goes
# stale, then fresh by itself, and the report shows the new orders. The new orders are then removed again (and the view
# follows), so the sample data stays as loaded.
step_managed_view() {
  local view=demo.revenue_rcm i state last
  say "a managed view: revenue by region, category and month over the 1M orders (autoreport.create_view)"
  psql_demo -c 'SET client_min_messages = warning' \
    -c "DO \$\$ BEGIN
          IF to_regclass('$view') IS NOT NULL THEN
            PERFORM autoreport.drop_view('$view');
          END IF;
        EXCEPTION WHEN undefined_object THEN
          -- left by an earlier run whose extension was recreated since (its catalog went with it)
          DROP TABLE $view;
        END \$\$" \
    -c "SELECT autoreport.create_view('$view', \$\$
          SELECT r.name AS region, p.category, date_trunc('month', o.date::timestamp)::date AS month,
                 count(*) AS orders, sum(o.revenue) AS revenue, max(o.revenue) AS largest
            FROM demo.orders AS o JOIN demo.regions AS r USING (region_id) JOIN demo.products AS p USING (product_id)
           WHERE o.status NOT IN ('cancelled', 'returned')
           GROUP BY 1, 2, 3 \$\$, schedule => 'on change')" >/dev/null
  psql_demo -f - >/dev/null <<'SQL'
SELECT autoreport.define_report('revenue_by_category_month',
  $$SELECT month, region, category, orders, revenue FROM demo.revenue_rcm
     WHERE month >= :since ORDER BY month, region, category$$,
  '{"since": {"type": "date", "default": "2026-10-01"}}',
  'Monthly orders and revenue per region and category, read from the managed view demo.revenue_rcm');
SQL
  psql_demo -c "SELECT name, kind, refresh_mode, schedule, last_mode, last_took, state, size FROM autoreport.view_status"
  say "writing 3 orders on 2026-10-31: the view is stale until its scheduler applies them"
  last=$(query_demo "SELECT max(order_id) FROM demo.orders")
  psql_demo -c "INSERT INTO demo.orders (order_id, ordered_at, date, customer_id, product_id, region_id, quantity,
                                         unit_price, discount, revenue, status)
                SELECT $last + i, timestamptz '2026-10-31 23:00+00', date '2026-10-31', c.customer_id, 1, c.region_id,
                       1, 100.00, 0, 100.00, 'pending'
                  FROM generate_series(1, 3) AS i, LATERAL (SELECT customer_id, region_id FROM demo.customers
                                                              ORDER BY customer_id LIMIT 1) AS c" >/dev/null
  psql_demo -c "SELECT name, pending, lag, state FROM autoreport.view_status"
  for i in $(seq 1 30); do
    state=$(query_demo "SELECT state FROM autoreport.view_status WHERE name = '$view'::regclass")
    [ "$state" = fresh ] && break
    sleep 0.5
  done
  psql_demo -c "SELECT name, pending, state, last_mode, last_reason, last_took FROM autoreport.view_status"
  say "the report reads the view (reports.revenue_by_category_month), the new orders included:"
  psql_demo -c "SELECT * FROM reports.revenue_by_category_month(since => '2026-10-01') LIMIT 8"
  psql_demo -c "DELETE FROM demo.orders WHERE order_id > $last" \
    -c "SELECT mode_used, reason FROM autoreport.refresh_view('$view')" >/dev/null
}

# Query analysis on a slow report: demo_returns (the largest returned orders since a date, by default
# since the data begins) reads all 1M orders. Its time (median of 3, the result cache off), explain_report's findings with analyze,
# the report's query captured as it runs (autoreport.capture_min_duration for this session), the
# advice on that captured workload, the advice applied, and the time again. An index an earlier demo
# run applied (recorded in demo.advised_indexes) is dropped first, so each run starts slow.
step_query_analysis() {
  say "query analysis: a slow report, what explain_report finds, the advice, applied"
  psql_demo -c 'SET client_min_messages = warning' -c 'CREATE TABLE IF NOT EXISTS demo.advised_indexes (name text PRIMARY KEY)' \
    -c "DO \$\$ DECLARE r record; BEGIN
          FOR r IN DELETE FROM demo.advised_indexes RETURNING name LOOP EXECUTE 'DROP INDEX IF EXISTS ' || r.name; END LOOP;
        END \$\$" >/dev/null
  psql_demo -f "$ROOT/demo/slow_report.sql" >/dev/null
  local before after
  report_time() {
    psql_demo -At <<'SQL'
SET autoreport.cache = off;
CREATE TEMP TABLE t (ms float8);
DO $$ DECLARE t0 timestamptz; BEGIN
  FOR i IN 1..3 LOOP
    t0 := clock_timestamp();
    PERFORM * FROM reports.demo_returns();
    INSERT INTO t VALUES (extract(epoch FROM clock_timestamp() - t0) * 1000);
  END LOOP; END $$;
SELECT round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) FROM t;
SQL
  }
  before=$(report_time)
  say "reports.demo_returns() takes $before ms (median of 3, result cache off); explain_report with analyze:"
  psql_demo -c "SELECT severity, node, finding, fix FROM autoreport.explain_report('demo_returns', '{}', \"analyze\" => true)
                 WHERE finding <> 'plan' ORDER BY severity = 'info', node"
  say "its query captured as it runs, and the advice on the captured workload (autoreport.advise):"
  psql_demo -At >/dev/null <<'SQL'
SELECT autoreport.clear_captured();
SET autoreport.cache = off;
SET autoreport.capture_min_duration = '20ms';
SELECT count(*) FROM reports.demo_returns();
SELECT count(*) FROM reports.demo_returns(since => '2025-06-01');
SQL
  psql_demo -c "SELECT query, calls, round(mean_ms::numeric, 1) AS mean_ms, params FROM autoreport.captured_queries
                 WHERE query LIKE '%demo.orders%' ORDER BY total_ms DESC"
  psql_demo -c "CREATE TEMP TABLE advice AS SELECT * FROM autoreport.advise('100MB')" \
    -c "SELECT ddl, pg_size_pretty(bytes) AS size, round(cost_saving) AS cost_saving, queries FROM advice" \
    -c "DO \$\$ DECLARE r record; known regclass[] := ARRAY(SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 'demo.orders'::regclass);
        BEGIN
          FOR r IN SELECT ddl FROM advice WHERE ddl NOT LIKE '--%' AND ddl LIKE '%demo.orders%' LOOP EXECUTE r.ddl; END LOOP;
          INSERT INTO demo.advised_indexes SELECT indexrelid::regclass::text FROM pg_index
           WHERE indrelid = 'demo.orders'::regclass AND indexrelid::regclass <> ALL (known);
        END \$\$"
  after=$(report_time)
  say "advice applied ($(query_demo "SELECT string_agg(name, ', ') FROM demo.advised_indexes")): reports.demo_returns() takes $after ms (was $before ms)"
}

# Prints what is in the database, how to connect and what to try.
step_summary() {
  local url port
  url=$("$CLUSTER" url "$CLUSTER_DIR")
  url=${url%/*}/$DB
  port=$("$CLUSTER" port "$CLUSTER_DIR")
  say "the demo is ready"
  psql_demo -c "
    SELECT t.name AS \"table\", t.rows, t.holds
      FROM (SELECT 'demo.regions' AS name, (SELECT count(*) FROM demo.regions) AS rows, 'sales regions' AS holds
            UNION ALL SELECT 'demo.customers', (SELECT count(*) FROM demo.customers), 'customers with segment and signup date'
            UNION ALL SELECT 'demo.products', (SELECT count(*) FROM demo.products), 'products with category and list price'
            UNION ALL SELECT 'demo.dates', (SELECT count(*) FROM demo.dates), 'calendar, ' || (SELECT min(date) || ' to ' || max(date) FROM demo.dates)
            UNION ALL SELECT 'demo.orders', (SELECT count(*) FROM demo.orders), 'the fact table'
            UNION ALL SELECT 'demo.planted_anomalies', (SELECT count(*) FROM demo.planted_anomalies), 'unusual days planted on purpose') AS t"
  cat <<EOF
Connect:
    scripts/cluster.sh psql .cluster -d $DB       (from $ROOT)
    psql "$url"
  or any SQL client: host 127.0.0.1, port $port, user postgres, database $DB, no password.

Things to try:
    SELECT autoreport.version();

    -- the reports you may run, and one of them as a function with named arguments
    SELECT name, version, description, cacheable FROM autoreport.reports;
    SELECT * FROM reports.top_products(n => 5, category => 'Books');
    SELECT * FROM reports.revenue_by_region_month(region => 'Asia Pacific', since => '2026-06-01');

    -- the managed view (a table kept fresh by itself) and how fresh it is
    SELECT * FROM autoreport.view_status;
    SELECT region, category, month, orders, revenue FROM demo.revenue_rcm WHERE month = '2026-10-01';

    -- any report as a file's bytes (csv, tsv, json, ndjson, html, markdown, xlsx, svg, pdf, png)
    SELECT convert_from(autoreport.render('revenue_by_region', '{}', 'markdown'), 'UTF8');

    -- the second run of a report is served from the cache, until its tables change
    SELECT * FROM autoreport.cache_stats;

    -- revenue by region
    SELECT r.name AS region, count(*) AS orders, sum(o.revenue) AS revenue
      FROM demo.orders o JOIN demo.regions r USING (region_id)
     WHERE o.status NOT IN ('cancelled', 'returned')
     GROUP BY r.name ORDER BY revenue DESC;

    -- monthly orders: an upward trend with a November-December peak
    SELECT date_trunc('month', date)::date AS month, count(*) AS orders, sum(revenue) AS revenue
      FROM demo.orders GROUP BY 1 ORDER BY 1;

    -- weekly pattern: fewer orders at weekends
    SELECT d.day_name, round(count(*)::numeric / count(DISTINCT o.date)) AS orders_per_day
      FROM demo.orders o JOIN demo.dates d USING (date)
     GROUP BY d.day_of_week, d.day_name ORDER BY d.day_of_week;

    -- the anomalies planted in the data, and what the data shows on those days
    SELECT a.day, r.name AS region, a.kind, count(o.*) AS orders, sum(o.revenue) AS revenue
      FROM demo.planted_anomalies a JOIN demo.regions r USING (region_id)
      LEFT JOIN demo.orders o ON o.region_id = a.region_id AND o.date = a.day
     GROUP BY a.day, r.name, a.kind ORDER BY a.day;

    -- the progress registry: report progress in one session ...
    SELECT autoreport.progress_begin('my job', 'step 1', 10);  SELECT autoreport.progress_update(4);
    -- ... and watch it from another (progress_end() or the session's end removes it)
    SELECT pid, operation, object, done, total, percent, elapsed FROM autoreport.progress;

Scheduled jobs (demo_latam_watch runs every 10 s and raises an alert; make stop ends it with the cluster):
    SELECT name, cron, next_run, last_run, last_status, why_not_running FROM autoreport.jobs;
    SELECT id, job, scheduled_for, status, rows, bytes, output_id, error FROM autoreport.job_runs ORDER BY id DESC LIMIT 10;
    SELECT id, job, file_name, size, expires_at FROM autoreport.outputs ORDER BY id DESC LIMIT 10;
    SELECT autoreport.run_now('demo_top_products');      -- a run now, outside the schedule
    SELECT autoreport.pause('demo_latam_watch');         -- and autoreport.resume(...), autoreport.unschedule(...)
    SELECT * FROM autoreport.next_runs('0 9 * * MON-FRI', 'America/New_York', n => 5);
    LISTEN "$JOBS_CHANNEL";                               -- in psql: every run's event as it ends
  the output written from autoreport.output(id): build/demo-output/demo_top_products_*.xlsx

Deliveries (the sidecar posts each run of demo_top_products, signed, to a webhook and mails it):
    SELECT id, job, run, destination, kind, status, attempts, last_status, last_error FROM autoreport.deliveries ORDER BY id DESC;
    SELECT autoreport.run_now('demo_top_products');      -- and watch two new deliveries arrive
    SELECT autoreport.redeliver(<id>);                   -- send one again (a delivered one gets a new key)
  what the receivers got: $DELIVERIES_OUT/webhook/ (bodies) and $DELIVERIES_OUT/mail/ (.eml)
  their logs: $RECEIVERS_DIR/webhook.log and smtp.log

The WebSocket sidecar (LISTEN/NOTIFY for web clients), as role demo_viewer (channels reports.*):
  the live dashboard, signed in and subscribed to the jobs' events (the token stays in the URL
  fragment, never sent to the server):
    $(dashboard_url)
  commit a notification of your own and watch it arrive there too:
    SELECT pg_notify('$JOBS_CHANNEL', '{"event": "report_ready", "job": "by hand", "report": "top_products", "output_id": 1}');
  WebSocket clients connect to ws://127.0.0.1:$(cat "$SIDECAR_PORT_FILE")/?token=<the same token>
  health and Prometheus metrics: http://127.0.0.1:$(cat "$SIDECAR_PORT_FILE")/healthz and /metrics

Reload the data with demo/demo.sh reload; stop the cluster and the sidecar with make stop.
EOF
}

# ---- driver --------------------------------------------------------------------------------------

# Stops the cluster started by the demo.
stop_demo() {
  if [ -f "$SIDECAR_PID" ] && kill -0 "$(cat "$SIDECAR_PID")" 2>/dev/null; then
    kill "$(cat "$SIDECAR_PID")"
    say "stopped the sidecar"
  fi
  rm -f "$SIDECAR_PID"
  local receiver
  for receiver in webhook smtp; do
    if [ -f "$RECEIVERS_DIR/$receiver.pid" ] && kill -0 "$(cat "$RECEIVERS_DIR/$receiver.pid")" 2>/dev/null; then
      kill "$(cat "$RECEIVERS_DIR/$receiver.pid")"
      say "stopped the $receiver receiver"
    fi
    rm -f "$RECEIVERS_DIR/$receiver.pid"
  done
  "$CLUSTER" stop "$CLUSTER_DIR"
}

# Runs every step in order, naming the one that failed.
run_steps() {
  local step
  for step in "${STEPS[@]}"; do
    CURRENT_STEP=$step
    "step_$step"
  done
  CURRENT_STEP=
}

on_error() {
  printf 'error: demo step %s failed (exit status %s)\n' "${CURRENT_STEP:-?}" "$1" >&2
}

cleanup() {
  if [ -n "$LOAD_PID" ]; then
    kill "$LOAD_PID" 2>/dev/null || true
  fi
  if [ -n "$LOAD_LOG" ]; then
    rm -f "$LOAD_LOG"
  fi
}

trap 'on_error $?' ERR
trap cleanup EXIT

case "${1:-}" in
  "") run_steps ;;
  reload) FORCE_RELOAD=1; run_steps ;;
  stop) stop_demo ;;
  -h | --help | help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1' (use: demo/demo.sh [reload|stop])" ;;
esac
