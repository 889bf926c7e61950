// What a database's scheduler decides for a job each time it wakes: which scheduled instants to run
// now, which were missed and are skipped under the job's catch-up policy, and when to wake next; and
// how long a failed attempt waits before the next one. Pure decisions, unit-tested.
#pragma once

#include "schedules/cron.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace autoreport::schedules {

enum class CatchUp { skip, once, all };

// "skip", "once" or "all" (as job options spell them); 22023 otherwise.
CatchUp parse_catch_up(std::string_view text);

struct DuePlan {
  std::vector<int64_t> run;            // instants to run now, oldest first
  int64_t skipped = 0;                 // instants in the window that are not run
  std::vector<int64_t> skipped_latest; // the latest of those (at most `keep_skipped`), oldest first
  std::optional<int64_t> next;         // the first instant after `now`
  bool truncated = false; // more than the enumeration bound were due: the oldest were not counted
};

// The instants of schedule `s` in (last, now] (seconds since 1970-01-01 UTC) and what to do with them:
//   an instant at most `grace` seconds old is on time and always runs;
//   skip  runs only an on-time instant; every older one is skipped
//   once  runs the latest instant, on time or not; the older ones are skipped
//   all   runs the `limit` latest instants, oldest first; older ones are skipped
// At most `bound` instants are kept (the latest ones): an "every N" schedule jumps over the older ones,
// so a job every second after a week down costs bounded memory and work; a cron expression walks them
// one step per instant, checking for interrupts.
// The latest `keep_skipped` skipped instants are listed too, so that they can be recorded.
DuePlan plan_due(const CronSchedule& s, const TimeZone& zone, int64_t last, int64_t now, CatchUp policy,
                 int64_t limit, int64_t grace, int64_t bound = 100000, int64_t keep_skipped = 100);

// Milliseconds before attempt `attempt` (2 for the first retry) of a failed run: exponential from one
// second, doubling per attempt, capped at ten minutes, with "equal jitter" (half fixed, half drawn from
// `random`) so that jobs failing together do not retry together.
int64_t retry_delay_ms(int attempt, uint64_t random);

} // namespace autoreport::schedules
