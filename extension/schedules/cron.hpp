// Cron expressions: parsed and evaluated in pure C++ (no PostgreSQL), in any time zone.
//
// Grammar (case-insensitive):
//   five fields    minute hour day-of-month month day-of-week
//   six fields     second minute hour day-of-month month day-of-week
//   each field     a comma list of: *  ?  N  N-M  */S  N-M/S  N/S (from N to the field's end, step S)
//   month          1-12 or JAN..DEC;  day of week  0-7 (0 and 7 are Sunday) or SUN..SAT
//   day of month   also L (the last day), LW (the last weekday, Monday to Friday), NW (the weekday
//                  nearest day N, within its month)
//   day of week    also D#K (the K-th weekday D of the month, K 1-5) and DL (the last weekday D)
//   macros         @yearly (@annually), @monthly, @weekly, @daily (@midnight), @hourly
//   intervals      every N seconds|minutes|hours (singular too): on absolute time, at the multiples
//                  of N seconds since 1970-01-01 00:00 UTC, whatever the time zone
//
// As in Vixie cron, when both day of month and day of week are restricted (neither is * or ?), a day
// matches when either matches: "0 0 13 * FRI" runs on every 13th and on every Friday.
//
// Times are local to the schedule's zone. A local time that does not exist (the hour skipped when
// clocks spring forward) runs once, at the first instant after the gap; a local time that occurs twice
// (clocks fall back) runs once, at its first occurrence.
#pragma once

#include "common/time_zone.hpp"

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::schedules {

// Zones are common/time_zone.hpp's.
using autoreport::FixedZone;
using autoreport::TimeZone;

struct CronSchedule {
  // An interval schedule ("every N ..."): the period in seconds; 0 for a cron expression.
  int64_t every_seconds = 0;

  std::bitset<60> seconds;
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;                         // 1..31
  std::bitset<13> months;                       // 1..12
  std::bitset<7> weekdays;                      // 0 = Sunday
  bool days_restricted = false;                 // day of month is not * or ?
  bool weekdays_restricted = false;             // day of week is not * or ?
  bool last_day = false;                        // L
  bool last_weekday = false;                    // LW
  std::vector<int> nearest_weekday;             // NW: each N
  std::vector<std::pair<int, int>> nth_weekday; // D#K: (D, K)
  std::vector<int> last_of_weekday;             // DL: each D
};

// Parses an expression; throws autoreport::Error 22023 naming the field and the 1-based position of
// what is wrong ("invalid cron expression ... : field 3 (day of month) at position 9: ...").
CronSchedule parse_cron(std::string_view text);

// parse_cron(), and also refuses (22023) an expression that never runs, such as "0 0 30 2 *" (no
// date of the 400-year Gregorian cycle has the day, month and weekday it asks for).
CronSchedule parse_schedule(std::string_view text);

// Does the schedule's day part match the civil date? (weekday: 0 = Sunday)
bool matches_day(const CronSchedule& s, int64_t year, unsigned month, unsigned day);

// The first instant strictly after `after` (seconds since 1970-01-01 UTC) at which the schedule runs in
// zone `zone`, or nothing when it never runs within the next 400 years (a Gregorian cycle: it never
// runs at all, like "0 0 30 2 *").
std::optional<int64_t> next_run(const CronSchedule& s, int64_t after, const TimeZone& zone);

} // namespace autoreport::schedules
