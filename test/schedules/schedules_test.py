"""Scheduled jobs on a real preloaded server: runs observed through autoreport.job_runs and their NOTIFY,
outputs, retries, timeouts, privileges and row-level security, the cap on concurrent runs, pause and
resume, a server stopped in the middle of a run (interrupted, catch-up, no instant run twice), two
databases served by one launcher, and the retention purge. Every wait is bounded; nothing asserts a
duration. Run as: schedules_test.py - CLUSTER_DIR (the harness's first argument is unused here)."""
import os, re, subprocess, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sidecar"))
from harness import CLUSTER, ROOT, check, finish  # noqa: E402

CLUSTER_SH = f"{ROOT}/scripts/cluster.sh"


def psql_db(db, sql):
    r = subprocess.run([CLUSTER_SH, "psql", CLUSTER, "-d", db, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        print(f"# psql failed: {r.stderr.strip()}")
        raise subprocess.CalledProcessError(r.returncode, "psql", r.stdout, r.stderr)
    return r.stdout.strip()


def psql(sql):
    return psql_db("postgres", sql)


def wait_for(what, sql, expected="t", timeout=30, db=None):
    """Polls sql until it prints `expected`; returns whether it did within timeout seconds."""
    deadline = time.time() + timeout
    got = None
    while time.time() < deadline:
        try:
            got = psql_db(db, sql) if db else psql(sql)
        except subprocess.CalledProcessError as e:
            got = e.stderr.strip()
        if got == expected:
            return True
        time.sleep(0.2)
    print(f"# waited {timeout} s for {what}: last saw {got!r}")
    return False


def listen(channel, seconds, sql=None):
    """The payloads NOTIFY sent on channel within `seconds` after LISTEN, read by psql between short
    sleeps; sql, when given, runs in the same session right after LISTEN."""
    script = f"LISTEN \"{channel}\";\n" + (f"{sql};\n" if sql else "") + "SELECT pg_sleep(0.25);\n" * int(seconds * 4)
    out = subprocess.run([CLUSTER_SH, "psql", CLUSTER, "-qAt"], input=script, capture_output=True, text=True,
                         timeout=seconds + 60).stdout
    return re.findall(r'Asynchronous notification "[^"]*" with payload "(.*)" received from server process', out)


def process_count(name):
    """How many processes of this cluster's postmaster are called `name`."""
    with open(f"{CLUSTER}/data/postmaster.pid") as f:
        postmaster = f.readline().strip()
    out = subprocess.run(["ps", "--ppid", postmaster, "-o", "args="], capture_output=True, text=True).stdout
    return sum(1 for line in out.splitlines() if line.startswith(f"postgres: {name}"))


import json  # noqa: E402

psql("""
CREATE EXTENSION IF NOT EXISTS autoreport;
CREATE TABLE numbers AS SELECT i AS n FROM generate_series(1, 10) AS i;
SELECT autoreport.define_report('tick', 'SELECT count(*) AS n FROM numbers');
SELECT autoreport.define_report('boom', 'SELECT 1 / (count(*) - count(*)) AS x FROM numbers');
SELECT autoreport.define_report('slow', 'SELECT pg_sleep(1.5)::text AS slept, count(*) AS n FROM numbers');
SELECT autoreport.define_report('sleepy', 'SELECT pg_sleep(3)::text AS slept');
SELECT autoreport.define_report('since', 'SELECT :since::text AS since', '{"since": {"type": "date"}}');
""")

check("the launcher runs and scheduler_status() says jobs can run",
      wait_for("scheduler_status", "SELECT autoreport.scheduler_status() IS NULL", timeout=20))
check("one launcher process", process_count("autoreport launcher") == 1, process_count("autoreport launcher"))

# A job every second, observed through job_runs and its NOTIFY.
psql("SELECT autoreport.schedule('every_second', 'every 1 second', 'tick', options => '{\"channel\": \"ticks\"}')")
payloads = listen("ticks", 6)
events = [json.loads(p) for p in payloads]
ready = [e for e in events if e.get("event") == "report_ready" and e.get("job") == "every_second"]
check("an every-second job sends report_ready events on its channel", len(ready) >= 2, payloads[:3])
if ready:
    e = ready[-1]
    check("the event names the report, run, output, rows and bytes",
          e["report"] == "tick" and e["rows"] == 1 and e["bytes"] > 0 and e["output_id"] and e["run_id"], e)
    check("a job with no destination lists no deliveries in its event", e.get("deliveries") == [], e)
    check("the event's run is a succeeded run with that output",
          psql(f"SELECT status || ',' || output_id FROM autoreport.job_runs WHERE id = {e['run_id']}")
          == f"succeeded,{e['output_id']}")
    check("the stored output is the rendered report",
          psql(f"SELECT autoreport.output({e['output_id']}) = autoreport.render('tick', '{{}}', 'csv')") == "t")
    check("outputs lists its SHA-256, size, MIME type and file name",
          psql(f"SELECT sha256 = encode(sha256(autoreport.output(id)), 'hex') AND size = {e['bytes']} "
               f"AND mime_type LIKE 'text/csv%' AND file_name LIKE 'every_second_%.csv' "
               f"FROM autoreport.outputs WHERE id = {e['output_id']}") == "t")
check("runs start at or after their instant, never before",
      psql("SELECT bool_and(started_at >= scheduled_for) FROM autoreport.job_runs "
           "WHERE job = 'every_second' AND started_at IS NOT NULL") == "t")
check("no instant of the job ran twice",
      psql("SELECT count(*) FROM (SELECT scheduled_for FROM autoreport.job_runs WHERE job = 'every_second' "
           "AND status IN ('running', 'succeeded') GROUP BY 1 HAVING count(*) > 1) AS d") == "0")
check("jobs shows the last run and its status",
      psql("SELECT last_status IN ('pending', 'running', 'succeeded') AND next_run > last_run AND why_not_running IS NULL "
           "FROM autoreport.jobs WHERE name = 'every_second'") == "t")

# Pause and resume.
psql("SELECT autoreport.pause('every_second')")
time.sleep(1.5)
before = psql("SELECT count(*) FROM autoreport.job_runs WHERE job = 'every_second'")
time.sleep(2.5)
check("a paused job does not run", psql("SELECT count(*) FROM autoreport.job_runs WHERE job = 'every_second'") == before)
check("jobs says why a paused job does not run",
      psql("SELECT why_not_running FROM autoreport.jobs WHERE name = 'every_second'") == "paused")
psql("SELECT autoreport.resume('every_second')")
check("a resumed job runs again",
      wait_for("runs after resume", f"SELECT count(*) > {before} FROM autoreport.job_runs WHERE job = 'every_second' "
               "AND status = 'succeeded'", timeout=15))
psql("SELECT autoreport.unschedule('every_second')")

# Retries: every attempt is a row, with the SQLSTATE, backing off.
psql("SELECT autoreport.schedule('fails', '@yearly', 'boom', options => '{\"retries\": 2, \"channel\": \"fails\"}')")
run = psql("SELECT autoreport.run_now('fails')")
check("a failing job is attempted 1 + retries times",
      wait_for("three failed attempts", "SELECT count(*) FROM autoreport.job_runs WHERE job = 'fails' "
               "AND status = 'failed'", "3", timeout=30))
check("each attempt records the error and its SQLSTATE",
      psql("SELECT string_agg(attempt || ':' || sqlstate, ',' ORDER BY attempt) FROM autoreport.job_runs "
           "WHERE job = 'fails'") == "1:22012,2:22012,3:22012")
check("retries wait (exponential backoff): each later attempt starts after the previous failed",
      psql("SELECT bool_and(r.started_at >= p.finished_at + interval '400 ms') FROM autoreport.job_runs AS r "
           "JOIN autoreport.job_runs AS p ON p.job = r.job AND p.attempt = r.attempt - 1 WHERE r.job = 'fails'") == "t")
check("the manual run keeps its id as attempt 1",
      psql(f"SELECT attempt FROM autoreport.job_runs WHERE id = {run}") == "1")

# Timeout.
psql("SELECT autoreport.schedule('too_slow', '@yearly', 'sleepy', options => '{\"timeout\": \"300 ms\", \"retries\": 0}')")
psql("SELECT autoreport.run_now('too_slow')")
check("a run past the job's timeout fails with 57014",
      wait_for("timeout", "SELECT sqlstate || ':' || (error LIKE '%timeout%') FROM autoreport.job_runs "
               "WHERE job = 'too_slow'", "57014:true", timeout=20))

# Alerts through real runs: a row condition, a result condition, an anomaly condition and one that does not
# hold, each a job whose run is started after LISTEN, so every event is seen.
psql("""
CREATE TABLE sales AS SELECT i AS n, (i * 20)::numeric(10, 2) AS revenue FROM generate_series(1, 5) AS i;
CREATE TABLE visits AS SELECT d AS day, CASE WHEN d = 60 THEN 900 ELSE 100 + (d % 7) * 3 END AS visits
  FROM generate_series(1, 60) AS d;
SELECT autoreport.define_report('per_n', 'SELECT n, revenue FROM sales ORDER BY n');
SELECT autoreport.define_report('daily_visits', 'SELECT day, visits FROM visits ORDER BY day');
SELECT autoreport.schedule('row_alert', '@yearly', 'per_n', options => '{"alert": "revenue > 70", "channel": "alerts"}');
SELECT autoreport.schedule('sum_alert', '@yearly', 'per_n', options => '{"alert": "sum(revenue) > 250", "channel": "alerts"}');
SELECT autoreport.schedule('spike_alert', '@yearly', 'daily_visits',
  options => '{"alert": "autoreport.anomalous(array_agg(visits ORDER BY day), period => 7)", "channel": "alerts"}');
SELECT autoreport.schedule('quiet_alert', '@yearly', 'per_n', options => '{"alert": "revenue > 1000", "channel": "alerts"}');
SELECT autoreport.create_destination('alert_hook', 'webhook', '{"url": "https://hooks.example.com/alerts"}');
SELECT autoreport.subscribe_job('row_alert', 'alert_hook');
SELECT autoreport.subscribe_job('quiet_alert', 'alert_hook');
""")


alert_events = {}
for p in listen("alerts", 8, "SELECT autoreport.run_now(name) FROM (VALUES ('row_alert'), ('sum_alert'), "
                      "('spike_alert'), ('quiet_alert')) AS j(name)"):
    e = json.loads(p)
    alert_events[e["job"]] = e
row_e, sum_e = alert_events.get("row_alert", {}), alert_events.get("sum_alert", {})
spike_e, quiet_e = alert_events.get("spike_alert", {}), alert_events.get("quiet_alert", {})
check("a row condition that holds sends an alert event naming the matching rows",
      row_e.get("event") == "alert" and row_e.get("condition") == "revenue > 70"
      and row_e.get("alert", {}).get("matching_rows") == 2
      and [r.get("n") for r in row_e.get("alert", {}).get("rows", [])] == [4, 5], row_e)
check("a result condition that holds sends an alert event with the aggregate's value",
      sum_e.get("event") == "alert" and sum_e.get("alert", {}).get("values") == {"sum(revenue)": 300}, sum_e)
check("an anomaly condition over the result alerts on the spike", spike_e.get("event") == "alert", spike_e)
check("a condition that does not hold sends report_ready, with no alert",
      quiet_e.get("event") == "report_ready" and "alert" not in quiet_e, quiet_e)
check("an alert event lists the delivery its run created, pending with the run's output",
      len(row_e.get("deliveries", [])) == 1
      and psql(f"SELECT run = {row_e.get('run_id')} AND output = {row_e.get('output_id')} AND status = 'pending' "
               f"AND destination = 'alert_hook' FROM autoreport.deliveries WHERE id = {row_e['deliveries'][0]}") == "t",
      row_e)
check("a job whose alert did not hold delivers nothing",
      quiet_e.get("deliveries") == []
      and psql(f"SELECT count(*) FROM autoreport.deliveries WHERE run = {quiet_e.get('run_id', 0)}") == "0", quiet_e)
check("an alerting run still succeeds and stores its output",
      psql("SELECT count(*) FROM autoreport.job_runs WHERE job IN ('row_alert', 'sum_alert', 'spike_alert') "
           "AND status = 'succeeded' AND output_id IS NOT NULL") == "3")

# Relative dates resolve at the scheduled instant, in the job's time zone.
psql("SELECT autoreport.schedule('relative', '@yearly', 'since', '{\"since\": {\"relative\": \"start of this month\"}}', "
     "'csv', 'Pacific/Auckland', '{\"retries\": 0}')")
psql("SELECT autoreport.run_now('relative')")
check("a relative date parameter is resolved at the run's instant in the job's zone",
      wait_for("relative run", "SELECT replace(convert_from(autoreport.output(output_id), 'UTF8'), E'\\r', '') = "
               "E'since\\n' || to_char(date_trunc('month', scheduled_for AT TIME ZONE 'Pacific/Auckland'), 'YYYY-MM-DD') || E'\\n' "
               "FROM autoreport.job_runs WHERE job = 'relative' AND status = 'succeeded'", timeout=20))

# Privileges and row-level security: a job runs as its owner with the owner's privileges only.
psql("""
CREATE ROLE sched_owner LOGIN;
GRANT autoreport_admin TO sched_owner;
CREATE TABLE notes (owner name, body text);
INSERT INTO notes VALUES ('sched_owner', 'mine'), ('someone_else', 'theirs');
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON notes USING (owner = current_user);
GRANT SELECT ON notes TO sched_owner;
SELECT autoreport.define_report('my_notes', 'SELECT body, current_user AS who FROM notes ORDER BY body');
GRANT EXECUTE ON FUNCTION reports.my_notes() TO sched_owner;
SET ROLE sched_owner;
SELECT autoreport.schedule('notes_job', '@yearly', 'my_notes', options => '{"retries": 0}');
SELECT autoreport.run_now('notes_job');
RESET ROLE;
""")
check("a job runs as its owner and row-level security applies",
      wait_for("owner's run", "SELECT convert_from(autoreport.output(output_id), 'UTF8') FROM autoreport.job_runs "
               "WHERE job = 'notes_job' AND status = 'succeeded'", "body,who\nmine,sched_owner", timeout=20))
psql("REVOKE EXECUTE ON FUNCTION reports.my_notes() FROM sched_owner; REVOKE EXECUTE ON FUNCTION reports.my_notes() FROM PUBLIC")
psql("SET ROLE sched_owner; SELECT autoreport.run_now('notes_job')")
check("a job whose owner lost the right to run its report fails with the privilege error",
      wait_for("privilege failure", "SELECT sqlstate FROM autoreport.job_runs WHERE job = 'notes_job' AND status = 'failed'",
               "42501", timeout=20))
# The worker's session is a superuser's: a run must not be able to take it back.
psql("""
CREATE FUNCTION public.try_escape() RETURNS text LANGUAGE plpgsql AS
  $$BEGIN PERFORM set_config('session_authorization', 'postgres', false); RETURN current_user; END$$;
ALTER FUNCTION public.try_escape() OWNER TO sched_owner;
SELECT autoreport.define_report('escape', 'SELECT public.try_escape() AS who');
GRANT EXECUTE ON FUNCTION reports.escape() TO sched_owner;
SET ROLE sched_owner;
SELECT autoreport.schedule('escape_job', '@yearly', 'escape', options => '{"retries": 0}');
SELECT autoreport.run_now('escape_job');
""")
check("a run cannot become the worker's superuser (SET SESSION AUTHORIZATION is refused)",
      wait_for("escape refused", "SELECT status || ':' || sqlstate FROM autoreport.job_runs WHERE job = 'escape_job'",
               "failed:42501", timeout=20))

# The cap: 4 jobs due at once with autoreport.max_running_jobs = 2 never run more than 2 at a time.
psql("ALTER SYSTEM SET autoreport.max_running_jobs = 2")
psql("SELECT pg_reload_conf()")
time.sleep(1)
start = psql("SELECT to_char(date_trunc('second', clock_timestamp()) + interval '3 seconds', 'SS')")
for i in range(4):
    psql(f"SELECT autoreport.schedule('capped_{i}', '{int(start)} * * * * *', 'slow', options => '{{\"retries\": 0}}')")
check("four jobs due at the same second all run",
      wait_for("capped runs", "SELECT count(*) FROM autoreport.job_runs WHERE job LIKE 'capped_%' AND status = 'succeeded'",
               "4", timeout=40))
check("never more than autoreport.max_running_jobs runs at once",
      psql("SELECT max(c) FROM (SELECT (SELECT count(*) FROM autoreport.job_runs AS b WHERE b.job LIKE 'capped_%' "
           "AND b.status = 'succeeded' AND b.started_at <= a.started_at AND b.finished_at > a.started_at) AS c "
           "FROM autoreport.job_runs AS a WHERE a.job LIKE 'capped_%' AND a.status = 'succeeded') AS m") == "2")
for i in range(4):
    psql(f"SELECT autoreport.unschedule('capped_{i}')")
psql("ALTER SYSTEM RESET autoreport.max_running_jobs")
psql("SELECT pg_reload_conf()")

# An error longer than NOTIFY's 8000-byte limit still ends the run with an event.
psql("SELECT autoreport.define_report('long_error', 'SELECT (repeat(''x'', 20000) || n)::int AS n FROM numbers')")
psql("SELECT autoreport.schedule('long_error', '@yearly', 'long_error', options => '{\"retries\": 0, \"channel\": \"long\"}')")
subprocess.Popen(["bash", "-c", "sleep 1.5; " + CLUSTER_SH + " psql " + CLUSTER +
                  " -qAt -c \"SELECT autoreport.run_now('long_error')\" >/dev/null"])
long_events = [json.loads(p) for p in listen("long", 8)]
check("a failure with a 20,000-character message is announced in under 8000 bytes, marked truncated",
      any(e.get("event") == "report_failed" and e.get("sqlstate") == "22P02" and e.get("truncated") is True
          for e in long_events), [json.dumps(e)[:200] for e in long_events])

# Retention: an output kept for a second is purged soon after, without anyone asking.
psql("SELECT autoreport.schedule('short_lived', '@yearly', 'tick', options => '{\"keep\": \"1 second\"}')")
psql("SELECT autoreport.run_now('short_lived')")
check("a run stores its output", wait_for("output", "SELECT count(*) FROM autoreport.outputs WHERE job = 'short_lived'",
                                          "1", timeout=20))
check("an output past its job's keep is purged",
      wait_for("purge", "SELECT count(*) FROM autoreport.outputs WHERE job = 'short_lived'", "0", timeout=20))
check("the purged output's run keeps its history",
      psql("SELECT status FROM autoreport.job_runs WHERE job = 'short_lived'") == "succeeded")

# Two databases, one launcher: a database created later is found and its jobs run.
psql("CREATE DATABASE second_db")
psql_db("second_db", """
CREATE EXTENSION autoreport;
SELECT autoreport.define_report('hello', 'SELECT 42 AS answer');
SELECT autoreport.schedule('second_every_second', 'every 1 second', 'hello');
""")
psql("SELECT autoreport.schedule('first_every_second', 'every 1 second', 'tick')")
check("jobs run in a database created after the server started",
      wait_for("second db runs", "SELECT count(*) >= 2 FROM autoreport.job_runs WHERE status = 'succeeded'",
               timeout=30, db="second_db"))
check("and in the first database at the same time",
      wait_for("first db runs", "SELECT count(*) >= 2 FROM autoreport.job_runs WHERE job = 'first_every_second' "
               "AND status = 'succeeded'", timeout=30))
check("one launcher serves both databases, each with its scheduler",
      process_count("autoreport launcher") == 1 and process_count("autoreport scheduler") == 2,
      (process_count("autoreport launcher"), process_count("autoreport scheduler")))

# Statements that need a database to themselves are not blocked by its scheduler or a run in progress.
def try_psql(sql):
    try:
        psql(sql)
        return True, ""
    except subprocess.CalledProcessError as e:
        return False, e.stderr.strip()


ok, err = try_psql("ALTER DATABASE second_db RENAME TO renamed_db")
check("ALTER DATABASE ... RENAME succeeds while the database's scheduler runs", ok, err)
check("jobs run again in the renamed database",
      wait_for("renamed db runs", "SELECT count(*) > 0 FROM autoreport.job_runs WHERE status = 'succeeded' "
               "AND started_at > now() - interval '1 second'", timeout=30, db="renamed_db"))
psql_db("renamed_db", "SELECT autoreport.define_report('slow_here', 'SELECT pg_sleep(30)::text AS slept');"
        "SELECT autoreport.schedule('slow_here', '@yearly', 'slow_here'); SELECT autoreport.run_now('slow_here')")
wait_for("a run in progress", "SELECT count(*) > 0 FROM autoreport.job_runs WHERE job = 'slow_here' "
         "AND status = 'running'", timeout=20, db="renamed_db")
ok, err = try_psql("CREATE ROLE not_the_owner LOGIN; SET ROLE not_the_owner; ALTER DATABASE renamed_db RENAME TO stolen")
check("a role that does not own the database is refused and does not stop its runs",
      not ok and "must be owner" in err and psql_db("renamed_db", "SELECT status FROM autoreport.job_runs "
                                                    "WHERE job = 'slow_here'") == "running", err)
ok, err = try_psql("DROP DATABASE renamed_db")
check("DROP DATABASE succeeds while the database's scheduler and a run are there", ok, err)
check("the dropped database's scheduler is gone and the other database's runs on",
      wait_for("one scheduler", "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autoreport scheduler'",
               "1", timeout=20)
      and wait_for("first db runs on", "SELECT count(*) > 0 FROM autoreport.job_runs WHERE job = 'first_every_second' "
                   "AND status = 'succeeded' AND started_at > now() - interval '1 second'", timeout=20))
psql("SELECT autoreport.unschedule('first_every_second')")

# CREATE DATABASE ... TEMPLATE holds the template while it copies; a template never gets a scheduler
# after it (one started there fails to connect, and was started again and again).
def template_failures():
    with open(f"{CLUSTER}/server.log", errors="replace") as f:
        return sum(1 for line in f if 'database "template0" is not currently accepting connections' in line)


before = template_failures()
psql("CREATE DATABASE from_template0 TEMPLATE template0")
time.sleep(3)
check("CREATE DATABASE ... TEMPLATE template0 starts no scheduler in the template",
      template_failures() == before, f"{template_failures() - before} schedulers failed to connect to template0")
psql("DROP DATABASE from_template0")

# A server stopped in the middle of a run: the run is interrupted, the missed instants follow each job's
# catch-up policy, and no instant runs twice.
psql("SELECT autoreport.schedule('crash_all', '*/2 * * * * *', 'slow', options => '{\"catch_up\": \"all\", \"retries\": 0}')")
psql("SELECT autoreport.schedule('crash_skip', '*/2 * * * * *', 'tick', options => '{\"catch_up\": \"skip\", \"retries\": 0}')")
check("a run is in progress", wait_for("a running run", "SELECT count(*) > 0 FROM autoreport.job_runs "
                                       "WHERE job = 'crash_all' AND status = 'running'", timeout=20))
running = psql("SELECT id FROM autoreport.job_runs WHERE job = 'crash_all' AND status = 'running' LIMIT 1")
# A managed view with a change captured but not applied: the crash empties the (unlogged) log.
psql("CREATE TABLE crash_sale (id int PRIMARY KEY, region text, amount numeric); "
     "INSERT INTO crash_sale VALUES (1, 'north', 10), (2, 'south', 20); "
     "SELECT autoreport.create_view('crash_by_region', 'SELECT region, sum(amount) AS total FROM crash_sale GROUP BY region'); "
     "SELECT autoreport.create_view('crash_now', 'SELECT region, count(*) AS n FROM crash_sale GROUP BY region', 'immediate'); "
     "INSERT INTO crash_sale VALUES (3, 'north', 5)")
with open(f"{CLUSTER}/data/postmaster.pid") as f:
    os.kill(int(f.readline()), 3)  # SIGQUIT: immediate shutdown, as a crash
time.sleep(8)
restart = subprocess.run([CLUSTER_SH, "start", CLUSTER], capture_output=True, text=True, timeout=120)
check("the server starts again", restart.returncode == 0, restart.stderr[-300:])
check("after the crash, a managed view whose captured changes were lost is stale",
      psql("SELECT state FROM autoreport.view_status WHERE name = 'crash_by_region'::regclass") == "stale")
check("an immediate view lost nothing (each write changed it in its own transaction): fresh and right",
      psql("SELECT string_agg(region || '=' || n, ',' ORDER BY region) || ' ' || "
           "(SELECT state FROM autoreport.view_status WHERE name = 'crash_now'::regclass) FROM crash_now")
      == "north=2,south=1 fresh")
psql("INSERT INTO crash_sale VALUES (4, 'south', 1)")
check("and the first write after the crash applies its change without recomputing the view",
      psql("SELECT last_mode || ': ' || last_reason || ' ' || (SELECT n FROM crash_now WHERE region = 'south') "
           "FROM autoreport.view_status WHERE name = 'crash_now'::regclass")
      == "incremental: applied by the writing statement 2")
check("and its next refresh is a full one that says why",
      psql("SELECT mode_used || ': ' || reason FROM autoreport.refresh_view('crash_by_region')")
      == "full: the server restarted after a crash: captured changes may be incomplete")
check("and the view then holds the change the crash had left unapplied",
      psql("SELECT string_agg(region || '=' || total, ',' ORDER BY region) || ' ' || "
           "(SELECT state FROM autoreport.view_status WHERE name = 'crash_by_region'::regclass) FROM crash_by_region")
      == "north=15,south=21 fresh")
check("the run in flight is marked interrupted",
      wait_for("interrupted", f"SELECT status FROM autoreport.job_runs WHERE id = {running}", "interrupted", timeout=30))
check("jobs run again after the restart",
      wait_for("runs after restart", f"SELECT count(*) > 0 FROM autoreport.job_runs WHERE job = 'crash_skip' "
               f"AND status = 'succeeded' AND id > {running}", timeout=30))
# The instants missed while the server was down: after the interrupted one, up to the server's start.
window = (f"scheduled_for > (SELECT scheduled_for FROM autoreport.job_runs WHERE id = {running}) "
          f"AND scheduled_for <= pg_postmaster_start_time()")


def runs_of(job):
    return psql(f"SELECT string_agg(to_char(scheduled_for, 'HH24:MI:SS') || ' ' || status, '; ' ORDER BY scheduled_for) "
                f"FROM autoreport.job_runs WHERE job = '{job}' AND id > {running}")


check("catch_up = all: every instant missed while the server was down runs after it",
      wait_for("catch-up runs", f"SELECT count(*) FILTER (WHERE status = 'succeeded') >= 2 "
               f"AND count(*) FILTER (WHERE status = 'skipped') = 0 FROM autoreport.job_runs "
               f"WHERE job = 'crash_all' AND {window}", timeout=30), runs_of("crash_all"))
check("catch_up = skip: instants missed while the server was down are recorded as skipped, not run",
      psql(f"SELECT count(*) FILTER (WHERE status <> 'skipped') <= 1 AND count(*) FILTER (WHERE status = 'skipped') >= 2 "
           f"FROM autoreport.job_runs WHERE job = 'crash_skip' AND {window}") == "t", runs_of("crash_skip"))
check("the skipped instants say why",
      psql(f"SELECT bool_and(error = 'missed while no scheduler ran (catch_up = skip)') FROM autoreport.job_runs "
           f"WHERE job = 'crash_skip' AND status = 'skipped' AND {window}") == "t")
check("no instant of either job ran twice",
      psql("SELECT count(*) FROM (SELECT job, scheduled_for FROM autoreport.job_runs WHERE job LIKE 'crash_%' "
           "AND status IN ('running', 'succeeded', 'interrupted') GROUP BY 1, 2 HAVING count(*) > 1) AS d") == "0")
psql("SELECT autoreport.unschedule('crash_all'); SELECT autoreport.unschedule('crash_skip')")

# Managed views refresh themselves: on a cron schedule, and `on change` shortly after a commit; a
# scheduled refresh that fails says why in view_status, and the next one that succeeds clears it.
psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'view_owner') THEN CREATE ROLE view_owner; END IF; END $$; "
     "CREATE TABLE vs_sale (id serial PRIMARY KEY, region text, amount numeric); "
     "INSERT INTO vs_sale (region, amount) VALUES ('north', 10), ('south', 20); "
     "GRANT SELECT, TRIGGER ON vs_sale TO view_owner; GRANT CREATE ON SCHEMA public TO view_owner")
