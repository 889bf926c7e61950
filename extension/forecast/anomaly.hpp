// Anomaly detection: a point is anomalous when it is improbable under a robust model of the series'
// level, trend and season.
//
// Batch (detect_anomalies), the whole series at once, as Twitter's S-H-ESD:
//   1. Season: with a period m >= 2 and at least 2m values, robust STL with a periodic seasonal
//      (stl(s.window = "periodic", robust = TRUE), StlOptions::guard_exact_fit): one stable seasonal
//      shape per position, not one that bends towards the anomalies.
//   2. Level shifts, on the series less its season: a shift at t is a change of the median between the
//      L values before t and the L values from t on (L: one season, or without one n / 20 within
//      [10, 250]) larger than the critical value below (and at least 5) in robust standard deviations
//      of those windows. A smooth trend reaches at most about 2.7 there (a straight line: medians L
//      slope apart, a window's 1.4826 MAD 0.37 L slope), so only a jump qualifies. The shift's exact
//      start minimises the absolute deviations from the two medians. It is reported once, at its
//      first point (kind level_shift); the level after it is part of the expected value.
//   3. Expectation: trend + season (robust STL again, or without a season a robust loess trend over
//      max(7, m, n / 5) points) of the series less its level shifts, plus the shifts.
//   4. Spikes: residuals r = y - expected, scale = 1.4826 MAD(r) (MAD 0: the mean absolute deviation
//      times sqrt(pi / 2)), score = |r - median(r)| / scale. Rosner's generalised ESD test with at most
//      K = ceil(max_share n) outliers (less the level shifts): the k largest scores are outliers for
//      the largest k with R_k > lambda_k, lambda_k = (n - k) t(p, n - k - 1) /
//      sqrt((n - k - 1 + t^2)(n - k + 1)), p = 1 - alpha / (2 (n - k + 1)). alpha is the probability of
//      flagging anything at all in a series of normal residuals. The scale is fixed at the robust
//      estimate of all residuals instead of recomputed without the k removed (S-H-ESD's): with at
//      most half removed the median and MAD barely move, and the test stays O(n log n).
//      The cut-off c is lambda_k*, raised to the (K+1)-th largest score when more points are beyond
//      it (ties across that rank stay beyond), and the bounds are expected + median(r) -/+ c scale: a
//      point is outside them exactly when its score is above c.
//   5. Episodes: an anomaly is reported once. A point beyond the bounds within L (as above) of the
//      previous point beyond them, and not an escalation (a score at most twice the episode's largest
//      so far), continues that episode: it keeps its score and lies outside its bounds but is not
//      flagged again. A sustained excursion pages once, as a level shift does (even when it swings
//      both ways); a tenfold price error a week after a busy day is reported on its own. Of
//      the episodes' first points the K (less the level shifts) with the largest scores are reported
//      (ties: the earliest), so that at most K points are flagged in all.
//   6. Scale floor: the scale is never below the data's quantisation step (the largest power of ten
//      every value is a multiple of, at most 1% of the largest magnitude: data rounded to 0.1 move
//      by 0.1, and a deviation of a few rounding steps is rounding, not an anomaly) nor below 1e-9 of
//      the data's largest magnitude (what floating point arithmetic leaves).
// The fit is computed on the data divided by their largest magnitude, so that no difference
// overflows, and bounds are clamped to the finite doubles.
//
// Causal (detect_anomalies_causal): the OnlineDetector below over the series, each point scored on
// the points before it only; beyond the bounds when its tail probability is below the causal alpha
// (lower and upper are where that happens), flagged when it starts an episode (no point beyond the
// bounds in the season before it, or without a season in the 10 points before it: a gap that does not
// depend on the series' length, so that a point's judgement never changes as data arrive), and never
// more than max_share of the points seen so far (at least one). Until the detector has a model (two
// seasons, or 10 values, and 10 errors) the bounds and the probability are NaN and nothing is flagged.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace autoreport::forecast {

enum class AnomalyKind { none, spike, level_shift };

struct AnomalyPoint {
  double expected = 0;    // trend + seasonal + level shifts (causal: the one-step forecast)
  double lower = 0;       // expected + median(r) - c scale; NaN where the causal form has no model yet
  double upper = 0;       // expected + median(r) + c scale
  double score = 0;       // robust z: |r - median(r)| / scale (a level shift: the shift's size in it)
  double probability = 0; // batch: 1 - min(1, n P(|Z| > score)), the family-wise confidence that the
                          // point is not a normal residual; causal: 1 - its tail probability. NaN:
                          // not scored yet (causal)
  bool flag = false;      // a reported anomaly: the first point of an episode or a shift
  AnomalyKind kind = AnomalyKind::none; // spike or level_shift when flagged
};

// What sensitivity stands for.
struct AnomalyOptions {
  double alpha = 0.01;        // batch: ESD's family-wise false-positive rate, in (0, 1)
  double causal_alpha = 1e-4; // causal: the tail probability below which a point is flagged
  double threshold = 0;       // > 0: a fixed cut-off in robust standard deviations instead of alpha
  double max_share = 0.02;    // at most this share of the points is flagged, 0 < max_share <= 0.5
  size_t episode_gap = 0;     // points beyond the bounds this close are one episode (0: persistence)
};

// One point per value of y (finite, at least 3). period >= 1 (1: no season). autoreport::Error 22023
// otherwise (and for options out of range).
std::vector<AnomalyPoint> detect_anomalies(std::span<const double> y, size_t period,
                                           const AnomalyOptions& options = {});

// The same points scored causally by an OnlineDetector(period).
std::vector<AnomalyPoint> detect_anomalies_causal(std::span<const double> y, size_t period,
                                                  const AnomalyOptions& options = {});

// The options a sensitivity stands for, with the given max_share: "low" (alpha 0.001, causal 1e-5),
// "medium" (0.01, 1e-4), "high" (0.05, 1e-3), case and surrounding spaces ignored, or a decimal
// number > 0 written as text, taken as a fixed threshold in robust standard deviations (causal: the
// normal tail probability of that z). 22023 with a hint otherwise, or for max_share out of (0, 0.5].
AnomalyOptions anomaly_options(std::string_view sensitivity, double max_share = 0.02);

// Rosner's critical value lambda_k of the generalised ESD test for n values at alpha (1 <= k,
// k + 2 <= n).
double esd_critical_value(size_t n, size_t k, double alpha);

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
  // Whether the last value was scored (a model and a spread of past errors existed), and the
  // interval outside which its error would have had a tail probability below p: [center - z scale,
  // center + z scale] around the expected value's error, z where tail_probability(z) = p. Both in
  // the stream's units.
  bool last_scored() const noexcept { return last_scored_; }
  double last_center() const noexcept { return last_center_; }
  double last_scale() const noexcept { return last_scale_; }
  double last_bound_z() const noexcept { return last_bound_z_; }
  // The tail probability bound_z is computed for (0: not computed).
  void set_bound_probability(double p) noexcept { bound_p_ = p; }
  size_t period() const noexcept { return period_; }

private:
  void refit();
  double tail_probability(double z) const;
  double z_for_probability(double p) const;
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
  bool last_scored_ = false;
  double last_center_ = 0;
  double last_scale_ = 1;
  double last_bound_z_ = 0;
  double bound_p_ = 0;
};

} // namespace autoreport::forecast
