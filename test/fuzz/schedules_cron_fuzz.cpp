// Fuzz target for cron expressions: any text must parse or fail with autoreport::Error 22023, never
// crash or throw anything else; a parsed schedule's next run, in UTC, a fixed offset and a zone with
// daylight saving, is strictly after the instant asked about, and asking again from it moves forward.
#include "common/error.hpp"
#include "schedules/cron.hpp"
#include "summer_zone.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace autoreport;
using namespace autoreport::schedules;

using fuzz::SummerZone;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CronSchedule s;
  try {
    s = parse_cron(text);
  } catch (const Error& e) {
    if (e.sqlstate() != "22023") {
      std::abort();
    }
    return 0;
  }
  const FixedZone utc;
  const FixedZone kolkata(19800);
  const SummerZone summer;
  const TimeZone* zones[] = {&utc, &kolkata, &summer};
  const int64_t after = 1774800000; // 2026-03-29, a spring-forward night in Europe
  for (const TimeZone* zone : zones) {
    const std::optional<int64_t> first = next_run(s, after, *zone);
    if (!first) {
      continue;
    }
    if (*first <= after) {
      std::abort();
    }
    const std::optional<int64_t> second = next_run(s, *first, *zone);
    if (second && *second <= *first) {
      std::abort();
    }
  }
  return 0;
}
