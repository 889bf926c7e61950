-- Deliveries (extension/schedules/deliveries.sql): destinations and their targets, grants,
-- subscriptions, the deliveries a run creates, the sidecar's claim and finish, redeliver, revoke and
-- drop, who sees what, and every way a call can be refused. Job, run and output ids depend on the
-- tests before this one and are not shown; delivery ids are this file's own. The size of an html
-- output is shown as N (it is not this file's concern).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
-- The PL/pgSQL line an error was raised at is not what this file is about.
\set SHOW_CONTEXT never
SET timezone = 'UTC';
CREATE FUNCTION dl_error(e text) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT regexp_replace(e, 'is \d+ bytes', 'is N bytes') $$;

-- Nobody reads or writes the tables directly; everybody reads the views; only the sidecar claims.
SELECT t, has_table_privilege('public', 'autoreport.' || t, 'SELECT') AS public_reads
  FROM unnest(ARRAY['destination', 'destination_grant', 'job_destination', 'delivery',
                    'destinations', 'job_destinations', 'deliveries']) AS t;
SELECT f, has_function_privilege('public', f, 'EXECUTE') AS public_may,
       has_function_privilege('autoreport_sidecar', f, 'EXECUTE') AS sidecar_may
  FROM unnest(ARRAY['autoreport.claim_deliveries(text, integer, integer, bigint, integer)',
                    'autoreport.finish_delivery(bigint, text, text, integer, text, text, bigint)',
                    'autoreport.renew_deliveries(text, bigint[], integer)',
                    'autoreport.create_destination_as(oid, text, text, jsonb)',
                    'autoreport.redeliver_as(oid, bigint)']) AS f;
-- pg_dump keeps destinations, grants and subscriptions, not deliveries.
SELECT c::regclass::text AS dumped FROM pg_extension AS e, unnest(e.extconfig) AS c
 WHERE e.extname = 'autoreport' AND c::regclass::text ~ 'destination|delivery' ORDER BY 1;

CREATE ROLE dl_admin IN ROLE autoreport_admin;
CREATE ROLE dl_team;
CREATE ROLE dl_alice IN ROLE dl_team, autoreport_admin; -- schedules her jobs, then stops administering
CREATE ROLE dl_bob;
CREATE ROLE dl_sidecar IN ROLE autoreport_sidecar;
SELECT autoreport.define_report('dl_numbers', 'SELECT g AS n, g * 1.5 AS amount FROM generate_series(1, 3) AS g') AS version;
GRANT EXECUTE ON FUNCTION reports.dl_numbers() TO dl_alice;
-- Waits for a run to end (the launcher starts it within milliseconds).
CREATE FUNCTION dl_wait(run bigint) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1 .. 600 LOOP
    IF EXISTS (SELECT FROM autoreport.job_run AS r WHERE r.id = run AND r.status IN ('succeeded', 'failed')) THEN
      RETURN (SELECT r.status FROM autoreport.job_run AS r WHERE r.id = run);
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RETURN 'timed out';
END
$$;
-- The sidecar's batches, kept for the checks that follow.
CREATE TABLE dl_claimed (n serial, batch jsonb);
GRANT ALL ON dl_claimed, dl_claimed_n_seq TO PUBLIC;

-- 1. Destinations: administrators only; the target is checked and stored with its defaults.
SET ROLE dl_bob;
SELECT autoreport.create_destination('hook', 'webhook', '{"url": "https://hooks.example.com/reports"}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE dl_admin;
SELECT autoreport.create_destination('hook', 'webhook', '{"url": "https://hooks.example.com/reports"}');
SELECT autoreport.create_destination('hook_full', 'webhook',
  '{"url": "http://[::1]:8080/in?x=1", "format": "json", "secret": "finance_hook", "timeout_seconds": 10,
    "concurrency": 2, "per_minute": 60}');
SELECT autoreport.create_destination('mail', 'email', '{"to": "finance@example.com"}');
SELECT autoreport.create_destination('mail_inline', 'email',
  '{"to": ["a@example.com", "b@example.com"], "cc": "c@example.com", "subject": "{job}: {rows} rows in {file_name} ({format})",
    "body": "inline", "secret": "smtp", "per_minute": null}');
SELECT name, kind, target, granted_to, created_by FROM autoreport.destinations ORDER BY name;
-- Refused: a name taken, a kind unknown, a name too short or too long or with a control character, NULLs.
SELECT autoreport.create_destination('hook', 'webhook', '{"url": "https://other.example.com/"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('pager', 'sms', '{"to": "+1555"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('', 'webhook', '{"url": "https://hooks.example.com/"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination(repeat('x', 64), 'webhook', '{"url": "https://hooks.example.com/"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination(E'tab\there', 'webhook', '{"url": "https://hooks.example.com/"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('x', 'webhook', NULL);
\echo :LAST_ERROR_SQLSTATE
-- Refused webhook targets, each naming what is wrong.
SELECT autoreport.create_destination('bad', 'webhook', '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/", "timeout_second": 5}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": 42}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "ftp://h.example.com/"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://user:pw@h.example.com/"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/#top"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https:///path"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com:99999/"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/a b"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', jsonb_build_object('url', 'https://h.example.com/' || repeat('a', 2030)));
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/", "format": "xml"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/", "secret": "s3cr3t-value!"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/", "secret": 7}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/", "timeout_seconds": 0}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/", "timeout_seconds": 301}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/", "timeout_seconds": 1.5}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/", "timeout_seconds": "30"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/", "concurrency": 65}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/", "concurrency": null}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/", "per_minute": 0}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'webhook', '{"url": "https://h.example.com/", "per_minute": 100001}');
\echo :LAST_ERROR_SQLSTATE
-- Refused e-mail targets.
SELECT autoreport.create_destination('bad', 'email', '{"cc": "a@example.com"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": []}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', jsonb_build_object('to', (SELECT jsonb_agg('u' || g || '@example.com') FROM generate_series(1, 51) AS g)));
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": 42}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": "not an address"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": "a@example.com, b@example.com"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": "Ann <a@example.com>"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": "a@example.com\r\nBcc: x@evil.example"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": ["a@example.com", 5]}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": "a@example.com", "cc": ["\"x\"@example.com"]}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": "a@example.com", "subject": "Report\nBcc: x@evil.example"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": "a@example.com", "subject": "{report} for {owner}"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": "a@example.com", "subject": ["x"]}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": "a@example.com", "body": "pdf"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": "a@example.com", "url": "https://h.example.com/"}');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.create_destination('bad', 'email', '{"to": "a@example.com", "timeout_seconds": 5}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) AS destinations, count(*) FILTER (WHERE name = 'bad') AS bad FROM autoreport.destination;

