-- Who may schedule, see, change and read jobs and their outputs: an administrator who owns a job, a
-- second administrator, an analyst given the outputs, an outsider given nothing.
BEGIN;
SELECT plan(30);

CREATE ROLE tap_sched_owner;
CREATE ROLE tap_sched_admin2;
CREATE ROLE tap_sched_analyst;
CREATE ROLE tap_sched_outsider;
GRANT autoreport_admin TO tap_sched_owner, tap_sched_admin2;
SELECT autoreport.define_report('tap_sched_numbers', 'SELECT g AS n FROM generate_series(1, 3) AS g');
GRANT EXECUTE ON FUNCTION reports.tap_sched_numbers() TO tap_sched_owner, tap_sched_admin2;
SELECT autoreport.define_report('tap_sched_secret', 'SELECT 42 AS answer');

-- Scheduling needs autoreport_admin, and the right to run the report.
SET ROLE tap_sched_outsider;
SELECT throws_ok($$ SELECT autoreport.schedule('tap_job', '@daily', 'tap_sched_numbers', '{}', 'csv', 'UTC') $$,
  '42501', 'permission denied to schedule job "tap_job"', 'an outsider cannot schedule');
RESET ROLE;
SET ROLE tap_sched_owner;
SELECT throws_ok($$ SELECT autoreport.schedule('tap_job', '@daily', 'tap_sched_secret', '{}', 'csv', 'UTC') $$,
  '42501', 'permission denied for report "tap_sched_secret"', 'an administrator cannot schedule a report they may not run');
SELECT ok(autoreport.schedule('tap_job', '@daily', 'tap_sched_numbers', '{}', 'csv', 'UTC') > 0,
  'an administrator schedules a report they may run');
SELECT is((SELECT owner::text FROM autoreport.jobs WHERE name = 'tap_job'), 'tap_sched_owner', 'the job is theirs');
SELECT ok(autoreport.run_now('tap_job') > 0, 'the owner queues a run');
RESET ROLE;
-- An output, as the executor will store it.
INSERT INTO autoreport.output (job, report, format, mime_type, file_name, size, sha256, content)
  SELECT id, 'tap_sched_numbers', 'csv', 'text/csv', 'tap_job.csv', 3, encode(sha256('\x6e0a31'::bytea), 'hex'), '\x6e0a31'::bytea
    FROM autoreport.job WHERE name = 'tap_job';
CREATE TEMP TABLE tap_output AS SELECT id FROM autoreport.output;
GRANT SELECT ON tap_output TO PUBLIC;

-- An outsider sees nothing and changes nothing.
SET ROLE tap_sched_outsider;
SELECT is_empty($$ SELECT * FROM autoreport.jobs $$, 'an outsider sees no job');
SELECT is_empty($$ SELECT * FROM autoreport.job_runs $$, 'an outsider sees no run');
SELECT is_empty($$ SELECT * FROM autoreport.outputs $$, 'an outsider sees no output');
SELECT throws_ok($$ SELECT autoreport.output((SELECT id FROM tap_output)) $$, '42704', NULL,
  'an outsider cannot read an output, nor learn that it exists');
SELECT throws_ok($$ SELECT autoreport.pause('tap_job') $$, '42501', 'permission denied to pause job "tap_job"',
  'an outsider cannot pause the job');
SELECT throws_ok($$ SELECT autoreport.unschedule('tap_job') $$, '42501', 'permission denied to unschedule job "tap_job"',
  'an outsider cannot unschedule the job');
SELECT throws_ok($$ SELECT autoreport.run_now('tap_job') $$, '42501', 'permission denied to run job "tap_job"',
  'an outsider cannot run the job');
SELECT throws_ok($$ SELECT autoreport.grant_output('tap_job', 'tap_sched_outsider') $$, '42501', NULL,
  'an outsider cannot grant themselves the outputs');
SELECT throws_ok($$ SELECT * FROM autoreport.job $$, '42501', NULL, 'the job table is not readable directly');
SELECT throws_ok($$ SELECT * FROM autoreport.output $$, '42501', NULL, 'the output table is not readable directly');
SELECT throws_ok($$ UPDATE autoreport.job SET owner = 'tap_sched_outsider' $$, '42501', NULL,
  'the job table is not writable directly');
RESET ROLE;

-- The owner grants the analyst the outputs: the analyst reads them, and still sees no job.
SET ROLE tap_sched_owner;
SELECT lives_ok($$ SELECT autoreport.grant_output('tap_job', 'tap_sched_analyst') $$, 'the owner grants the outputs');
SELECT is(autoreport.output((SELECT id FROM tap_output)), '\x6e0a31'::bytea, 'the owner reads the output');
RESET ROLE;
SET ROLE tap_sched_analyst;
SELECT is((SELECT file_name FROM autoreport.outputs), 'tap_job.csv', 'the analyst sees the granted output');
SELECT is(autoreport.output((SELECT id FROM tap_output)), '\x6e0a31'::bytea, 'the analyst reads it');
SELECT is_empty($$ SELECT * FROM autoreport.jobs $$, 'the analyst sees no job');
RESET ROLE;

-- A second administrator sees and pauses every job, but may not read or grant its outputs.
SET ROLE tap_sched_admin2;
SELECT is((SELECT count(*) FROM autoreport.jobs WHERE name = 'tap_job'), 1::bigint, 'another administrator sees the job');
SELECT lives_ok($$ SELECT autoreport.pause('tap_job') $$, 'and pauses it');
SELECT throws_ok($$ SELECT autoreport.output((SELECT id FROM tap_output)) $$, '42501',
  'permission denied for output ' || (SELECT id FROM tap_output), 'but may not read its output');
SELECT throws_ok($$ SELECT autoreport.grant_output('tap_job', 'tap_sched_admin2') $$, '42501',
  'permission denied to grant the outputs of job "tap_job"', 'nor grant it to themselves');
-- Replacing someone else's job makes it the replacer's, and its output grants go.
SELECT ok(autoreport.schedule('tap_job', '@hourly', 'tap_sched_numbers', '{}', 'csv', 'UTC') > 0,
  'another administrator replaces the job');
SELECT is((SELECT owner::text FROM autoreport.jobs WHERE name = 'tap_job'), 'tap_sched_admin2',
  'which then runs as its new owner');
RESET ROLE;
SET ROLE tap_sched_analyst;
SELECT throws_ok($$ SELECT autoreport.output((SELECT id FROM tap_output)) $$, '42704', NULL,
  'the old owner''s grant is gone with the ownership');
RESET ROLE;
SET ROLE tap_sched_owner;
SELECT throws_ok($$ SELECT autoreport.revoke_output('tap_job', 'tap_sched_analyst') $$, '42501', NULL,
  'the former owner no longer manages the outputs');
SELECT lives_ok($$ SELECT autoreport.unschedule('tap_job') $$, 'an administrator unschedules any job');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
