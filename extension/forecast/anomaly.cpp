// Anomaly detection: batch scores from a robust decomposition, the sensitivity names, and the online
// detector.
#include "forecast/anomaly.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"
#include "forecast/checks.hpp"
#include "forecast/stl.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

constexpr double kMadToSigma = 1.4826;              // 1 / Phi^-1(3/4): MAD to a normal sigma
constexpr double kMeanDeviationToSigma = 1.2533141; // sqrt(pi / 2): mean |deviation| to a normal sigma
constexpr double kRelativeFloor = 1e-10;            // of the data's largest magnitude
constexpr double kAbsoluteFloor = 1e-300;
constexpr size_t kMinErrors = 10;      // one-step errors needed before the online detector scores
constexpr double kTailFraction = 0.02; // the top of the past z values that an exponential tail replaces
constexpr size_t kMinTail = 10;        // and at least this many of them
constexpr double kMaxStreamMagnitude = 1e300; // keeps every difference and sum in the fits finite

[[noreturn]] void fail(std::string message) {
  throw Error(sqlstate::invalid_parameter_value, std::move(message));
}

double median_of(std::vector<double> v) {
  const size_t n = v.size();
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(v.begin(), mid, v.end());
  const double upper = *mid;
  if (n % 2 == 1) {
    return upper;
  }
  return (upper + *std::max_element(v.begin(), mid)) / 2;
}

// The robust location and scale of residuals: their median and 1.4826 MAD, or with MAD 0 the mean
// absolute deviation times sqrt(pi / 2), never below floor.
struct Spread {
  double center = 0;
  double scale = 0;
};

Spread robust_spread(const std::vector<double>& r, double floor) {
  Spread s;
  s.center = median_of(r);
  std::vector<double> deviations(r.size());
  double total = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    deviations[i] = std::fabs(r[i] - s.center);
    total += deviations[i];
  }
  s.scale = kMadToSigma * median_of(std::move(deviations));
  if (!(s.scale > 0)) {
    s.scale = kMeanDeviationToSigma * total / static_cast<double>(r.size());
  }
  s.scale = std::max(s.scale, floor);
  return s;
}

double scale_floor(double magnitude) {
  return std::max(kRelativeFloor * magnitude, kAbsoluteFloor);
}

double clamp_finite(double v) {
  constexpr double big = std::numeric_limits<double>::max();
  return std::clamp(v, -big, big);
}

size_t next_odd(size_t x) {
  return x % 2 == 0 ? x + 1 : x;
}

// The robust loess trend used without a season: over max(7, m, n / 5) points.
std::vector<double> robust_trend(std::span<const double> y, size_t period) {
  const size_t n = y.size();
  const size_t window = next_odd(std::max<size_t>({7, period, (n + 4) / 5}));
  return loess_smooth(y, window, true);
}

// trend + seasonal of robust STL with a periodic seasonal.
std::vector<double> seasonal_fit(std::span<const double> y, size_t period) {
  StlOptions o;
  o.period = period;
  o.robust = true;
  o.guard_exact_fit = true;
  const StlResult r = stl(y, o);
  std::vector<double> fit(y.size());
  for (size_t t = 0; t < y.size(); ++t) {
    fit[t] = r.trend[t] + r.seasonal[t];
  }
  return fit;
}

std::string trimmed_lower(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Appends to a ring buffer of the given capacity; returns the value it replaced, if any.
std::optional<double> push_ring(std::vector<double>& ring, size_t& head, size_t capacity, double value) {
  if (ring.size() < capacity) {
    ring.push_back(value);
    return std::nullopt;
  }
  const double old = ring[head];
  ring[head] = value;
  head = (head + 1) % capacity;
  return old;
}

} // namespace

