// Civil dates from day numbers and back, and their texts.
#include "common/calendar.hpp"

#include <cstdio>
#include <cstdlib>

#include "common/pure.hpp"

namespace autoreport {

int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = floor_div(year, 400);
  const int64_t yoe = year - era * 400;                                   // [0, 399]
  const int64_t mp = (static_cast<int64_t>(month) + 9) % 12;              // March = 0
  const int64_t doy = (153 * mp + 2) / 5 + static_cast<int64_t>(day) - 1; // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;              // [0, 146096]
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(int64_t days) {
  days += 719468;
  const int64_t era = floor_div(days, 146097);
  const int64_t doe = days - era * 146097;                                   // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                    // [0, 11]
  CivilDate date;
  date.day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  date.month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  date.year = yoe + era * 400 + (date.month <= 2 ? 1 : 0);
  return date;
}

std::string format_date(int64_t days) {
  const CivilDate d = civil_from_days(days);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%s%04lld-%02u-%02u", d.year < 0 ? "-" : "",
                static_cast<long long>(std::llabs(d.year)), d.month, d.day);
  return buffer;
}

std::string format_date_time(int64_t seconds, bool with_seconds) {
  const int64_t day_seconds = floor_mod(seconds, 86400);
  char buffer[32];
  if (with_seconds) {
    std::snprintf(buffer, sizeof buffer, " %02d:%02d:%02d", static_cast<int>(day_seconds / 3600),
                  static_cast<int>(day_seconds / 60 % 60), static_cast<int>(day_seconds % 60));
  } else {
    std::snprintf(buffer, sizeof buffer, " %02d:%02d", static_cast<int>(day_seconds / 3600),
                  static_cast<int>(day_seconds / 60 % 60));
  }
  return format_date(floor_div(seconds, 86400)) + buffer;
}

} // namespace autoreport
