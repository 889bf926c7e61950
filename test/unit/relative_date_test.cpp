// Relative dates: the grammar, its errors, canonical text, and resolution in zones with daylight saving.
#include "common/calendar.hpp"
#include "common/error.hpp"
#include "common/relative_date.hpp"

#include <gtest/gtest.h>

namespace autoreport {
namespace {

int64_t utc(int64_t y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

// Europe/Berlin in 2026: CEST from 29 March 01:00 UTC to 25 October 01:00 UTC.
class Berlin2026 final : public TimeZone {
public:
  int32_t utc_offset(int64_t t) const override {
    return t >= utc(2026, 3, 29, 1) && t < utc(2026, 10, 25, 1) ? 7200 : 3600;
  }
};

// A zone whose clocks skip midnight on 2026-09-06 (from 00:00 straight to 01:00), as some zones did.
class SkipsMidnight final : public TimeZone {
public:
  int32_t utc_offset(int64_t t) const override { return t >= utc(2026, 9, 5, 23) ? 3600 : 0; }
};

const FixedZone kUtc;

// The date (YYYY-MM-DD, or with the local time when the value has one) of text at instant `at`.
std::string at(std::string_view text, int64_t instant, const TimeZone& zone = kUtc) {
  const LocalDateTime v = resolve(parse_relative_date(text), instant, zone);
  return v.has_time ? format_date_time(v.local_seconds, true) : format_date(v.days());
}

std::string error_of(std::string_view text) {
  try {
    parse_relative_date(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "22023") << text;
    return e.message();
  }
  ADD_FAILURE() << "accepted: " << text;
  return "";
}

// Thursday 2026-03-12 15:30 UTC.
const int64_t kThursday = utc(2026, 3, 12, 15, 30);

TEST(RelativeDate, Bases) {
  EXPECT_EQ(at("now", kThursday), "2026-03-12 15:30:00");
  EXPECT_EQ(at("today", kThursday), "2026-03-12");
  EXPECT_EQ(at("yesterday", kThursday), "2026-03-11");
  EXPECT_EQ(at("tomorrow", kThursday), "2026-03-13");
  EXPECT_EQ(at("start of this day", kThursday), "2026-03-12");
  EXPECT_EQ(at("start of last day", kThursday), "2026-03-11");
  EXPECT_EQ(at("start of this week", kThursday), "2026-03-09"); // Monday
  EXPECT_EQ(at("start of last week", kThursday), "2026-03-02");
  EXPECT_EQ(at("start of next week", kThursday), "2026-03-16");
  EXPECT_EQ(at("start of this month", kThursday), "2026-03-01");
  EXPECT_EQ(at("start of last month", kThursday), "2026-02-01");
  EXPECT_EQ(at("start of next month", kThursday), "2026-04-01");
  EXPECT_EQ(at("start of this quarter", kThursday), "2026-01-01");
  EXPECT_EQ(at("start of last quarter", kThursday), "2025-10-01");
  EXPECT_EQ(at("start of next quarter", kThursday), "2026-04-01");
  EXPECT_EQ(at("start of this year", kThursday), "2026-01-01");
  EXPECT_EQ(at("start of last year", kThursday), "2025-01-01");
  EXPECT_EQ(at("start of next year", kThursday), "2027-01-01");
}

TEST(RelativeDate, WeeksStartOnMonday) {
  EXPECT_EQ(at("start of this week", utc(2026, 3, 9)), "2026-03-09");      // a Monday
  EXPECT_EQ(at("start of this week", utc(2026, 3, 15, 23)), "2026-03-09"); // the Sunday after
  EXPECT_EQ(at("start of this week", utc(2026, 1, 1)), "2025-12-29");      // across a year
}

TEST(RelativeDate, Offsets) {
  EXPECT_EQ(at("today - 7 days", kThursday), "2026-03-05");
  EXPECT_EQ(at("start of last month + 1 day", kThursday), "2026-02-02");
  EXPECT_EQ(at("start of this month - 1 day", kThursday), "2026-02-28");
  EXPECT_EQ(at("start of last month + 1 month - 1 day", kThursday), "2026-02-28");
  EXPECT_EQ(at("today + 2 weeks", kThursday), "2026-03-26");
  EXPECT_EQ(at("today - 1 year", kThursday), "2025-03-12");
  EXPECT_EQ(at("now - 1 day", kThursday), "2026-03-11 15:30:00");
  EXPECT_EQ(at("today+1day", kThursday), "2026-03-13");
  EXPECT_EQ(at("TODAY   -3   DAYS", kThursday), "2026-03-09");
  EXPECT_EQ(at("today + 0 days", kThursday), "2026-03-12");
}

TEST(RelativeDate, MonthArithmeticClampsToTheMonthsEnd) {
  EXPECT_EQ(at("today + 1 month", utc(2026, 1, 31)), "2026-02-28");
  EXPECT_EQ(at("today + 1 month", utc(2028, 1, 31)), "2028-02-29");
  EXPECT_EQ(at("today - 1 year", utc(2028, 2, 29)), "2027-02-28");
  EXPECT_EQ(at("today + 4 years", utc(2028, 2, 29)), "2032-02-29");
  // Left to right: the clamp of the first term stays.
  EXPECT_EQ(at("today + 1 month + 1 month", utc(2026, 1, 31)), "2026-03-28");
}

TEST(RelativeDate, ResolvedOnTheZonesWallClock) {
  const Berlin2026 berlin;
  // 23:30 UTC on 31 March is 01:30 CEST on 1 April in Berlin: another day, month and quarter.
  const int64_t t = utc(2026, 3, 31, 23, 30);
  EXPECT_EQ(at("today", t), "2026-03-31");
  EXPECT_EQ(at("today", t, berlin), "2026-04-01");
  EXPECT_EQ(at("start of this quarter", t, berlin), "2026-04-01");
  EXPECT_EQ(at("start of last month", t, berlin), "2026-03-01");
  // Days are calendar days: midnight to midnight across the change is 23 hours on 29 March.
  const LocalDateTime today = resolve(parse_relative_date("today"), utc(2026, 3, 29, 12), berlin);
  const LocalDateTime next = resolve(parse_relative_date("tomorrow"), utc(2026, 3, 29, 12), berlin);
  EXPECT_EQ(today.instant(berlin), utc(2026, 3, 28, 23)); // 00:00 CET
  EXPECT_EQ(next.instant(berlin), utc(2026, 3, 29, 22));  // 00:00 CEST
  EXPECT_EQ(next.instant(berlin) - today.instant(berlin), 23 * 3600);
}

TEST(RelativeDate, MidnightInAGapIsTheEndOfTheGap) {
  const SkipsMidnight zone;
  const LocalDateTime v = resolve(parse_relative_date("today"), utc(2026, 9, 6, 12), zone);
  EXPECT_EQ(format_date(v.days()), "2026-09-06");
  EXPECT_EQ(v.instant(zone), utc(2026, 9, 5, 23)); // 01:00 local, the first instant of that day
}

TEST(RelativeDate, CanonicalText) {
  EXPECT_EQ(parse_relative_date("Start Of Last Month+1 DAYS").text(), "start of last month + 1 day");
  EXPECT_EQ(parse_relative_date("start of this day - 7 day").text(), "today - 7 days");
  EXPECT_EQ(parse_relative_date("start of next day").text(), "tomorrow");
  EXPECT_EQ(parse_relative_date("now -1 weeks +2 years").text(), "now - 1 week + 2 years");
}

TEST(RelativeDate, ErrorsSayWhatAndWhere) {
  EXPECT_EQ(error_of("start of lats month"),
            "invalid relative date \"start of lats month\": at position 10: expected this, last or next, "
            "found \"lats\"");
  EXPECT_NE(error_of("").find("at position 1: expected now, today"), std::string::npos);
  EXPECT_NE(error_of("2026-01-01").find("at position 1: expected now"), std::string::npos);
  EXPECT_NE(error_of("start month").find("at position 7: expected \"of\""), std::string::npos);
  EXPECT_NE(error_of("start of this fortnight").find("at position 15: expected day, week"),
            std::string::npos);
  EXPECT_NE(error_of("today 7 days").find("at position 7: expected + or -"), std::string::npos);
  EXPECT_NE(error_of("today - days").find("at position 9: expected a number"), std::string::npos);
  EXPECT_NE(
      error_of("today - 7").find("at position 10: expected days, weeks, months or years, found the end"),
      std::string::npos);
  EXPECT_NE(error_of("today - 7 hours").find("found \"hours\""), std::string::npos);
  EXPECT_NE(error_of("today - 1000000 days").find("is more than 100000"), std::string::npos);
  EXPECT_NE(error_of("now(); DROP TABLE x").find("unexpected character \"(\""), std::string::npos);
  EXPECT_NE(error_of("today + 1 day + 1 day + 1 day + 1 day + 1 day + 1 day + 1 day + 1 day + 1 day")
                .find("more than 8 terms"),
            std::string::npos);
  EXPECT_NE(error_of("today - - 1 day").find("expected a number after -"), std::string::npos);
}

TEST(RelativeDate, OutOfRangeIs22008) {
  try {
    resolve(parse_relative_date("today + 100000 years"), kThursday, kUtc);
    ADD_FAILURE() << "year 102026 accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "22008");
  }
  EXPECT_EQ(at("today + 7973 years", kThursday), "9999-03-12");
}

} // namespace
} // namespace autoreport
