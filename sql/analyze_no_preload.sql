-- Without shared_preload_libraries, slow-query capture says what it needs; what_if still works.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
SELECT * FROM autoreport.captured_queries;
SELECT autoreport.clear_captured();
SELECT * FROM autoreport.capture_info();
SHOW autoreport.capture_min_duration;
SELECT cost_before > 0 AS planned FROM autoreport.what_if('SELECT 1', '{}');