psql("SET ROLE view_owner; "
     "SELECT autoreport.create_view('vs_every', 'SELECT region, sum(amount) AS total FROM vs_sale GROUP BY region', "
     "schedule => 'every 1 seconds'); "
     "SELECT autoreport.create_view('vs_changes', 'SELECT region, count(*) AS n FROM vs_sale GROUP BY region', "
     "schedule => 'on change')")
psql("CREATE MATERIALIZED VIEW vs_mat AS SELECT region, count(*) AS n FROM vs_sale GROUP BY region; "
     "CREATE UNIQUE INDEX ON vs_mat (region); SELECT autoreport.manage_view('vs_mat', 'every 1 seconds')")
psql("INSERT INTO vs_sale (region, amount) VALUES ('east', 5)")
check("an `on change` view applies a committed change by itself",
      wait_for("on change", "SELECT count(*) FROM vs_changes WHERE region = 'east'", "1", timeout=15))
check("a view on a cron schedule refreshes by itself",
      wait_for("cron view", "SELECT total FROM vs_every WHERE region = 'east'", "5", timeout=15))
check("an adopted materialized view on a schedule is refreshed by itself",
      wait_for("matview", "SELECT n FROM vs_mat WHERE region = 'east'", "1", timeout=15)
      and psql("SELECT last_reason FROM autoreport.view_status WHERE name = 'vs_mat'::regclass").startswith(
          "a materialized view, refreshed CONCURRENTLY"))
