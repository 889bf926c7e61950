-- Jobs: schedule() validates everything at definition (22023 and nothing stored), stores the job with
-- its options, relative dates in their canonical spelling and the zone's canonical name; the jobs view
-- shows next and last runs and why a job does not run; pause, resume, run_now, unschedule; output().
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SELECT autoreport.define_report('sched_days',
  'SELECT g AS n, (:since)::date + g AS day, g * 10.5 AS revenue, :label AS label FROM generate_series(1, :days) AS g',
  '{"since": {"type": "date", "required": true},
    "days": {"type": "integer", "default": 3, "min": 1, "max": 10},
    "label": {"type": "text", "default": "x"}}') AS version;

-- 1. A job, with a relative date resolved at each run; stored as written, spelled canonically.
SELECT autoreport.schedule('daily_days', '0 6 * * *', 'sched_days',
  '{"since": {"relative": "Start Of Last Month + 1 DAYS"}, "days": 5}', 'csv', 'europe/berlin') > 0 AS created;
SELECT name, owner, cron, time_zone, report, params, format, options, enabled, last_run, last_status,
       why_not_running, next_run > now() AS next_run_ahead,
       next_run = (SELECT t FROM autoreport.next_runs('0 6 * * *', 'Europe/Berlin', now(), 1) AS t) AS next_run_right
  FROM autoreport.jobs;
-- Options, with every default filled in.
SELECT autoreport.schedule('hourly_days', '@hourly', 'sched_days', '{"since": "2026-01-01"}', 'json', 'Asia/Kolkata',
  '{"retries": 5, "timeout": "90 seconds", "catch_up": "all", "catch_up_limit": 3, "channel": "sales.hourly",
    "keep": "1 week", "alert": "revenue > 40", "render": {"large_integers": "string"}}') > 0 AS created;
SELECT retries, timeout, catch_up, catch_up_limit, channel, keep, alert, alert_scope, enabled, options
  FROM autoreport.job WHERE name = 'hourly_days';
-- A condition over the whole result.
SELECT autoreport.schedule('result_alert', '@yearly', 'sched_days', '{"since": {"relative": "today"}}',
  'csv', 'UTC', '{"alert": "count(*) > 2 AND max(revenue) >= 30", "catch_up": "once"}') > 0 AS created;
SELECT alert_scope, catch_up, catch_up_limit FROM autoreport.job WHERE name = 'result_alert';

-- 2. Replacing keeps the id; the session's zone is used when none is given.
SET timezone = 'America/New_York';
SELECT autoreport.schedule('daily_days', '30 7 * * MON-FRI', 'sched_days', '{"since": {"relative": "yesterday"}}')
       = (SELECT id FROM autoreport.jobs WHERE name = 'daily_days') AS same_id;
SET timezone = 'UTC';
SELECT cron, time_zone, params, format FROM autoreport.jobs WHERE name = 'daily_days';
-- A session zone that is no IANA name is refused when no zone is given.
SET timezone = '+02';
SELECT autoreport.schedule('daily_days', '@daily', 'sched_days', '{"since": "2026-01-01"}');
\echo :LAST_ERROR_SQLSTATE
SET timezone = 'UTC';

-- 3. Pause, resume, run now.
SELECT autoreport.pause('daily_days');
SELECT enabled, next_run, why_not_running, options->'enabled' AS option FROM autoreport.jobs WHERE name = 'daily_days';
SELECT autoreport.resume('daily_days');
SELECT enabled, next_run IS NOT NULL AS has_next_run, why_not_running FROM autoreport.jobs WHERE name = 'daily_days';
SELECT autoreport.run_now('daily_days') > 0 AS queued;
-- The run starts within milliseconds (the launcher runs here): pending, running or done by now.
SELECT job, attempt, manual, status IN ('pending', 'running', 'succeeded') AS queued_or_ran,
       scheduled_for <= clock_timestamp() AS due
  FROM autoreport.job_runs;
SELECT last_status IN ('pending', 'running', 'succeeded') AS last_status_known, last_run IS NOT NULL AS has_last_run
  FROM autoreport.jobs WHERE name = 'daily_days';
SELECT autoreport.run_now('daily_days') <> autoreport.run_now('daily_days') AS two_runs_in_one_transaction;
SELECT autoreport.pause('no_such_job');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.run_now('no_such_job');
\echo :LAST_ERROR_SQLSTATE

