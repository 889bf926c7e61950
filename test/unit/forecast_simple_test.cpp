// Naive, seasonal naive and drift forecasts against values worked out by hand (R's formulas; the
// fixtures made with R's forecast package check them further in test/forecast/fixtures).
#include "common/error.hpp"
#include "error_check.hpp"
#include "forecast/simple.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace autoreport::forecast {
namespace {

const std::vector<double> kLevels{80, 95};

TEST(ForecastSimple, NormalQuantiles) {
  EXPECT_NEAR(normal_quantile_for_level(95), 1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_quantile_for_level(80), 1.2815515655446004, 1e-12);
  EXPECT_THROW(normal_quantile_for_level(100), Error);
  EXPECT_THROW(normal_quantile_for_level(0), Error);
}

TEST(ForecastSimple, NaiveRepeatsTheLastValueWithGrowingIntervals) {
  // Differences 2, -1, 3: mse = (4 + 1 + 9) / 3.
  const std::vector<double> y{10, 12, 11, 14};
  const Forecast f = lag_walk(y, 1, 3, false, kLevels);
  ASSERT_EQ(f.mean.size(), 3u);
  const double mse = 14.0 / 3;
  for (size_t k = 1; k <= 3; ++k) {
    EXPECT_DOUBLE_EQ(f.mean[k - 1], 14);
    const double se = std::sqrt(mse * static_cast<double>(k));
    EXPECT_NEAR(f.upper[1][k - 1], 14 + 1.959963984540054 * se, 1e-9);
    EXPECT_NEAR(f.lower[0][k - 1], 14 - 1.2815515655446004 * se, 1e-9);
  }
}

TEST(ForecastSimple, SeasonalNaiveRepeatsTheLastSeason) {
  const std::vector<double> y{1, 5, 2, 6, 3, 7}; // period 2: lag differences 1, 1, 1, 1 -> mse 1
  const Forecast f = lag_walk(y, 2, 5, false, kLevels);
  EXPECT_EQ(f.mean, (std::vector<double>{3, 7, 3, 7, 3}));
  // The variance grows once per full season: steps 1-2 one unit, 3-4 two, 5 three.
  EXPECT_NEAR(f.upper[1][1] - f.mean[1], 1.959963984540054 * 1, 1e-9);
  EXPECT_NEAR(f.upper[1][2] - f.mean[2], 1.959963984540054 * std::sqrt(2.0), 1e-9);
  EXPECT_NEAR(f.upper[1][4] - f.mean[4], 1.959963984540054 * std::sqrt(3.0), 1e-9);
}

TEST(ForecastSimple, DriftExtendsTheAverageStep) {
  // Steps 2, 4, 3: b = 3, residuals -1, 1, 0 -> lm sigma^2 = 2/2 = 1, se(b) = 1/sqrt(3).
  const std::vector<double> y{0, 2, 6, 9};
  const Forecast f = lag_walk(y, 1, 2, true, kLevels);
  EXPECT_DOUBLE_EQ(f.mean[0], 12);
  EXPECT_DOUBLE_EQ(f.mean[1], 15);
  const double se2 = std::sqrt(1.0 * 2 + std::pow(2 / std::sqrt(3.0), 2));
  EXPECT_NEAR(f.upper[1][1], 15 + 1.959963984540054 * se2, 1e-9);
}

TEST(ForecastSimple, DegenerateInputIs22023) {
  EXPECT_EQ(test::sqlstate_of([] { lag_walk(std::vector<double>{1}, 1, 3, false, kLevels); }), "22023");
  EXPECT_EQ(test::sqlstate_of([] { lag_walk(std::vector<double>{1, 2}, 1, 3, true, kLevels); }), "22023");
  EXPECT_EQ(test::sqlstate_of([] {
              lag_walk(std::vector<double>{1, NAN, 3}, 1, 3, false, kLevels);
            }),
            "22023");
  EXPECT_EQ(test::sqlstate_of([] { lag_walk(std::vector<double>{1, 2, 3}, 0, 3, false, kLevels); }), "22023");
  EXPECT_EQ(test::sqlstate_of([] {
              lag_walk(std::vector<double>{1, 2, 3}, 1, 3, false, std::vector<double>{120});
            }),
            "22023");
  // A constant history: zero-width intervals, never NaN.
  const Forecast f = lag_walk(std::vector<double>{4, 4, 4}, 1, 2, false, kLevels);
  EXPECT_EQ(f.lower[1][1], 4);
  EXPECT_EQ(f.upper[1][1], 4);
}

} // namespace
} // namespace autoreport::forecast
