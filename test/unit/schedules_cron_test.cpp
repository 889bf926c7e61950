// Cron expressions: the grammar, its errors, and next_run() across month ends, leap days and the
// daylight-saving transitions of zones in both hemispheres and with a 30-minute offset.
#include "common/calendar.hpp"
#include "common/error.hpp"
#include "schedules/cron.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace autoreport::schedules {
namespace {

int64_t utc(int64_t y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

// A zone given by its transitions (UTC instant, offset from then on), as the tz database has them.
class RulesZone final : public TimeZone {
public:
  RulesZone(int32_t initial, std::vector<std::pair<int64_t, int32_t>> transitions)
      : initial_(initial), transitions_(std::move(transitions)) {}
  int32_t utc_offset(int64_t t) const override {
    int32_t offset = initial_;
    for (const auto& [at, o] : transitions_) {
      if (t >= at) {
        offset = o;
      }
    }
    return offset;
  }

private:
  int32_t initial_;
  std::vector<std::pair<int64_t, int32_t>> transitions_;
};

// Europe/Berlin in 2026: CEST from 29 March 01:00 UTC, CET again from 25 October 01:00 UTC.
const RulesZone kBerlin(3600, {{utc(2026, 3, 29, 1), 7200}, {utc(2026, 10, 25, 1), 3600}});
// Australia/Sydney in 2026: AEST from 4 April 16:00 UTC (03:00 AEDT on the 5th), AEDT from 3 October
// 16:00 UTC (02:00 AEST on the 4th).
const RulesZone kSydney(39600, {{utc(2026, 4, 4, 16), 36000}, {utc(2026, 10, 3, 16), 39600}});
// Australia/Adelaide: the same days, half an hour off (ACDT +10:30, ACST +9:30).
const RulesZone kAdelaide(37800, {{utc(2026, 4, 4, 16, 30), 34200}, {utc(2026, 10, 3, 16, 30), 37800}});
const FixedZone kUtc;
const FixedZone kKolkata(19800);

int64_t next(std::string_view cron, int64_t after, const TimeZone& zone = kUtc) {
  const std::optional<int64_t> n = next_run(parse_cron(cron), after, zone);
  EXPECT_TRUE(n.has_value()) << cron;
  return n.value_or(-1);
}

std::string error_of(std::string_view cron) {
  try {
    parse_cron(cron);
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "22023");
    return e.message();
  }
  return "no error";
}

TEST(Cron, Fields) {
  EXPECT_EQ(next("*/15 * * * *", utc(2026, 1, 1, 0, 7)), utc(2026, 1, 1, 0, 15));
  EXPECT_EQ(next("*/15 * * * *", utc(2026, 1, 1, 0, 15)), utc(2026, 1, 1, 0, 30)); // strictly after
  EXPECT_EQ(next("5,10-12 3 * * *", utc(2026, 1, 1, 3, 10)), utc(2026, 1, 1, 3, 11));
  EXPECT_EQ(next("0 22-23/1 * * *", utc(2026, 1, 1)), utc(2026, 1, 1, 22));
  EXPECT_EQ(next("10/20 * * * *", utc(2026, 1, 1, 0, 31)), utc(2026, 1, 1, 0, 50));
  // Six fields: seconds first.
  EXPECT_EQ(next("*/10 * * * * *", utc(2026, 1, 1, 0, 0, 3)), utc(2026, 1, 1, 0, 0, 10));
  EXPECT_EQ(next("30 0 12 * * *", utc(2026, 1, 1)), utc(2026, 1, 1, 12, 0, 30));
  // Names, either case; 7 is Sunday too.
  EXPECT_EQ(next("0 9 * jan-MAR Mon-fri", utc(2026, 3, 31, 9)), utc(2027, 1, 1, 9)); // 2027-01-01 is a Friday
  EXPECT_EQ(next("0 0 * * 7", utc(2026, 1, 1)), utc(2026, 1, 4));                    // the first Sunday
  EXPECT_EQ(next("0 0 * * SUN", utc(2026, 1, 1)), utc(2026, 1, 4));
}

TEST(Cron, Macros) {
  EXPECT_EQ(next("@yearly", utc(2026, 5, 5)), utc(2027, 1, 1));
  EXPECT_EQ(next("@annually", utc(2026, 5, 5)), utc(2027, 1, 1));
  EXPECT_EQ(next("@monthly", utc(2026, 5, 5)), utc(2026, 6, 1));
  EXPECT_EQ(next("@weekly", utc(2026, 1, 1)), utc(2026, 1, 4));
  EXPECT_EQ(next("@daily", utc(2026, 1, 1, 5)), utc(2026, 1, 2));
  EXPECT_EQ(next("@midnight", utc(2026, 1, 1, 5)), utc(2026, 1, 2));
  EXPECT_EQ(next("@hourly", utc(2026, 1, 1, 5, 1)), utc(2026, 1, 1, 6));
}

TEST(Cron, MonthEndsAndSpecialDays) {
  EXPECT_EQ(next("0 0 L * *", utc(2026, 2, 1)), utc(2026, 2, 28));
  EXPECT_EQ(next("0 0 L * *", utc(2028, 2, 1)), utc(2028, 2, 29));
  EXPECT_EQ(next("0 0 31 * *", utc(2026, 4, 1)), utc(2026, 5, 31)); // April has no 31st
  // LW: the last weekday. 2026-05-31 is a Sunday, so Friday the 29th.
  EXPECT_EQ(next("0 0 LW * *", utc(2026, 5, 1)), utc(2026, 5, 29));
  // 15W: the weekday nearest the 15th. 2026-08-15 is a Saturday: Friday the 14th.
  EXPECT_EQ(next("0 0 15W * *", utc(2026, 8, 1)), utc(2026, 8, 14));
  // 1W on a Saturday stays in its month: Monday the 3rd (2026-08-01 is a Saturday).
  EXPECT_EQ(next("0 0 1W * *", utc(2026, 7, 31, 1)), utc(2026, 8, 3));
  // 2#1: the first Tuesday; 5L: the last Friday.
  EXPECT_EQ(next("0 0 * * 2#1", utc(2026, 1, 1)), utc(2026, 1, 6));
  EXPECT_EQ(next("0 0 * * 5L", utc(2026, 1, 1)), utc(2026, 1, 30));
  EXPECT_EQ(next("0 0 * * FRI#5", utc(2026, 2, 1)), utc(2026, 5, 29)); // the next month with five Fridays
  // Feb 29 comes every four years; Feb 30 never does.
  EXPECT_EQ(next("0 0 29 2 *", utc(2026, 1, 1)), utc(2028, 2, 29));
  EXPECT_FALSE(next_run(parse_cron("0 0 30 2 *"), utc(2026, 1, 1), kUtc).has_value());
  EXPECT_FALSE(next_run(parse_cron("0 0 31 4,6,9,11 *"), utc(2026, 1, 1), kUtc).has_value());
}

TEST(Cron, DayOfMonthOrDayOfWeekAsVixieCron) {
  // Both restricted: either matches. 2026-02-13 is a Friday; the next day after it that is a 13th or
  // a Friday is Friday the 20th.
  const CronSchedule s = parse_cron("0 0 13 * FRI");
  EXPECT_TRUE(matches_day(s, 2026, 3, 13));
  EXPECT_TRUE(matches_day(s, 2026, 3, 6));
  EXPECT_FALSE(matches_day(s, 2026, 3, 7));
  EXPECT_EQ(next("0 0 13 * FRI", utc(2026, 2, 13)), utc(2026, 2, 20));
  // One starts with *: both must match (*/2 is every odd day, and a Monday).
  EXPECT_EQ(next("0 0 */2 * MON", utc(2026, 1, 1)), utc(2026, 1, 5));
  EXPECT_EQ(next("0 0 ? * MON", utc(2026, 1, 1)), utc(2026, 1, 5));
}

TEST(Cron, EveryRunsOnAbsoluteTime) {
  EXPECT_EQ(next("every 10 seconds", utc(2026, 1, 1, 0, 0, 3)), utc(2026, 1, 1, 0, 0, 10));
  EXPECT_EQ(next("every 1 minute", utc(2026, 1, 1, 0, 0, 3)), utc(2026, 1, 1, 0, 1));
  EXPECT_EQ(next("EVERY 2 hours", utc(2026, 1, 1, 1)), utc(2026, 1, 1, 2));
  // The zone does not move it: the same instants across Berlin's spring-forward night.
  EXPECT_EQ(next("every 1 hour", utc(2026, 3, 29, 0, 30), kBerlin), utc(2026, 3, 29, 1));
  EXPECT_EQ(next("every 1 hour", utc(2026, 3, 29, 1), kBerlin), utc(2026, 3, 29, 2));
}

TEST(Cron, FixedOffsetZone) {
  // 09:00 in Kolkata (+05:30) is 03:30 UTC.
  EXPECT_EQ(next("0 9 * * *", utc(2026, 1, 1), kKolkata), utc(2026, 1, 1, 3, 30));
}

TEST(Cron, SpringForwardRunsOnceAtTheEndOfTheGap) {
  // Berlin, 29 March 2026: 02:00-03:00 does not exist. 02:30 runs at 03:00 CEST (01:00 UTC), once.
  EXPECT_EQ(next("30 2 * * *", utc(2026, 3, 28, 12), kBerlin), utc(2026, 3, 29, 1));
  EXPECT_EQ(next("30 2 * * *", utc(2026, 3, 29, 1), kBerlin), utc(2026, 3, 30, 0, 30));
  // Every quarter hour through the gap: 01:45 CET, then 03:00 CEST once (02:00-02:45 all map to it),
  // then 03:15.
  EXPECT_EQ(next("*/15 * * * *", utc(2026, 3, 29, 0, 30), kBerlin), utc(2026, 3, 29, 0, 45));
  EXPECT_EQ(next("*/15 * * * *", utc(2026, 3, 29, 0, 45), kBerlin), utc(2026, 3, 29, 1));
  EXPECT_EQ(next("*/15 * * * *", utc(2026, 3, 29, 1), kBerlin), utc(2026, 3, 29, 1, 15));
  // Sydney, 4 October 2026 (southern spring): 02:30 AEST does not exist; 03:00 AEDT is 16:00 UTC on the 3rd.
  EXPECT_EQ(next("30 2 * * *", utc(2026, 10, 3), kSydney), utc(2026, 10, 3, 16));
  EXPECT_EQ(next("30 2 * * *", utc(2026, 10, 3, 16), kSydney), utc(2026, 10, 4, 15, 30));
  // Adelaide, the same night, half an hour off: 03:00 ACDT is 16:30 UTC.
  EXPECT_EQ(next("30 2 * * *", utc(2026, 10, 3), kAdelaide), utc(2026, 10, 3, 16, 30));
}

TEST(Cron, FallBackRunsOnceAtTheFirstOccurrence) {
  // Berlin, 25 October 2026: 02:00-03:00 happens twice. 02:30 runs at 02:30 CEST (00:30 UTC) only.
  EXPECT_EQ(next("30 2 * * *", utc(2026, 10, 24, 12), kBerlin), utc(2026, 10, 25, 0, 30));
  EXPECT_EQ(next("30 2 * * *", utc(2026, 10, 25, 0, 30), kBerlin), utc(2026, 10, 26, 1, 30));
  // Every quarter hour: the repeated hour runs once (02:45 CEST, then 03:00 CET an hour and a quarter later).
  EXPECT_EQ(next("*/15 * * * *", utc(2026, 10, 25, 0, 45), kBerlin), utc(2026, 10, 25, 2));
  // Sydney, 5 April 2026 (southern autumn): 02:30 happens twice, first in AEDT (15:30 UTC on the 4th).
  EXPECT_EQ(next("30 2 * * *", utc(2026, 4, 4), kSydney), utc(2026, 4, 4, 15, 30));
  EXPECT_EQ(next("30 2 * * *", utc(2026, 4, 4, 15, 30), kSydney), utc(2026, 4, 5, 16, 30));
  // Adelaide: first in ACDT (+10:30), 16:00 UTC on the 4th.
  EXPECT_EQ(next("30 2 * * *", utc(2026, 4, 4), kAdelaide), utc(2026, 4, 4, 16));
}

TEST(Cron, ErrorsNameTheFieldAndPosition) {
  EXPECT_EQ(error_of("0 0 32 * *"), "invalid cron expression \"0 0 32 * *\": field 3 (day of month) at "
                                    "position 5: 32 is out of range 1-31");
  EXPECT_NE(error_of("0 0 * FOO *").find("field 4 (month) at position 7"), std::string::npos);
  EXPECT_NE(error_of("0 0 * * MON#6").find("field 5 (day of week) at position 13"), std::string::npos);
  EXPECT_NE(error_of("*/0 * * * *").find("a step must be a positive number"), std::string::npos);
  EXPECT_NE(error_of("5-1 * * * *").find("starts after it ends"), std::string::npos);
  EXPECT_NE(error_of("0 ? * * *").find("? is only for day of month and day of week"), std::string::npos);
  EXPECT_NE(error_of("0,,5 * * * *").find("an empty list item"), std::string::npos);
  EXPECT_NE(error_of("0 0 * *").find("it has 4 fields, not 5 or 6"), std::string::npos);
  EXPECT_NE(error_of("60 * * * * *").find("field 1 (second)"), std::string::npos);
  EXPECT_NE(error_of("@sometimes").find("unknown macro"), std::string::npos);
  EXPECT_NE(error_of("every 0 seconds").find("every N seconds|minutes|hours"), std::string::npos);
  EXPECT_NE(error_of("every 5 days").find("the unit must be seconds, minutes or hours"), std::string::npos);
  EXPECT_NE(error_of("").find("it has 0 fields"), std::string::npos);
}

TEST(Cron, ParseScheduleRefusesExpressionsThatNeverRun) {
  try {
    parse_schedule("0 0 30 2 *");
    ADD_FAILURE() << "February 30 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "22023");
    EXPECT_EQ(e.message(), "cron expression \"0 0 30 2 *\" never runs");
  }
  EXPECT_THROW(parse_schedule("0 0 31 4,6,9,11 *"), Error);
  // Rare but real: February 29, and the fifth Monday of February (only in leap years starting on one).
  EXPECT_NO_THROW(parse_schedule("0 0 29 2 *"));
  EXPECT_NO_THROW(parse_schedule("0 0 ? 2 MON#5"));
  EXPECT_NO_THROW(parse_schedule("every 10 seconds"));
}

} // namespace
} // namespace autoreport::schedules
