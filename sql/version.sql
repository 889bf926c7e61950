-- The extension installs, says what it is, and creates what later capabilities need.
CREATE EXTENSION autoreport;

SELECT autoreport.version() ~ '^autoreport 1\.0 \(revision ([0-9a-f]{12}(-dirty)?|unknown), built for PostgreSQL 15\.[0-9]+'
  AS version_says_what_it_is;

-- The schema is the extension's and its functions are there for everyone to call.
SELECT nspname, pg_get_userbyid(nspowner) <> '' AS has_owner
  FROM pg_namespace WHERE nspname = 'autoreport';
SELECT has_schema_privilege('public', 'autoreport', 'USAGE') AS public_usage;

-- The admin role exists and cannot log in.
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = 'autoreport_admin';

-- Dropping and creating again works, and the role (cluster-wide, maybe granted elsewhere) stays.
DROP EXTENSION autoreport;
SELECT count(*) AS role_kept FROM pg_roles WHERE rolname = 'autoreport_admin';
CREATE EXTENSION autoreport;

-- The autoreport.* namespace of settings is reserved: a misspelt setting is refused.
SET autoreport.no_such_setting = 'on';
\echo :LAST_ERROR_SQLSTATE
