// Anomaly detection: batch scores from a robust decomposition, the sensitivity names, and the online
// detector.
#include "forecast/anomaly.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"
#include "forecast/checks.hpp"
#include "forecast/stl.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <functional>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <optional>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

// The episodes of the points beyond the bounds. A point continues the current episode when it lies
// within `gap` points of the episode's last one and is not an escalation (a score above twice the
// episode's largest so far): a sustained excursion pages once, even when it swings both ways, but a
// tenfold price error a week after a busy day is news of its own.
class Episodes {
public:
  explicit Episodes(size_t gap) : gap_(gap) {}

  // Whether the point at t (beyond the bounds, with this score) continues an episode; otherwise it
  // starts one.
  bool continues(size_t t, double score) {
    const bool continued = started_ && t - last_ <= gap_ && score <= 2 * peak_;
    started_ = true;
    last_ = t;
    peak_ = continued ? std::max(peak_, score) : score;
    return continued;
  }

private:
  size_t gap_;
  bool started_ = false; // last_ is a point beyond the bounds
  size_t last_ = 0;
  double peak_ = 0;
};

constexpr double kMadToSigma = 1.4826;              // 1 / Phi^-1(3/4): MAD to a normal sigma
constexpr double kMeanDeviationToSigma = 1.2533141; // sqrt(pi / 2): mean |deviation| to a normal sigma
constexpr double kRelativeFloor = 1e-9;             // of the data's largest magnitude
constexpr double kAbsoluteFloor = 1e-300;
constexpr size_t kMinErrors = 10;      // one-step errors needed before the online detector scores
constexpr double kTailFraction = 0.02; // the top of the past z values that an exponential tail replaces
constexpr size_t kMinTail = 10;        // and at least this many of them
constexpr double kMaxStreamMagnitude = 1e300;  // keeps every difference and sum in the fits finite
constexpr double kMaxShare = 0.5;              // beyond half, "anomalous" is the normal
constexpr size_t kMinPersistence = 10;         // values a level shift must last, at least
constexpr size_t kMaxPersistence = 250;        // and without a season at most
constexpr size_t kCausalGap = kMinPersistence; // the causal form's episode gap without a season
constexpr double kMaxQuantum = 0.01;           // of the largest magnitude
constexpr double kMinShiftCritical = 5;        // above the ~2.7 a smooth trend reaches

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

// A number as PostgreSQL prints a float8 (shortest form, NaN, Infinity).
std::string number_text(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "Infinity" : "-Infinity";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

void check_options(const AnomalyOptions& o) {
  if (!(o.max_share > 0 && o.max_share <= kMaxShare)) {
    throw Error(sqlstate::invalid_parameter_value,
                "max_share must be above 0 and at most 0.5, not " + number_text(o.max_share))
        .with_detail("max_share is the largest share of the points that may be flagged as anomalies.")
        .with_hint("use e.g. 0.02 to flag at most 2% of the points.");
  }
  if (!(o.alpha > 0 && o.alpha < 1) || !(o.causal_alpha > 0 && o.causal_alpha < 1)) {
    fail("the anomaly false-positive rates must lie between 0 and 1");
  }
  if (!(o.threshold >= 0) || !std::isfinite(o.threshold)) {
    throw Error(sqlstate::invalid_parameter_value, "the anomaly threshold must be a finite number above 0")
        .with_hint("use a threshold of a few robust standard deviations, e.g. 3.5");
  }
}

// The data's quantisation step, in their units: the largest power of ten of which every value is a
// multiple (to 1e-9), at most 1% of the largest magnitude (a coarser grid is the data, not rounding:
// 0 and 1000 are not "rounded to thousands"); 0 when there is none down to 1e-17 of the magnitude.
double quantisation_step(std::span<const double> y, double magnitude) {
  if (!(magnitude > 0)) {
    return 0;
  }
  const int top = static_cast<int>(std::floor(std::log10(kMaxQuantum * magnitude)));
  for (int k = top; k > top - 16; --k) {
    const double step = std::pow(10.0, k);
    const bool on_grid = std::all_of(y.begin(), y.end(), [&](double v) {
      const double units = v / step;
      return std::fabs(units - std::round(units)) <= 1e-9 * std::max(1.0, std::fabs(units));
    });
    if (on_grid) {
      return step;
    }
  }
  return 0;
}

// The seasonal component of robust STL with a periodic seasonal.
std::vector<double> seasonal_component(std::span<const double> y, size_t period) {
  StlOptions o;
  o.period = period;
  o.robust = true;
  o.guard_exact_fit = true;
  return stl(y, o).seasonal;
}

struct LevelShift {
  size_t at = 0;        // the first point at the new level
  double size = 0;      // new level - old level
  double statistic = 0; // |size| in robust standard deviations of the windows around it
};

// The median and robust scale of v[first, last), the scale at least floor.
Spread window_spread(std::span<const double> v, size_t first, size_t last, double floor) {
  return robust_spread(std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(first),
                                           v.begin() + static_cast<std::ptrdiff_t>(last)),
                       floor);
}