psql("SELECT autoreport.drop_view('vs_mat'); DROP MATERIALIZED VIEW vs_mat")
check("and both are fresh",
      wait_for("fresh", "SELECT string_agg(state, ',' ORDER BY name::text) FROM autoreport.view_status "
               "WHERE name::text LIKE 'vs_%'", "fresh,fresh", timeout=15))
psql("REVOKE SELECT ON vs_sale FROM view_owner")
psql("INSERT INTO vs_sale (region, amount) VALUES ('west', 1)")
check("a scheduled refresh that fails says why in view_status",
      wait_for("failure", "SELECT bool_and(last_error LIKE '%permission denied%') FROM autoreport.view_status "
               "WHERE name::text LIKE 'vs_%'", "t", timeout=20))
psql("GRANT SELECT ON vs_sale TO view_owner")
check("and once refreshes succeed again the error is cleared and the change applied",
      wait_for("recovered", "SELECT count(*) FILTER (WHERE last_error IS NULL) || ' ' || "
               "(SELECT count(*) FROM vs_changes WHERE region = 'west') FROM autoreport.view_status "
               "WHERE name::text LIKE 'vs_%'", "2 1", timeout=40))
psql("SELECT autoreport.drop_view('vs_every'); SELECT autoreport.drop_view('vs_changes')")
check("no refresh worker is left behind",
      wait_for("no refresh worker", "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autoreport view refresh'",
               "0", timeout=15))

