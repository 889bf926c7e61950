// Time zones as pure code needs them: the offset from UTC in force at an instant, and the rule that
// turns a local wall-clock time into one instant. Schedules (cron) and relative dates share them; the
// zone backed by PostgreSQL's tz database is common/time_zone_pg.hpp.
#pragma once

#include <cstdint>

namespace autoreport {

// A time zone: the offset from UTC, in seconds, in force at an instant (seconds since 1970-01-01 UTC).
class TimeZone {
public:
  virtual ~TimeZone() = default;
  virtual int32_t utc_offset(int64_t utc_seconds) const = 0;
};

// UTC itself, and any zone with a fixed offset.
class FixedZone final : public TimeZone {
public:
  explicit FixedZone(int32_t offset_seconds = 0) : offset_(offset_seconds) {}
  int32_t utc_offset(int64_t) const override { return offset_; }

private:
  int32_t offset_;
};

// The instant of a local wall-clock time (seconds since 1970-01-01 00:00 local): its only occurrence;
// its first one when clocks fell back over it; the first instant after the gap when clocks sprang
// forward over it (02:30 on a night that skips from 02:00 to 03:00 becomes 03:00).
int64_t local_to_utc(int64_t local_seconds, const TimeZone& zone);

} // namespace autoreport
