// The launcher's decisions of due.hpp.
#include "schedules/due.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"

#include <algorithm>
#include <deque>

#include "common/pure.hpp"

namespace autoreport::schedules {

CatchUp parse_catch_up(std::string_view text) {
  if (text == "skip") {
    return CatchUp::skip;
  }
  if (text == "once") {
    return CatchUp::once;
  }
  if (text == "all") {
    return CatchUp::all;
  }
  throw Error(sqlstate::invalid_parameter_value, "catch_up must be skip, once or all");
}

DuePlan plan_due(const CronSchedule& s, const TimeZone& zone, int64_t last, int64_t now, CatchUp policy,
                 int64_t limit, int64_t grace, int64_t bound, int64_t keep_skipped) {
  DuePlan plan;
  std::deque<int64_t> window; // the latest `bound` instants in (last, now]
  int64_t dropped = 0;
  std::optional<int64_t> t = next_run(s, last, zone);
  if (s.every_seconds > 0 && now - last > s.every_seconds * bound) {
    // Jump ahead instead of walking millions of intervals: the skipped ones are counted, not listed.
    const int64_t first_kept = now - (now % s.every_seconds + s.every_seconds * (bound - 1));
    dropped = (first_kept - *t) / s.every_seconds;
    t = first_kept;
  }
  while (t && *t <= now) {
    check_interrupts();
    window.push_back(*t);
    if (static_cast<int64_t>(window.size()) > bound) {
      window.pop_front();
      ++dropped;
    }
    t = next_run(s, *t, zone);
  }
  plan.next = t;
  plan.truncated = dropped > 0;
  plan.skipped = dropped;
  if (window.empty()) {
    return plan;
  }
  const bool on_time = now - window.back() <= grace;
  int64_t keep = 0;
  switch (policy) {
  case CatchUp::skip:
    keep = on_time ? 1 : 0;
    break;
  case CatchUp::once:
    keep = 1;
    break;
  case CatchUp::all:
    keep = std::max<int64_t>(limit, on_time ? 1 : 0);
    break;
  }
  keep = std::min<int64_t>(keep, static_cast<int64_t>(window.size()));
  plan.skipped += static_cast<int64_t>(window.size()) - keep;
  plan.run.assign(window.end() - keep, window.end());
  const int64_t skipped_here = static_cast<int64_t>(window.size()) - keep;
  const int64_t listed = std::min(skipped_here, std::max<int64_t>(keep_skipped, 0));
  plan.skipped_latest.assign(window.end() - keep - listed, window.end() - keep);
  return plan;
}

int64_t retry_delay_ms(int attempt, uint64_t random) {
  constexpr int64_t kBase = 1000;
  constexpr int64_t kCap = 600000;
  const int doublings = std::clamp(attempt - 2, 0, 20);
  const int64_t full = std::min(kCap, kBase << doublings);
  const int64_t half = full / 2;
  return half + static_cast<int64_t>(random % static_cast<uint64_t>(half + 1));
}

} // namespace autoreport::schedules
