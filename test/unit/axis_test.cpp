// Chart axes: nice value ticks and their labels, calendar ticks for time, and the calendar itself.
#include "render/axis.hpp"
#include "common/calendar.hpp"
#include "render/time_axis.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace autoreport::render {
namespace {

// True when v is 1, 2 or 5 times a power of ten.
bool nice_step(double v) {
  const double m = v / std::pow(10, std::floor(std::log10(v)));
  return std::abs(m - 1) < 1e-9 || std::abs(m - 2) < 1e-9 || std::abs(m - 5) < 1e-9;
}

std::vector<std::string> labels(const NiceTicks& t) {
  std::vector<std::string> out;
  for (double v : t.values) {
    out.push_back(tick_label(v, t));
  }
  return out;
}

TEST(AxisTicks, TypicalRanges) {
  NiceTicks t = nice_ticks(0, 1000, true);
  EXPECT_EQ(t.values, (std::vector<double>{0, 200, 400, 600, 800, 1000}));
  t = nice_ticks(3, 97, false);
  EXPECT_EQ(t.values, (std::vector<double>{0, 20, 40, 60, 80, 100}));
  t = nice_ticks(0.5, 0.52, false);
  EXPECT_EQ(labels(t), (std::vector<std::string>{"0.5", "0.505", "0.51", "0.515", "0.52"}));
  t = nice_ticks(-300, 1200, true);
  EXPECT_EQ(labels(t), (std::vector<std::string>{"-500", "0", "500", "1000", "1500"}));
  t = nice_ticks(120, 480, true); // the bars of a bar chart start at zero
  EXPECT_EQ(t.lo, 0);
  t = nice_ticks(120, 480, false);
  EXPECT_GT(t.lo, 0);
}

// For many random ranges: steps of 1, 2 or 5 × 10^k, covering the data, 4 to 8 ticks, and 5 to 8 for
// nearly all (1-2-5 steps sometimes jump from 9 ticks straight to 4).
TEST(AxisTicks, AlwaysNiceCoveringAndFewForRandomRanges) {
  int four = 0;
  std::mt19937_64 random(42);
  std::uniform_real_distribution<double> exponent(-8, 12);
  std::uniform_real_distribution<double> unit(-1, 1);
  for (int i = 0; i < 20000; ++i) {
    const double scale = std::pow(10, exponent(random));
    double a = unit(random) * scale;
    double b = unit(random) * scale;
    if (a > b) {
      std::swap(a, b);
    }
    const bool zero = i % 2 == 0;
    const NiceTicks t = nice_ticks(a, b, zero);
    ASSERT_TRUE(nice_step(t.step)) << a << " " << b << " step " << t.step;
    ASSERT_LE(t.lo, a) << a << " " << b;
    ASSERT_GE(t.hi, b) << a << " " << b;
    ASSERT_GE(t.values.size(), 4u) << a << " " << b;
    ASSERT_LE(t.values.size(), 8u) << a << " " << b;
    four += t.values.size() == 4 ? 1 : 0;
    if (zero) {
      ASSERT_LE(t.lo, 0);
      ASSERT_GE(t.hi, 0);
    }
    // Labels are distinct: enough decimals for the step.
    const std::vector<std::string> l = labels(t);
    for (size_t k = 1; k < l.size(); ++k) {
      ASSERT_NE(l[k], l[k - 1]) << a << " " << b;
    }
  }
  EXPECT_LT(four, 20000 / 10);
}

TEST(AxisTicks, FewerWhenThePlotIsSmall) {
  const NiceTicks t = nice_ticks(0, 1000, true, 3);
  EXPECT_LE(t.values.size(), 3u);
  EXPECT_GE(t.hi, 1000);
}

TEST(AxisTicks, DegenerateInputStillGivesTwoFiniteTicks) {
  for (const auto& [a, b] : std::vector<std::pair<double, double>>{{5, 5},
                                                                   {0, 0},
                                                                   {-7, -7},
                                                                   {NAN, 3},
                                                                   {-INFINITY, INFINITY},
                                                                   {-1.7e308, 1.7e308},
                                                                   {5e-324, 5e-324},
                                                                   {0, 5e-324},
                                                                   {1e16, 1e16 + 4},
                                                                   {3, -3}}) {
    for (bool zero : {false, true}) {
      const NiceTicks t = nice_ticks(a, b, zero);
      ASSERT_GE(t.values.size(), 2u) << a << " " << b;
      ASSERT_TRUE(std::isfinite(t.lo) && std::isfinite(t.hi)) << a << " " << b;
      ASSERT_LT(t.lo, t.hi) << a << " " << b;
      for (double v : t.values) {
        EXPECT_FALSE(tick_label(v, t).empty());
      }
    }
  }
  const NiceTicks one = nice_ticks(5, 5, false); // a constant line sits in the middle
  EXPECT_DOUBLE_EQ(one.lo + one.hi, 10);
}

TEST(AxisLabels, CompactAndConsistent) {
  EXPECT_EQ(labels(nice_ticks(0, 20000, true)), (std::vector<std::string>{"0", "5k", "10k", "15k", "20k"}));
  EXPECT_EQ(labels(nice_ticks(0, 1.2e6, true)),
            (std::vector<std::string>{"0", "0.2M", "0.4M", "0.6M", "0.8M", "1M", "1.2M"}));
  EXPECT_EQ(labels(nice_ticks(0, 3.4e9, true)).back(), "4B");
  EXPECT_EQ(labels(nice_ticks(0, 2e12, true)).back(), "2T");
  EXPECT_EQ(labels(nice_ticks(0, 8000, true)).back(), "8000");
  EXPECT_EQ(labels(nice_ticks(0, 5e15, true)).back(), "5e15");
  EXPECT_EQ(labels(nice_ticks(0, 3e-7, true)),
            (std::vector<std::string>{"0", "5e-8", "1e-7", "1.5e-7", "2e-7", "2.5e-7", "3e-7"}));
  EXPECT_EQ(labels(nice_ticks(-0.3, 0.3, false)),
            (std::vector<std::string>{"-0.3", "-0.2", "-0.1", "0", "0.1", "0.2", "0.3"}));
}

TEST(AxisCalendar, DaysAndDatesRoundTrip) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(format_date(days_from_civil(2024, 2, 29)), "2024-02-29");
  EXPECT_EQ(format_date(days_from_civil(-44, 3, 15)), "-0044-03-15");
  EXPECT_EQ(format_date(days_from_civil(5874897, 12, 31)), "5874897-12-31");
  for (int64_t d = -800000; d <= 800000; d += 997) {
    const CivilDate c = civil_from_days(d);
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(format_date_time(-1, true), "1969-12-31 23:59:59");
  EXPECT_EQ(format_date_time(90061, false), "1970-01-02 01:01");
}

std::vector<std::string> time_labels(double from, double to, bool dates_only, double width = 700) {
  std::vector<std::string> out;
  for (const TimeTick& t : time_ticks(from, to, dates_only, width, 7.44)) {
    out.push_back(t.label);
  }
  return out;
}

double seconds(int64_t y, unsigned m, unsigned d, int hour = 0) {
  return static_cast<double>(days_from_civil(y, m, d) * 86400 + hour * 3600);
}

TEST(AxisTime, CalendarBoundariesForEverySpan) {
  // Two years: quarters.
  EXPECT_EQ(time_labels(seconds(2024, 11, 1), seconds(2026, 10, 31), true),
            (std::vector<std::string>{"2025-01", "2025-04", "2025-07", "2025-10", "2026-01", "2026-04",
                                      "2026-07", "2026-10"}));
  // Ten days: every second day.
  EXPECT_EQ(time_labels(seconds(2026, 1, 1), seconds(2026, 1, 10), true),
            (std::vector<std::string>{"2026-01-01", "2026-01-03", "2026-01-05", "2026-01-07", "2026-01-09"}));
  // Two months: every other Monday.
  EXPECT_EQ(time_labels(seconds(2026, 1, 1), seconds(2026, 2, 28), true),
            (std::vector<std::string>{"2026-01-05", "2026-01-19", "2026-02-02", "2026-02-16"}));
  // Three weeks: Mondays.
  EXPECT_EQ(time_labels(seconds(2026, 1, 1), seconds(2026, 1, 21), true),
            (std::vector<std::string>{"2026-01-05", "2026-01-12", "2026-01-19"}));
  // A day of timestamps: hours.
  EXPECT_EQ(time_labels(seconds(2026, 1, 1), seconds(2026, 1, 2), false),
            (std::vector<std::string>{"2026-01-01 00:00", "2026-01-01 06:00", "2026-01-01 12:00",
                                      "2026-01-01 18:00", "2026-01-02 00:00"}));
  // A minute: seconds.
  EXPECT_EQ(time_labels(seconds(2026, 1, 1), seconds(2026, 1, 1) + 60, false).front(), "2026-01-01 00:00:00");
  // Decades and millennia: round years.
  EXPECT_EQ(time_labels(seconds(1901, 1, 1), seconds(2026, 1, 1), true),
            (std::vector<std::string>{"1920", "1940", "1960", "1980", "2000", "2020"}));
  const std::vector<std::string> ages = time_labels(seconds(-4000, 1, 1), seconds(294000, 1, 1), true);
  ASSERT_GE(ages.size(), 2u);
  EXPECT_LE(ages.size(), 8u);
  // A narrow axis has fewer labels.
  EXPECT_LE(time_labels(seconds(2024, 11, 1), seconds(2026, 10, 31), true, 160).size(), 2u);
}

TEST(AxisTime, NeverMoreThanEightAndSafeAtTheEdges) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> start(-1e12, 1e12);
  std::uniform_real_distribution<double> span_exponent(0, 12);
  for (int i = 0; i < 5000; ++i) {
    const double a = start(random);
    const double b = a + std::pow(10, span_exponent(random));
    const std::vector<TimeTick> ticks = time_ticks(a, b, i % 2 == 0, 700, 7.44);
    ASSERT_LE(ticks.size(), 8u) << a << " " << b;
    for (size_t k = 0; k < ticks.size(); ++k) {
      ASSERT_GE(ticks[k].seconds, std::ceil(a));
      ASSERT_LE(ticks[k].seconds, std::floor(b));
      if (k > 0) {
        ASSERT_GT(ticks[k].seconds, ticks[k - 1].seconds);
      }
    }
  }
  EXPECT_LE(time_ticks(-INFINITY, INFINITY, false, 700, 7.44).size(), 8u);
  EXPECT_LE(time_ticks(NAN, 1e300, true, 700, 7.44).size(), 8u);
}

} // namespace
} // namespace autoreport::render
