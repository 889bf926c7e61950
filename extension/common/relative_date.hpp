// Dates relative to an instant ("start of last month", "today - 7 days"): a small grammar, parsed and
// resolved in pure C++, never SQL. Schedules resolve a job's relative parameters at each run's scheduled
// time; report defaults may use them too.
//
// Grammar (case-insensitive; words separated by spaces; a sign may touch its number):
//   expression  base { ("+" | "-") N unit }          at most 8 terms, N from 0 to 100000
//   base        now | today | yesterday | tomorrow
//             | start of (this | last | next) (day | week | month | quarter | year)
//   unit        day | days | week | weeks | month | months | year | years
//
// Meaning, on the wall clock of the time zone it is resolved in:
//   now                    the instant itself (a date and a time of day)
//   today                  the start of the instant's local day (00:00); yesterday, tomorrow: a day off
//   start of this week     00:00 on the Monday of the current ISO week (weeks start on Monday)
//   start of last month    00:00 on the first day of the previous month; quarters start in January,
//                          April, July and October; "next" is the one after the current period
//   + N days | weeks       calendar days on the wall clock (so 00:00 stays 00:00 across a DST change)
//   + N months | years     the same day N months on, or that month's last day when it is shorter
//                          (January 31 + 1 month is February 28 or 29), as PostgreSQL adds intervals
// Terms apply left to right: "start of last month + 1 month - 1 day" is the last day of last month.
// Everything but "now" is a date at 00:00; as an instant it is the first moment of that local day (or
// the end of the gap when the clocks skip midnight).
#pragma once

#include "common/time_zone.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport {

struct RelativeDate {
  enum class Period { day, week, month, quarter, year };
  enum class Unit { days, weeks, months, years };
  struct Offset {
    int64_t amount; // signed
    Unit unit;
  };

  bool now = false;            // the instant itself; otherwise the start of a period
  Period period = Period::day; // the period whose start is the base
  int which = 0;               // -1 last, 0 this, +1 next
  std::vector<Offset> offsets; // in order

  // The expression in its canonical spelling: "start of last month + 1 day", "today - 7 days".
  std::string text() const;
};

// A local date and time of day: seconds since 1970-01-01 00:00 on the zone's wall clock.
struct LocalDateTime {
  int64_t local_seconds = 0;
  bool has_time = false; // "now" and what derives from it; a date (00:00) otherwise

  int64_t days() const;                        // days since 1970-01-01
  int64_t instant(const TimeZone& zone) const; // seconds since 1970-01-01 UTC
};

// Parses an expression; throws autoreport::Error 22023 saying what is wrong at which position.
RelativeDate parse_relative_date(std::string_view text);

// The expression's value at instant `at` (seconds since 1970-01-01 UTC) in `zone`. Throws 22008 when the
// result falls outside the years 1 to 9999.
LocalDateTime resolve(const RelativeDate& date, int64_t at, const TimeZone& zone);

} // namespace autoreport
