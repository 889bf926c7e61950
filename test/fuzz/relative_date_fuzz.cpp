// Fuzz target for relative dates: any text must parse or fail with autoreport::Error 22023, never crash
// or throw anything else; a parsed expression's canonical text parses to the same canonical text, and
// resolving it at several instants, in UTC and a zone with daylight saving, gives a value or 22008.
#include "common/error.hpp"
#include "common/relative_date.hpp"
#include "summer_zone.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace autoreport;

using fuzz::SummerZone;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  RelativeDate date;
  try {
    date = parse_relative_date(text);
  } catch (const Error& e) {
    if (e.sqlstate() != "22023") {
      std::abort();
    }
    return 0;
  }
  const std::string canonical = date.text();
  if (parse_relative_date(canonical).text() != canonical) {
    std::abort();
  }
  const FixedZone utc;
  const SummerZone summer;
  const TimeZone* zones[] = {&utc, &summer};
  // 1970, 2026-03-29 (a spring-forward night), 9999-12-31.
  const int64_t instants[] = {0, 1774800000, 253402214400};
  for (const TimeZone* zone : zones) {
    for (const int64_t at : instants) {
      try {
        const LocalDateTime v = resolve(date, at, *zone);
        (void)v.instant(*zone);
      } catch (const Error& e) {
        if (e.sqlstate() != "22008") {
          std::abort();
        }
      }
    }
  }
  return 0;
}
