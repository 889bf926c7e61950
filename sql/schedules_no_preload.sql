-- Without shared_preload_libraries, jobs are still defined and stored, with a WARNING that nothing
-- runs until the library is preloaded; the jobs view says why.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
SELECT autoreport.define_report('np_numbers', 'SELECT 1 AS n') AS version;
SELECT autoreport.schedule('np_job', '@daily', 'np_numbers', '{}', 'csv', 'UTC') > 0 AS stored;
SELECT autoreport.run_now('np_job') > 0 AS queued;
SELECT name, enabled, why_not_running FROM autoreport.jobs;
SELECT autoreport.scheduler_status();
SELECT count(*) AS previews FROM autoreport.next_runs('@hourly', 'UTC');
SELECT autoreport.unschedule('np_job');
SELECT autoreport.drop_report('np_numbers');
