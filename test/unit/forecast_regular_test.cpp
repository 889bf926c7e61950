// Regular series from (time, value) rows: step detection, bucketing, gap filling, seasonal candidates.
#include "common/error.hpp"
#include "error_check.hpp"
#include "forecast/regular.hpp"
#include "common/calendar.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <optional>
#include <vector>

namespace autoreport::forecast {
namespace {

using test::sqlstate_of;

int64_t at(int64_t year, unsigned month, unsigned day, int64_t hour = 0) {
  return days_from_civil(year, month, day) * kMicrosPerDay + hour * 3600 * kMicrosPerSecond;
}

TEST(ForecastRegular, DetectsCalendarAndFixedSteps) {
  const std::vector<int64_t> months{at(2025, 1, 31 - 30), at(2025, 2, 1), at(2025, 3, 1), at(2025, 4, 1)};
  EXPECT_EQ(detect_step(months), (Step{1, 0}));
  const std::vector<int64_t> quarters{at(2024, 1, 1), at(2024, 4, 1), at(2024, 7, 1), at(2024, 10, 1)};
  EXPECT_EQ(detect_step(quarters), (Step{3, 0}));
  const std::vector<int64_t> years{at(2020, 6, 1), at(2021, 6, 1), at(2022, 6, 1)};
  EXPECT_EQ(detect_step(years), (Step{12, 0}));
  // Days with one missing: still a day.
  const std::vector<int64_t> days{at(2026, 1, 1), at(2026, 1, 2), at(2026, 1, 3), at(2026, 1, 5),
                                  at(2026, 1, 6)};
  EXPECT_EQ(detect_step(days), (Step{0, kMicrosPerDay}));
  // Irregular events about 40 minutes apart: buckets of 30 minutes.
  std::vector<int64_t> events;
  for (int64_t i = 0; i < 20; ++i) {
    events.push_back(i * 40 * 60 * kMicrosPerSecond + (i * i * 37 % 600) * kMicrosPerSecond);
  }
  EXPECT_EQ(detect_step(events), (Step{0, 1800 * kMicrosPerSecond}));
  EXPECT_EQ(sqlstate_of([] { detect_step(std::vector<int64_t>{5, 5}); }), "22023");
}

TEST(ForecastRegular, AddsCalendarMonthsKeepingTheDay) {
  EXPECT_EQ(add_steps(at(2026, 1, 31), Step{1, 0}, 1), at(2026, 2, 28));
  EXPECT_EQ(add_steps(at(2026, 1, 15, 6), Step{3, 0}, 4), at(2027, 1, 15, 6));
  EXPECT_EQ(add_steps(at(2026, 3, 1), Step{1, 0}, -3), at(2025, 12, 1));
  EXPECT_EQ(add_steps(at(2026, 1, 1), Step{0, kMicrosPerDay}, 31), at(2026, 2, 1));
  EXPECT_EQ(step_text(Step{1, 0}), "1 mon");
  EXPECT_EQ(step_text(Step{3, 0}), "3 mons");
  EXPECT_EQ(step_text(Step{0, kMicrosPerDay}), "1 day");
  EXPECT_EQ(step_text(Step{0, 300 * kMicrosPerSecond}), "00:05:00");
}

TEST(ForecastRegular, MonthEndsAreMonthly) {
  const std::vector<int64_t> ends{at(2025, 1, 31), at(2025, 2, 28), at(2025, 3, 31), at(2025, 4, 30),
                                  at(2025, 5, 31)};
  const Step step = detect_step(ends);
  EXPECT_EQ(step, (Step{1, 0, true, 0}));
  // A month after the end of February is the end of March, not the 28th.
  EXPECT_EQ(add_steps(at(2025, 2, 28), step, 1), at(2025, 3, 31));
  EXPECT_EQ(add_steps(at(2025, 2, 28), step, 12), at(2026, 2, 28));
  // Quarter ends too.
  const std::vector<int64_t> quarters{at(2024, 3, 31), at(2024, 6, 30), at(2024, 9, 30), at(2024, 12, 31)};
  EXPECT_EQ(detect_step(quarters), (Step{3, 0, true, 0}));
  // Every month end in its own bucket, none missing, the next one after the last.
  const std::vector<std::optional<double>> v{1, 2, 3, 4, 5};
  const RegularSeries r = regularise(ends, v, step, Aggregate::Sum, Fill::Error, 100);
  ASSERT_EQ(r.values.size(), 5u);
  EXPECT_EQ(r.values[4], 5);
  EXPECT_EQ(add_steps(r.start, r.step, 5), at(2025, 6, 30));
  // A monthly step given by the user takes the month end from the data.
  EXPECT_EQ(fit_step(Step{1, 0}, ends), (Step{1, 0, true, 0}));
  EXPECT_EQ(fit_step(Step{1, 0}, quarters), (Step{1, 0, true, 0}));
  // Every 28 days is not monthly: the day of month drifts.
  std::vector<int64_t> four_weekly;
  for (int64_t i = 0; i < 10; ++i) {
    four_weekly.push_back(at(2025, 1, 3) + i * 28 * kMicrosPerDay);
  }
  EXPECT_EQ(detect_step(four_weekly), (Step{0, 28 * kMicrosPerDay}));
}

TEST(ForecastRegular, DaylightSavingHoursDoNotBreakTheCalendar) {
  // Midnight in London seen in UTC: 00:00 on the 1st in winter, 23:00 the day before in summer.
  std::vector<int64_t> months;
  for (unsigned m = 1; m <= 12; ++m) {
    const bool summer = m >= 4 && m <= 10;
    months.push_back(summer ? at(2025, m, 1) - 3600 * kMicrosPerSecond : at(2025, m, 1));
  }
  const Step step = detect_step(months);
  EXPECT_EQ(step, (Step{1, 0, false, 3600 * kMicrosPerSecond}));
  std::vector<std::optional<double>> v(12);
  for (size_t i = 0; i < 12; ++i) {
    v[i] = static_cast<double>(i);
  }
  const RegularSeries r = regularise(months, v, step, Aggregate::Sum, Fill::Error, 100);
  ASSERT_EQ(r.values.size(), 12u); // one month each: none shares a bucket, none is missing
  for (size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(r.values[i], static_cast<double>(i));
  }
  // Days the same way (23 and 25 hour gaps at the changes).
  std::vector<int64_t> days;
  for (int64_t d = 0; d < 60; ++d) {
    const int64_t day = at(2025, 3, 1) + d * kMicrosPerDay;
    days.push_back(d >= 30 ? day - 3600 * kMicrosPerSecond : day);
  }
  const Step daily = detect_step(days);
  EXPECT_EQ(daily, (Step{0, kMicrosPerDay, false, 3600 * kMicrosPerSecond}));
  std::vector<std::optional<double>> ones(60, 1.0);
  const RegularSeries rd = regularise(days, ones, daily, Aggregate::Sum, Fill::Error, 100);
  ASSERT_EQ(rd.values.size(), 60u);
  EXPECT_EQ(rd.values[30], 1);
}

TEST(ForecastRegular, TheLaterHourAnchorsTheSteps) {
  // Month ends in London seen from UTC, from July: 23:00 the day before the month's last day in summer,
  // 00:00 on it in winter. The first row has the earlier hour; the steps start an hour after it, on
  // the month's last day, so July's row is not taken into June's bucket.
  std::vector<int64_t> ends;
  for (unsigned i = 0; i < 12; ++i) {
    const int64_t year = 2025 + (6 + i) / 12;
    const unsigned month = (6 + i) % 12 + 1;
    const int64_t last = days_from_civil(year + month / 12, month % 12 + 1, 1) - 1;
    const bool summer = month >= 4 && month <= 10;
    ends.push_back(last * kMicrosPerDay - (summer ? 3600 * kMicrosPerSecond : 0));
  }
  const Step step = detect_step(ends);
  EXPECT_EQ(step, (Step{1, 0, true, 3600 * kMicrosPerSecond, 3600 * kMicrosPerSecond}));
  std::vector<std::optional<double>> v(12);
  for (size_t i = 0; i < 12; ++i) {
    v[i] = static_cast<double>(i);
  }
  const RegularSeries r = regularise(ends, v, step, Aggregate::Sum, Fill::Error, 100);
  ASSERT_EQ(r.values.size(), 12u);
  EXPECT_EQ(r.start, at(2025, 7, 31));
  for (size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(r.values[i], static_cast<double>(i));
  }
}

TEST(ForecastRegular, CountsTheGapsThatKeepToAStep) {
  const int64_t hour = 3600 * kMicrosPerSecond;
  // With a repeat and a two-hour gap: 0, 1, 1, 2, 4 hours.
  const std::vector<int64_t> t{0, hour, hour, 2 * hour, 4 * hour};
  EXPECT_EQ(gaps_equal_to(t, hour), 2u);
  EXPECT_EQ(gaps_equal_to(t, 2 * hour), 1u);
  EXPECT_EQ(gaps_equal_to(std::vector<int64_t>{}, hour), 0u);
}

TEST(ForecastRegular, BucketsRunFromOneStepToTheNext) {
  // From January 31: the second bucket is [February 28, March 31).
  const Step month{1, 0};
  const int64_t start = at(2026, 1, 31);
  EXPECT_EQ(bucket_of(start, month, at(2026, 2, 27)), 0);
  EXPECT_EQ(bucket_of(start, month, at(2026, 2, 28)), 1);
  EXPECT_EQ(bucket_of(start, month, at(2026, 3, 30)), 1);
  EXPECT_EQ(bucket_of(start, month, at(2026, 3, 31)), 2);
  EXPECT_EQ(bucket_of(start, Step{0, kMicrosPerDay}, at(2026, 2, 1, 23)), 1);
}

TEST(ForecastRegular, TimesPastTheSupportedRangeAre22023) {
  EXPECT_EQ(sqlstate_of([] { add_steps(at(2026, 1, 1), Step{0, kMicrosPerDay}, 200000000); }), "22023");
  EXPECT_EQ(sqlstate_of([] {
              add_steps(at(2026, 1, 1), Step{0, kMicrosPerDay * 365}, INT64_MAX / 2);
            }),
            "22023");
  EXPECT_EQ(sqlstate_of([] { add_steps(at(2026, 1, 1), Step{12, 0}, 300000); }), "22023");
  EXPECT_EQ(sqlstate_of([] { add_steps(at(2026, 1, 1), Step{1, 0}, INT64_MAX); }), "22023");
  EXPECT_EQ(sqlstate_of([] { add_steps(at(2026, 1, 1), Step{1, 0}, -100000); }), "22023");
  // The last year that is fine.
  EXPECT_EQ(add_steps(at(2026, 1, 1), Step{12, 0}, 291973), at(293999, 1, 1));
}

TEST(ForecastRegular, BucketsAggregatesAndFills) {
  const Step day{0, kMicrosPerDay};
  // 10 and 20 on Jan 1 (06:00 and 18:00), 40 on Jan 3, NULL on Jan 4, 50 on Jan 5, all at midnight.
  const std::vector<int64_t> t{at(2026, 1, 1, 6), at(2026, 1, 1, 18), at(2026, 1, 3), at(2026, 1, 4),
                               at(2026, 1, 5)};
  const std::vector<std::optional<double>> v{10, 20, 40, std::nullopt, 50};
  // The first bucket starts at the earliest time (06:00), so 18:00 falls in it too.
  RegularSeries sum = regularise(t, v, day, Aggregate::Sum, Fill::Linear, 1000);
  EXPECT_EQ(sum.start, at(2026, 1, 1, 6));
  // Buckets from Jan 1, 2, 3 and 4 at 06:00: Jan 3 00:00 falls in the second, Jan 5 00:00 in the fourth.
  ASSERT_EQ(sum.values.size(), 4u);
  EXPECT_EQ(sum.values[0], 30);
  EXPECT_EQ(sum.values[1], 40);
  EXPECT_EQ(sum.values[2], 45); // only the NULL of Jan 4: missing, filled between 40 and 50
  EXPECT_EQ(sum.values[3], 50);
  EXPECT_EQ(sum.filled, 1u);
  EXPECT_TRUE(sum.missing[2]);
  const RegularSeries mean = regularise(t, v, day, Aggregate::Mean, Fill::Zero, 1000);
  EXPECT_EQ(mean.values[0], 15);
  EXPECT_EQ(mean.values[2], 0);
  EXPECT_FALSE(mean.missing[2]); // a zero observed, not a gap
  EXPECT_EQ(mean.filled, 1u);
  const RegularSeries last = regularise(t, v, day, Aggregate::Last, Fill::Previous, 1000);
  EXPECT_EQ(last.values[0], 20);
  EXPECT_EQ(last.values[2], 40);
  EXPECT_EQ(sqlstate_of([&] { regularise(t, v, day, Aggregate::Sum, Fill::Error, 1000); }), "22023");
  EXPECT_EQ(sqlstate_of([&] { regularise(t, v, Step{0, 1}, Aggregate::Sum, Fill::Linear, 1000); }), "22023");
  const std::vector<std::optional<double>> none{std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                                                std::nullopt};
  EXPECT_EQ(sqlstate_of([&] { regularise(t, none, day, Aggregate::Sum, Fill::Linear, 1000); }), "22023");
}

TEST(ForecastRegular, FillsLeadingAndTrailingGapsWithTheNearestValue) {
  size_t filled = 0;
  const std::vector<std::optional<double>> v{std::nullopt, 2, std::nullopt, std::nullopt, 8, std::nullopt};
  EXPECT_EQ(fill_missing(v, Fill::Linear, &filled), (std::vector<double>{2, 2, 4, 6, 8, 8}));
  EXPECT_EQ(filled, 3u + 1u);
  EXPECT_EQ(fill_missing(v, Fill::Previous, nullptr), (std::vector<double>{2, 2, 2, 2, 8, 8}));
  EXPECT_EQ(fill_missing(v, Fill::Zero, nullptr), (std::vector<double>{0, 2, 0, 0, 8, 0}));
  EXPECT_EQ(sqlstate_of([&] { fill_missing(v, Fill::Error, nullptr); }), "22023");
  EXPECT_EQ(sqlstate_of([] { parse_fill("spline"); }), "22023");
  EXPECT_EQ(sqlstate_of([] { parse_aggregate("median"); }), "22023");
}

TEST(ForecastRegular, SeasonalCandidatesFollowTheStep) {
  EXPECT_EQ(seasonal_candidates(Step{1, 0}), (std::vector<size_t>{12}));
  EXPECT_EQ(seasonal_candidates(Step{3, 0}), (std::vector<size_t>{4}));
  EXPECT_EQ(seasonal_candidates(Step{12, 0}), (std::vector<size_t>{}));
  EXPECT_EQ(seasonal_candidates(Step{0, kMicrosPerDay}), (std::vector<size_t>{7, 365}));
  EXPECT_EQ(seasonal_candidates(Step{0, 3600 * kMicrosPerSecond}), (std::vector<size_t>{24, 168, 8766}));
  EXPECT_EQ(seasonal_candidates(Step{0, 7 * kMicrosPerDay}), (std::vector<size_t>{52}));
}

} // namespace
} // namespace autoreport::forecast
