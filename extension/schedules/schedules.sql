-- autoreport: schedules.

CREATE FUNCTION @extschema@.next_runs(cron text, time_zone text DEFAULT NULL, after timestamptz DEFAULT now(),
                                      n integer DEFAULT 5)
  RETURNS SETOF timestamptz
  LANGUAGE c STABLE PARALLEL SAFE ROWS 5
  AS 'MODULE_PATHNAME', 'autoreport_next_runs';
COMMENT ON FUNCTION @extschema@.next_runs(text, text, timestamptz, integer) IS
  'the next n instants after `after` at which a cron expression runs in a time zone (the session''s when NULL)';