// How far the median of [at, last) lies from that of [first, at), in their pooled robust scale.
LevelShift shift_between(std::span<const double> d, size_t first, size_t at, size_t last, double floor) {
  const Spread before = window_spread(d, first, at, floor);
  const Spread after = window_spread(d, at, last, floor);
  const double pooled = std::sqrt((before.scale * before.scale + after.scale * after.scale) / 2);
  return {at, after.center - before.center, std::fabs(after.center - before.center) / pooled};
}

// The level shifts of d (see the header), at most max_count, in time order.
std::vector<LevelShift> find_level_shifts(std::span<const double> d, size_t persistence, double critical,
                                          double floor, size_t max_count) {
  const size_t n = d.size();
  const size_t L = persistence;
  if (n < 2 * L || max_count == 0) {
    return {};
  }
  // The statistic on a grid of L / 16, then the strongest candidates at least L apart.
  const size_t stride = std::max<size_t>(1, L / 16);
  std::vector<LevelShift> candidates;
  for (size_t at = L; at + L <= n; at += stride) {
    check_interrupts();
    const LevelShift s = shift_between(d, at - L, at, at + L, floor);
    if (s.statistic > critical) {
      candidates.push_back(s);
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const LevelShift& a, const LevelShift& b) { return a.statistic > b.statistic; });
  std::vector<LevelShift> accepted;
  for (const LevelShift& c : candidates) {
    const bool apart = std::all_of(accepted.begin(), accepted.end(), [&](const LevelShift& a) {
      return (a.at > c.at ? a.at - c.at : c.at - a.at) >= L;
    });
    if (apart) {
      accepted.push_back(c);
      if (accepted.size() == max_count) {
        break;
      }
    }
  }
  // The exact start: the split of [at - L, at + L) that minimises the absolute deviations from the
  // medians before and after, within L / 2 of the candidate.
  for (LevelShift& s : accepted) {
    const size_t first = s.at - L;
    const Spread before = window_spread(d, first, s.at, floor);
    const Spread after = window_spread(d, s.at, s.at + L, floor);
    std::vector<double> to_before(2 * L + 1, 0.0), to_after(2 * L + 1, 0.0); // prefix sums
    for (size_t i = 0; i < 2 * L; ++i) {
      to_before[i + 1] = to_before[i] + std::fabs(d[first + i] - before.center);
      to_after[i + 1] = to_after[i] + std::fabs(d[first + i] - after.center);
    }
    size_t best = s.at;
    double best_cost = std::numeric_limits<double>::infinity();
    for (size_t k = L - L / 2; k <= L + L / 2; ++k) {
      const double cost = to_before[k] + (to_after[2 * L] - to_after[k]);
      if (cost < best_cost) {
        best_cost = cost;
        best = first + k;
      }
    }
    s.at = std::clamp<size_t>(best, 1, n - 1);
  }
  std::sort(accepted.begin(), accepted.end(),
            [](const LevelShift& a, const LevelShift& b) { return a.at < b.at; });
  accepted.erase(std::unique(accepted.begin(), accepted.end(),
                             [](const LevelShift& a, const LevelShift& b) { return a.at == b.at; }),
                 accepted.end());
  // Sizes measured between the neighbouring shifts, at most L on either side.
  for (size_t j = 0; j < accepted.size(); ++j) {
    const size_t at = accepted[j].at;
    const size_t first = std::max(j > 0 ? accepted[j - 1].at : 0, at >= L ? at - L : 0);
    const size_t last = std::min(j + 1 < accepted.size() ? accepted[j + 1].at : n, at + L);
    const double statistic = accepted[j].statistic;
    accepted[j] = shift_between(d, first, at, last, floor);
    accepted[j].statistic = std::max(accepted[j].statistic, statistic);
  }
  return accepted;
}

