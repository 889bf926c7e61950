// Proleptic Gregorian calendar arithmetic (chart axes, forecast timestamps): days since 1970-01-01 to and
// from year-month-day, and the ISO 8601 texts of dates and times.
#pragma once

#include <cstdint>
#include <string>

namespace autoreport {

struct CivilDate {
  int64_t year = 1970; // astronomical: 0 is 1 BC
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31
};

// Days since 1970-01-01 of a date (Howard Hinnant's algorithm, exact for every int64 year that fits).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

// The date of a day number; inverse of days_from_civil.
CivilDate civil_from_days(int64_t days);

// "YYYY-MM-DD" (years beyond 9999 get more digits, years before 1 a minus sign).
std::string format_date(int64_t days);

// "YYYY-MM-DD HH:MM" or, with seconds, "YYYY-MM-DD HH:MM:SS", of seconds since 1970-01-01 00:00.
std::string format_date_time(int64_t seconds, bool with_seconds);

// Floor division and the matching non-negative remainder.
inline int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}
inline int64_t floor_mod(int64_t a, int64_t b) {
  return a - floor_div(a, b) * b;
}

} // namespace autoreport