# pg_dump keeps jobs and output grants, ids included: a restored database runs them, and a job scheduled
# after the restore gets an id of its own (the identity sequence is dumped too).
PG_BIN = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
psql("CREATE DATABASE dump_src")
psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dump_reader') THEN CREATE ROLE dump_reader; END IF; END $$")
psql_db("dump_src", """
CREATE EXTENSION autoreport;
SELECT autoreport.define_report('one', 'SELECT 1 AS n');
SELECT autoreport.schedule('dropped', '@daily', 'one');
SELECT autoreport.schedule('kept', 'every 2 seconds', 'one', '{}', 'json', 'Europe/Paris', '{"retries": 1, "keep": "1 day"}');
SELECT autoreport.schedule('paused', '0 6 * * mon-fri', 'one', options => '{"enabled": false}');
SELECT autoreport.unschedule('dropped');
SELECT autoreport.grant_output('kept', 'dump_reader');
CREATE TABLE dv_region (id int PRIMARY KEY, name text);
CREATE TABLE dv_sale (id int PRIMARY KEY, region int, amount numeric);
INSERT INTO dv_region VALUES (1, 'north'), (2, 'south'), (3, 'east');
INSERT INTO dv_sale SELECT i, 1 + i % 3, i FROM generate_series(1, 30) AS i;
SELECT autoreport.create_view('dv_by_region', 'SELECT r.name, count(*) AS n, sum(s.amount) AS total '
  'FROM dv_sale AS s JOIN dv_region AS r ON r.id = s.region GROUP BY r.name');
SELECT autoreport.create_view('dv_top', 'SELECT name, total FROM dv_by_region ORDER BY total DESC LIMIT 2', 'full');
SELECT autoreport.create_view('dv_now', 'SELECT region, max(amount) AS top FROM dv_sale GROUP BY region', 'immediate');
SELECT autoreport.create_view('dv_every', 'SELECT region, count(*) AS n FROM dv_sale GROUP BY region',
  schedule => 'every 1 seconds');
CREATE MATERIALIZED VIEW dv_mat AS SELECT region, count(*) AS n FROM dv_sale GROUP BY region;
CREATE UNIQUE INDEX ON dv_mat (region);
SELECT autoreport.manage_view('dv_mat');
ALTER TABLE dv_sale RENAME COLUMN amount TO value;
INSERT INTO dv_sale VALUES (31, 1, 1000);
""")
port = open(f"{CLUSTER}/port").read().strip()
dump = subprocess.run([f"{PG_BIN}/pg_dump", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "dump_src"],
                      capture_output=True, text=True, timeout=60)