double esd_cutoff(const std::vector<double>& sorted, size_t n, size_t max_spikes,
                  const AnomalyOptions& options);

// The cut-off on the spike scores: the ESD test's with at most max_spikes outliers (or the fixed
// threshold), raised to the (max_spikes + 1)-th largest score when more are beyond it, so that the
// bounds show what max_share lets through. Ties across that rank stay beyond (a cut-off between equal
// scores does not exist; the reports are capped afterwards).
double spike_cutoff(const std::vector<double>& scores, size_t max_spikes, const AnomalyOptions& options) {
  const size_t n = scores.size();
  const size_t top = std::min(n, max_spikes + 1);
  std::vector<double> sorted = scores;
  std::partial_sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(top), sorted.end(),
                    std::greater<>());
  const double test = options.threshold > 0 ? options.threshold : esd_cutoff(sorted, n, max_spikes, options);
  if (max_spikes >= n) {
    return test;
  }
  const double next = sorted[max_spikes];
  if (max_spikes > 0 && sorted[max_spikes - 1] == next) {
    return std::max(test, std::nextafter(next, 0.0));
  }
  return std::max(test, next);
}

// The ESD test's cut-off lambda_k* (lambda_1 when nothing passes) on the scores sorted downwards (at
// least the first max_spikes of them).
double esd_cutoff(const std::vector<double>& sorted, size_t n, size_t max_spikes,
                  const AnomalyOptions& options) {
  const size_t tested = std::min(max_spikes, n - 2);
  size_t found = 0;
  if (tested >= 1) {
    // lambda_k falls with k, so once R_k <= lambda_tested no later k can pass.
    const double last_critical = esd_critical_value(n, tested, options.alpha);
    for (size_t k = 1; k <= tested && sorted[k - 1] > last_critical; ++k) {
      if ((k & 1023U) == 0) {
        check_interrupts();
      }
      if (sorted[k - 1] > esd_critical_value(n, k, options.alpha)) {
        found = k;
      }
    }
  }
  return esd_critical_value(n, std::max<size_t>(found, 1), options.alpha);
}

// What both forms refuse (fewer than 3 values, non-finite ones, a period below 1, bad options), and
// the data's largest magnitude.
double checked_magnitude(std::span<const double> y, size_t period, const AnomalyOptions& options) {
  if (y.size() < 3) {
    fail("anomaly detection needs at least 3 values, not " + std::to_string(y.size()));
  }
  require_finite(y, "the series");
  if (period < 1) {
    fail("the period must be at least 1 (1: no season)");
  }
  check_options(options);
  double magnitude = 0;
  for (const double v : y) {
    magnitude = std::max(magnitude, std::fabs(v));
  }
  return magnitude;
}

} // namespace

