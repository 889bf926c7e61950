// The per-role budget of refused calls the audit log takes: a burst up to the rate, a steady refill,
// roles kept apart, and a table that never runs out of places.
#include "audit/refusals.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace autoreport::audit {
namespace {

constexpr int64_t kSecond = 1000000;

int admitted(RefusalTable& t, uint32_t role, int64_t now, int per_minute, int calls) {
  int n = 0;
  for (int i = 0; i < calls; ++i) {
    n += admit_refusal(t, role, now, per_minute) ? 1 : 0;
  }
  return n;
}

TEST(AuditRefusals, BurstUpToTheRateThenRefillsOverTheMinute) {
  auto t = std::make_unique<RefusalTable>();
  EXPECT_EQ(admitted(*t, 10, 0, 60, 1000), 60);
  EXPECT_EQ(admitted(*t, 10, 0, 60, 10), 0);
  EXPECT_EQ(admitted(*t, 10, 10 * kSecond, 60, 1000), 10);   // one a second
  EXPECT_EQ(admitted(*t, 10, 3600 * kSecond, 60, 1000), 60); // never more than a minute's worth
}

TEST(AuditRefusals, RolesHaveTheirOwnBudget) {
  auto t = std::make_unique<RefusalTable>();
  EXPECT_EQ(admitted(*t, 10, 0, 5, 100), 5);
  EXPECT_EQ(admitted(*t, 11, 0, 5, 100), 5);
  EXPECT_EQ(admitted(*t, 10, 0, 5, 100), 0);
}

TEST(AuditRefusals, ZeroLogsNoneAndLoweringTheRateTakesEffect) {
  auto t = std::make_unique<RefusalTable>();
  EXPECT_EQ(admitted(*t, 10, 0, 0, 100), 0);
  EXPECT_EQ(admitted(*t, 11, 0, 1000, 1), 1);
  EXPECT_EQ(admitted(*t, 11, 0, 3, 100), 3);
}

TEST(AuditRefusals, AClockGoingBackRefillsNothing) {
  auto t = std::make_unique<RefusalTable>();
  EXPECT_EQ(admitted(*t, 10, 100 * kSecond, 2, 100), 2);
  EXPECT_EQ(admitted(*t, 10, 0, 2, 100), 0);
}

TEST(AuditRefusals, AFullTableGivesUpTheRoleRefusedLongestAgo) {
  auto t = std::make_unique<RefusalTable>();
  for (uint32_t role = 1; role <= kRefusalRoles; ++role) {
    EXPECT_EQ(admitted(*t, role, role, 1, 5), 1);
  }
  // Role 1 was refused longest ago: a new role takes its place, the others keep their (empty) budget.
  EXPECT_EQ(admitted(*t, 1000, 1000, 1, 5), 1);
  EXPECT_EQ(admitted(*t, 2, 1001, 1, 5), 0);
  EXPECT_EQ(admitted(*t, kRefusalRoles, 1001, 1, 5), 0);
}

} // namespace
} // namespace autoreport::audit
