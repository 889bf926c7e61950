// forecast_series(): methods by name, fallbacks, period detection and the errors of bad input.
#include "common/error.hpp"
#include "error_check.hpp"
#include "forecast/auto.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace autoreport::forecast {
namespace {

using test::sqlstate_of;

// A positive monthly-like series: level 100, trend 0.5, a season of length 12, a little noise.
std::vector<double> seasonal_series(size_t n, size_t period) {
  std::vector<double> y;
  unsigned state = 12345;
  for (size_t t = 0; t < n; ++t) {
    state = state * 1103515245u + 12345u;
    const double noise = (static_cast<double>((state >> 16) & 0x7fff) / 32767.0 - 0.5) * 2;
    const double angle = 2 * std::numbers::pi * static_cast<double>(t % period) / static_cast<double>(period);
    y.push_back(100 + 0.5 * static_cast<double>(t) + 15 * std::sin(angle) + noise);
  }
  return y;
}

ForecastOptions options(const char* method, size_t horizon, size_t period = 0) {
  ForecastOptions o;
  o.method = method;
  o.horizon = horizon;
  o.period = period;
  return o;
}

TEST(ForecastAuto, EveryMethodGivesFiniteOrderedBoundsOfTheRequestedShape) {
  const std::vector<double> y = seasonal_series(72, 12);
  for (const char* method : {"auto", "ets", "ets:AAdA", "theta", "damped", "naive", "snaive", "drift"}) {
    SCOPED_TRACE(method);
    const SeriesForecast r = forecast_series(y, options(method, 18, 12));
    ASSERT_EQ(r.forecast.mean.size(), 18u);
    ASSERT_EQ(r.forecast.levels, (std::vector<double>{80, 95}));
    for (size_t k = 0; k < 18; ++k) {
      ASSERT_TRUE(std::isfinite(r.forecast.mean[k]));
      EXPECT_LE(r.forecast.lower[1][k], r.forecast.lower[0][k]);
      EXPECT_LE(r.forecast.lower[0][k], r.forecast.mean[k]);
      EXPECT_LE(r.forecast.mean[k], r.forecast.upper[0][k]);
      EXPECT_LE(r.forecast.upper[0][k], r.forecast.upper[1][k]);
    }
    EXPECT_EQ(r.model.method, method);
    EXPECT_EQ(r.model.n, 72u);
    EXPECT_FALSE(r.model.period_detected);
  }
}

TEST(ForecastAuto, AutoFollowsTheSeasonAndTrend) {
  const std::vector<double> y = seasonal_series(96, 12);
  const SeriesForecast r = forecast_series(y, options("auto", 12, 12));
  // The truth one season ahead, without noise: the forecast is within a few units of it.
  for (size_t k = 0; k < 12; ++k) {
    const double t = static_cast<double>(96 + k);
    const double angle = 2 * std::numbers::pi * static_cast<double>((96 + k) % 12) / 12.0;
    EXPECT_NEAR(r.forecast.mean[k], 100 + 0.5 * t + 15 * std::sin(angle), 4.0) << "step " << k + 1;
  }
  EXPECT_NE(r.model.model.find("median of ETS("), std::string::npos) << r.model.model;
  EXPECT_EQ(r.model.members.size(), 3u);
}

TEST(ForecastAuto, AutoIntervalAveragesTheEtsModelsAndHoldsEveryMember) {
  // A short trending series (15 values, yearly-like): which ETS model is right is in doubt, and the
  // interval averaged over the candidates, with Student t tails for 15 values, is wider than the chosen
  // model's own normal interval.
  const std::vector<double> y{112, 118, 121, 131, 129, 140, 151, 149, 160, 158, 171, 180, 178, 190, 197};
  const SeriesForecast a = forecast_series(y, options("auto", 6, 1));
  const SeriesForecast e = forecast_series(y, options("ets", 6, 1));
  ASSERT_EQ(a.model.members.size(), 3u);
  bool noted = false;
  for (const std::string& note : a.model.notes) {
    noted = noted || note.find("weighted by AICc") != std::string::npos;
  }
  EXPECT_TRUE(noted);
  const SeriesForecast theta = forecast_series(y, options("theta", 6, 1));
  for (size_t k = 0; k < 6; ++k) {
    EXPECT_GT(a.forecast.upper[1][k] - a.forecast.lower[1][k],
              e.forecast.upper[1][k] - e.forecast.lower[1][k])
        << "step " << k + 1;
    // Every member's forecast lies inside the 80% interval (Theta is a member here as it is alone: no
    // season to remove).
    EXPECT_LE(a.forecast.lower[0][k], theta.forecast.mean[k]);
    EXPECT_GE(a.forecast.upper[0][k], theta.forecast.mean[k]);
    EXPECT_LE(a.forecast.lower[0][k], e.forecast.mean[k]);
    EXPECT_GE(a.forecast.upper[0][k], e.forecast.mean[k]);
  }
}

TEST(ForecastAuto, EtsSummaryHasParametersAndCriteria) {
  const SeriesForecast r = forecast_series(seasonal_series(60, 4), options("ets:AAN", 4, 4));
  EXPECT_EQ(r.model.model, "ETS(A,A,N)");
  EXPECT_TRUE(r.model.has_criteria);
  EXPECT_TRUE(std::isfinite(r.model.aicc));
  EXPECT_GT(r.model.sigma, 0);
  ASSERT_GE(r.model.parameters.size(), 4u);
  EXPECT_EQ(r.model.parameters[0].first, "alpha");
  EXPECT_EQ(r.model.parameters[1].first, "beta");
}

TEST(ForecastAuto, DetectsThePeriod) {
  const std::vector<double> weekly = seasonal_series(140, 7);
  EXPECT_EQ(detect_period(weekly, {}), 7u);
  const std::vector<size_t> daily{7, 365};
  EXPECT_EQ(detect_period(weekly, daily), 7u);
  const SeriesForecast r = forecast_series(weekly, options("snaive", 7));
  EXPECT_TRUE(r.model.period_detected);
  EXPECT_EQ(r.model.period, 7u);
  EXPECT_DOUBLE_EQ(r.forecast.mean[0], weekly[140 - 7]);
  // A random walk-like series without a season: no period.
  std::vector<double> walk{5, 6, 8, 7, 9, 12, 11, 13, 12, 14, 17, 16, 18, 21, 20, 22, 24, 23, 26, 27};
  EXPECT_EQ(detect_period(walk, {}), 1u);
  EXPECT_EQ(detect_period(std::vector<double>(30, 4.0), {}), 1u);
}

TEST(ForecastAuto, ConstantSeriesIsForecastFlatWithZeroWidth) {
  const std::vector<double> y(20, 42.0);
  for (const char* method : {"auto", "ets", "naive"}) {
    SCOPED_TRACE(method);
    const SeriesForecast r = forecast_series(y, options(method, 5, 1));
    for (size_t k = 0; k < 5; ++k) {
      EXPECT_NEAR(r.forecast.mean[k], 42, 1e-9);
      EXPECT_NEAR(r.forecast.lower[1][k], 42, 1e-6);
      EXPECT_NEAR(r.forecast.upper[1][k], 42, 1e-6);
    }
  }
}

TEST(ForecastAuto, FourOrFiveValuesHaveNoAiccButStillAnInterval) {
  // With 4 values no ETS model has an AICc (n - k - 1 <= 0): the interval is the ETS member's.
  for (const std::vector<double>& y : {std::vector<double>{5, 5, 5, 5}, std::vector<double>{1, 3, 2, 4},
                                       std::vector<double>{1, 3, 2, 4, 3}}) {
    const SeriesForecast r = forecast_series(y, options("auto", 2, 1));
    for (size_t k = 0; k < 2; ++k) {
      EXPECT_TRUE(std::isfinite(r.forecast.lower[1][k]));
      EXPECT_LE(r.forecast.lower[1][k], r.forecast.mean[k]);
      EXPECT_GE(r.forecast.upper[1][k], r.forecast.mean[k]);
    }
  }
}

TEST(ForecastAuto, ShortSeriesFallsBackToNaive) {
  const std::vector<double> y{3, 5, 4};
  const SeriesForecast r = forecast_series(y, options("auto", 2, 0));
  EXPECT_EQ(r.model.model, "naive");
  EXPECT_DOUBLE_EQ(r.forecast.mean[1], 4);
  ASSERT_EQ(r.model.notes.size(), 1u);
}

TEST(ForecastAuto, NegativeValuesAvoidMultiplicativeModels) {
  std::vector<double> y = seasonal_series(48, 12);
  for (double& v : y) {
    v -= 130; // crosses zero
  }
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, options("auto", 6, 12)); }), "no error");
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, options("ets:MNM", 6, 12)); }), "22023");
}