check("pg_dump of a database with jobs succeeds", dump.returncode == 0, dump.stderr[-300:])
psql("CREATE DATABASE dump_dst")
restore = subprocess.run([CLUSTER_SH, "psql", CLUSTER, "-d", "dump_dst", "-qAt", "-v", "ON_ERROR_STOP=1"],
                         input=dump.stdout, capture_output=True, text=True, timeout=120)
check("and it restores into an empty database without an error", restore.returncode == 0, restore.stderr[-300:])
jobs = ("SELECT string_agg(concat_ws(' ', id, name, owner, cron, time_zone, report, params, format, options, "
        "enabled), '; ' ORDER BY id) FROM autoreport.job")
grants = "SELECT string_agg(job || ' ' || grantee, '; ') FROM autoreport.output_grant"
src_jobs = psql_db("dump_src", jobs)
check("the restored jobs are the dumped ones, ids and options included",
      src_jobs != "" and psql_db("dump_dst", jobs) == src_jobs, (src_jobs, psql_db("dump_dst", jobs)))
check("and so are the output grants", psql_db("dump_dst", grants) == psql_db("dump_src", grants) == "2 dump_reader",
      psql_db("dump_dst", grants))
# Managed views survive it: the restored rows name the restored tables; each is taken over by its first
# refresh (scheduled or not), refreshed in full, captured anew; until then its sources take writes and
# view_status says it is stale.
VIEWS = {"dv_by_region": ("name, n, total", "SELECT r.name, count(*), sum(s.value) FROM dv_sale AS s "
                          "JOIN dv_region AS r ON r.id = s.region GROUP BY r.name"),
         "dv_top": ("name, total", "SELECT r.name, sum(s.value) AS t FROM dv_sale AS s JOIN dv_region AS r "
                    "ON r.id = s.region GROUP BY r.name ORDER BY t DESC LIMIT 2"),
         "dv_now": ("region, top", "SELECT region, max(value) FROM dv_sale GROUP BY region"),
         "dv_every": ("region, n", "SELECT region, count(*) FROM dv_sale GROUP BY region"),
         "dv_mat": ("region, n", "SELECT region, count(*) FROM dv_sale GROUP BY region")}


