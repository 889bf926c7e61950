// The local-time rule of time_zone.hpp.
#include "common/time_zone.hpp"

#include <algorithm>
#include <optional>

#include "common/pure.hpp"

namespace autoreport {

int64_t local_to_utc(int64_t local, const TimeZone& zone) {
  // Offsets in force on either side (no zone changes its offset twice within 14 hours).
  const int32_t before = zone.utc_offset(local - 50400);
  const int32_t after = zone.utc_offset(local + 50400);
  std::optional<int64_t> best;
  for (const int32_t offset : {before, after}) {
    const int64_t u = local - offset;
    if (u + zone.utc_offset(u) == local && (!best || u < *best)) {
      best = u;
    }
  }
  if (best) {
    return *best;
  }
  // In a gap: the first instant whose local time is past `local`, between the two candidates.
  int64_t lo = local - std::max(before, after);
  int64_t hi = local - std::min(before, after);
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (mid + zone.utc_offset(mid) > local) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

} // namespace autoreport
