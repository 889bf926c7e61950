-- Run on an instance where autoreport is NOT in shared_preload_libraries.
CREATE EXTENSION autoreport;

-- What needs no shared memory works.
SELECT autoreport.version() LIKE 'autoreport 1.0 %' AS version_works;

-- What needs shared memory says so, and names the setting that fixes it.
SELECT * FROM autoreport.progress;
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.progress_begin('load', 'orders', 10);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.progress_update(1);
\echo :LAST_ERROR_SQLSTATE
SELECT autoreport.progress_end();
\echo :LAST_ERROR_SQLSTATE
