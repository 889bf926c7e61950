// Conversion of dates and timestamps to Excel serial numbers.
#include "render/excel_date.hpp"

#include "common/pure.hpp"

namespace autoreport::render {

namespace {
// 1900-03-01 and 9999-12-31 as days since 1970-01-01: the dates Excel shows without surprises.
constexpr int64_t first_day = 61 - excel_unix_epoch;
constexpr int64_t last_day = 2958465 - excel_unix_epoch;
constexpr int64_t micros_per_day = 86400LL * 1000000LL;
} // namespace

std::optional<double> excel_serial_from_days(int64_t days) {
  if (days < first_day || days > last_day) {
    return std::nullopt;
  }
  return static_cast<double>(days + excel_unix_epoch);
}

std::optional<double> excel_serial_from_micros(int64_t micros) {
  // Floor division, so that times before 1970 keep a non-negative time of day.
  int64_t days = micros / micros_per_day;
  int64_t rest = micros % micros_per_day;
  if (rest < 0) {
    rest += micros_per_day;
    --days;
  }
  const std::optional<double> day = excel_serial_from_days(days);
  if (!day) {
    return std::nullopt;
  }
  return *day + static_cast<double>(rest) / static_cast<double>(micros_per_day);
}

} // namespace autoreport::render
