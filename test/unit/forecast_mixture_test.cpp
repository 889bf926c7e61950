// Akaike weights and Student t mixture quantiles, against values computed with R (qt, pt and uniroot).
#include "forecast/mixture.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace autoreport::forecast {
namespace {

TEST(ForecastMixture, AkaikeWeights) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> w = akaike_weights(std::vector<double>{12, 10, inf});
  ASSERT_EQ(w.size(), 3u);
  const double e = std::exp(-1.0);
  EXPECT_NEAR(w[0], e / (1 + e), 1e-15);
  EXPECT_NEAR(w[1], 1 / (1 + e), 1e-15);
  EXPECT_EQ(w[2], 0);
  // Large criteria do not underflow: only differences matter.
  const std::vector<double> big = akaike_weights(std::vector<double>{1e6, 1e6});
  EXPECT_DOUBLE_EQ(big[0], 0.5);
  // A perfect fit (-infinity) takes all the weight.
  const std::vector<double> perfect = akaike_weights(std::vector<double>{-inf, 3, NAN});
  EXPECT_EQ(perfect[0], 1);
  EXPECT_EQ(perfect[1], 0);
  EXPECT_EQ(perfect[2], 0);
  // Nothing usable: no weights.
  EXPECT_TRUE(akaike_weights(std::vector<double>{inf, NAN}).empty());
  EXPECT_TRUE(akaike_weights(std::vector<double>{}).empty());
}

TEST(ForecastMixture, OneComponentIsItsStudentT) {
  StudentMixture one({1.0}, {5});
  // R: qt(0.975, 5) = 2.57058183563631
  EXPECT_NEAR(one.quantile(std::vector<double>{10}, std::vector<double>{2}, 0.975), 10 + 2 * 2.57058183563631,
              1e-8);
  EXPECT_NEAR(one.quantile(std::vector<double>{10}, std::vector<double>{2}, 0.025), 10 - 2 * 2.57058183563631,
              1e-8);
  StudentMixture ten({1.0}, {10});
  // R: qt(0.9, 10) = 1.37218364111034
  EXPECT_NEAR(ten.quantile(std::vector<double>{0}, std::vector<double>{1}, 0.9), 1.37218364111034, 1e-9);
}

TEST(ForecastMixture, TwoComponentsAgainstR) {
  // R: f <- function(x) 0.3 * pt(x, 5) + 0.7 * pt((x - 3) / 2, 20); uniroot(f(x) - p)
  StudentMixture m({0.3, 0.7}, {5, 20});
  const std::vector<double> at{0, 3};
  const std::vector<double> scale{1, 2};
  EXPECT_NEAR(m.quantile(at, scale, 0.025), -1.92104948164551, 1e-7);
  EXPECT_NEAR(m.quantile(at, scale, 0.5), 1.98153016022185, 1e-7);
  EXPECT_NEAR(m.quantile(at, scale, 0.975), 6.8140626686691, 1e-7);
  // The same mixture again (the standard quantiles are cached per p): the same answers.
  EXPECT_NEAR(m.quantile(at, scale, 0.025), -1.92104948164551, 1e-7);
}

TEST(ForecastMixture, SymmetricMixtureHasSymmetricQuantiles) {
  StudentMixture m({0.5, 0.5}, {30, 30});
  const std::vector<double> at{-1, 1};
  const std::vector<double> scale{1, 1};
  EXPECT_NEAR(m.quantile(at, scale, 0.5), 0, 1e-9);
  EXPECT_NEAR(m.quantile(at, scale, 0.1), -m.quantile(at, scale, 0.9), 1e-9);
}

TEST(ForecastMixture, PointMassesAndZeroWeights) {
  // Half the mass at 0 exactly, half a t(10) at 5: the quantiles below 1/2 ... at most 0.
  StudentMixture m({0.5, 0.5}, {10, 10});
  const std::vector<double> at{0, 5};
  const std::vector<double> scale{0, 1};
  EXPECT_LE(m.quantile(at, scale, 0.25), 0);
  EXPECT_GT(m.quantile(at, scale, 0.75), 4);
  // Every component a point mass at one place: that place.
  StudentMixture flat({0.25, 0.75}, {3, 3});
  EXPECT_EQ(flat.quantile(std::vector<double>{7, 7}, std::vector<double>{0, 0}, 0.975), 7);
  // A zero weight does not count, wherever it sits.
  StudentMixture zero({1.0, 0.0}, {1000, 1000});
  EXPECT_NEAR(zero.quantile(std::vector<double>{0, 1e9}, std::vector<double>{1, 1}, 0.5), 0, 1e-9);
}

TEST(ForecastMixture, ProgrammingErrorsAreRefused) {
  EXPECT_THROW(StudentMixture({1.0}, {0}), std::invalid_argument);
  EXPECT_THROW(StudentMixture({1.0, 0.0}, {5}), std::invalid_argument);
  EXPECT_THROW(StudentMixture({}, {}), std::invalid_argument);
  StudentMixture m({1.0}, {5});
  EXPECT_THROW(m.quantile(std::vector<double>{0}, std::vector<double>{1}, 1.0), std::invalid_argument);
  EXPECT_THROW(m.quantile(std::vector<double>{0, 1}, std::vector<double>{1}, 0.5), std::invalid_argument);
}

} // namespace
} // namespace autoreport::forecast
