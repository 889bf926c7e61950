-- autoreport: schedules.

CREATE FUNCTION @extschema@.next_runs(cron text, time_zone text DEFAULT NULL, after timestamptz DEFAULT now(),
                                      n integer DEFAULT 5)
  RETURNS SETOF timestamptz
  LANGUAGE c STABLE PARALLEL SAFE ROWS 5
  AS 'MODULE_PATHNAME', 'autoreport_next_runs';
COMMENT ON FUNCTION @extschema@.next_runs(text, text, timestamptz, integer) IS
  'the next n instants after `after` at which a cron expression runs in a time zone (the session''s when NULL)';

-- Jobs: a report rendered on a cron schedule, as its owner. Written only by the functions below (as the
-- extension's owner, after their own checks) and read through the views, which show each role the jobs
-- it owns (members of autoreport_admin see all).
CREATE TABLE @extschema@.job (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  owner regrole NOT NULL,
  cron text NOT NULL,
  time_zone text NOT NULL,
  report text NOT NULL,
  -- As given, relative dates ({"relative": "start of last month"}) in their canonical spelling; they
  -- are resolved in time_zone at each run's scheduled time.
  params jsonb NOT NULL DEFAULT '{}',
  format text NOT NULL,
  -- Every option with its value (schedule()'s options, defaults filled in); the columns below repeat
  -- the ones the scheduler reads.
  options jsonb NOT NULL,
  retries integer NOT NULL CHECK (retries BETWEEN 0 AND 10),
  timeout interval CHECK (timeout > interval '0'),
  catch_up text NOT NULL CHECK (catch_up IN ('skip', 'once', 'all')),
  catch_up_limit integer CHECK (catch_up_limit BETWEEN 1 AND 1000),
  channel text NOT NULL,
  keep interval CHECK (keep > interval '0'),
  alert text,
  alert_scope text CHECK (alert_scope IN ('row', 'result')),
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((alert IS NULL) = (alert_scope IS NULL))
);
COMMENT ON TABLE @extschema@.job IS 'scheduled jobs (read autoreport.jobs instead)';

-- Every attempt of every run. (job, scheduled_for, attempt) is unique: a scheduled instant runs once,
-- whatever crashes, restarts or second launchers happen; retries are further attempts of that instant.
CREATE TABLE @extschema@.job_run (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job bigint NOT NULL REFERENCES @extschema@.job (id) ON DELETE CASCADE,
  scheduled_for timestamptz NOT NULL,
  attempt integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  manual boolean NOT NULL DEFAULT false,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'interrupted', 'skipped')),
  started_at timestamptz,
  finished_at timestamptz,
  rows bigint,
  bytes bigint,
  output bigint,
  error text,
  sqlstate text,
  -- A retry waits until then (exponential backoff with jitter).
  not_before timestamptz,
  UNIQUE (job, scheduled_for, attempt)
);
-- What the schedulers look for on every wake: the runs not yet finished.
CREATE INDEX ON @extschema@.job_run (job) WHERE status IN ('pending', 'running');
-- What the retention purge looks for.
CREATE INDEX ON @extschema@.job_run (finished_at);
COMMENT ON TABLE @extschema@.job_run IS 'every attempt of every job run (read autoreport.job_runs instead)';

-- Rendered outputs of successful runs.
CREATE TABLE @extschema@.output (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job bigint NOT NULL REFERENCES @extschema@.job (id) ON DELETE CASCADE,
  run bigint REFERENCES @extschema@.job_run (id) ON DELETE SET NULL,
  report text NOT NULL,
  format text NOT NULL,
  mime_type text NOT NULL,
  file_name text NOT NULL,
  size bigint NOT NULL,
  sha256 text NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz
);
COMMENT ON TABLE @extschema@.output IS 'stored outputs of job runs (read autoreport.outputs and autoreport.output(id))';
ALTER TABLE @extschema@.job_run
  ADD FOREIGN KEY (output) REFERENCES @extschema@.output (id) ON DELETE SET NULL;
