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
#include <span>
#include <tuple>
#include <algorithm>
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

// A fixed cut-off in robust standard deviations, with room for every planted anomaly.
AnomalyOptions fixed(double threshold) {
  AnomalyOptions o;
  o.threshold = threshold;
  o.max_share = 0.5;
  return o;
}

// Finite results; a flagged spike lies beyond the cut-off; a value is outside its bounds exactly when
// its score is above the cut-off (the bounds are expected + median(r) -/+ cut-off scale).
void expect_consistent(std::span<const double> y, const std::vector<AnomalyPoint>& points) {
  ASSERT_EQ(points.size(), y.size());
  for (size_t t = 0; t < points.size(); ++t) {
    const AnomalyPoint& p = points[t];
    ASSERT_TRUE(std::isfinite(p.expected) && std::isfinite(p.lower) && std::isfinite(p.upper) &&
                std::isfinite(p.score));
    EXPECT_LE(p.lower, p.upper);
    EXPECT_TRUE(p.probability >= 0 && p.probability <= 1) << p.probability;
    EXPECT_EQ(p.flag, p.kind != AnomalyKind::none);
    if (p.kind == AnomalyKind::spike) {
      EXPECT_TRUE(y[t] < p.lower || y[t] > p.upper) << t;
    }
  }
}

size_t count_flagged(const std::vector<AnomalyPoint>& points) {
  return flagged(points).size();
}

TEST(ForecastAnomaly, PlantedAnomaliesInASeasonalSeriesAreFlaggedAndNothingElse) {
  for (const double noise : {1.0, 0.0}) {
    const std::vector<double> y = seasonal_series(noise);
    for (const AnomalyOptions& o : {AnomalyOptions{}, fixed(3.5)}) {
      const std::vector<AnomalyPoint> points = detect_anomalies(y, 12, o);
      expect_consistent(y, points);
      EXPECT_EQ(flagged(points), (std::set<size_t>{30, 75, 100})) << "noise " << noise;
      for (const size_t t : {30, 75, 100}) {
        EXPECT_EQ(points[t].kind, AnomalyKind::spike);
        EXPECT_GT(points[t].probability, 0.99);
      }
      // The expectation is the series without the anomaly: the season and trend, not the spike.
      EXPECT_NEAR(points[30].expected, y[30] - 15, 1.5);
      EXPECT_NEAR(points[100].expected, y[100] - 20, 1.5);
    }
  }
  // With noise the planted anomalies are at least 10 robust standard deviations out.
  const std::vector<AnomalyPoint> points = detect_anomalies(seasonal_series(1.0), 12);
  EXPECT_GT(points[30].score, 10);
  EXPECT_GT(points[75].score, 10);
  EXPECT_GT(points[100].score, 10);
  // A very high threshold flags nothing.
  EXPECT_TRUE(flagged(detect_anomalies(seasonal_series(1.0), 12, fixed(50))).empty());
}

TEST(ForecastAnomaly, WithoutASeasonTheRobustTrendIsExpected) {
  Noise noise(777);
  std::vector<double> y;
  for (int t = 0; t < 100; ++t) {
    y.push_back(20 + 0.1 * t + 0.002 * t * t + noise.next());
  }
  y[10] += 8;
  y[50] -= 6;
  y[51] -= 6; // two in a row: one episode, reported at its first point
  y[90] += 9;
  const std::vector<AnomalyPoint> points = detect_anomalies(y, 1, fixed(3.5));
  EXPECT_EQ(flagged(points), (std::set<size_t>{10, 50, 90}));
  expect_consistent(y, points);
  EXPECT_FALSE(points[51].flag);
  EXPECT_GT(points[51].score, 3.5); // beyond its bounds all the same
  EXPECT_LT(y[51], points[51].lower);
  // Fewer values than two seasons: the period only widens the trend's window, no season is fitted.
  const std::vector<AnomalyPoint> short_series = detect_anomalies(std::span(y).first(30), 24, fixed(3.5));
  EXPECT_EQ(flagged(short_series), (std::set<size_t>{10}));
}

// An episode is not continued by an escalation: a tenfold error a few points after a moderate
// excursion is reported on its own (as in the demo: a busy day, then a price error a week later),
// while a point of the same size continues the episode.
TEST(ForecastAnomaly, AnEscalationStartsItsOwnEpisode) {
  Noise noise(4242);
  std::vector<double> y;
  for (int t = 0; t < 120; ++t) {
    y.push_back(50 + noise.next());
  }
  y[40] += 7;  // moderate
  y[45] += 8;  // within the episode's gap, about as large: the same episode
  y[52] += 80; // far larger: news of its own
  for (const bool causal : {false, true}) {
    const std::vector<AnomalyPoint> points =
        causal ? detect_anomalies_causal(y, 1, fixed(3.5)) : detect_anomalies(y, 1, fixed(3.5));
    EXPECT_TRUE(points[40].flag) << "causal " << causal;
    EXPECT_FALSE(points[45].flag) << "causal " << causal;
    EXPECT_GT(points[45].score, 3.5) << "beyond its bounds all the same";
    EXPECT_TRUE(points[52].flag) << "causal " << causal;
  }
}

