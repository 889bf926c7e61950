// Anomaly detection: planted anomalies in deterministic series, degenerate data, every error path, the
// sensitivity names, and the online detector's causality.
#include "common/error.hpp"
#include "error_check.hpp"
#include "forecast/anomaly.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <set>
#include <vector>

namespace autoreport::forecast {
namespace {

// Uniform noise in [-1, 1] from a fixed linear congruential generator: the same on every platform.
class Noise {
public:
  explicit Noise(uint32_t seed) : state_(seed) {}
  double next() {
    state_ = state_ * 1103515245U + 12345U;
    return static_cast<double>((state_ >> 16) & 0x7fffU) / 32767.0 * 2 - 1;
  }

private:
  uint32_t state_;
};

// 10 years of monthly data: trend, a season of amplitude 10, noise of at most 1 (whose robust z is
// at most about 1 / (1.4826 * 0.5) = 1.35), and three planted anomalies.
std::vector<double> seasonal_series(double noise_amplitude) {
  Noise noise(12345);
  std::vector<double> y;
  for (int t = 0; t < 120; ++t) {
    y.push_back(100 + 0.3 * t + 10 * std::sin(2 * std::numbers::pi * t / 12) +
                noise_amplitude * noise.next());
  }
  y[30] += 15;
  y[75] -= 12;
  y[100] += 20;
  return y;
}

std::set<size_t> flagged(const std::vector<AnomalyPoint>& points) {
  std::set<size_t> out;
  for (size_t t = 0; t < points.size(); ++t) {
    if (points[t].flag) {
      out.insert(t);
    }
  }
  return out;
}

void expect_consistent(const std::vector<AnomalyPoint>& points, double threshold) {
  for (const AnomalyPoint& p : points) {
    ASSERT_TRUE(std::isfinite(p.expected) && std::isfinite(p.lower) && std::isfinite(p.upper) &&
                std::isfinite(p.score));
    EXPECT_LE(p.lower, p.upper);
    EXPECT_EQ(p.flag, p.score > threshold);
  }
}

TEST(ForecastAnomaly, PlantedAnomaliesInASeasonalSeriesAreFlaggedAndNothingElse) {
  for (const double noise : {1.0, 0.0}) {
    const std::vector<double> y = seasonal_series(noise);
    const std::vector<AnomalyPoint> points = detect_anomalies(y, 12, 3.5);
    ASSERT_EQ(points.size(), y.size());
    EXPECT_EQ(flagged(points), (std::set<size_t>{30, 75, 100})) << "noise " << noise;
    expect_consistent(points, 3.5);
    // A flagged value lies outside its bounds, an unflagged one inside.
    for (size_t t = 0; t < y.size(); ++t) {
      EXPECT_EQ(points[t].flag, y[t] < points[t].lower || y[t] > points[t].upper) << t;
    }
    // The expectation is the series without the anomaly: the season and trend, not the spike.
    EXPECT_NEAR(points[30].expected, y[30] - 15, 1.5);
    EXPECT_NEAR(points[100].expected, y[100] - 20, 1.5);
  }
  // With noise the planted anomalies are at least 10 robust standard deviations out.
  const std::vector<AnomalyPoint> points = detect_anomalies(seasonal_series(1.0), 12, 3.5);
  EXPECT_GT(points[30].score, 10);
  EXPECT_GT(points[75].score, 10);
  EXPECT_GT(points[100].score, 10);
  // A lower threshold flags at least as much; a very high one nothing.
  EXPECT_TRUE(flagged(detect_anomalies(seasonal_series(1.0), 12, 50)).empty());
}

TEST(ForecastAnomaly, WithoutASeasonTheRobustTrendIsExpected) {
  Noise noise(777);
  std::vector<double> y;
  for (int t = 0; t < 100; ++t) {
    y.push_back(20 + 0.1 * t + 0.002 * t * t + noise.next());
  }
  y[10] += 8;
  y[50] -= 6;
  y[51] -= 6; // two in a row
  y[90] += 9;
  const std::vector<AnomalyPoint> points = detect_anomalies(y, 1, 3.5);
  EXPECT_EQ(flagged(points), (std::set<size_t>{10, 50, 51, 90}));
  expect_consistent(points, 3.5);
  // Fewer values than two seasons: the period only widens the trend's window, no season is fitted.
  const std::vector<AnomalyPoint> short_series = detect_anomalies(std::span(y).first(30), 24, 3.5);
  EXPECT_EQ(flagged(short_series), (std::set<size_t>{10}));
}

TEST(ForecastAnomaly, ConstantDataHasNoAnomaliesAndFiniteBounds) {
  for (const double value : {7.0, 0.0, -3e300}) {
    for (const size_t period : {1, 4}) {
      const std::vector<AnomalyPoint> points = detect_anomalies(std::vector<double>(40, value), period, 3.5);
      expect_consistent(points, 3.5);
      for (const AnomalyPoint& p : points) {
        EXPECT_FALSE(p.flag);
        EXPECT_LT(p.score, 1e-3); // rounding in the fit, over the scale's floor
        EXPECT_NEAR(p.expected, value, 1e-12 * std::fabs(value));
      }
    }
  }
  // One different value among constants is an anomaly, however small (the scale falls back to the
  // mean absolute deviation, then to 1e-10 of the largest magnitude).
  std::vector<double> y(40, 5.0);
  y[17] = 5.001;
  EXPECT_EQ(flagged(detect_anomalies(y, 1, 3.5)), (std::set<size_t>{17}));
}

TEST(ForecastAnomaly, HugeValuesDoNotOverflow) {
  const std::vector<double> y{1e308, -1e308, 1e308, -1e308, 1e308, -1e308, 1e308};
  expect_consistent(detect_anomalies(y, 1, 3.5), 3.5);
  expect_consistent(detect_anomalies(y, 1, 1e300), 1e300);
}

TEST(ForecastAnomaly, BadInputIsRefused) {
  const std::vector<double> y(30, 1.0);
  EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies(std::span(y).first(2), 1, 3.5); }), "22023");
  EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies(y, 0, 3.5); }), "22023");
  for (const double t :
       {0.0, -1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies(y, 1, t); }), "22023") << t;
  }
  for (const double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    std::vector<double> z = y;
    z[4] = bad;
    EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies(z, 1, 3.5); }), "22023");
    OnlineDetector d(1);
    EXPECT_EQ(test::sqlstate_of([&] { d.score(bad); }), "22023");
  }
  OnlineDetector d(1);
  EXPECT_EQ(test::sqlstate_of([&] { d.score(1e301); }), "22023");
  EXPECT_EQ(test::sqlstate_of([&] { d.score(-1e300); }), "no error");
  EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies(std::span(y).first(3), 1, 3.5); }), "no error");
  EXPECT_EQ(test::sqlstate_of([] { OnlineDetector d(0); }), "22023");
  EXPECT_EQ(test::sqlstate_of([] { OnlineDetector d(12, OnlineOptions{.window = 20}); }), "22023");
  EXPECT_EQ(test::sqlstate_of([] { OnlineDetector d(2016); }), "no error"); // the default holds 2 seasons
  EXPECT_EQ(test::sqlstate_of([] { OnlineDetector d(1, OnlineOptions{.window = 2}); }), "22023");
}

