// Anomaly detection: a point is anomalous when it is far from what the series' trend and season lead
// one to expect, measured in robust standard deviations of the residuals.
//
// Batch (detect_anomalies): the whole series is decomposed at once. With a season (period m >= 2 and
// at least 2m values) by robust STL with a periodic seasonal (stl(s.window = "periodic", robust =
// TRUE), with StlOptions::guard_exact_fit): a detector wants one stable seasonal shape per position,
// not one that bends towards the anomalies; expected = trend + seasonal. Without one (period 1, or
// fewer than 2 seasons) by a robust loess trend over max(7, m, n / 5) points (STL's trend smoother with
// 15 bisquare passes). Then
//
//   r = y - expected,  scale = 1.4826 MAD(r)   (MAD about the median of r)
//   score = |r - median(r)| / scale,  lower/upper = expected + median(r) -/+ threshold * scale,
//   flag = score > threshold.
//
// When MAD is 0 (more than half the residuals equal) the scale is the mean absolute deviation from the
// median times sqrt(pi / 2) (both estimate the standard deviation of normal residuals), and it is never
// below 1e-10 of the data's largest magnitude (1e-300 for all-zero data), so that rounding is not an
// anomaly: constant data gives scores below 1e-3 and finite bounds. The fit is computed on the data
// divided by their largest magnitude, so that no difference overflows, and bounds are clamped to the
// finite doubles. On data without noise any departure from the fitted shape is an anomaly.
//
// Online (OnlineDetector): the same model fitted causally for streaming data; see below.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace autoreport::forecast {

struct AnomalyPoint {
  double expected = 0; // trend + seasonal (or the robust trend)
  double lower = 0;    // expected + median(r) - threshold * scale
  double upper = 0;    // expected + median(r) + threshold * scale
  double score = 0;    // robust z: |r - median(r)| / scale
  bool flag = false;   // score > threshold
};

// One point per value of y (finite, at least 3). period >= 1 (1: no season). threshold > 0 and finite.
// autoreport::Error 22023 otherwise.
std::vector<AnomalyPoint> detect_anomalies(std::span<const double> y, size_t period, double threshold);

// The threshold a sensitivity stands for: "low" 4.5, "medium" 3.5, "high" 2.5 (case and surrounding
// spaces ignored), or a decimal number > 0 written as text, taken as the threshold itself. 22023 with
// a hint otherwise.
double sensitivity_threshold(std::string_view sensitivity);

struct OnlineOptions {
  // Values kept for the model: 0 is max(6 m, 500) capped at max(3000, 2 m); at least 2 seasons.
  size_t window = 0;
  // The model is refitted after this many new values: 0 is max(10, m / 6).
  size_t refit_every = 0;
  // Past robust z values the tail probability is estimated from: 0 is 5000.
  size_t history = 0;
};

// A causal detector for a stream: the score of a value depends only on it and the values before it.
//
// Expectation: it keeps a trailing window of the stream and every `refit_every` values refits robust
// STL (periodic seasonal) on it, or without a season the robust loess trend. A new value is compared
// with that fit's forecast: the trend's last value plus the seasonal value at the new value's position.
//
// Score: the robust z of the one-step error e, |e - median(E)| / (1.4826 MAD(E)) over the recent errors
// E (with the fallbacks of detect_anomalies; median and MAD are updated at each refit), then how rare
// that z is for this stream: its tail probability p, the larger of the normal tail erfc(z / sqrt 2)
// and the tail of the past z values: empirical, and beyond their top 2% (at least 10) an exponential
// tail, peaks over threshold as in extreme value theory, its scale from the median excess (robust to
// a few huge past z) and at least what carries an exponential from the median z to the top 2%. Streams
// whose errors are heavy-tailed need a larger z to be as rare, so one threshold suits many streams. The score
// is L / (L + 3), L = -log10 p: in [0, 1), 0.5 at p = 0.001, monotone in z, and not saturating at 1 as 1 - p
// would in double precision. Until the first fit (2 seasons, or 10 values without a season) and the first
// median and MAD of at least 10 errors, the score is 0.
class OnlineDetector {
public:
  explicit OnlineDetector(size_t period, OnlineOptions options = {});

  // Scores the next value (finite and at most 1e300 in magnitude; 22023 otherwise) and adds it to the
  // history.
  double score(double value);

  // The robust z and tail probability of the last scored value (0 and 1 when it was not scored), and
  // the value it was expected to have (the value itself before the first fit).
  double last_z() const noexcept { return last_z_; }
  double last_p() const noexcept { return last_p_; }
  double last_expected() const noexcept { return last_expected_; }
  size_t period() const noexcept { return period_; }

private:
  void refit();
  double tail_probability(double z) const;
  void remember_z(double z);

  size_t period_;
  size_t window_;
  size_t refit_every_;
  size_t min_history_;
  size_t z_capacity_;
  std::vector<double> values_; // the last window_ values (ring buffer, oldest at head_ once full)
  size_t value_head_ = 0;
  size_t seen_ = 0;      // values seen so far
  size_t fitted_at_ = 0; // seen_ at the last fit
  bool fitted_ = false;
  double level_ = 0;           // the trend's last value at the fit
  std::vector<double> season_; // seasonal value by position (stream index mod period)
  std::vector<double> errors_; // the last window_ one-step errors (ring buffer)
  size_t error_head_ = 0;
  bool spread_known_ = false;
  double center_ = 0; // median and 1.4826 MAD of errors_ at the last fit
  double scale_ = 1;
  std::vector<double> zs_; // the last z_capacity_ robust z values (ring buffer) and the same sorted
  size_t z_head_ = 0;
  std::vector<double> zs_sorted_;
  double magnitude_ = 0; // the largest |value| seen, for the scale's floor
  double last_z_ = 0;
  double last_p_ = 1;
  double last_expected_ = 0;
};

} // namespace autoreport::forecast