CREATE INDEX ON @extschema@.output (job);
CREATE INDEX ON @extschema@.output (expires_at);
CREATE INDEX ON @extschema@.job_run (output);

-- Roles a job's owner let read the job's outputs (autoreport.grant_output).
CREATE TABLE @extschema@.output_grant (
  job bigint NOT NULL REFERENCES @extschema@.job (id) ON DELETE CASCADE,
  grantee regrole NOT NULL,
  granted_by regrole NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, grantee)
);
COMMENT ON TABLE @extschema@.output_grant IS 'roles that may read a job''s outputs besides its owner';

REVOKE ALL ON @extschema@.job, @extschema@.job_run, @extschema@.output, @extschema@.output_grant FROM PUBLIC;

-- pg_dump keeps the jobs and who may read their outputs (with job ids, so output grants still point at
-- their jobs). Run history and outputs are not dumped: they are results, kept for `keep` only, and a
-- restored database starts its own history.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.job', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.job_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.output_grant', '');

-- Rows that come into the jobs' (or managed views') catalog other than through the functions, as a
-- restore of a dump copies them, wake this database's scheduler at commit: the launcher would
-- otherwise find the database idle and look again only minutes later.
CREATE FUNCTION @extschema@.wake_scheduler() RETURNS trigger
  LANGUAGE c
  AS 'MODULE_PATHNAME', 'autoreport_wake_scheduler';
COMMENT ON FUNCTION @extschema@.wake_scheduler() IS
  'statement trigger of autoreport.job and autoreport.managed_view: wakes the database''s scheduler at commit';
CREATE TRIGGER wake_scheduler AFTER INSERT ON @extschema@.job
  FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.wake_scheduler();

-- NULL when this server can run jobs in this database now; otherwise why not, in words: 'library not
-- preloaded', 'on a standby', 'launcher not running', 'too many databases'.
CREATE FUNCTION @extschema@.scheduler_status() RETURNS text
  LANGUAGE c STABLE PARALLEL RESTRICTED
  AS 'MODULE_PATHNAME', 'autoreport_scheduler_status';
COMMENT ON FUNCTION @extschema@.scheduler_status() IS
  'NULL when jobs can run here, otherwise why not (library not preloaded, on a standby, launcher not running)';

-- last_run is the latest instant that is due; a run the scheduler has prepared just ahead of its
-- instant (its worker starts a moment early) is still the next run, not the last.
CREATE VIEW @extschema@.jobs WITH (security_barrier) AS
  SELECT j.id, j.name, j.owner, j.cron, j.time_zone, j.report, j.params, j.format, j.options,
         CASE WHEN j.enabled THEN
           (SELECT t FROM @extschema@.next_runs(j.cron, j.time_zone, pg_catalog.now(), 1) AS t)
         END AS next_run,
         last.scheduled_for AS last_run,
         last.status AS last_status,
         j.enabled,
         CASE WHEN NOT j.enabled THEN 'paused'
              WHEN @extschema@.report_function(j.report) IS NULL THEN 'report dropped'
              ELSE @extschema@.scheduler_status()
         END AS why_not_running,
         j.created_at, j.updated_at
    FROM @extschema@.job AS j
    LEFT JOIN LATERAL (SELECT r.scheduled_for, r.status FROM @extschema@.job_run AS r
                        WHERE r.job = j.id AND r.scheduled_for <= pg_catalog.now()
                        ORDER BY r.scheduled_for DESC, r.attempt DESC LIMIT 1) AS last ON true
   WHERE pg_catalog.pg_has_role(j.owner, 'USAGE') OR pg_catalog.pg_has_role('autoreport_admin', 'USAGE');
COMMENT ON VIEW @extschema@.jobs IS
  'the jobs you own (administrators: all), their next and last run, and why one is not running';
GRANT SELECT ON @extschema@.jobs TO PUBLIC;