TEST(ForecastAnomaly, SensitivityNamesAndNumbers) {
  EXPECT_EQ(sensitivity_threshold("low"), 4.5);
  EXPECT_EQ(sensitivity_threshold("medium"), 3.5);
  EXPECT_EQ(sensitivity_threshold("high"), 2.5);
  EXPECT_EQ(sensitivity_threshold(" High "), 2.5);
  EXPECT_EQ(sensitivity_threshold("3"), 3.0);
  EXPECT_EQ(sensitivity_threshold("2.75"), 2.75);
  EXPECT_EQ(sensitivity_threshold(".5"), 0.5);
  for (const char* bad : {"", "extreme", "0", "-1", "3.5x", "nan", "inf", "1e3", "3,5", " "}) {
    EXPECT_EQ(test::sqlstate_of([&] { sensitivity_threshold(bad); }), "22023") << bad;
  }
  try {
    sensitivity_threshold("extreme");
  } catch (const Error& e) {
    EXPECT_NE(e.hint().find("low, medium or high"), std::string::npos);
  }
}

// A daily season of 24 values with noise, for the online detector.
std::vector<double> stream(size_t n, uint32_t seed) {
  Noise noise(seed);
  std::vector<double> y;
  for (size_t t = 0; t < n; ++t) {
    y.push_back(50 + 8 * std::sin(2 * std::numbers::pi * static_cast<double>(t) / 24) + noise.next());
  }
  return y;
}

TEST(ForecastAnomaly, TheOnlineDetectorNeverLooksAhead) {
  const std::vector<double> a = stream(700, 1);
  std::vector<double> b = a;
  for (size_t t = 400; t < b.size(); ++t) {
    b[t] = t % 7 == 0 ? 1e6 : -b[t]; // a different future
  }
  OnlineDetector da(24);
  OnlineDetector db(24);
  for (size_t t = 0; t < a.size(); ++t) {
    const double sa = da.score(a[t]);
    const double sb = db.score(b[t]);
    if (t < 400) {
      ASSERT_EQ(sa, sb) << t; // bit for bit
      ASSERT_EQ(da.last_expected(), db.last_expected()) << t;
    }
  }
}

TEST(ForecastAnomaly, TheOnlineDetectorScoresASpikeHighAndNoiseLow) {
  std::vector<double> y = stream(900, 2);
  y[700] += 15; // 15 times the noise's amplitude
  OnlineDetector d(24);
  std::vector<double> scores;
  for (const double v : y) {
    const double s = d.score(v);
    ASSERT_TRUE(s >= 0 && s < 1) << s;
    scores.push_back(s);
  }
  EXPECT_EQ(scores[0], 0); // nothing is known yet
  EXPECT_GT(scores[700], 0.8);
  double highest_other = 0;
  for (size_t t = 0; t < y.size(); ++t) {
    if (t != 700) {
      highest_other = std::max(highest_other, scores[t]);
    }
  }
  EXPECT_LT(highest_other, 0.6);
  EXPECT_GT(scores[700], highest_other + 0.2);
  // Scores are monotone in the robust z: a bigger spike at the same place scores higher.
  std::vector<double> bigger = y;
  bigger[700] += 15;
  OnlineDetector d2(24);
  double s700 = 0;
  for (size_t t = 0; t <= 700; ++t) {
    s700 = d2.score(bigger[t]);
  }
  EXPECT_GT(d2.last_z(), 0);
  EXPECT_GT(s700, scores[700]);
}

TEST(ForecastAnomaly, TheOnlineDetectorHandlesConstantAndSparseStreams) {
  OnlineDetector constant(1);
  for (int t = 0; t < 300; ++t) {
    EXPECT_LT(constant.score(4.0), 1e-3) << t; // rounding in the fit, over the scale's floor
  }
  // Mostly zeros: the scale falls back and every score stays finite and below 1.
  OnlineDetector sparse(1);
  for (int t = 0; t < 600; ++t) {
    const double s = sparse.score(t % 50 == 0 ? 3.0 : 0.0);
    ASSERT_TRUE(s >= 0 && s < 1) << t;
  }
  EXPECT_GT(sparse.score(40.0), 0.5); // much bigger than the usual bursts
}

} // namespace
} // namespace autoreport::forecast