std::vector<AnomalyPoint> detect_anomalies(std::span<const double> y, size_t period,
                                           const AnomalyOptions& options) {
  const size_t n = y.size();
  const double magnitude = checked_magnitude(y, period, options);
  check_interrupts();
  // Work in units of the largest magnitude so that no difference of two values can overflow.
  const double unit = magnitude > 0 ? magnitude : 1;
  std::vector<double> z(n);
  for (size_t t = 0; t < n; ++t) {
    z[t] = y[t] / unit;
  }
  const double floor =
      std::max(magnitude > 0 ? kRelativeFloor : kAbsoluteFloor, quantisation_step(y, magnitude) / unit);
  const bool seasonal = period >= 2 && n >= 2 * period;
  const size_t cap = std::min(n, static_cast<size_t>(std::ceil(options.max_share * static_cast<double>(n))));
  const double first_critical =
      options.threshold > 0 ? options.threshold : esd_critical_value(n, 1, options.alpha);

  // Level shifts, on the series less its season.
  std::vector<double> deseasoned = z;
  if (seasonal) {
    const std::vector<double> s = seasonal_component(z, period);
    for (size_t t = 0; t < n; ++t) {
      deseasoned[t] -= s[t];
    }
  }
  const size_t persistence = seasonal ? std::max<size_t>(period, kMinPersistence)
                                      : std::clamp<size_t>(n / 20, kMinPersistence, kMaxPersistence);
  const std::vector<LevelShift> shifts =
      find_level_shifts(deseasoned, persistence, std::max(first_critical, kMinShiftCritical), floor, cap);
  std::vector<double> steps(n, 0.0);
  {
    double level = 0;
    size_t next = 0;
    for (size_t t = 0; t < n; ++t) {
      while (next < shifts.size() && shifts[next].at == t) {
        level += shifts[next++].size;
      }
      steps[t] = level;
    }
  }
  std::vector<double> unshifted(n);
  for (size_t t = 0; t < n; ++t) {
    unshifted[t] = z[t] - steps[t];
  }
  std::vector<double> fit = seasonal ? seasonal_fit(unshifted, period) : robust_trend(unshifted, period);
  std::vector<double> r(n);
  for (size_t t = 0; t < n; ++t) {
    fit[t] += steps[t];
    r[t] = z[t] - fit[t];
  }
  const Spread s = robust_spread(r, floor);
  std::vector<double> scores(n);
  for (size_t t = 0; t < n; ++t) {
    scores[t] = std::fabs(r[t] - s.center) / s.scale;
  }
  const double cutoff = spike_cutoff(scores, cap - std::min(cap, shifts.size()), options);
  std::vector<AnomalyPoint> out(n);
  const double count = static_cast<double>(n);
  for (size_t t = 0; t < n; ++t) {
    AnomalyPoint& p = out[t];
    p.expected = clamp_finite(fit[t] * unit);
    p.lower = clamp_finite((fit[t] + s.center - cutoff * s.scale) * unit);
    p.upper = clamp_finite((fit[t] + s.center + cutoff * s.scale) * unit);
    p.score = scores[t];
  }
  // One report per episode: a point beyond the bounds within `gap` of the previous one continues its
  // episode and is not reported again. Of the episodes' starts the largest are reported, as many as
  // max_share leaves after the level shifts (ties: the earliest).
  const size_t gap = options.episode_gap != 0 ? options.episode_gap : persistence;
  std::vector<size_t> starts;
  Episodes episodes(gap);
  for (size_t t = 0; t < n; ++t) {
    if (scores[t] > cutoff && !episodes.continues(t, scores[t])) {
      starts.push_back(t);
    }
  }
  const size_t max_spikes = cap - std::min(cap, shifts.size());
  std::stable_sort(starts.begin(), starts.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  starts.resize(std::min(starts.size(), max_spikes));
  for (const size_t t : starts) {
    out[t].flag = true;
    out[t].kind = AnomalyKind::spike;
  }
  for (const LevelShift& shift : shifts) {
    AnomalyPoint& p = out[shift.at];
    p.flag = true;
    p.kind = AnomalyKind::level_shift;
    p.score = std::max(p.score, shift.statistic);
  }
  for (AnomalyPoint& p : out) {
    p.probability = 1 - std::min(1.0, count * std::erfc(p.score / std::numbers::sqrt2));
  }
  return out;
}

std::vector<AnomalyPoint> detect_anomalies_causal(std::span<const double> y, size_t period,
                                                  const AnomalyOptions& options) {
  const size_t n = y.size();
  const double magnitude = checked_magnitude(y, period, options);
  if (magnitude > kMaxStreamMagnitude) {
    fail("the causal form needs values of at most 1e300 in magnitude");
  }
  // The causal form's tail probability: alpha, or for a fixed threshold the normal tail beyond it.
  const double alpha =
      options.threshold > 0 ? std::erfc(options.threshold / std::numbers::sqrt2) : options.causal_alpha;
  OnlineDetector detector(period);
  detector.set_bound_probability(alpha);
  std::vector<AnomalyPoint> out(n);
  size_t flagged = 0;
  // One report per episode, as in the batch form: a point beyond the bounds within `gap` of the
  // previous one continues its episode. Without a season the gap cannot depend on the series' length
  // (the judgement of a point would change as the series grows), so it is the smallest persistence.
  const size_t gap = options.episode_gap != 0         ? options.episode_gap
                     : period >= 2 && n >= 2 * period ? std::max(period, kMinPersistence)
                                                      : kCausalGap;
  Episodes episodes(gap);
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t t = 0; t < n; ++t) {
    detector.score(y[t]);
    AnomalyPoint& p = out[t];
    p.expected = detector.last_expected();
    if (!detector.last_scored()) {
      p.lower = p.upper = p.probability = nan;
      continue;
    }
    const double half = detector.last_bound_z() * detector.last_scale();
    p.lower = clamp_finite(p.expected + detector.last_center() - half);
    p.upper = clamp_finite(p.expected + detector.last_center() + half);
    p.score = detector.last_z();
    p.probability = 1 - detector.last_p();
    if (p.score <= detector.last_bound_z()) {
      continue;
    }
    const bool continues = episodes.continues(t, p.score);
    const double allowed = std::max(1.0, options.max_share * static_cast<double>(t + 1));
    if (!continues && static_cast<double>(flagged + 1) <= allowed) {
      p.flag = true;
      p.kind = AnomalyKind::spike;
      ++flagged;
    }
  }
  return out;
}