TEST(ForecastAnomaly, EsdCriticalValuesAreRosners) {
  // NIST/SEMATECH e-Handbook 1.3.5.17.3 (Rosner's example): n = 54, alpha = 0.05.
  const double lambda[] = {3.159, 3.151, 3.144, 3.136, 3.128, 3.120, 3.112, 3.103, 3.094, 3.085};
  for (size_t k = 1; k <= 10; ++k) {
    EXPECT_NEAR(esd_critical_value(54, k, 0.05), lambda[k - 1], 1.5e-3) << k;
  }
  // A smaller alpha asks for more; a longer series too (more chances to be extreme by luck).
  EXPECT_GT(esd_critical_value(54, 1, 0.01), esd_critical_value(54, 1, 0.05));
  EXPECT_GT(esd_critical_value(5000, 1, 0.05), esd_critical_value(54, 1, 0.05));
  for (const auto& [n, k, alpha] :
       {std::tuple<size_t, size_t, double>{54, 0, 0.05}, {54, 53, 0.05}, {54, 1, 0.0}, {54, 1, 1.0}}) {
    EXPECT_EQ(test::sqlstate_of([&] { esd_critical_value(n, k, alpha); }), "22023") << n << " " << k;
  }
}

// n values of uniform noise in [-1, 1] around 10.
std::vector<double> noisy(size_t n, uint32_t seed) {
  Noise noise(seed);
  std::vector<double> y;
  for (size_t t = 0; t < n; ++t) {
    y.push_back(10 + noise.next());
  }
  return y;
}

TEST(ForecastAnomaly, TheEsdTestFlagsASpikeAndNotNoise) {
  std::vector<double> y = noisy(500, 4);
  EXPECT_EQ(count_flagged(detect_anomalies(y, 1)), 0U); // bounded noise is never improbable
  y[321] += 8;
  const std::vector<AnomalyPoint> points = detect_anomalies(y, 1);
  EXPECT_EQ(flagged(points), (std::set<size_t>{321}));
  EXPECT_EQ(points[321].kind, AnomalyKind::spike);
  expect_consistent(y, points);
  // The bounds sit at the ESD cut-off: between the noise and the spike.
  EXPECT_GT(points[321].upper, 10 + 1);
  EXPECT_LT(points[321].upper, y[321]);
}

TEST(ForecastAnomaly, TheShareFlaggedIsCapped) {
  // A spike every 23 values, 4.4% of the points, each its own anomaly (episodes of 1 value here, so
  // that only the cap limits the count).
  std::vector<double> y = noisy(700, 5);
  for (size_t t = 3; t < y.size(); t += 23) {
    y[t] += 20 + static_cast<double>(t % 5);
  }
  const size_t spikes = (y.size() - 3 + 22) / 23; // 31 spikes, 4.4% of the points
  AnomalyOptions wide;
  wide.max_share = 0.5;
  wide.episode_gap = 1;
  EXPECT_EQ(count_flagged(detect_anomalies(y, 1, wide)), spikes);
  for (const double share : {0.02, 0.01, 0.001}) {
    AnomalyOptions o;
    o.max_share = share;
    o.episode_gap = 1;
    const std::vector<AnomalyPoint> points = detect_anomalies(y, 1, o);
    const auto cap = static_cast<size_t>(std::ceil(share * static_cast<double>(y.size())));
    EXPECT_LE(count_flagged(points), cap) << share;
    EXPECT_GE(count_flagged(points), 1U) << share;
    expect_consistent(y, points);
    // The ones kept are the largest.
    for (const size_t t : flagged(points)) {
      EXPECT_GE(y[t], 10 + 20 + 1) << t;
    }
  }
  // Two equal spikes where max_share leaves room for one: the earlier is reported, not neither.
  std::vector<double> twin(40, 1.0);
  twin[10] = twin[30] = 50;
  EXPECT_EQ(flagged(detect_anomalies(twin, 1)), (std::set<size_t>{10}));
  for (const double bad : {0.0, -0.1, 0.51, std::numeric_limits<double>::quiet_NaN()}) {
    AnomalyOptions o;
    o.max_share = bad;
    EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies(y, 1, o); }), "22023") << bad;
    EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies_causal(y, 1, o); }), "22023") << bad;
    EXPECT_EQ(test::sqlstate_of([&] { anomaly_options("medium", bad); }), "22023") << bad;
  }
}