-- 2. Grants: administrators only; a member of a grantee sees the destination, others do not.
SET ROLE dl_bob;
SELECT autoreport.grant_destination('hook', 'dl_bob');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.revoke_destination('hook', 'dl_team');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE dl_admin;
SELECT autoreport.grant_destination('hook', 'dl_team');
SELECT autoreport.grant_destination('hook', 'dl_team'); -- again: nothing changes
SELECT autoreport.grant_destination('mail', 'dl_team');
SELECT autoreport.grant_destination('mail_inline', 'dl_team');
SELECT autoreport.grant_destination('mail_inline', 'dl_alice');
SELECT autoreport.grant_destination('nowhere', 'dl_team');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.grant_destination('hook', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT name, granted_to FROM autoreport.destinations ORDER BY name;
RESET ROLE;
SET ROLE dl_bob;
SELECT count(*) AS bob_sees FROM autoreport.destinations;
SELECT * FROM autoreport.destination;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- 3. Jobs, scheduled by dl_alice while she administers autoreport; then she no longer does, and
-- uses destinations as a member of dl_team. The jobs are paused: they run only when asked.
SET ROLE dl_alice;
SELECT autoreport.schedule('dl_daily', '@daily', 'dl_numbers', '{}', 'csv', 'UTC',
                           '{"enabled": false, "channel": "dl.reports"}') > 0 AS created;
SELECT autoreport.schedule('dl_page', '@daily', 'dl_numbers', '{}', 'html', 'UTC', '{"enabled": false}') > 0 AS created;
SELECT autoreport.schedule('dl_alert_holds', '@daily', 'dl_numbers', '{}', 'csv', 'UTC',
                           '{"enabled": false, "alert": "n > 2"}') > 0 AS created;
SELECT autoreport.schedule('dl_alert_quiet', '@daily', 'dl_numbers', '{}', 'csv', 'UTC',
                           '{"enabled": false, "alert": "n > 100"}') > 0 AS created;
RESET ROLE;
REVOKE autoreport_admin FROM dl_alice;

-- 4. Subscriptions: the job's owner (or an administrator), to a destination the owner may use.
SET ROLE dl_alice;
SELECT autoreport.subscribe_job('dl_daily', 'hook');
SELECT autoreport.subscribe_job('dl_daily', 'hook'); -- again: a NOTICE, nothing changes
SELECT autoreport.subscribe_job('dl_page', 'hook');
SELECT autoreport.subscribe_job('dl_page', 'mail_inline');
SELECT autoreport.subscribe_job('dl_alert_holds', 'hook');
SELECT autoreport.subscribe_job('dl_daily', 'hook_full'); -- not granted to her
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.subscribe_job('dl_daily', 'mail_inline'); -- a csv output cannot be a message's body
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.subscribe_job('dl_nothing', 'hook');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.subscribe_job('dl_daily', 'nowhere');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.subscribe_job('dl_daily', NULL);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE dl_bob;
SELECT autoreport.subscribe_job('dl_daily', 'mail');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.unsubscribe_job('dl_daily', 'hook');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS bob_sees FROM autoreport.job_destinations;
RESET ROLE;
-- An administrator subscribes a job of dl_alice's, within what she may use: at most 20 destinations.
SET ROLE dl_admin;
SELECT count(autoreport.create_destination('dl_many_' || g, 'webhook',
                                           jsonb_build_object('url', 'https://h' || g || '.example.com/')))
  FROM generate_series(1, 21) AS g;
SELECT autoreport.subscribe_job('dl_alert_quiet', 'dl_many_1'); -- dl_alice may not use it
\echo :LAST_ERROR_SQLSTATE
SELECT count(autoreport.grant_destination('dl_many_' || g, 'dl_team')) FROM generate_series(1, 21) AS g;
SELECT count(autoreport.subscribe_job('dl_alert_quiet', 'dl_many_' || g)) FROM generate_series(1, 20) AS g;
SELECT autoreport.subscribe_job('dl_alert_quiet', 'dl_many_21');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE dl_alice;
SELECT job, destination, kind, subscribed_by FROM autoreport.job_destinations
 WHERE destination NOT LIKE 'dl_many%' ORDER BY job, destination;
SELECT count(*) AS quiet_subscriptions FROM autoreport.job_destinations WHERE job = 'dl_alert_quiet';
-- Unsubscribing.
SELECT autoreport.subscribe_job('dl_daily', 'mail');
SELECT autoreport.unsubscribe_job('dl_daily', 'mail');
SELECT autoreport.unsubscribe_job('dl_daily', 'mail');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.unsubscribe_job('dl_daily', 'nowhere');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.unsubscribe_job('dl_nothing', 'mail');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- 5. A run creates one pending delivery per destination, in its transaction, with its output; a job
-- whose alert did not hold creates none (dl_alert_quiet has 20 destinations).
SELECT autoreport.run_now('dl_daily') AS run \gset
SELECT dl_wait(:run);
SELECT autoreport.run_now('dl_page') AS run \gset
SELECT dl_wait(:run);
SELECT autoreport.run_now('dl_alert_holds') AS run \gset
SELECT dl_wait(:run);
SELECT autoreport.run_now('dl_alert_quiet') AS run \gset
SELECT dl_wait(:run);
SET ROLE dl_alice;
SELECT d.id, d.job, d.destination, d.kind, d.status, d.attempts, d.last_status, d.last_reply, d.last_error,
       d.output = r.output_id AS run_output, d.next_attempt_at <= d.created_at AS due_now, d.delivered_at,
       d.idempotency_key ~ '^[0-9a-f-]{36}$' AS uuid_key
  FROM autoreport.deliveries AS d JOIN autoreport.job_runs AS r ON r.id = d.run ORDER BY d.id;
SELECT count(*) AS quiet_deliveries FROM autoreport.deliveries WHERE job = 'dl_alert_quiet';
RESET ROLE;
SET ROLE dl_bob;
SELECT count(*) AS bob_sees FROM autoreport.deliveries;
SELECT * FROM autoreport.delivery;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE dl_admin;
SELECT count(*) AS admin_sees FROM autoreport.deliveries;
RESET ROLE;
-- The "delivery" event finish_delivery() sends on the job's channel.
-- (output ids follow the order the runs' workers finish in, so the event's is compared, not shown)
SELECT autoreport.delivery_event(d)::jsonb - 'run' - 'output' - 'output_id' AS event,
       (autoreport.delivery_event(d)::jsonb ->> 'output_id')::bigint = d.output AS event_names_its_output
  FROM autoreport.delivery AS d WHERE id = 1;

-- 6. The sidecar claims due deliveries, oldest first, with everything needed to send them.
SET ROLE dl_bob;
SELECT autoreport.claim_deliveries('w1', 1, 60, 1000000);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.finish_delivery(1, 'w1', 'delivered', 200, 'ok', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE dl_sidecar;
INSERT INTO dl_claimed (batch) SELECT autoreport.claim_deliveries('w1', 1, 60, 1000000);
RESET ROLE;
SELECT jsonb_array_length(batch) AS claimed,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(batch -> 0) AS k) AS keys
  FROM dl_claimed WHERE n = 1;
SELECT c ->> 'id' AS id, c ->> 'attempt' AS attempt, c ->> 'kind' AS kind, c ->> 'destination' AS destination,
       c -> 'target' AS target, c ->> 'job' AS job, c ->> 'report' AS report, c ->> 'format' AS format,
       c ->> 'rows' AS rows, c ->> 'file_name' ~ '^dl_daily_\d{4}-\d\d-\d\d_\d{6}\.csv$' AS file_name_ok,
       c ->> 'mime_type' AS mime_type, c ->> 'channel' AS channel
  FROM dl_claimed, jsonb_array_elements(batch) AS c WHERE n = 1;
-- Ids, key, bytes and times agree with the catalog; the content is the output's bytes in base64.
SELECT (c ->> 'job_id')::bigint = d.job AS job_id, (c ->> 'run')::bigint = d.run AS run,
       (c ->> 'output')::bigint = d.output AS output, c ->> 'idempotency_key' = d.idempotency_key AS key,
       decode(c ->> 'content', 'base64') = autoreport.output(d.output) AS content,
       (c ->> 'size')::bigint = octet_length(autoreport.output(d.output)) AS size,
       c ->> 'sha256' = encode(sha256(autoreport.output(d.output)), 'hex') AS sha256,
       c ->> 'content' !~ '\n' AS one_line,
       c ->> 'scheduled_for' = to_char(r.scheduled_for AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS scheduled_for,
       c ->> 'finished_at' = to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS finished_at,
       c ->> 'created_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$' AS created_at,
       d.status, d.attempts, d.leased_by, d.lease_until BETWEEN now() + interval '59 seconds' AND now() + interval '61 seconds' AS leased_60s
  FROM dl_claimed, jsonb_array_elements(batch) AS c
  JOIN autoreport.delivery AS d ON d.id = (c ->> 'id')::bigint
  JOIN autoreport.job_run AS r ON r.id = d.run
 WHERE n = 1;
SET ROLE dl_sidecar;
-- An output over max_bytes is given up, with the reason, and not returned.
SELECT autoreport.claim_deliveries('w2', 1, 60, 10);
RESET ROLE;
SELECT id, status, attempts, dl_error(last_error) AS last_error FROM autoreport.deliveries WHERE id = 2;
SET ROLE dl_sidecar;
-- A second sidecar gets the rest, not what w1 holds.
INSERT INTO dl_claimed (batch) SELECT autoreport.claim_deliveries('w2', 10, 60, 1000000);
SELECT array_agg((c ->> 'id')::bigint ORDER BY (c ->> 'id')::bigint) AS w2_got,
       array_agg(c ->> 'destination' ORDER BY (c ->> 'id')::bigint) AS destinations,
       array_agg(c -> 'target' ->> 'to' ORDER BY (c ->> 'id')::bigint) AS to
  FROM dl_claimed, jsonb_array_elements(batch) AS c WHERE n = 2;
SELECT autoreport.claim_deliveries('w3', 10, 60, 1000000) AS nothing_due;
-- Refused arguments.
SELECT autoreport.claim_deliveries('', 10, 60, 1000000);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.claim_deliveries('w3', 0, 60, 1000000);
\echo :LAST_ERROR_SQLSTATE

-- 7. Outcomes: only the lease holder's count ('lost' otherwise, nothing changed).
SELECT autoreport.finish_delivery(1, 'w2', 'delivered', 200, 'ok', NULL, NULL) AS w2_on_w1s;
SELECT autoreport.finish_delivery(1, 'w1', 'delivered', 200, 'accepted', NULL, NULL) AS w1;
SELECT autoreport.finish_delivery(1, 'w1', 'delivered', 200, 'accepted', NULL, NULL) AS again;
SELECT autoreport.finish_delivery(3, 'w2', 'retry', 503, 'Service Unavailable', 'HTTP 503', 60000) AS retry;
SELECT autoreport.finish_delivery(4, 'w2', 'sent', NULL, NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.finish_delivery(4, 'w2', 'retry', NULL, NULL, NULL, -1);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- A retry waits; a lease that expired is taken over by another sidecar, whose attempt is the next.
SELECT id, status, attempts, last_status, last_reply, dl_error(last_error) AS last_error,
       next_attempt_at BETWEEN now() + interval '59 seconds' AND now() + interval '61 seconds' AS retry_in_60s,
       delivered_at IS NOT NULL AS delivered
  FROM autoreport.deliveries WHERE id IN (1, 3) ORDER BY id;
UPDATE autoreport.delivery SET lease_until = now() - interval '1 second' WHERE id = 4; -- as if w2 died
SET ROLE dl_sidecar;
SELECT (c ->> 'id')::int AS id, (c ->> 'attempt')::int AS attempt
  FROM jsonb_array_elements(autoreport.claim_deliveries('w3', 10, 60, 1000000)) AS c;
SELECT autoreport.finish_delivery(4, 'w2', 'delivered', 200, NULL, NULL, NULL) AS w2_too_late;
SELECT autoreport.finish_delivery(4, 'w3', 'give_up', 400, 'Bad Request', 'HTTP 400', NULL) AS w3;
RESET ROLE;
UPDATE autoreport.delivery SET not_before = now() - interval '1 second' WHERE id = 3; -- its retry is due
SET ROLE dl_sidecar;
SELECT (c ->> 'id')::int AS id, (c ->> 'attempt')::int AS attempt
  FROM jsonb_array_elements(autoreport.claim_deliveries('w1', 10, 60, 1000000)) AS c;
SELECT (c ->> 'id')::int AS id, (c ->> 'attempt')::int AS attempt
  FROM jsonb_array_elements(autoreport.claim_deliveries('w1', 10, 60, 1000000)) AS c;
-- The lease holder renews its leases (another worker renews nothing); a delivery handed back unsent
-- ('release') gets its attempt back and is claimed again under the same attempt number.
SELECT autoreport.renew_deliveries('w1', '{3,4}', 120) AS w1_holds;
SELECT autoreport.renew_deliveries('w2', '{3}', 120) AS w2_holds;
SELECT autoreport.renew_deliveries('w1', '{3}', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.finish_delivery(3, 'w2', 'release', NULL, NULL, NULL, 0) AS w2_release;
SELECT autoreport.finish_delivery(3, 'w1', 'release', NULL, NULL, 'held back', 0) AS released;
SELECT (c ->> 'id')::int AS id, (c ->> 'attempt')::int AS attempt
  FROM jsonb_array_elements(autoreport.claim_deliveries('w1', 10, 60, 1000000)) AS c;
SELECT autoreport.finish_delivery(3, 'w1', 'delivered', 250, '250 2.0.0 queued', NULL, NULL) AS w1;
RESET ROLE;
SELECT id, destination, status, attempts, last_status, last_reply, dl_error(last_error) AS last_error, next_attempt_at,
       delivered_at IS NOT NULL AS delivered
  FROM autoreport.deliveries ORDER BY id;

-- 8. Redeliver: the job's owner or an administrator, once a delivery is over; a delivered one is
-- another copy (a new key), others keep theirs.
CREATE TEMP TABLE dl_keys AS SELECT id, idempotency_key FROM autoreport.delivery;
GRANT SELECT ON dl_keys TO PUBLIC;
SET ROLE dl_bob;
SELECT autoreport.redeliver(1);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE dl_alice;
SELECT autoreport.redeliver(1);
SELECT autoreport.redeliver(4);
SELECT autoreport.redeliver(1); -- pending now
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.redeliver(999);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.redeliver(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT d.id, d.status, d.attempts, d.last_status, d.last_reply, d.last_error, d.delivered_at,
       d.next_attempt_at <= now() AS due, d.idempotency_key = k.idempotency_key AS same_key
  FROM autoreport.deliveries AS d JOIN dl_keys AS k USING (id) WHERE d.id IN (1, 4) ORDER BY d.id;
RESET ROLE;
SET ROLE dl_sidecar;
SELECT (c ->> 'id')::int AS id, (c ->> 'attempt')::int AS attempt
  FROM jsonb_array_elements(autoreport.claim_deliveries('w1', 1, 60, 1000000)) AS c;
RESET ROLE;
SET ROLE dl_admin;
SELECT autoreport.redeliver(1); -- being delivered
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.redeliver(2) AS admin_redelivers; -- given up for its size
RESET ROLE;
-- An output that expired cannot be delivered, nor redelivered.
SELECT autoreport.run_now('dl_daily') AS run \gset
SELECT dl_wait(:run);
SELECT id, status FROM autoreport.deliveries WHERE run = :run;
DELETE FROM autoreport.output WHERE id = (SELECT output FROM autoreport.delivery WHERE run = :run);
SET ROLE dl_sidecar;
SELECT autoreport.claim_deliveries('w1', 10, 60, 10) AS nothing_sendable;
RESET ROLE;
SELECT id, status, output IS NOT NULL AS has_output, dl_error(last_error) AS last_error FROM autoreport.deliveries WHERE id IN (2, 4, 5) ORDER BY id;
SELECT autoreport.redeliver(5);
\echo :LAST_ERROR_SQLSTATE

-- 9. Revoking a grant unsubscribes the jobs whose owners may no longer use the destination: dl_page
-- stays on mail_inline (granted to dl_alice herself too), leaves hook.
SET ROLE dl_bob;
SELECT autoreport.revoke_destination('mail_inline', 'dl_team');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE dl_admin;
SELECT autoreport.revoke_destination('mail_inline', 'dl_team');
SELECT autoreport.revoke_destination('hook', 'dl_team');
SELECT autoreport.revoke_destination('hook', 'dl_team');
SELECT autoreport.revoke_destination('nowhere', 'dl_team');
\echo :LAST_ERROR_SQLSTATE
SELECT job, destination FROM autoreport.job_destinations WHERE destination NOT LIKE 'dl_many%' ORDER BY 1, 2;
RESET ROLE;
SET ROLE dl_alice;
SELECT name FROM autoreport.destinations WHERE name NOT LIKE 'dl_many%' ORDER BY 1;
SELECT autoreport.subscribe_job('dl_daily', 'hook');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- 10. Dropping: administrators only; refused while jobs are subscribed unless cascade; the deliveries
-- stay, those not yet sent given up.
SELECT autoreport.grant_destination('hook', 'dl_team');
SELECT autoreport.subscribe_job('dl_daily', 'hook');
SELECT autoreport.run_now('dl_daily') AS run \gset
SELECT dl_wait(:run);
SELECT id, status FROM autoreport.deliveries WHERE run = :run;
SET ROLE dl_bob;
SELECT autoreport.drop_destination('hook');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE dl_admin;
SELECT autoreport.drop_destination('nowhere');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.drop_destination('hook');
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.drop_destination('hook', cascade => true);
SELECT autoreport.drop_destination('hook_full'); -- nothing subscribed
SELECT id, destination, status, dl_error(last_error) AS last_error FROM autoreport.deliveries WHERE kind = 'webhook' ORDER BY id;
SELECT count(*) AS hook_left FROM autoreport.destinations WHERE name = 'hook';
RESET ROLE;
SELECT count(*) AS orphans FROM autoreport.delivery WHERE destination IS NULL;
-- A delivery in flight when its destination was dropped still finishes; it cannot be redelivered.
SET ROLE dl_sidecar;
SELECT autoreport.finish_delivery(1, 'w1', 'delivered', 200, NULL, NULL, NULL) AS in_flight_finishes;
RESET ROLE;
SELECT autoreport.redeliver(1);
\echo :LAST_ERROR_SQLSTATE

-- 10b. One claim takes no more of a destination's deliveries than its concurrency (a backlog for one
-- destination does not fill a sidecar's slots), and gives up a delivery whose lease ran out at the
-- attempt limit (a sidecar that died on it every time) instead of sending it again.
SELECT autoreport.create_destination('slow_hook', 'webhook', '{"url": "https://slow.example.com/", "concurrency": 2}');
SELECT autoreport.grant_destination('slow_hook', 'dl_alice');
SELECT autoreport.subscribe_job('dl_daily', 'slow_hook');
SELECT autoreport.run_now('dl_daily') AS run \gset
SELECT dl_wait(:run);
SELECT autoreport.run_now('dl_daily') AS run \gset
SELECT dl_wait(:run);
SELECT autoreport.run_now('dl_daily') AS run \gset
SELECT dl_wait(:run);
SET ROLE dl_sidecar;
SELECT c ->> 'destination' AS destination, count(*) AS claimed
  FROM jsonb_array_elements(autoreport.claim_deliveries('w9', 10, 60, 1000000)) AS c GROUP BY 1 ORDER BY 1;
RESET ROLE;
UPDATE autoreport.delivery SET lease_until = now() - interval '1 second', attempts = 3
 WHERE destination_name = 'slow_hook' AND status = 'delivering';
SET ROLE dl_sidecar;
SELECT c ->> 'destination' AS destination, (c ->> 'attempt')::int AS attempt
  FROM jsonb_array_elements(autoreport.claim_deliveries('w9', 10, 60, 1000000, 3)) AS c ORDER BY 1;
SELECT c ->> 'destination' AS destination, (c ->> 'attempt')::int AS attempt -- the third, now within the cap
  FROM jsonb_array_elements(autoreport.claim_deliveries('w9', 10, 60, 1000000, 3)) AS c ORDER BY 1;
SELECT autoreport.claim_deliveries('w9', 10, 60, 1000000, 0);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT status, attempts, last_error, count(*) FROM autoreport.deliveries WHERE destination = 'slow_hook'
 GROUP BY 1, 2, 3 ORDER BY 1;

-- 11. Unscheduling a job removes its subscriptions and deliveries.
SELECT autoreport.unschedule('dl_daily'), autoreport.unschedule('dl_page'), autoreport.unschedule('dl_alert_holds'),
       autoreport.unschedule('dl_alert_quiet');
SELECT (SELECT count(*) FROM autoreport.delivery) AS deliveries, (SELECT count(*) FROM autoreport.job_destination) AS subscriptions;
SELECT count(autoreport.drop_destination(name)) FROM autoreport.destination;
SELECT autoreport.drop_report('dl_numbers');
DROP FUNCTION dl_wait(bigint);
DROP FUNCTION dl_error(text);
DROP TABLE dl_claimed;
DROP ROLE dl_admin, dl_alice, dl_bob, dl_team, dl_sidecar;
