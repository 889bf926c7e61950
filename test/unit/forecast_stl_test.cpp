// STL against R's stl() (test/forecast/fixtures/stl, made once by make_stl_fixtures.R), and its
// error paths.
#include "common/error.hpp"
#include "error_check.hpp"
#include "fixture_files.hpp"
#include "forecast/stl.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace autoreport::forecast {
namespace {

std::vector<nlohmann::json> stl_fixtures() {
  return test::fixture_files("stl");
}

std::optional<size_t> optional_size(const nlohmann::json& j) {
  return j.is_null() ? std::nullopt : std::optional<size_t>(j.get<size_t>());
}

StlOptions options_of(const nlohmann::json& f) {
  const nlohmann::json& o = f["options"];
  StlOptions options;
  options.period = f["period"].get<size_t>();
  if (o["s_window"].is_number()) {
    options.seasonal_window = o["s_window"].get<size_t>();
  }
  if (o["s_degree"].is_number()) {
    options.seasonal_degree = o["s_degree"].get<int>();
  }
  options.trend_window = optional_size(o["t_window"]);
  options.lowpass_window = optional_size(o["l_window"]);
  options.seasonal_jump = optional_size(o["s_jump"]);
  options.trend_jump = optional_size(o["t_jump"]);
  options.lowpass_jump = optional_size(o["l_jump"]);
  options.robust = o["robust"].get<bool>();
  return options;
}

// R's 15 significant digits, and a relative 1e-7 of the series' scale: far tighter than any difference
// an algorithmic slip makes (a jump or window off by one moves values by 1e-3 of the scale or more).
void expect_close(const std::vector<double>& ours, const nlohmann::json& theirs, double scale,
                  const std::string& what) {
  ASSERT_EQ(ours.size(), theirs.size()) << what;
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_NEAR(ours[i], theirs[i].get<double>(), 1e-7 * scale) << what << " at t = " << i + 1;
  }
}

TEST(ForecastStl, FixturesAreThere) {
  EXPECT_GE(stl_fixtures().size(), 9u);
}

TEST(ForecastStl, MatchesR) {
  for (const nlohmann::json& f : stl_fixtures()) {
    const std::string name = f["name"].get<std::string>();
    const auto y = f["y"].get<std::vector<double>>();
    double scale = 0;
    for (const double v : y) {
      scale = std::max(scale, std::fabs(v));
    }
    const StlResult r = stl(y, options_of(f));
    expect_close(r.seasonal, f["seasonal"], scale, name + " seasonal");
    expect_close(r.trend, f["trend"], scale, name + " trend");
    expect_close(r.remainder, f["remainder"], scale, name + " remainder");
    expect_close(r.weights, f["weights"], 1.0, name + " weights");
  }
}

TEST(ForecastStl, RobustFitsGiveThePlantedSpikesNoWeight) {
  for (const nlohmann::json& f : stl_fixtures()) {
    if (f["name"].get<std::string>().rfind("spiky", 0) != 0) {
      continue;
    }
    const StlResult r = stl(f["y"].get<std::vector<double>>(), options_of(f));
    for (const size_t t : {17u, 40u, 41u, 66u}) { // 1-based, as planted by the R script
      EXPECT_EQ(r.weights[t - 1], 0.0) << f["name"] << " t = " << t;
    }
  }
}

TEST(ForecastStl, APeriodicSeasonRepeatsAndTheComponentsAddUp) {
  std::vector<double> y;
  for (int t = 0; t < 30; ++t) {
    y.push_back(10 + 0.5 * t + (t % 3 == 0 ? 4 : t % 3 == 1 ? -1 : -3) + 0.1 * std::sin(t));
  }
  StlOptions o;
  o.period = 3;
  o.robust = true;
  const StlResult r = stl(y, o);
  for (size_t t = 0; t < y.size(); ++t) {
    EXPECT_DOUBLE_EQ(r.seasonal[t], r.seasonal[t % 3]);
    EXPECT_NEAR(r.seasonal[t] + r.trend[t] + r.remainder[t], y[t], 1e-12);
  }
  // Exactly two seasons is enough (R asks for one value more).
  EXPECT_NO_THROW(stl(std::vector<double>(y.begin(), y.begin() + 6), o));
}

TEST(ForecastStl, AConstantSeriesIsAllTrend) {
  StlOptions o;
  o.period = 4;
  o.robust = true;
  const StlResult r = stl(std::vector<double>(20, 7.5), o);
  for (size_t t = 0; t < 20; ++t) {
    EXPECT_NEAR(r.trend[t], 7.5, 1e-12);
    EXPECT_NEAR(r.seasonal[t], 0, 1e-12);
    EXPECT_TRUE(std::isfinite(r.weights[t]));
  }
}

TEST(ForecastStl, BadInputIsRefused) {
  const std::vector<double> y(24, 1.0);
  const auto with = [&](auto change) {
    StlOptions o;
    o.period = 4;
    change(o);
    return test::sqlstate_of([&] { stl(y, o); });
  };
  EXPECT_EQ(with([](StlOptions& o) { o.period = 1; }), "22023");
  EXPECT_EQ(with([](StlOptions& o) { o.period = 13; }), "22023"); // fewer than 2 seasons
  EXPECT_EQ(with([](StlOptions& o) { o.seasonal_window = 5; }), "22023");
  EXPECT_EQ(with([](StlOptions& o) { o.trend_window = 2; }), "22023");
  EXPECT_EQ(with([](StlOptions& o) { o.lowpass_window = 1; }), "22023");
  EXPECT_EQ(with([](StlOptions& o) { o.trend_degree = 2; }), "22023");
  EXPECT_EQ(with([](StlOptions& o) { o.seasonal_degree = -1; }), "22023");
  EXPECT_EQ(with([](StlOptions& o) { o.trend_jump = 0; }), "22023");
  EXPECT_EQ(with([](StlOptions& o) { o.inner = 0; }), "22023");
  EXPECT_EQ(with([](StlOptions&) {}), "no error");
  std::vector<double> bad = y;
  bad[3] = std::numeric_limits<double>::quiet_NaN();
  StlOptions o;
  o.period = 4;
  EXPECT_EQ(test::sqlstate_of([&] { stl(bad, o); }), "22023");
  bad[3] = std::numeric_limits<double>::infinity();
  EXPECT_EQ(test::sqlstate_of([&] { stl(bad, o); }), "22023");
}

TEST(ForecastStl, LoessSmoothFollowsALineAndIgnoresASpike) {
  std::vector<double> y;
  for (int t = 0; t < 50; ++t) {
    y.push_back(3 + 0.25 * t + (t % 2 == 0 ? 0.5 : -0.5)); // a line with a zigzag of +-0.5
  }
  y[20] += 10;
  const std::vector<double> robust = loess_smooth(y, 11, true);
  for (size_t t = 0; t < y.size(); ++t) {
    EXPECT_NEAR(robust[t], 3 + 0.25 * static_cast<double>(t), 0.2) << t;
  }
  const std::vector<double> plain = loess_smooth(y, 11, false);
  EXPECT_GT(plain[20] - (3 + 0.25 * 20), 1); // without robustness the spike pulls the fit
  EXPECT_EQ(loess_smooth(std::vector<double>{4, 9}, 7, true), (std::vector<double>{4, 9}));
  EXPECT_EQ(test::sqlstate_of([] { loess_smooth(std::vector<double>{}, 7, true); }), "22023");
  EXPECT_EQ(test::sqlstate_of([] { loess_smooth(std::vector<double>{1, 2, 3}, 2, true); }), "22023");
}

} // namespace
} // namespace autoreport::forecast
