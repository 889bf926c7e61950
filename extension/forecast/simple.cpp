// Naive, seasonal naive and drift forecasts with their prediction intervals.
#include "forecast/simple.hpp"

#include "common/error.hpp"
#include "forecast/checks.hpp"

#include <boost/math/distributions/normal.hpp>

#include <cmath>
#include <cstdio>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

double normal_quantile_for_level(double level) {
  if (!(level > 0 && level < 100)) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", level);
    throw Error(sqlstate::invalid_parameter_value,
                std::string("a prediction interval level must be between 0 and 100 (exclusive), not ") +
                    text);
  }
  return boost::math::quantile(boost::math::normal_distribution<double>(), 0.5 + level / 200);
}

Forecast lag_walk(std::span<const double> history, size_t lag, size_t horizon, bool drift,
                  std::span<const double> levels) {
  if (lag == 0) {
    throw Error(sqlstate::invalid_parameter_value, "the lag of a random walk must be at least 1");
  }
  const size_t n = history.size();
  if (n <= lag + (drift ? 1 : 0)) {
    throw Error(sqlstate::invalid_parameter_value, "too few values: " + std::to_string(n) +
                                                       " (this forecast needs more than " +
                                                       std::to_string(lag + (drift ? 1 : 0)) + ")");
  }
  require_finite(history, "the history");
  // Differences at the lag: the residuals of the walk without drift.
  const size_t m = n - lag;
  double b = 0;
  double b_se = 0;
  if (drift) {
    double sum = 0;
    for (size_t t = lag; t < n; ++t) {
      sum += history[t] - history[t - lag];
    }
    b = sum / static_cast<double>(m);
    double ss = 0;
    for (size_t t = lag; t < n; ++t) {
      const double d = history[t] - history[t - lag] - b;
      ss += d * d;
    }
    const double sigma = std::sqrt(ss / static_cast<double>(m - 1)); // lm's residual standard error
    b_se = sigma / std::sqrt(static_cast<double>(m));
  }
  double sse = 0;
  for (size_t t = lag; t < n; ++t) {
    const double e = history[t] - history[t - lag] - b;
    sse += e * e;
  }
  // With drift, one more parameter was estimated: R takes lm's residual variance (m - 1 degrees of
  // freedom); without, the mean square.
  const double mse = sse / static_cast<double>(drift ? m - 1 : m);

  Forecast f;
  f.levels.assign(levels.begin(), levels.end());
  std::vector<double> z;
  for (const double level : levels) {
    z.push_back(normal_quantile_for_level(level));
  }
  f.lower.assign(levels.size(), {});
  f.upper.assign(levels.size(), {});
  for (size_t k = 1; k <= horizon; ++k) {
    const double point = history[n - lag + (k - 1) % lag] + static_cast<double>(k) * b;
    const double se =
        std::sqrt(mse * static_cast<double>((k - 1) / lag + 1) + std::pow(static_cast<double>(k) * b_se, 2));
    f.mean.push_back(point);
    for (size_t i = 0; i < levels.size(); ++i) {
      f.lower[i].push_back(point - z[i] * se);
      f.upper[i].push_back(point + z[i] * se);
    }
  }
  return f;
}

} // namespace autoreport::forecast
