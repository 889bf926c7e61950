// Simple exponential smoothing by least squares and the M3 Theta method.
#include "forecast/theta.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"
#include "forecast/checks.hpp"
#include "forecast/least_squares.hpp"
#include "forecast/seasonal.hpp"

#include <cmath>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

constexpr double kAlphaMin = 1e-4;
constexpr double kAlphaMax = 0.9999;

// For a given alpha: the best initial level and the resulting SSE (and final level).
SesFit ses_at(std::span<const double> y, double alpha) {
  check_interrupts(); // the search below runs this some 300 times
  // The level before step t is A + C * l0: accumulate sum C (y - A) and sum C^2.
  double a = 0;
  double c = 1;
  double sum_cy = 0;
  double sum_cc = 0;
  for (const double v : y) {
    sum_cy += c * (v - a);
    sum_cc += c * c;
    a = alpha * v + (1 - alpha) * a;
    c = (1 - alpha) * c;
  }
  SesFit fit;
  fit.alpha = alpha;
  fit.initial_level = sum_cc > 0 ? sum_cy / sum_cc : y[0];
  double level = fit.initial_level;
  for (const double v : y) {
    const double e = v - level;
    fit.sse += e * e;
    level += alpha * e;
  }
  fit.final_level = level;
  fit.sigma2 = fit.sse / static_cast<double>(y.size() - 2);
  return fit;
}

void check_series(std::span<const double> y, size_t min_values) {
  if (y.size() < min_values) {
    throw Error(sqlstate::invalid_parameter_value, "too few values: " + std::to_string(y.size()) +
                                                       " (this method needs at least " +
                                                       std::to_string(min_values) + ")");
  }
  require_finite(y, "the history");
}

} // namespace

SesFit fit_ses(std::span<const double> y) {
  check_series(y, 3);
  // A grid over alpha, then golden-section search around the best grid point.
  constexpr int kGrid = 200;
  double best_alpha = kAlphaMin;
  double best_sse = ses_at(y, kAlphaMin).sse;
  for (int i = 1; i <= kGrid; ++i) {
    const double alpha = kAlphaMin + (kAlphaMax - kAlphaMin) * i / kGrid;
    const double sse = ses_at(y, alpha).sse;
    if (sse < best_sse) {
      best_sse = sse;
      best_alpha = alpha;
    }
  }
  const double step = (kAlphaMax - kAlphaMin) / kGrid;
  double lo = std::max(kAlphaMin, best_alpha - step);
  double hi = std::min(kAlphaMax, best_alpha + step);
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double x1 = hi - ratio * (hi - lo);
  double x2 = lo + ratio * (hi - lo);
  double f1 = ses_at(y, x1).sse;
  double f2 = ses_at(y, x2).sse;
  for (int i = 0; i < 100 && hi - lo > 1e-10; ++i) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - ratio * (hi - lo);
      f1 = ses_at(y, x1).sse;
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + ratio * (hi - lo);
      f2 = ses_at(y, x2).sse;
    }
  }
  const SesFit refined = ses_at(y, (lo + hi) / 2);
  return refined.sse <= best_sse ? refined : ses_at(y, best_alpha);
}

Forecast theta_forecast(size_t n, const SesFit& ses, double drift,
                        const std::vector<double>& seasonal_indices, size_t horizon,
                        std::span<const double> levels) {
  Forecast f;
  f.levels.assign(levels.begin(), levels.end());
  f.lower.assign(levels.size(), {});
  f.upper.assign(levels.size(), {});
  std::vector<double> z;
  for (const double level : levels) {
    z.push_back(normal_quantile_for_level(level));
  }
  const double alpha = ses.alpha;
  const double offset = (1 - std::pow(1 - alpha, static_cast<double>(n))) / alpha;
  for (size_t k = 1; k <= horizon; ++k) {
    const double shift = drift * (static_cast<double>(k - 1) + offset);
    const double point = ses.final_level + shift;
    const double se = std::sqrt(ses.sigma2 * (1 + alpha * alpha * static_cast<double>(k - 1)));
    const double season =
        seasonal_indices.empty() ? 1.0 : seasonal_indices[(n + k - 1) % seasonal_indices.size()];
    // As thetaf: the interval is centred on the reseasonalised forecast, its width not rescaled.
    f.mean.push_back(point * season);
    for (size_t i = 0; i < levels.size(); ++i) {
      f.lower[i].push_back(point * season - z[i] * se);
      f.upper[i].push_back(point * season + z[i] * se);
    }
  }
  return f;
}

ThetaResult theta(std::span<const double> y, size_t period, size_t horizon, std::span<const double> levels) {
  check_series(y, 3);
  ThetaResult r;
  std::vector<double> adjusted(y.begin(), y.end());
  bool positive = true;
  for (const double v : y) {
    positive = positive && v > 0;
  }
  if (positive && seasonality_test(y, period)) {
    r.decomposed = true;
    r.seasonal_indices = multiplicative_indices(y, period);
    for (size_t t = 0; t < adjusted.size(); ++t) {
      adjusted[t] /= r.seasonal_indices[t % period];
    }
  }
  r.ses = fit_ses(adjusted);
  // Half the least-squares slope of the adjusted series on time.
  r.drift = least_squares_line(adjusted).slope / 2;
  r.forecast = theta_forecast(adjusted.size(), r.ses, r.drift, r.seasonal_indices, horizon, levels);
  return r;
}

} // namespace autoreport::forecast
