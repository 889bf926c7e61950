// Regular series from (time, value) rows: step detection, bucketing, gap filling, seasonal candidates.
#include "common/error.hpp"
#include "error_check.hpp"
#include "forecast/regular.hpp"
#include "render/calendar.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace autoreport::forecast {
namespace {

using test::sqlstate_of;

int64_t at(int64_t year, unsigned month, unsigned day, int64_t hour = 0) {
  return render::days_from_civil(year, month, day) * kMicrosPerDay + hour * 3600 * kMicrosPerSecond;
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
  const RegularSeries mean = regularise(t, v, day, Aggregate::Mean, Fill::Zero, 1000);
  EXPECT_EQ(mean.values[0], 15);
  EXPECT_EQ(mean.values[2], 0);
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
