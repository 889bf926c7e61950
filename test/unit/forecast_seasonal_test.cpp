// Autocorrelation, the Theta seasonality test and multiplicative decomposition, by hand-worked values.
#include "common/error.hpp"
#include "forecast/seasonal.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace autoreport::forecast {
namespace {

TEST(ForecastSeasonal, AutocorrelationByHand) {
  // y = 1, 2, 3, 4: mean 2.5, deviations -1.5 -0.5 0.5 1.5, sum of squares 5.
  // r1 = (0.75 - 0.25 + 0.75) / 5 = 0.25; r2 = (-0.75 - 0.75) / 5 = -0.3; r3 = -2.25 / 5 = -0.45.
  const std::vector<double> r = autocorrelation(std::vector<double>{1, 2, 3, 4}, 3);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_NEAR(r[0], 0.25, 1e-12);
  EXPECT_NEAR(r[1], -0.3, 1e-12);
  EXPECT_NEAR(r[2], -0.45, 1e-12);
  // A constant series: zeros, not NaN.
  for (const double v : autocorrelation(std::vector<double>{5, 5, 5, 5}, 2)) {
    EXPECT_EQ(v, 0);
  }
}

std::vector<double> seasonal_series(size_t seasons, const std::vector<double>& pattern, double growth) {
  std::vector<double> y;
  for (size_t s = 0; s < seasons; ++s) {
    for (const double p : pattern) {
      y.push_back((100 + growth * static_cast<double>(y.size())) * p);
    }
  }
  return y;
}

TEST(ForecastSeasonal, TheTestFindsAStrongSeasonAndNotNoise) {
  const std::vector<double> pattern{0.8, 1.3, 1.1, 0.8};
  EXPECT_TRUE(seasonality_test(seasonal_series(6, pattern, 0.5), 4));
  // A straight line has no season at lag 4 beyond what the shorter lags explain.
  std::vector<double> line;
  for (int i = 0; i < 24; ++i) {
    line.push_back(10 + i);
  }
  EXPECT_FALSE(seasonality_test(line, 4));
  EXPECT_FALSE(seasonality_test(seasonal_series(2, pattern, 0), 4)); // not more than 2m values
  EXPECT_FALSE(seasonality_test(line, 1));
}

TEST(ForecastSeasonal, DecompositionRecoversAMultiplicativePattern) {
  const std::vector<double> pattern{0.8, 1.3, 1.1, 0.8}; // averages 1
  const std::vector<double> indices = multiplicative_indices(seasonal_series(8, pattern, 0), 4);
  ASSERT_EQ(indices.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(indices[i], pattern[i], 1e-12);
  }
  // Odd period (3): a plain centred average.
  const std::vector<double> odd{0.5, 1.0, 1.5};
  const std::vector<double> found = multiplicative_indices(seasonal_series(5, odd, 0), 3);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(found[i], odd[i], 1e-12);
  }
}

TEST(ForecastSeasonal, DecompositionRefusesWhatItCannotDo) {
  EXPECT_THROW(multiplicative_indices(std::vector<double>{1, 2, 3}, 2), Error);
  EXPECT_THROW(multiplicative_indices(std::vector<double>{1, -2, 3, 4}, 2), Error);
  EXPECT_THROW(multiplicative_indices(std::vector<double>{1, 2, 3, 4}, 1), Error);
}

} // namespace
} // namespace autoreport::forecast
