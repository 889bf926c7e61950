// SES and Theta on degenerate and simple input (the fixtures check them against R).
#include "common/error.hpp"
#include "forecast/theta.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace autoreport::forecast {
namespace {

TEST(ForecastTheta, SesFollowsALevelShift) {
  // Level 10 then 20: the least-squares alpha is high and the final level near 20.
  const std::vector<double> y{10, 10, 10, 10, 20, 20, 20, 20, 20, 20};
  const SesFit fit = fit_ses(y);
  EXPECT_GT(fit.alpha, 0.9);
  EXPECT_NEAR(fit.final_level, 20, 0.01);
}

TEST(ForecastTheta, ConstantSeriesGivesAFlatForecastAndZeroWidthIntervals) {
  const ThetaResult r = theta(std::vector<double>(12, 42.0), 4, 3, std::vector<double>{95});
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(r.forecast.mean[k], 42, 1e-9);
    EXPECT_NEAR(r.forecast.lower[0][k], 42, 1e-9);
    EXPECT_NEAR(r.forecast.upper[0][k], 42, 1e-9);
  }
  EXPECT_FALSE(r.decomposed);
}

TEST(ForecastTheta, NegativeValuesAreForecastWithoutTheSeason) {
  std::vector<double> y;
  for (int i = 0; i < 24; ++i) {
    y.push_back((i % 4 == 0 ? 10.0 : -5.0) + i);
  }
  const ThetaResult r = theta(y, 4, 4, std::vector<double>{80});
  EXPECT_FALSE(r.decomposed);
  for (const double v : r.forecast.mean) {
    EXPECT_TRUE(std::isfinite(v));
  }
}

TEST(ForecastTheta, BadInputIs22023) {
  const auto code = [](auto f) {
    try {
      f();
    } catch (const Error& e) {
      return e.sqlstate();
    }
    return std::string("no error");
  };
  EXPECT_EQ(code([] { fit_ses(std::vector<double>{1, 2}); }), "22023");
  EXPECT_EQ(code([] {
              theta(std::vector<double>{1, INFINITY, 3, 4}, 1, 2, std::vector<double>{95});
            }),
            "22023");
  EXPECT_EQ(code([] { theta(std::vector<double>{1, 2, 3, 4}, 1, 2, std::vector<double>{0}); }), "22023");
}

} // namespace
} // namespace autoreport::forecast
