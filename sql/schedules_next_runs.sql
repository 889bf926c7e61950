-- autoreport.next_runs(): when a cron expression runs, in IANA time zones, across daylight-saving
-- transitions in both hemispheres and with a 30-minute offset, on leap days and month ends; and the
-- errors for bad expressions, unknown zones and bad arguments. Instants are shown in UTC next to the
-- zone's wall-clock time, so that both the rule and the instant are visible.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS autoreport;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE FUNCTION runs(cron text, zone text, after timestamptz, n integer DEFAULT 5)
  RETURNS TABLE (utc timestamptz, local timestamp, utc_offset interval)
  LANGUAGE sql AS $$
    SELECT t, t AT TIME ZONE zone, (t AT TIME ZONE zone) - (t AT TIME ZONE 'UTC')
      FROM autoreport.next_runs(cron, zone, after, n) AS t $$;

-- Europe/Berlin springs forward on 2026-03-29 at 02:00 CET to 03:00 CEST: 02:30 does not exist that
-- night and runs once, at 03:00 CEST, the first instant after the gap.
SELECT * FROM runs('30 2 * * *', 'Europe/Berlin', '2026-03-27 12:00Z', 4);
-- ... and falls back on 2026-10-25 at 03:00 CEST to 02:00 CET: 02:30 happens twice and runs once, at
-- its first occurrence (CEST).
SELECT * FROM runs('30 2 * * *', 'Europe/Berlin', '2026-10-24 12:00Z', 3);
-- Hourly across the fall-back night: the repeated 02:00 runs once, so that UTC hour is skipped.
SELECT * FROM runs('0 * * * *', 'Europe/Berlin', '2026-10-24 23:30Z', 4);
-- "every N minutes" runs on absolute time: every 30 minutes of UTC, through the repeated hour too.
SELECT * FROM runs('every 30 minutes', 'Europe/Berlin', '2026-10-25 00:00Z', 5);
-- Hourly across the spring-forward night: 02:00 does not exist; 01:00 and 03:00 run, 02:00 runs once
-- at 03:00 (no instant twice).
SELECT * FROM runs('0 * * * *', 'Europe/Berlin', '2026-03-28 23:30Z', 4);

-- Australia/Sydney (southern hemisphere): falls back on 2026-04-05 at 03:00 AEDT to 02:00 AEST, springs
-- forward on 2026-10-04 at 02:00 AEST to 03:00 AEDT.
SELECT * FROM runs('30 2 * * *', 'Australia/Sydney', '2026-04-03 12:00Z', 3);
SELECT * FROM runs('30 2 * * *', 'Australia/Sydney', '2026-10-02 12:00Z', 3);

-- Australia/Adelaide (+10:30 / +9:30): the same nights, half an hour off UTC's hours.
SELECT * FROM runs('15 2 * * *', 'Australia/Adelaide', '2026-10-02 12:00Z', 3);
SELECT * FROM runs('15 2 * * *', 'Australia/Adelaide', '2026-04-03 12:00Z', 3);
-- Asia/Kolkata (+5:30, no daylight saving): 09:00 local is 03:30 UTC every day.
SELECT * FROM runs('0 9 * * MON-FRI', 'Asia/Kolkata', '2026-03-27 00:00Z', 3);

-- Leap days: February 29 only in leap years (2100 is not one).
SELECT * FROM runs('0 0 29 2 *', 'UTC', '2026-01-01 00:00Z', 3);
SELECT * FROM runs('0 0 29 2 *', 'UTC', '2096-03-01 00:00Z', 2);
-- Month ends: L is each month's last day; day 31 skips the months that lack it; LW the last weekday.
SELECT * FROM runs('0 12 L * *', 'UTC', '2028-01-15 00:00Z', 4);
SELECT * FROM runs('0 0 31 * *', 'UTC', '2026-01-01 00:00Z', 4);
SELECT * FROM runs('0 18 LW * *', 'Europe/Berlin', '2026-01-01 00:00Z', 3);
-- Vixie cron: day of month and day of week both restricted means either (each 13th, and each Friday).
SELECT * FROM runs('0 0 13 * FRI', 'UTC', '2026-03-01 00:00Z', 4);
-- Six fields: seconds first.
SELECT * FROM runs('*/20 0 9 * * *', 'UTC', '2026-01-01 00:00Z', 4);
-- Macros, and case-insensitive zone names.
SELECT * FROM autoreport.next_runs('@monthly', 'europe/berlin', '2026-01-15 00:00Z', 2);
-- The session's zone when time_zone is NULL; after defaults to now(), n to 5.
SET timezone = 'America/New_York';
SELECT * FROM autoreport.next_runs('0 9 * * *', NULL, '2026-03-07 00:00Z', 3);
SET timezone = 'UTC';
SELECT count(*) AS default_n, bool_and(t > now()) AS all_after_now FROM autoreport.next_runs('@hourly') AS t;
-- A fraction of a second: the next run is still strictly after `after`.
SELECT * FROM autoreport.next_runs('* * * * * *', 'UTC', '2026-01-01 00:00:00.5Z', 2);
-- The end of timestamptz's range ends the set early.
SELECT * FROM autoreport.next_runs('@yearly', 'UTC', '294275-06-01 00:00Z', 5);

-- Errors (22023), each naming what is wrong.
SELECT * FROM autoreport.next_runs('0 0 30 2 *', 'UTC');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.next_runs('0 25 * * *', 'UTC');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.next_runs('0 0 * JAN-FOO *', 'UTC');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.next_runs('0 0 * *', 'UTC');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.next_runs('@sometimes', 'UTC');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.next_runs('every 0 minutes', 'UTC');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.next_runs('@daily', 'Mars/Olympus_Mons');
\echo :LAST_ERROR_SQLSTATE
-- PostgreSQL's TimeZone accepts offsets and POSIX rules; a schedule's zone must be an IANA name.
SELECT * FROM autoreport.next_runs('@daily', '+02');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.next_runs('@daily', 'CET-1CEST,M3.5.0,M10.5.0/3');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.next_runs('@daily', '');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.next_runs('@daily', 'UTC', 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.next_runs('@daily', 'UTC', now(), 0);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.next_runs('@daily', 'UTC', now(), 1001);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.next_runs(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM autoreport.next_runs('@daily', 'UTC', NULL);
\echo :LAST_ERROR_SQLSTATE
-- The most it returns at once.
SELECT count(*) AS max_n FROM autoreport.next_runs('* * * * * *', 'UTC', now(), 1000);

DROP FUNCTION runs(text, text, timestamptz, integer);
