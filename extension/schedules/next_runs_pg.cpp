// autoreport.next_runs(cron, time_zone, after, n): the schedule evaluator itself, so that a user can
// preview when a schedule will run.
#include "common/convert_pg.hpp"
#include "common/runtime.hpp"
#include "common/time_zone_pg.hpp"
#include "schedules/cron.hpp"

extern "C" {
#include "utils/timestamp.h"
}

#include <array>

using namespace autoreport;
namespace pg = autoreport::pg;

namespace {
constexpr int32 kMaxRuns = 1000;
}

// autoreport.next_runs(cron text, time_zone text, after timestamptz, n integer) → SETOF timestamptz.
AUTOREPORT_FUNCTION(autoreport_next_runs) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3)) {
    throw Error(sqlstate::invalid_parameter_value, "cron, after and n must not be null");
  }
  const schedules::CronSchedule schedule = schedules::parse_schedule(pg::text_to_string(PG_GETARG_DATUM(0)));
  const pg::NamedZone zone =
      PG_ARGISNULL(1) ? pg::session_zone(false) : pg::find_zone(pg::text_to_string(PG_GETARG_DATUM(1)));
  const TimestampTz after = PG_GETARG_TIMESTAMPTZ(2);
  if (TIMESTAMP_NOT_FINITE(after)) {
    throw Error(sqlstate::invalid_parameter_value, "after must be a finite timestamp");
  }
  const int32 n = PG_GETARG_INT32(3);
  if (n < 1 || n > kMaxRuns) {
    throw Error(sqlstate::invalid_parameter_value, "n must be between 1 and " + std::to_string(kMaxRuns))
        .with_detail("It was " + std::to_string(n) + ".");
  }
  const pg::PgZone tz(zone.tz);
  pg::TupleSink sink(fcinfo, true);
  int64_t t = pg::to_unix_seconds(after);
  for (int32 i = 0; i < n; ++i) {
    check_interrupts();
    const std::optional<int64_t> next = schedules::next_run(schedule, t, tz);
    const std::optional<TimestampTz> at = next ? pg::from_unix_seconds(*next) : std::nullopt;
    if (!at) {
      break; // beyond timestamptz's range
    }
    const std::array<Datum, 1> values = {TimestampTzGetDatum(*at)};
    const std::array<bool, 1> nulls = {false};
    sink.put(values, nulls);
    t = *next;
  }
  return Datum(0);
}
