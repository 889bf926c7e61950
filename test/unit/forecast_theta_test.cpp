// SES and Theta on degenerate and simple input (the fixtures check them against R).
#include "common/error.hpp"
#include "error_check.hpp"
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
  EXPECT_EQ(test::sqlstate_of([] { fit_ses(std::vector<double>{1, 2}); }), "22023");
  EXPECT_EQ(test::sqlstate_of([] {
              theta(std::vector<double>{1, INFINITY, 3, 4}, 1, 2, std::vector<double>{95});
            }),
            "22023");
  EXPECT_EQ(test::sqlstate_of([] {
              theta(std::vector<double>{1, 2, 3, 4}, 1, 2, std::vector<double>{0});
            }),
            "22023");
}

} // namespace
} // namespace autoreport::forecast

#include "forecast/ets_fit.hpp"

#include <complex>
#include <random>

namespace autoreport::forecast {
namespace {

// A reference: the largest root modulus by Durand-Kerner iteration.
double largest_root(const std::vector<double>& c) {
  const size_t degree = c.size() - 1;
  std::vector<std::complex<double>> z(degree);
  for (size_t i = 0; i < degree; ++i) {
    z[i] = std::pow(std::complex<double>(0.4, 0.9), static_cast<double>(i));
  }
  for (int iteration = 0; iteration < 5000; ++iteration) {
    for (size_t i = 0; i < degree; ++i) {
      std::complex<double> value = c[0], denominator = 1;
      for (size_t j = 1; j < c.size(); ++j) {
        value = value * z[i] + c[j];
      }
      for (size_t j = 0; j < degree; ++j) {
        if (j != i) {
          denominator *= z[i] - z[j];
        }
      }
      z[i] -= value / c[0] / denominator;
    }
  }
  double largest = 0;
  for (const auto& r : z) {
    largest = std::max(largest, std::abs(r));
  }
  return largest;
}

TEST(ForecastEts, RootsWithinByHand) {
  EXPECT_TRUE(roots_within(std::vector<double>{1, 0.4, -0.45}, 1)); // (z - 0.5)(z + 0.9)
  EXPECT_FALSE(roots_within(std::vector<double>{1, -1.1, 0}, 1));   // z (z - 1.1)
  EXPECT_FALSE(roots_within(std::vector<double>{1, 0, 1}, 1));      // +-i, on the circle
  EXPECT_TRUE(roots_within(std::vector<double>{1, 0, 1}, 1 + 1e-10));
  EXPECT_TRUE(roots_within(std::vector<double>{1, -0.5}, 1));
}

TEST(ForecastEts, RootsWithinAgreesWithRootFindingOnTheAdmissibilityPolynomials) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  size_t inside = 0, outside = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const size_t m = trial % 2 == 0 ? 4 : 12;
    const double a = u(rng), b = u(rng) * a, g = u(rng) * 1.2, phi = 0.8 + 0.2 * u(rng);
    std::vector<double> c(m + 2, a + b - a * phi);
    c[0] = 1;
    c[1] = a + b - phi;
    c[m] = a + b - a * phi + g - 1;
    c[m + 1] = phi * (1 - a - g);
    const double largest = largest_root(c);
    if (std::fabs(largest - 1) < 1e-6) {
      continue; // too close to the circle to compare two numerical methods
    }
    const bool expected = largest < 1;
    EXPECT_EQ(roots_within(c, 1 + 1e-10), expected) << "trial " << trial << " largest root " << largest;
    (expected ? inside : outside) += 1;
  }
  EXPECT_GT(inside, 20u);
  EXPECT_GT(outside, 20u);
}

} // namespace
} // namespace autoreport::forecast