def differs(db, view):
    cols, query = VIEWS[view]
    return psql_db(db, f"SELECT (SELECT count(*) FROM (SELECT {cols} FROM {view} EXCEPT ALL ({query})) AS a) + "
                       f"(SELECT count(*) FROM (({query}) EXCEPT ALL SELECT {cols} FROM {view}) AS b)")


check("the restored database lists the managed views, those not refreshed since stale",
      psql_db("dump_dst", "SELECT string_agg(name::text || ' ' || state, ', ' ORDER BY name::text) FROM "
              "autoreport.view_status WHERE name::text <> 'dv_every'")
      == "dv_by_region stale, dv_mat stale, dv_now stale, dv_top stale",
      psql_db("dump_dst", "SELECT string_agg(name::text || ' ' || state, ', ') FROM autoreport.view_status"))
try:
    psql_db("dump_dst", "INSERT INTO dv_sale VALUES (32, 2, 7); UPDATE dv_sale SET value = value + 1 WHERE id = 5")
    wrote = True
except subprocess.CalledProcessError:
    wrote = False
check("writes to their restored sources go on (the dumped capture triggers name the other database's logs)", wrote)
check("a scheduled view is taken over by its scheduled refresh",
      wait_for("restored dv_every", "SELECT state FROM autoreport.view_status WHERE name = 'dv_every'::regclass",
               "fresh", timeout=30, db="dump_dst") and differs("dump_dst", "dv_every") == "0")