-- 4. Refused at definition with 22023, and nothing stored.
CREATE TEMP TABLE before AS SELECT * FROM autoreport.job;
SELECT autoreport.schedule('bad', '0 0 32 * *', 'sched_days', '{"since": "2026-01-01"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '0 0 30 2 *', 'sched_days', '{"since": "2026-01-01"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'Europe/Atlantis');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'no_such_report', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01", "region": "EU"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01", "days": 50}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"days": 5}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-02-30"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": {"relative": "start of last month"}, "days": {"relative": "today"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": {"relative": "start of lats month"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": {"relative": "now()"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": {"sql": "SELECT now()"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '["2026-01-01"]');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'docx');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"retry": 3}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"retries": 11}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"retries": "3"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"timeout": "soon"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"timeout": "-5 minutes"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"catch_up": "sometimes"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"catch_up_limit": 5}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"catch_up": "all", "catch_up_limit": 0}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"channel": "no spaces"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"keep": "0 days"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"enabled": "yes"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"render": {"sheet_name": "x"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"render": {"header": "no"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '"not an object"');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('', '@daily', 'sched_days', '{"since": "2026-01-01"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule(NULL, '@daily', 'sched_days', '{"since": "2026-01-01"}');
\echo :LAST_ERROR_SQLSTATE
-- Alert conditions: a boolean expression over the result's columns, immutable, reading nothing else.
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"alert": "revenue + 1"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"alert": "profit > 1"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"alert": "revenue > random()"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"alert": "day > now()"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"alert": "EXISTS (SELECT FROM pg_authid)"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"alert": "true) FROM pg_authid AS result --"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"alert": "true); DROP TABLE before; SELECT (true"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"alert": "n > 1) FROM (SELECT 1 AS n) AS result UNION SELECT (true"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"alert": "generate_series(1, n) > 1"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"alert": "rank() OVER () > 1"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"alert": "revenue >"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.schedule('bad', '@daily', 'sched_days', '{"since": "2026-01-01"}', 'csv', 'UTC', '{"alert": " "}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS jobs_named_bad FROM autoreport.job WHERE name IN ('bad', '');
SELECT count(*) AS changed FROM (SELECT * FROM autoreport.job EXCEPT SELECT * FROM before) AS c;
-- A refused replacement leaves the job as it was.
SELECT autoreport.schedule('daily_days', 'every 5 seconds', 'sched_days', '{"since": "2026-01-01", "days": 0}');
\echo :LAST_ERROR_SQLSTATE
SELECT cron FROM autoreport.job WHERE name = 'daily_days';
DROP TABLE before;

-- 5. A dropped report: the job stays and says why it does not run.
SELECT autoreport.define_report('sched_doomed', 'SELECT 1 AS one') AS version;
SELECT autoreport.schedule('doomed', '@daily', 'sched_doomed', '{}', 'csv', 'UTC') > 0 AS created;
SELECT autoreport.drop_report('sched_doomed');
SELECT name, why_not_running FROM autoreport.jobs WHERE name = 'doomed';

-- 6. Outputs (written here as the executor will write them) are read through output(id).
INSERT INTO autoreport.output (job, report, format, mime_type, file_name, size, sha256, content)
  SELECT id, 'sched_days', 'csv', 'text/csv', 'daily_days.csv', 8,
         encode(sha256(convert_to(E'n,day\n1\n', 'UTF8')), 'hex'), convert_to(E'n,day\n1\n', 'UTF8')
    FROM autoreport.job WHERE name = 'daily_days';
SELECT job, report, format, mime_type, file_name, size, sha256 = encode(sha256(autoreport.output(id)), 'hex') AS sha256_matches
  FROM autoreport.outputs WHERE file_name = 'daily_days.csv'; -- (the queued run may have stored one too)
SELECT convert_from(autoreport.output(id), 'UTF8') AS content FROM autoreport.outputs WHERE file_name = 'daily_days.csv';
SELECT autoreport.output(-1);
\echo :LAST_ERROR_SQLSTATE

-- 7. Unscheduling removes the job with its runs and outputs.
SELECT autoreport.unschedule('daily_days');
SELECT (SELECT count(*) FROM autoreport.jobs WHERE name = 'daily_days') AS jobs,
       (SELECT count(*) FROM autoreport.job_runs) AS runs,
       (SELECT count(*) FROM autoreport.outputs) AS outputs;
SELECT autoreport.unschedule('daily_days');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.unschedule('hourly_days'), autoreport.unschedule('result_alert'), autoreport.unschedule('doomed');
SELECT autoreport.drop_report('sched_days');