AnomalyOptions anomaly_options(std::string_view sensitivity, double max_share) {
  AnomalyOptions o;
  o.max_share = max_share;
  const std::string s = trimmed_lower(sensitivity);
  if (s == "low") {
    o.alpha = 0.001;
    o.causal_alpha = 1e-5;
  } else if (s == "medium") {
    o.alpha = 0.01;
    o.causal_alpha = 1e-4;
  } else if (s == "high") {
    o.alpha = 0.05;
    o.causal_alpha = 1e-3;
  } else {
    double value = 0;
    const char* end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, value, std::chars_format::fixed);
    if (s.empty() || ec != std::errc() || ptr != end || !std::isfinite(value) || !(value > 0)) {
      throw Error(sqlstate::invalid_parameter_value,
                  "unknown anomaly sensitivity \"" + std::string(sensitivity) + "\"")
          .with_hint("use low, medium or high, or a threshold in robust standard deviations such as 3.5");
    }
    o.threshold = value;
  }
  check_options(o);
  return o;
}

double esd_critical_value(size_t n, size_t k, double alpha) {
  if (k < 1 || k + 2 > n || !(alpha > 0 && alpha < 1)) {
    fail("the ESD critical value needs 1 <= k <= n - 2 and 0 < alpha < 1");
  }
  const double rest = static_cast<double>(n - k + 1); // values left when the k-th largest is tested
  const double p = 1 - alpha / (2 * rest);
  const double t = boost::math::quantile(boost::math::students_t(rest - 2), p);
  return (rest - 1) * t / std::sqrt((rest - 2 + t * t) * rest);
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

// The z whose tail probability is p (tail_probability falls with z), to 1e-9.
double OnlineDetector::z_for_probability(double p) const {
  double lo = 0;
  double hi = 1;
  while (tail_probability(hi) > p && hi < 1e6) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1e-9 * hi) {
    const double mid = (lo + hi) / 2;
    (tail_probability(mid) > p ? lo : hi) = mid;
  }
  return hi;
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
  last_scored_ = false;
  if (fitted_) {
    last_expected_ = level_ + season_[seen_ % period_];
    const double e = value - last_expected_;
    if (spread_known_) {
      last_z_ = std::fabs(e - center_) / scale_;
      last_p_ = tail_probability(last_z_);
      last_scored_ = true;
      last_center_ = center_;
      last_scale_ = scale_;
      if (bound_p_ > 0) {
        last_bound_z_ = z_for_probability(bound_p_);
      }
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
