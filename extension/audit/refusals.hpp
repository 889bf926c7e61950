// How many refused calls of each role the audit log takes: a token bucket per role, so that a role
// calling reports it may not run (or with parameters that are refused) cannot fill the disk through
// the log. Plain data over memory the caller provides (shared memory, under the audit lock); nothing
// here allocates or throws.
#pragma once

#include <cstddef>
#include <cstdint>

namespace autoreport::audit {

// One role's budget. role 0: unused.
struct RefusalBucket {
  uint32_t role;
  double tokens;   // refused calls it may still have logged now
  int64_t last_us; // when tokens was last brought up to date (microseconds, any epoch)
};

// Roles tracked at once; when all are taken, the one refused longest ago gives its place up (its
// budget starts full again when it comes back).
inline constexpr size_t kRefusalRoles = 128;

struct RefusalTable {
  RefusalBucket buckets[kRefusalRoles];
};

// Whether a refused call of role, at now_us, may be logged: each role may have per_minute refused
// calls logged in any minute (in a burst or spread out), the budget refilling continuously. Takes one
// from the budget when it answers true. per_minute 0 logs none.
bool admit_refusal(RefusalTable& table, uint32_t role, int64_t now_us, int per_minute) noexcept;

} // namespace autoreport::audit
