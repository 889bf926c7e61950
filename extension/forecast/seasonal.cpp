// Autocorrelation, the Theta seasonality test and classical multiplicative decomposition.
#include "forecast/seasonal.hpp"

#include "common/error.hpp"
#include "forecast/simple.hpp"

#include <cmath>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

std::vector<double> autocorrelation(std::span<const double> y, size_t max_lag) {
  const size_t n = y.size();
  std::vector<double> r(max_lag, 0.0);
  if (n == 0) {
    return r;
  }
  double mean = 0;
  for (const double v : y) {
    mean += v;
  }
  mean /= static_cast<double>(n);
  double denominator = 0;
  for (const double v : y) {
    denominator += (v - mean) * (v - mean);
  }
  if (denominator == 0) {
    return r;
  }
  for (size_t k = 1; k <= max_lag && k < n; ++k) {
    double sum = 0;
    for (size_t t = 0; t + k < n; ++t) {
      sum += (y[t] - mean) * (y[t + k] - mean);
    }
    r[k - 1] = sum / denominator;
  }
  return r;
}

bool seasonality_test(std::span<const double> y, size_t period) {
  const size_t n = y.size();
  if (period <= 1 || n <= 2 * period) {
    return false;
  }
  const std::vector<double> r = autocorrelation(y, period);
  double sum = 0;
  for (size_t k = 0; k + 1 < period; ++k) {
    sum += r[k] * r[k];
  }
  const double limit = std::sqrt((1 + 2 * sum) / static_cast<double>(n));
  // A one-sided 95% normal quantile: the two-sided 90% level.
  return limit > 0 && std::fabs(r[period - 1]) / limit > normal_quantile_for_level(90);
}

std::vector<double> multiplicative_indices(std::span<const double> y, size_t period) {
  for (const double v : y) {
    if (!(v > 0) || !std::isfinite(v)) {
      throw Error(sqlstate::invalid_parameter_value,
                  "a multiplicative decomposition needs positive, finite data");
    }
  }
  return seasonal_figure(y, period, true);
}

std::vector<double> seasonal_figure(std::span<const double> y, size_t period, bool multiplicative) {
  const size_t n = y.size();
  if (period < 2 || n < 2 * period) {
    throw Error(sqlstate::invalid_parameter_value,
                "a seasonal decomposition needs at least two full seasons (" + std::to_string(2 * period) +
                    " values), not " + std::to_string(n));
  }
  // Centred moving average of order m: for even m a 2 x m average (half weights at both ends).
  const size_t half = period / 2;
  std::vector<double> sums(period, 0.0);
  std::vector<size_t> counts(period, 0);
  for (size_t t = half; t + half < n; ++t) {
    double trend = 0;
    if (period % 2 == 1) {
      for (size_t j = t - half; j <= t + half; ++j) {
        trend += y[j];
      }
    } else {
      trend = (y[t - half] + y[t + half]) / 2;
      for (size_t j = t - half + 1; j < t + half; ++j) {
        trend += y[j];
      }
    }
    trend /= static_cast<double>(period);
    sums[t % period] += multiplicative ? y[t] / trend : y[t] - trend;
    ++counts[t % period];
  }
  std::vector<double> figure(period);
  double mean = 0;
  for (size_t i = 0; i < period; ++i) {
    figure[i] = sums[i] / static_cast<double>(counts[i]);
    mean += figure[i];
  }
  mean /= static_cast<double>(period);
  for (double& v : figure) {
    v = multiplicative ? v / mean : v - mean;
  }
  return figure;
}

} // namespace autoreport::forecast