try:
    psql_db("dump_dst", "INSERT INTO dv_sale VALUES (34, 1, 3)")
    wrote = True
except subprocess.CalledProcessError:
    wrote = False
check("and once another view of the table is taken over, writes still go on (an immediate view restored "
      "and not taken over yet waits for its own refresh)", wrote)
psql_db("dump_dst", "SELECT autoreport.refresh_view('dv_top'); SELECT autoreport.refresh_view('dv_now'); "
        "SELECT autoreport.refresh_view('dv_mat')")
# dv_every is left to its own schedule (every second): the write above reaches it at its next refresh.
check("refresh_view() takes the others over (a view over a view after the one it reads), each equal to its query",
      all(differs("dump_dst", v) == "0" for v in VIEWS if v != "dv_every")
      and wait_for("dv_every's next scheduled refresh", "SELECT state FROM autoreport.view_status "
                   "WHERE name = 'dv_every'::regclass", "fresh", timeout=30, db="dump_dst")
      and differs("dump_dst", "dv_every") == "0"
      and wait_for("the restored views fresh", "SELECT string_agg(name::text || ' ' || state, ', ' ORDER BY "
                   "name::text) FROM autoreport.view_status WHERE name::text <> 'dv_every'",
                   "dv_by_region fresh, dv_mat fresh, dv_now fresh, dv_top fresh", timeout=15, db="dump_dst"),
      ({v: differs("dump_dst", v) for v in VIEWS},
       psql_db("dump_dst", "SELECT string_agg(name::text || ' ' || state || ' ' || coalesce(pending::text, '-') || ': ' "
               "|| last_reason, '; ') FROM autoreport.view_status")))