TEST(ForecastAnomaly, RoundingNoiseIsNotAnAnomaly) {
  // A near-constant reading rounded to 0.1: 100.0, now and then 99.9 or 100.1.
  Noise noise(6);
  std::vector<double> y;
  for (int t = 0; t < 1000; ++t) {
    y.push_back(std::round((100 + 0.06 * noise.next()) * 10) / 10);
  }
  ASSERT_GT(std::count(y.begin(), y.end(), 100.0), 700);
  ASSERT_GT(std::count(y.begin(), y.end(), 100.1) + std::count(y.begin(), y.end(), 99.9), 10);
  for (const size_t period : {1, 24}) {
    const std::vector<AnomalyPoint> points = detect_anomalies(y, period);
    EXPECT_EQ(count_flagged(points), 0U) << period;
    expect_consistent(y, points);
    // A real departure still is one.
    std::vector<double> z = y;
    z[600] = 101.5;
    EXPECT_EQ(flagged(detect_anomalies(z, period)), (std::set<size_t>{600})) << period;
  }
}

TEST(ForecastAnomaly, ALevelShiftIsReportedOnce) {
  for (const size_t period : {1, 24}) {
    std::vector<double> y = noisy(800, 7);
    for (size_t t = 0; t < y.size(); ++t) {
      y[t] += period > 1 ? 5 * std::sin(2 * std::numbers::pi * static_cast<double>(t) / 24) : 0;
      y[t] += t >= 430 ? 12 : 0;
    }
    const std::vector<AnomalyPoint> points = detect_anomalies(y, period);
    EXPECT_EQ(flagged(points), (std::set<size_t>{430})) << period;
    EXPECT_EQ(points[430].kind, AnomalyKind::level_shift) << period;
    expect_consistent(y, points);
    // The new level is expected after the shift, the old one before it.
    EXPECT_NEAR(points[600].expected - y[600], 0, 2) << period;
    EXPECT_NEAR(points[200].expected - y[200], 0, 2) << period;
  }
  // A steady trend is not a shift.
  std::vector<double> trend = noisy(800, 8);
  for (size_t t = 0; t < trend.size(); ++t) {
    trend[t] += 0.05 * static_cast<double>(t);
  }
  EXPECT_EQ(count_flagged(detect_anomalies(trend, 1)), 0U);
}

TEST(ForecastAnomaly, ConstantDataHasNoAnomaliesAndFiniteBounds) {
  for (const double value : {7.0, 0.0, -3e300}) {
    for (const size_t period : {1, 4}) {
      const std::vector<double> y(40, value);
      const std::vector<AnomalyPoint> points = detect_anomalies(y, period);
      expect_consistent(y, points);
      for (const AnomalyPoint& p : points) {
        EXPECT_FALSE(p.flag);
        EXPECT_LT(p.score, 1e-3); // rounding in the fit, over the scale's floor
        EXPECT_NEAR(p.expected, value, 1e-12 * std::fabs(value));
      }
    }
  }
  // One value a rounding step away among constants is not an anomaly; one far away is.
  std::vector<double> y(40, 5.0);
  y[17] = 5.001;
  EXPECT_TRUE(flagged(detect_anomalies(y, 1)).empty());
  y[17] = 5.5;
  EXPECT_EQ(flagged(detect_anomalies(y, 1)), (std::set<size_t>{17}));
  std::vector<double> zeros(40, 0.0);
  zeros[17] = 1000; // 0 and 1000 are not a grid of thousands
  EXPECT_EQ(flagged(detect_anomalies(zeros, 1)), (std::set<size_t>{17}));
}

TEST(ForecastAnomaly, HugeValuesDoNotOverflow) {
  const std::vector<double> y{1e308, -1e308, 1e308, -1e308, 1e308, -1e308, 1e308};
  expect_consistent(y, detect_anomalies(y, 1, fixed(3.5)));
  expect_consistent(y, detect_anomalies(y, 1, fixed(1e300)));
  expect_consistent(y, detect_anomalies(y, 1));
}

