// The per-role budget of refused calls the audit log takes (see refusals.hpp).
#include "audit/refusals.hpp"

#include <algorithm>

#include "common/pure.hpp"

namespace autoreport::audit {

namespace {
constexpr double kMicrosPerMinute = 60e6;

// The bucket of role, or the place for it (a free one, or the one refused longest ago, reset).
RefusalBucket& bucket_of(RefusalTable& table, uint32_t role, double full, int64_t now_us) noexcept {
  RefusalBucket* found = nullptr;
  RefusalBucket* oldest = nullptr;
  for (RefusalBucket& b : table.buckets) {
    if (b.role == role) {
      return b;
    }
    if (found == nullptr && b.role == 0) {
      found = &b;
    }
    if (oldest == nullptr || b.last_us < oldest->last_us) {
      oldest = &b;
    }
  }
  RefusalBucket& b = found != nullptr ? *found : *oldest;
  b = RefusalBucket{role, full, now_us};
  return b;
}
} // namespace

bool admit_refusal(RefusalTable& table, uint32_t role, int64_t now_us, int per_minute) noexcept {
  if (per_minute <= 0) {
    return false;
  }
  const double full = per_minute;
  RefusalBucket& b = bucket_of(table, role, full, now_us);
  if (now_us > b.last_us) {
    b.tokens = std::min(full, b.tokens + static_cast<double>(now_us - b.last_us) * full / kMicrosPerMinute);
  }
  // A clock that went back refills nothing, and does not hold the next refill back either.
  b.last_us = now_us;
  b.tokens = std::min(b.tokens, full); // the setting may have been lowered
  if (b.tokens < 1) {
    return false;
  }
  b.tokens -= 1;
  return true;
}

} // namespace autoreport::audit
