-- What the audit log keeps of calls that fail (extension/audit/audit_pg.hpp, record_run):
--   1. a refused call (no such report, no EXECUTE) keeps its name, cut to 63 bytes, and its SQLSTATE,
--      none of the parameters, format or text the caller chose;
--   2. calls failing before the query runs are logged at most autoreport.audit_refusals_per_minute
--      times per role and minute (a superuser's setting), the rest counted in audit_status;
--   3. an error raised while the report reads data keeps its SQLSTATE, not its text: the text may
--      quote a value that row-level security hides from the administrators who read the log, while
--      the caller still gets it in full.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
SELECT autoreport.audit_flush('2 min') AS flushed;
TRUNCATE autoreport.runs;

CREATE ROLE audit_mallory;
CREATE ROLE audit_alice;
CREATE ROLE audit_admin IN ROLE autoreport_admin;
CREATE TABLE audit_secrets (owner name NOT NULL, secret text NOT NULL);
INSERT INTO audit_secrets VALUES ('audit_alice', 'topsecret'), ('audit_alice', '42');
ALTER TABLE audit_secrets ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON audit_secrets USING (owner = current_user);
GRANT SELECT ON audit_secrets TO audit_alice, audit_admin;
SELECT autoreport.define_report('audit_secret_ints',
  $$SELECT secret::int AS n FROM audit_secrets WHERE length(secret) >= :min_length ORDER BY n$$,
  '{"min_length": {"type": "integer", "default": 1}}') AS version;
GRANT EXECUTE ON FUNCTION reports.audit_secret_ints(integer) TO audit_alice;

-- 1. Refused calls: 6 kB of parameters and a 300-byte name are not what the log keeps.
SET ROLE audit_mallory;
SELECT autoreport.run(repeat('x', 300), jsonb_build_object('junk', repeat('j', 6000)));
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.run('audit_secret_ints', jsonb_build_object('junk', repeat('j', 6000)));
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.render('audit_secret_ints', jsonb_build_object('junk', repeat('j', 6000)),
                         'xlsx-' || repeat('f', 100));
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.run(NULL, '{}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT autoreport.audit_flush('2 min') AS flushed;
SELECT role_name, octet_length(report) AS report_bytes, left(report, 20) AS report, version, params,
       params_truncated, format, rows, error_sqlstate, error_message
  FROM autoreport.runs ORDER BY id;

-- A call the caller may make but with parameters that are refused keeps them (they are its own input)
-- and the error text, which echoes only that input.
SET ROLE audit_alice;
SELECT autoreport.run('audit_secret_ints', '{"min_length": "long"}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT autoreport.audit_flush('2 min') AS flushed;
SELECT report, version, params, error_sqlstate, error_message FROM autoreport.runs ORDER BY id DESC LIMIT 1;

-- 2. The budget of refused calls per role: only a superuser sets it.
SET ROLE audit_mallory;
SET autoreport.audit_refusals_per_minute = 1000000;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET autoreport.audit_refusals_per_minute = 5;
SELECT refusals_dropped AS dropped_before FROM autoreport.audit_status WHERE datname = current_database() \gset
SELECT max(id) AS before_flood FROM autoreport.runs \gset
SET ROLE audit_mallory;
DO $$
BEGIN
  FOR i IN 1..40 LOOP
    BEGIN
      PERFORM autoreport.run('audit_no_such_report_' || i, jsonb_build_object('junk', repeat('j', 6000)));
    EXCEPTION WHEN undefined_object THEN
      NULL;
    END;
  END LOOP;
END $$;
-- Another role has a budget of its own; runs that get to their query are never held back.
SET ROLE audit_alice;
SELECT autoreport.run('audit_no_such_report_alice');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM reports.audit_secret_ints(min_length => 100);
RESET ROLE;
SELECT autoreport.audit_flush('2 min') AS flushed;
SELECT role_name, count(*) AS logged, count(*) FILTER (WHERE params IS NULL) AS without_params
  FROM autoreport.runs WHERE id > :before_flood GROUP BY role_name ORDER BY role_name;
SELECT refusals_dropped - :dropped_before AS refusals_dropped
  FROM autoreport.audit_status WHERE datname = current_database();
RESET autoreport.audit_refusals_per_minute;
-- The counter is for administrators: the view stays closed to others.
SET ROLE audit_mallory;
SELECT refusals_dropped FROM autoreport.audit_status;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- 3. An error raised while the report reads a row that row-level security shows the caller only.
--    The caller gets the full text, with the value; the log keeps the SQLSTATE and a fixed text.
SET ROLE audit_alice;
SELECT * FROM reports.audit_secret_ints();
SELECT autoreport.run('audit_secret_ints', '{}');
SELECT autoreport.render('audit_secret_ints', '{}', 'csv');
SELECT count(*) FROM autoreport.render_chunks('audit_secret_ints', '{}', 'json');
RESET ROLE;
SELECT autoreport.audit_flush('2 min') AS flushed;
-- An administrator who is not a superuser sees neither the row nor its value in the log.
SET ROLE audit_admin;
SELECT count(*) AS secrets_visible FROM audit_secrets;
SELECT role_name, report, format, params, error_sqlstate, error_message,
       error_message LIKE '%topsecret%' AS leaks
  FROM autoreport.run_log WHERE error_sqlstate = '22P02' ORDER BY id;
RESET ROLE;

TRUNCATE autoreport.runs;
SELECT autoreport.drop_report('audit_secret_ints');
DROP TABLE audit_secrets;
DROP ROLE audit_mallory;
DROP ROLE audit_alice;
DROP ROLE audit_admin;