CREATE VIEW @extschema@.job_runs WITH (security_barrier) AS
  SELECT r.id, j.name AS job, r.job AS job_id, r.scheduled_for, r.started_at, r.finished_at, r.attempt,
         r.manual, r.status, r.rows, r.bytes, r.output AS output_id, r.error, r.sqlstate, r.not_before
    FROM @extschema@.job_run AS r
    JOIN @extschema@.job AS j ON j.id = r.job
   WHERE pg_catalog.pg_has_role(j.owner, 'USAGE') OR pg_catalog.pg_has_role('autoreport_admin', 'USAGE');
COMMENT ON VIEW @extschema@.job_runs IS 'every attempt of the runs of the jobs you may see';
GRANT SELECT ON @extschema@.job_runs TO PUBLIC;

CREATE VIEW @extschema@.outputs WITH (security_barrier) AS
  SELECT o.id, j.name AS job, o.job AS job_id, o.run, o.report, o.format, o.mime_type, o.file_name, o.size,
         o.sha256, o.created_at, o.expires_at
    FROM @extschema@.output AS o
    JOIN @extschema@.job AS j ON j.id = o.job
   WHERE pg_catalog.pg_has_role(j.owner, 'USAGE') OR pg_catalog.pg_has_role('autoreport_admin', 'USAGE')
      OR EXISTS (SELECT FROM @extschema@.output_grant AS g
                  WHERE g.job = o.job AND pg_catalog.pg_has_role(g.grantee, 'USAGE'));
COMMENT ON VIEW @extschema@.outputs IS
  'stored outputs you may see: of your jobs, of jobs whose owner granted you theirs, all for administrators';
GRANT SELECT ON @extschema@.outputs TO PUBLIC;

CREATE FUNCTION @extschema@.schedule(name text, cron text, report text, params jsonb DEFAULT '{}',
                                     format text DEFAULT 'csv', time_zone text DEFAULT NULL,
                                     options jsonb DEFAULT '{}')
  RETURNS bigint
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_schedule';
COMMENT ON FUNCTION @extschema@.schedule(text, text, text, jsonb, text, text, jsonb) IS
  'create or replace a job that renders a report on a cron schedule as its owner; returns the job''s id';

CREATE FUNCTION @extschema@.unschedule(name text) RETURNS void
  LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_unschedule';
COMMENT ON FUNCTION @extschema@.unschedule(text) IS 'remove a job with its run history and outputs';

CREATE FUNCTION @extschema@.pause(name text) RETURNS void
  LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_pause';
COMMENT ON FUNCTION @extschema@.pause(text) IS 'stop a job from running on its schedule until resume()';

CREATE FUNCTION @extschema@.resume(name text) RETURNS void
  LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_resume';
COMMENT ON FUNCTION @extschema@.resume(text) IS 'let a paused job run on its schedule again';

CREATE FUNCTION @extschema@.run_now(name text) RETURNS bigint
  LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_run_now';
COMMENT ON FUNCTION @extschema@.run_now(text) IS 'queue a run of a job now, outside its schedule; returns the run''s id';

CREATE FUNCTION @extschema@.output(id bigint) RETURNS bytea
  LANGUAGE c STABLE STRICT PARALLEL RESTRICTED
  AS 'MODULE_PATHNAME', 'autoreport_output';
COMMENT ON FUNCTION @extschema@.output(bigint) IS
  'the bytes of a stored output, for the job''s owner and the roles they granted it to';

CREATE FUNCTION @extschema@.grant_output(job text, role regrole) RETURNS void
  LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_grant_output';
COMMENT ON FUNCTION @extschema@.grant_output(text, regrole) IS 'let a role read the outputs of a job you own';

CREATE FUNCTION @extschema@.revoke_output(job text, role regrole) RETURNS void
  LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_revoke_output';
COMMENT ON FUNCTION @extschema@.revoke_output(text, regrole) IS 'take back a role''s right to read a job''s outputs';