std::vector<AnomalyPoint> detect_anomalies(std::span<const double> y, size_t period, double threshold) {
  const size_t n = y.size();
  if (n < 3) {
    fail("anomaly detection needs at least 3 values, not " + std::to_string(n));
  }
  require_finite(y, "the series");
  if (period < 1) {
    fail("the period must be at least 1 (1: no season)");
  }
  if (!(threshold > 0) || !std::isfinite(threshold)) {
    throw Error(sqlstate::invalid_parameter_value, "the anomaly threshold must be a finite number above 0")
        .with_hint("use a threshold of a few robust standard deviations, e.g. 3.5");
  }
  check_interrupts();
  // Work in units of the largest magnitude so that no difference of two values can overflow.
  double magnitude = 0;
  for (const double v : y) {
    magnitude = std::max(magnitude, std::fabs(v));
  }
  const double unit = magnitude > 0 ? magnitude : 1;
  std::vector<double> z(n);
  for (size_t t = 0; t < n; ++t) {
    z[t] = y[t] / unit;
  }
  const std::vector<double> fit =
      period >= 2 && n >= 2 * period ? seasonal_fit(z, period) : robust_trend(z, period);
  std::vector<double> r(n);
  for (size_t t = 0; t < n; ++t) {
    r[t] = z[t] - fit[t];
  }
  const Spread s = robust_spread(r, scale_floor(magnitude > 0 ? 1 : 0));
  std::vector<AnomalyPoint> out(n);
  for (size_t t = 0; t < n; ++t) {
    AnomalyPoint& p = out[t];
    p.expected = clamp_finite(fit[t] * unit);
    p.lower = clamp_finite((fit[t] + s.center - threshold * s.scale) * unit);
    p.upper = clamp_finite((fit[t] + s.center + threshold * s.scale) * unit);
    p.score = std::fabs(r[t] - s.center) / s.scale;
    p.flag = p.score > threshold;
  }
  return out;
}

double sensitivity_threshold(std::string_view sensitivity) {
  const std::string s = trimmed_lower(sensitivity);
  if (s == "low") {
    return 4.5;
  }
  if (s == "medium") {
    return 3.5;
  }
  if (s == "high") {
    return 2.5;
  }
  double value = 0;
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, value, std::chars_format::fixed);
  if (!s.empty() && ec == std::errc() && ptr == end && std::isfinite(value) && value > 0) {
    return value;
  }
  throw Error(sqlstate::invalid_parameter_value,
              "unknown anomaly sensitivity \"" + std::string(sensitivity) + "\"")
      .with_hint("use low, medium or high, or a threshold in robust standard deviations such as 3.5");
}

OnlineDetector::OnlineDetector(size_t period, OnlineOptions options) : period_(std::max<size_t>(period, 1)) {
  if (period < 1) {
    fail("the period must be at least 1 (1: no season)");
  }
  const bool seasonal = period_ >= 2;
  window_ = options.window != 0
                ? options.window
                : std::min(std::max<size_t>(6 * period_, 500), std::max<size_t>(3000, 2 * period_));
  if (seasonal && window_ < 2 * period_) {
    fail("the window of the online detector must hold at least 2 seasons (" + std::to_string(2 * period_) +
         " values), not " + std::to_string(window_));
  }
  if (window_ < 3) {
    fail("the window of the online detector must hold at least 3 values");
  }
  refit_every_ = options.refit_every != 0 ? options.refit_every : std::max<size_t>(10, period_ / 6);
  z_capacity_ = options.history != 0 ? options.history : 5000;
  min_history_ = seasonal ? 2 * period_ : 10;
  season_.assign(period_, 0.0);
}

