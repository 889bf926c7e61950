// The launcher's decisions: which instants run after a pause or an outage under each catch-up policy,
// and how retries back off.
#include "common/calendar.hpp"
#include "common/error.hpp"
#include "schedules/due.hpp"

#include <gtest/gtest.h>

namespace autoreport::schedules {
namespace {

int64_t utc(int64_t y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

const FixedZone kUtc;
const CronSchedule kHourly = parse_cron("0 * * * *");

TEST(Due, OnTimeRunsUnderEveryPolicy) {
  const int64_t last = utc(2026, 5, 1, 9);
  const int64_t now = utc(2026, 5, 1, 10, 0, 2); // 2 s after 10:00
  for (const CatchUp p : {CatchUp::skip, CatchUp::once, CatchUp::all}) {
    const DuePlan plan = plan_due(kHourly, kUtc, last, now, p, 100, 60);
    ASSERT_EQ(plan.run.size(), 1u);
    EXPECT_EQ(plan.run[0], utc(2026, 5, 1, 10));
    EXPECT_EQ(plan.skipped, 0);
    EXPECT_EQ(plan.next, utc(2026, 5, 1, 11));
  }
}

TEST(Due, NothingDue) {
  const DuePlan plan =
      plan_due(kHourly, kUtc, utc(2026, 5, 1, 10), utc(2026, 5, 1, 10, 59), CatchUp::all, 5, 60);
  EXPECT_TRUE(plan.run.empty());
  EXPECT_EQ(plan.skipped, 0);
  EXPECT_EQ(plan.next, utc(2026, 5, 1, 11));
}

// The server was down from 09:00 to 14:30: 10:00 ... 14:00 were missed (5 instants).
TEST(Due, AfterAnOutage) {
  const int64_t last = utc(2026, 5, 1, 9);
  const int64_t now = utc(2026, 5, 1, 14, 30);
  const DuePlan skip = plan_due(kHourly, kUtc, last, now, CatchUp::skip, 100, 60);
  EXPECT_TRUE(skip.run.empty());
  EXPECT_EQ(skip.skipped, 5);
  const DuePlan once = plan_due(kHourly, kUtc, last, now, CatchUp::once, 100, 60);
  ASSERT_EQ(once.run.size(), 1u);
  EXPECT_EQ(once.run[0], utc(2026, 5, 1, 14));
  EXPECT_EQ(once.skipped, 4);
  const DuePlan all = plan_due(kHourly, kUtc, last, now, CatchUp::all, 100, 60);
  EXPECT_EQ(all.run, (std::vector<int64_t>{utc(2026, 5, 1, 10), utc(2026, 5, 1, 11), utc(2026, 5, 1, 12),
                                           utc(2026, 5, 1, 13), utc(2026, 5, 1, 14)}));
  const DuePlan bounded = plan_due(kHourly, kUtc, last, now, CatchUp::all, 2, 60);
  EXPECT_EQ(bounded.run, (std::vector<int64_t>{utc(2026, 5, 1, 13), utc(2026, 5, 1, 14)}));
  EXPECT_EQ(bounded.skipped, 3);
  EXPECT_EQ(bounded.next, utc(2026, 5, 1, 15));
  // The skipped instants are listed (the latest ones) so that the scheduler can record them.
  EXPECT_EQ(skip.skipped_latest,
            (std::vector<int64_t>{utc(2026, 5, 1, 10), utc(2026, 5, 1, 11), utc(2026, 5, 1, 12),
                                  utc(2026, 5, 1, 13), utc(2026, 5, 1, 14)}));
  EXPECT_EQ(once.skipped_latest, (std::vector<int64_t>{utc(2026, 5, 1, 10), utc(2026, 5, 1, 11),
                                                       utc(2026, 5, 1, 12), utc(2026, 5, 1, 13)}));
  const DuePlan listed_two = plan_due(kHourly, kUtc, last, now, CatchUp::skip, 100, 60, 100000, 2);
  EXPECT_EQ(listed_two.skipped, 5);
  EXPECT_EQ(listed_two.skipped_latest, (std::vector<int64_t>{utc(2026, 5, 1, 13), utc(2026, 5, 1, 14)}));
}

TEST(Due, AWeekDownEverySecondIsBoundedWork) {
  const CronSchedule every = parse_cron("every 1 second");
  const int64_t last = utc(2026, 5, 1);
  const int64_t now = utc(2026, 5, 8);
  const DuePlan plan = plan_due(every, kUtc, last, now, CatchUp::all, 3, 60, 1000);
  EXPECT_EQ(plan.run, (std::vector<int64_t>{now - 2, now - 1, now}));
  EXPECT_EQ(plan.skipped, 7 * 86400 - 3);
  EXPECT_TRUE(plan.truncated);
  EXPECT_EQ(plan.skipped_latest.size(), 100u);
  EXPECT_EQ(plan.skipped_latest.back(), now - 3);
  const DuePlan cron_every_second =
      plan_due(parse_cron("* * * * * *"), kUtc, last, now, CatchUp::skip, 1, 60, 1000);
  EXPECT_EQ(cron_every_second.run, (std::vector<int64_t>{now}));
  EXPECT_EQ(cron_every_second.skipped, 7 * 86400 - 1);
}

TEST(Due, RetryBackoff) {
  EXPECT_EQ(retry_delay_ms(2, 0), 500);
  EXPECT_EQ(retry_delay_ms(2, 500), 1000);
  EXPECT_EQ(retry_delay_ms(3, 0), 1000);
  EXPECT_EQ(retry_delay_ms(5, 0), 4000);
  EXPECT_EQ(retry_delay_ms(30, 0), 300000); // capped at ten minutes, half of it fixed
  EXPECT_LE(retry_delay_ms(30, ~0ull), 600000);
  for (uint64_t r = 0; r < 1000; r += 37) {
    EXPECT_GE(retry_delay_ms(4, r), 2000); // third retry: 4 s, half of it drawn
    EXPECT_LE(retry_delay_ms(4, r), 4000);
  }
}

TEST(Due, CatchUpNames) {
  EXPECT_EQ(parse_catch_up("once"), CatchUp::once);
  EXPECT_THROW(parse_catch_up("twice"), Error);
}

} // namespace
} // namespace autoreport::schedules