TEST(ForecastAnomaly, BadInputIsRefused) {
  const std::vector<double> y(30, 1.0);
  EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies(std::span(y).first(2), 1); }), "22023");
  EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies_causal(std::span(y).first(2), 1); }), "22023");
  EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies(y, 0); }), "22023");
  EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies_causal(y, 0); }), "22023");
  for (const double t :
       {-1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies(y, 1, fixed(t)); }), "22023") << t;
  }
  for (const double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    std::vector<double> z = y;
    z[4] = bad;
    EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies(z, 1); }), "22023");
    EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies_causal(z, 1); }), "22023");
    OnlineDetector d(1);
    EXPECT_EQ(test::sqlstate_of([&] { d.score(bad); }), "22023");
  }
  std::vector<double> huge = y;
  huge[3] = 1e301;
  EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies_causal(huge, 1); }), "22023");
  EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies(huge, 1); }), "no error");
  OnlineDetector d(1);
  EXPECT_EQ(test::sqlstate_of([&] { d.score(1e301); }), "22023");
  EXPECT_EQ(test::sqlstate_of([&] { d.score(-1e300); }), "no error");
  EXPECT_EQ(test::sqlstate_of([&] { detect_anomalies(std::span(y).first(3), 1); }), "no error");
  EXPECT_EQ(test::sqlstate_of([] { OnlineDetector d(0); }), "22023");
  EXPECT_EQ(test::sqlstate_of([] { OnlineDetector d(12, OnlineOptions{.window = 20}); }), "22023");
  EXPECT_EQ(test::sqlstate_of([] { OnlineDetector d(2016); }), "no error"); // the default holds 2 seasons
  EXPECT_EQ(test::sqlstate_of([] { OnlineDetector d(1, OnlineOptions{.window = 2}); }), "22023");
}

TEST(ForecastAnomaly, SensitivityNamesAndNumbers) {
  EXPECT_EQ(anomaly_options("low").alpha, 0.001);
  EXPECT_EQ(anomaly_options("medium").alpha, 0.01);
  EXPECT_EQ(anomaly_options("high").alpha, 0.05);
  EXPECT_EQ(anomaly_options(" High ").alpha, 0.05);
  EXPECT_LT(anomaly_options("low").causal_alpha, anomaly_options("medium").causal_alpha);
  EXPECT_LT(anomaly_options("medium").causal_alpha, anomaly_options("high").causal_alpha);
  EXPECT_EQ(anomaly_options("medium").threshold, 0); // the ESD test, not a fixed cut-off
  EXPECT_EQ(anomaly_options("3").threshold, 3.0);
  EXPECT_EQ(anomaly_options("2.75").threshold, 2.75);
  EXPECT_EQ(anomaly_options(".5").threshold, 0.5);
  EXPECT_EQ(anomaly_options("medium", 0.1).max_share, 0.1);
  EXPECT_EQ(anomaly_options("medium", 0.5).max_share, 0.5);
  for (const char* bad : {"", "extreme", "0", "-1", "3.5x", "nan", "inf", "1e3", "3,5", " "}) {
    EXPECT_EQ(test::sqlstate_of([&] { anomaly_options(bad); }), "22023") << bad;
  }
  try {
    anomaly_options("extreme");
  } catch (const Error& e) {
    EXPECT_NE(e.hint().find("low, medium or high"), std::string::npos);
  }
  // A higher sensitivity never flags less.
  const std::vector<double> y = seasonal_series(1.0);
  EXPECT_LE(count_flagged(detect_anomalies(y, 12, anomaly_options("low"))),
            count_flagged(detect_anomalies(y, 12, anomaly_options("high"))));
}

TEST(ForecastAnomaly, TheCausalFormJudgesEachPointOnThePast) {
  std::vector<double> y;
  Noise noise(9);
  for (size_t t = 0; t < 900; ++t) {
    y.push_back(50 + 8 * std::sin(2 * std::numbers::pi * static_cast<double>(t) / 24) + noise.next());
  }
  y[700] += 15;
  const std::vector<AnomalyPoint> points = detect_anomalies_causal(y, 24);
  EXPECT_EQ(flagged(points), (std::set<size_t>{700}));
  EXPECT_EQ(points[700].kind, AnomalyKind::spike);
  EXPECT_GT(points[700].probability, 0.999);
  EXPECT_GT(y[700], points[700].upper);
  // No model yet: no bounds, no probability, no flag.
  EXPECT_TRUE(std::isnan(points[0].lower) && std::isnan(points[0].upper) &&
              std::isnan(points[0].probability));
  EXPECT_FALSE(points[0].flag);
  // What happens later changes nothing before it.
  std::vector<double> other = y;
  for (size_t t = 701; t < other.size(); ++t) {
    other[t] = -other[t];
  }
  const std::vector<AnomalyPoint> again = detect_anomalies_causal(other, 24);
  for (size_t t = 0; t <= 700; ++t) {
    ASSERT_EQ(again[t].flag, points[t].flag) << t;
    ASSERT_EQ(again[t].score, points[t].score) << t;
  }
  // A sustained excursion is one episode.
  std::vector<double> run = y;
  for (size_t t = 800; t < 806; ++t) {
    run[t] += 30;
  }
  const std::set<size_t> run_flags = flagged(detect_anomalies_causal(run, 24));
  EXPECT_EQ(run_flags, (std::set<size_t>{700, 800}));
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
