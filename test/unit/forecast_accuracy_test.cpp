// Accuracy measures against values worked out by hand.
#include "common/error.hpp"
#include "error_check.hpp"
#include "forecast/accuracy.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace autoreport::forecast {
namespace {

TEST(ForecastAccuracy, Smape) {
  // |110-100|/(100+110) = 10/210; |90-100|/(100+90) = 10/190; a perfect step scores 0.
  const std::vector<double> actual{100, 100, 50};
  const std::vector<double> predicted{110, 90, 50};
  EXPECT_NEAR(smape(actual, predicted), (200.0 * 10 / 210 + 200.0 * 10 / 190 + 0) / 3, 1e-12);
  // Both zero counts 0, not NaN; opposite signs reach the top of the scale.
  EXPECT_EQ(smape(std::vector<double>{0}, std::vector<double>{0}), 0);
  EXPECT_NEAR(smape(std::vector<double>{1}, std::vector<double>{-1}), 200, 1e-12);
}

TEST(ForecastAccuracy, MaseScalesBySeasonalNaive) {
  // History with period 2: |3-1|, |4-2|, |5-3| -> scale 2. Errors 1 and 3 -> MAE 2 -> MASE 1.
  const std::vector<double> history{1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(naive_scale(history, 2), 2);
  EXPECT_DOUBLE_EQ(mase(history, 2, std::vector<double>{10, 10}, std::vector<double>{11, 7}), 1);
  // Period 1 (non-seasonal): scale = mean |diff| = 1.
  EXPECT_DOUBLE_EQ(naive_scale(history, 1), 1);
  // A period longer than the history falls back to lag 1.
  EXPECT_DOUBLE_EQ(naive_scale(history, 12), 1);
  // A flat history: infinite unless the forecast is perfect.
  const std::vector<double> flat{3, 3, 3};
  EXPECT_TRUE(std::isinf(mase(flat, 1, std::vector<double>{3}, std::vector<double>{4})));
  EXPECT_EQ(mase(flat, 1, std::vector<double>{3}, std::vector<double>{3}), 0);
}

TEST(ForecastAccuracy, MsisPenalisesMissesByTwoOverAlpha) {
  const std::vector<double> history{1, 2, 3, 4, 5}; // scale 1 at lag 1
  const std::vector<double> actual{5, 0, 12};
  const std::vector<double> lower{4, 1, 8};
  const std::vector<double> upper{6, 3, 10};
  // widths 2 + 2 + 2; misses: 1 below by 1, 12 above by 2; a = 0.05 -> 40 per unit.
  const double expected = (6 + 40 * 1 + 40 * 2) / 3.0;
  EXPECT_NEAR(msis(history, 1, actual, lower, upper, 0.05), expected, 1e-12);
  EXPECT_NEAR(coverage(actual, lower, upper), 1.0 / 3, 1e-12);
}

TEST(ForecastAccuracy, BadInputIs22023) {
  const std::vector<double> two{1, 2};
  const std::vector<double> three{1, 2, 3};
  const std::vector<double> nan{1, std::nan("")};
  EXPECT_EQ(test::sqlstate_of([&] { smape(two, three); }), "22023");
  EXPECT_EQ(test::sqlstate_of([&] { smape(nan, two); }), "22023");
  EXPECT_EQ(test::sqlstate_of([&] { smape(std::vector<double>{}, std::vector<double>{}); }), "22023");
  EXPECT_EQ(test::sqlstate_of([&] { naive_scale(std::vector<double>{1}, 1); }), "22023");
  EXPECT_EQ(test::sqlstate_of([&] { msis(three, 1, two, two, two, 1.5); }), "22023");
  EXPECT_EQ(test::sqlstate_of([&] { coverage(two, three, two); }), "22023");
}

} // namespace
} // namespace autoreport::forecast