void OnlineDetector::refit() {
  // The window in time order.
  std::vector<double> w(values_.size());
  for (size_t i = 0; i < values_.size(); ++i) {
    w[i] = values_[(value_head_ + i) % values_.size()];
  }
  const size_t start = seen_ - w.size(); // stream index of w[0]
  if (period_ >= 2) {
    StlOptions o;
    o.period = period_;
    o.robust = true;
    o.guard_exact_fit = true;
    const StlResult r = stl(w, o);
    for (size_t t = 0; t < period_; ++t) {
      season_[(start + t) % period_] = r.seasonal[t];
    }
    level_ = r.trend.back();
  } else {
    level_ = robust_trend(w, 1).back();
  }
  fitted_ = true;
  fitted_at_ = seen_;
  if (errors_.size() >= kMinErrors) {
    const Spread s = robust_spread(errors_, scale_floor(magnitude_));
    center_ = s.center;
    scale_ = s.scale;
    spread_known_ = true;
  }
}

double OnlineDetector::tail_probability(double z) const {
  const double normal = std::erfc(z / std::sqrt(2.0));
  const size_t n = zs_sorted_.size();
  if (n < kMinErrors) {
    return normal;
  }
  // Peaks over threshold: u is the k-th largest past z; beyond it the tail is exponential,
  // P(Z > z) = k / (n + 1) exp(-(z - u) / beta).
  const size_t k =
      std::min(n, std::max(kMinTail, static_cast<size_t>(kTailFraction * static_cast<double>(n))));
  const double u = zs_sorted_[n - k];
  const double rank = static_cast<double>(n + 1);
  if (z <= u) {
    const auto first = std::lower_bound(zs_sorted_.begin(), zs_sorted_.end(), z);
    return std::max(static_cast<double>(zs_sorted_.end() - first + 1) / rank, normal);
  }
  // beta from the median excess over u (an exponential's median is beta ln 2): a few huge past z, such
  // as those of a stream's first deviations while its scale was still 0, do not swamp it. At least the
  // beta that carries an exponential tail from the median z to u, so that a tail of ties (regular
  // spikes of one size) does not make the smallest excess infinitely rare.
  double beta = 0;
  if (k > 1) {
    beta = (zs_sorted_[n - k + 1 + (k - 2) / 2] - u) / std::numbers::ln2;
  }
  if (n > 2 * k) {
    const double median = zs_sorted_[n / 2];
    beta = std::max(beta, (u - median) / std::log(static_cast<double>(n) / (2.0 * static_cast<double>(k))));
  }
  const double p = beta > 0 ? static_cast<double>(k) / rank * std::exp(-(z - u) / beta) : 0;
  return std::max(p, normal);
}

void OnlineDetector::remember_z(double z) {
  const std::optional<double> old = push_ring(zs_, z_head_, z_capacity_, z);
  if (old) {
    zs_sorted_.erase(std::lower_bound(zs_sorted_.begin(), zs_sorted_.end(), *old));
  }
  zs_sorted_.insert(std::upper_bound(zs_sorted_.begin(), zs_sorted_.end(), z), z);
}

double OnlineDetector::score(double value) {
  if (!std::isfinite(value) || std::fabs(value) > kMaxStreamMagnitude) {
    fail("the values of a stream must be finite (no NaN or infinity) and at most 1e300 in magnitude");
  }
  magnitude_ = std::max(magnitude_, std::fabs(value));
  last_z_ = 0;
  last_p_ = 1;
  last_expected_ = value;
  if (fitted_) {
    last_expected_ = level_ + season_[seen_ % period_];
    const double e = value - last_expected_;
    if (spread_known_) {
      last_z_ = std::fabs(e - center_) / scale_;
      last_p_ = tail_probability(last_z_);
      remember_z(last_z_);
    }
    push_ring(errors_, error_head_, window_, e);
  }
  push_ring(values_, value_head_, window_, value);
  ++seen_;
  if (seen_ >= min_history_ && (!fitted_ || seen_ - fitted_at_ >= refit_every_)) {
    check_interrupts();
    refit();
  }
  // L / (L + 3) with L = -log10 p; p is never 0 (the normal tail underflows only beyond z = 38, and
  // then L is capped by the smallest double).
  const double L = std::max(0.0, -std::log10(std::max(last_p_, std::numeric_limits<double>::min())));
  return L / (L + 3);
}

} // namespace autoreport::forecast