psql_db("dump_dst", "INSERT INTO dv_sale VALUES (33, 3, 50); DELETE FROM dv_sale WHERE id = 31")
check("after that an immediate view takes each write in the writer's transaction",
      differs("dump_dst", "dv_now") == "0", differs("dump_dst", "dv_now"))
check("and an incremental one applies the captured changes",
      psql_db("dump_dst", "SELECT mode_used FROM autoreport.refresh_view('dv_by_region')") == "incremental"
      and differs("dump_dst", "dv_by_region") == "0")
check("the capture triggers name this database's log; no log of the other database is left",
      psql_db("dump_dst", "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'dv_sale'::regclass AND tgname LIKE "
              "'autoreport_capture%' AND position(convert_to('autoreport_log.log_' || tgrelid::text, 'UTF8') "
              "IN tgargs) = 1") == "4"
      and psql_db("dump_dst", "SELECT count(*) FROM pg_class AS c WHERE c.relnamespace = 'autoreport_log'::regnamespace "
                  "AND c.relkind = 'r' AND c.oid NOT IN (SELECT log FROM autoreport.capture)") == "0")
check("a job scheduled after the restore gets a new id",
      psql_db("dump_dst", "SELECT autoreport.schedule('after', '@daily', 'one') > 3") == "t")
check("the restored database runs the restored job",
      wait_for("a restored run", "SELECT count(*) > 0 FROM autoreport.job_runs WHERE job = 'kept' AND status = 'succeeded'",
               timeout=30, db="dump_dst"))
psql("DROP DATABASE dump_src")
psql("DROP DATABASE dump_dst")

finish()