TEST(ForecastAuto, ForecastsPastWhatADoubleHoldsAre22023) {
  // A drift of 8.5e307 a step passes the largest double at the first step.
  const std::vector<double> y{0, 0.85e308, 1.7e308};
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, options("drift", 3, 1)); }), "22023");
}

TEST(ForecastAuto, BadInputIs22023) {
  const std::vector<double> y = seasonal_series(30, 4);
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, options("auto", 0)); }), "22023");
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, options("auto", 100001)); }), "22023");
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, options("prophet", 3)); }), "22023");
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, options("ets:XYZ", 3)); }), "22023");
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, options("ets:MMN", 3)); }), "22023");
  EXPECT_EQ(sqlstate_of([&] { forecast_series(std::vector<double>{1}, options("auto", 3)); }), "22023");
  EXPECT_EQ(sqlstate_of([&] { forecast_series(std::vector<double>{}, options("naive", 3)); }), "22023");
  std::vector<double> bad = y;
  bad[3] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(sqlstate_of([&] { forecast_series(bad, options("auto", 3)); }), "22023");
  bad[3] = std::numeric_limits<double>::infinity();
  EXPECT_EQ(sqlstate_of([&] { forecast_series(bad, options("theta", 3)); }), "22023");
  ForecastOptions o = options("auto", 3);
  o.levels = {95, 100};
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, o); }), "22023");
  // Seasonal naive without a season.
  const std::vector<double> walk{5, 6, 8, 7, 9, 12, 11, 13, 12, 14, 17, 16};
  EXPECT_EQ(sqlstate_of([&] { forecast_series(walk, options("snaive", 3, 0)); }), "22023");
  EXPECT_EQ(sqlstate_of([&] { forecast_series(walk, options("ets:ANA", 3, 12)); }), "22023");
}

} // namespace
} // namespace autoreport::forecast

namespace autoreport::forecast {
namespace {

TEST(ForecastAuto, DetectsThePeriodUnderAStrongTrend) {
  std::vector<double> y;
  for (size_t t = 0; t < 72; ++t) {
    y.push_back(200 + 2 * static_cast<double>(t) +
                30 * std::sin(2 * std::numbers::pi * static_cast<double>(t % 12) / 12));
  }
  EXPECT_EQ(detect_period(y, {}), 12u);
}

} // namespace
} // namespace autoreport::forecast
