// MSTL: two known seasonal components recovered, one period as plain STL, the periods the data support,
// and forecast_series' multiple-seasonality path (method mstl, auto with candidates, periods given)
// with its fallbacks and errors.
#include "common/error.hpp"
#include "error_check.hpp"
#include "fixture_files.hpp"
#include "forecast/auto.hpp"
#include "forecast/mstl.hpp"
#include "forecast/stl.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

namespace autoreport::forecast {
namespace {

using test::sqlstate_of;

// Uniform noise in [-1, 1], reproducible.
struct Noise {
  unsigned state = 2024;
  double operator()() {
    state = state * 1103515245u + 12345u;
    return (static_cast<double>((state >> 16) & 0x7fff) / 32767.0 - 0.5) * 2;
  }
};

// The daily component of the hourly series below: a smooth cycle of amplitude 10.
double daily(size_t t) {
  return 10 * std::sin(2 * std::numbers::pi * static_cast<double>(t % 24) / 24);
}

// The weekly component: working days up, the weekend down (5 x 24 hours at +4, 2 x 24 at -10), of mean 0.
double weekly(size_t t) {
  return (t % 168) < 120 ? 4.0 : -10.0;
}

// An hourly series with both, a slow trend and noise of amplitude `noise`.
std::vector<double> hourly(size_t n, double noise_amplitude, bool with_weekly = true) {
  Noise noise;
  std::vector<double> y;
  for (size_t t = 0; t < n; ++t) {
    y.push_back(100 + 0.01 * static_cast<double>(t) + daily(t) + (with_weekly ? weekly(t) : 0) +
                noise_amplitude * noise());
  }
  return y;
}

// The root mean square difference between a component and the truth, over the middle of the series
// (STL's ends are extrapolated and less exact).
template <class Truth> double rms_error(const std::vector<double>& component, Truth truth) {
  const size_t n = component.size();
  double sum = 0;
  size_t count = 0;
  for (size_t t = n / 4; t < 3 * n / 4; ++t) {
    sum += (component[t] - truth(t)) * (component[t] - truth(t));
    ++count;
  }
  return std::sqrt(sum / static_cast<double>(count));
}

ForecastOptions options(const char* method, size_t horizon) {
  ForecastOptions o;
  o.method = method;
  o.horizon = horizon;
  return o;
}

// Against R's forecast::mstl() (test/forecast/fixtures/mstl, made once by make_mstl_fixtures.R): every
// component to 1e-7 of the series' scale, far below what a window or pass off by one moves.
TEST(ForecastMstl, MatchesR) {
  const std::vector<nlohmann::json> fixtures = test::fixture_files("mstl");
  ASSERT_GE(fixtures.size(), 2u);
  for (const nlohmann::json& f : fixtures) {
    const std::vector<double> y = f["y"].get<std::vector<double>>();
    const MstlResult d = mstl(y, f["periods"].get<std::vector<size_t>>());
    const auto [low, high] = std::minmax_element(y.begin(), y.end());
    const double tolerance = 1e-7 * (*high - *low);
    const std::string name = f["name"].get<std::string>();
    const auto expect_close = [&](const std::vector<double>& ours, const nlohmann::json& theirs,
                                  const char* what) {
      ASSERT_EQ(ours.size(), theirs.size()) << name << " " << what;
      for (size_t t = 0; t < ours.size(); ++t) {
        ASSERT_NEAR(ours[t], theirs[t].get<double>(), tolerance)
            << name << " " << what << " at t = " << t + 1;
      }
    };
    expect_close(d.trend, f["trend"], "trend");
    for (size_t i = 0; i < d.periods.size(); ++i) {
      expect_close(d.seasonal[i], f["seasonal"][i], "seasonal");
    }
    expect_close(d.remainder, f["remainder"], "remainder");
  }
}

TEST(ForecastMstl, RecoversADailyAndAWeeklySeason) {
  const std::vector<double> y = hourly(24 * 7 * 8, 1.0);
  const std::vector<size_t> periods{168, 24}; // sorted by mstl
  const MstlResult d = mstl(y, periods);
  ASSERT_EQ(d.periods, (std::vector<size_t>{24, 168}));
  // The weekly component's mean is 0; the daily one's amplitude is 10, the weekly one's 14.
  EXPECT_LT(rms_error(d.seasonal[0], daily), 0.8);
  EXPECT_LT(rms_error(d.seasonal[1], [](size_t t) { return weekly(t) - (120 * 4.0 - 48 * 10.0) / 168; }),
            1.5);
  EXPECT_LT(rms_error(d.trend, [](size_t t) { return 100 + 0.01 * static_cast<double>(t); }), 0.8);
  EXPECT_GT(d.strength[0], 0.9);
  EXPECT_GT(d.strength[1], 0.9);
  for (size_t t = 0; t < y.size(); ++t) {
    ASSERT_NEAR(d.trend[t] + d.seasonal[0][t] + d.seasonal[1][t] + d.remainder[t], y[t], 1e-9);
  }
}

TEST(ForecastMstl, OnePeriodIsStlWithTheFirstSeasonalWindow) {
  const std::vector<double> y = hourly(24 * 10, 1.0, false);
  const std::vector<size_t> periods{24};
  const MstlResult d = mstl(y, periods);
  StlOptions o;
  o.period = 24;
  o.seasonal_window = 11;
  const StlResult s = stl(y, o);
  ASSERT_EQ(d.seasonal.size(), 1u);
  for (size_t t = 0; t < y.size(); ++t) {
    ASSERT_DOUBLE_EQ(d.seasonal[0][t], s.seasonal[t]);
    ASSERT_DOUBLE_EQ(d.trend[t], s.trend[t]);
  }
}

TEST(ForecastMstl, RefusesPeriodsWithoutTwoFullCycles) {
  const std::vector<double> y = hourly(336, 1.0); // exactly two weeks: not more than two cycles
  EXPECT_EQ(sqlstate_of([&] { mstl(y, std::vector<size_t>{24, 168}); }), "22023");
  EXPECT_EQ(sqlstate_of([&] { mstl(y, std::vector<size_t>{1}); }), "22023");
  EXPECT_EQ(sqlstate_of([&] { mstl(y, std::vector<size_t>{}); }), "22023");
  EXPECT_EQ(sqlstate_of([&] { mstl(y, std::vector<size_t>{24}); }), "no error");
}

TEST(ForecastMstl, TheSeasonContinuesByEachComponentsLastCycle) {
  MstlResult d;
  d.periods = {2, 3};
  d.seasonal = {{1, -1, 1, -1, 1, -1}, {0, 0, 5, 0, 0, 5}};
  const std::vector<double> s = seasonal_continuation(d, 7);
  EXPECT_EQ(s, (std::vector<double>{1, -1 + 0, 1 + 5, -1, 1, -1 + 5, 1}));
}

TEST(ForecastMstl, TheRemainderDecaysToTheTrend) {
  MstlResult d;
  d.periods = {2};
  d.trend.assign(6, 10.0);
  d.seasonal = {std::vector<double>(6, 0.0)};
  d.remainder = {1, 2, 1, -1, -2, 4};
  // Lag-1 autocorrelation of the remainder (mean 5 / 6): sum of lagged products over sum of squares.
  const double mean = 5.0 / 6;
  double lag0 = 0, lag1 = 0;
  for (size_t t = 0; t < 6; ++t) {
    lag0 += (d.remainder[t] - mean) * (d.remainder[t] - mean);
    lag1 += t > 0 ? (d.remainder[t] - mean) * (d.remainder[t - 1] - mean) : 0;
  }
  const TrendRemainderForecast f = trend_remainder_forecast(d, 3);
  EXPECT_DOUBLE_EQ(f.phi, lag1 / lag0);
  ASSERT_EQ(f.mean.size(), 3u);
  EXPECT_DOUBLE_EQ(f.mean[0], 10 + 4 * f.phi);
  EXPECT_DOUBLE_EQ(f.mean[2], 10 + 4 * f.phi * f.phi * f.phi);
  // A remainder that never changes sign slowly: phi stays below 1, the forecast converges.
  d.remainder = {1, 1, 1, 1, 1, 1};
  EXPECT_EQ(trend_remainder_forecast(d, 2).phi, 0.0); // no variation: nothing to carry on
}

TEST(ForecastMstl, SupportedPeriodsAreThoseWithStrengthAboveNoise) {
  const std::vector<size_t> candidates{24, 168, 8766};
  EXPECT_EQ(supported_periods(hourly(24 * 7 * 6, 1.0), candidates), (std::vector<size_t>{24, 168}));
  EXPECT_EQ(supported_periods(hourly(24 * 7 * 6, 1.0, false), candidates), (std::vector<size_t>{24}));
  // Noise alone: whatever STL calls seasonal stays well below the threshold.
  Noise noise;
  std::vector<double> white(24 * 7 * 6);
  for (double& v : white) {
    v = noise();
  }
  MstlResult judged;
  EXPECT_TRUE(supported_periods(white, candidates, &judged).empty());
  ASSERT_EQ(judged.strength.size(), 2u);
  EXPECT_LT(std::max(judged.strength[0], judged.strength[1]), kMinSeasonalStrength);
  // Few cycles: noise alone reaches about 1 / cycles, and the bar is twice that.
  EXPECT_DOUBLE_EQ(required_strength(168 * 3, 168), 2.0 / 3);
  EXPECT_DOUBLE_EQ(required_strength(24 * 42, 24), kMinSeasonalStrength);
  EXPECT_EQ(supported_periods(hourly(24 * 7 * 3, 1.0, false), candidates), (std::vector<size_t>{24}));
  // A constant has no season, and no NaN strength.
  EXPECT_TRUE(supported_periods(std::vector<double>(400, 5.0), candidates).empty());
}

TEST(ForecastMstl, AutoTakesMstlWhenTwoCandidatesAreSupported) {
  const size_t n = 24 * 7 * 8;
  const std::vector<double> y = hourly(n + 168, 1.0);
  const std::vector<double> history(y.begin(), y.begin() + n);
  ForecastOptions o = options("auto", 168);
  o.candidates = {24, 168, 8766};
  const SeriesForecast r = forecast_series(history, o);
  EXPECT_TRUE(r.model.model.starts_with("MSTL(24,168) + ")) << r.model.model;
  EXPECT_EQ(r.model.period, 24u);
  EXPECT_TRUE(r.model.period_detected);
  ASSERT_GE(r.model.parameters.size(), 2u);
  EXPECT_EQ(r.model.parameters[0].first, "seasonal_strength_24");
  EXPECT_EQ(r.model.parameters[1].first, "seasonal_strength_168");
  // A week ahead, the weekend included, within the noise (amplitude 1) and a little more.
  double sum = 0;
  for (size_t k = 0; k < 168; ++k) {
    const double truth = y[n + k];
    sum += std::fabs(r.forecast.mean[k] - truth);
    ASSERT_LE(r.forecast.lower[1][k], r.forecast.mean[k]);
    ASSERT_GE(r.forecast.upper[1][k], r.forecast.mean[k]);
  }
  EXPECT_LT(sum / 168, 1.5);
  // With one period (the daily one), auto cannot model the weekend and is far off.
  ForecastOptions single = options("auto", 168);
  single.period = 24;
  const SeriesForecast one = forecast_series(history, single);
  double one_sum = 0;
  for (size_t k = 0; k < 168; ++k) {
    one_sum += std::fabs(one.forecast.mean[k] - y[n + k]);
  }
  EXPECT_GT(one_sum / 168, 3.0);
}

TEST(ForecastMstl, AutoKeepsItsUsualWayWithOneSupportedPeriod) {
  ForecastOptions o = options("auto", 24);
  o.candidates = {24, 168};
  const SeriesForecast r = forecast_series(hourly(24 * 7 * 4, 1.0, false), o);
  EXPECT_FALSE(r.model.model.starts_with("MSTL")) << r.model.model;
  EXPECT_EQ(r.model.period, 24u);
  // Too short for the weekly cycle: not even judged.
  const SeriesForecast short_one = forecast_series(hourly(300, 1.0), o);
  EXPECT_FALSE(short_one.model.model.starts_with("MSTL")) << short_one.model.model;
}

TEST(ForecastMstl, AutoTakesMstlForOnePeriodLongerThanSeasonalEtsHolds) {
  // Every 30 minutes: a daily period of 48, too long for a seasonal ETS model; no weekly cycle.
  std::vector<double> y;
  Noise noise;
  for (size_t t = 0; t < 48 * 7 * 3; ++t) {
    y.push_back(50 + 8 * std::sin(2 * std::numbers::pi * static_cast<double>(t % 48) / 48) + noise());
  }
  ForecastOptions o = options("auto", 48);
  o.candidates = {48, 336};
  const SeriesForecast r = forecast_series(y, o);
  EXPECT_TRUE(r.model.model.starts_with("MSTL(48) + ")) << r.model.model;
}

TEST(ForecastMstl, MethodMstlFallsBackSensiblyOnShortSeries) {
  // Periods given, the weekly one too long: MSTL by the daily one, with a note.
  ForecastOptions o = options("mstl", 24);
  o.periods = {24, 168};
  SeriesForecast r = forecast_series(hourly(300, 1.0), o);
  EXPECT_TRUE(r.model.model.starts_with("MSTL(24) + ")) << r.model.model;
  ASSERT_FALSE(r.model.notes.empty());
  EXPECT_NE(r.model.notes.front().find("period 168 left out"), std::string::npos) << r.model.notes.front();
  // Nothing fits: the series is forecast without season, and says so.
  r = forecast_series(hourly(40, 1.0), o);
  EXPECT_FALSE(r.model.model.starts_with("MSTL")) << r.model.model;
  EXPECT_EQ(r.model.period, 1u);
  const bool noted = std::any_of(r.model.notes.begin(), r.model.notes.end(), [](const std::string& note) {
    return note.find("no seasonal period") != std::string::npos;
  });
  EXPECT_TRUE(noted);
  // Auto with both given but one fitting: the usual auto by the one left.
  o.method = "auto";
  r = forecast_series(hourly(300, 1.0), o);
  EXPECT_FALSE(r.model.model.starts_with("MSTL")) << r.model.model;
  EXPECT_EQ(r.model.period, 24u);
  EXPECT_NE(r.model.notes.front().find("period 168 left out"), std::string::npos);
}

TEST(ForecastMstl, MethodMstlWithOnePeriodIsStlf) {
  ForecastOptions o = options("mstl", 12);
  o.period = 24;
  const SeriesForecast r = forecast_series(hourly(24 * 10, 1.0, false), o);
  EXPECT_TRUE(r.model.model.starts_with("MSTL(24) + ")) << r.model.model;
  EXPECT_FALSE(r.model.period_detected);
}

TEST(ForecastMstl, RefusesBadPeriods) {
  const std::vector<double> y = hourly(24 * 7 * 3, 1.0);
  ForecastOptions o = options("auto", 24);
  o.periods = {24, 168};
  o.period = 24;
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, o); }), "22023"); // period and periods
  o.period = 0;
  o.periods = {24, 24};
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, o); }), "22023"); // twice
  o.periods = {1, 24};
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, o); }), "22023"); // below 2
  o.periods = {24, 168};
  o.method = "ets";
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, o); }), "22023"); // one season only
  o.method = "snaive";
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, o); }), "22023");
  o.periods = {24}; // one period is a period
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, o); }), "no error");
  o.method = "mstl";
  o.periods = {24, 168};
  EXPECT_EQ(sqlstate_of([&] { forecast_series(y, o); }), "no error");
}

} // namespace
} // namespace autoreport::forecast
