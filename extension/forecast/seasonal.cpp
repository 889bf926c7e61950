// Autocorrelation, the Theta seasonality test and classical multiplicative decomposition.
#include "forecast/seasonal.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"
#include "forecast/correlation.hpp"
#include "forecast/simple.hpp"

#include <cmath>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

std::vector<double> autocorrelation(std::span<const double> y, size_t max_lag) {
  const size_t n = y.size();
  std::vector<double> r(max_lag, 0.0);
  if (n == 0 || max_lag == 0) {
    return r;
  }
  double mean = 0;
  for (const double v : y) {
    mean += v;
  }
  mean /= static_cast<double>(n);
  double denominator = 0;
  std::vector<double> centred(n);
  for (size_t t = 0; t < n; ++t) {
    centred[t] = y[t] - mean;
    denominator += centred[t] * centred[t];
  }
  if (denominator == 0) {
    return r;
  }
  const std::vector<double> sums = lagged_products(centred, max_lag);
  for (size_t k = 1; k <= max_lag && k < n; ++k) {
    r[k - 1] = sums[k] / denominator;
  }
  return r;
}

bool seasonality_test(std::span<const double> r, size_t n, size_t period) {
  if (period <= 1 || n <= 2 * period || r.size() < period) {
    return false;
  }
  double sum = 0;
  for (size_t k = 0; k + 1 < period; ++k) {
    sum += r[k] * r[k];
  }
  const double limit = std::sqrt((1 + 2 * sum) / static_cast<double>(n));
  // A one-sided 95% normal quantile: the two-sided 90% level.
  return limit > 0 && std::fabs(r[period - 1]) / limit > normal_quantile_for_level(90);
}

bool seasonality_test(std::span<const double> y, size_t period) {
  const size_t n = y.size();
  if (period <= 1 || n <= 2 * period) {
    return false;
  }
  return seasonality_test(autocorrelation(y, period), n, period);
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
  // Long series with long seasons: the moving sums from running totals (O(n), not O(n m)); short ones
  // summed directly, as before, to the last bit.
  const bool running = n > (size_t{1} << 22) / period;
  std::vector<long double> prefix;
  if (running) {
    prefix.assign(n + 1, 0.0L);
    for (size_t t = 0; t < n; ++t) {
      prefix[t + 1] = prefix[t] + y[t];
    }
  }
  for (size_t t = half; t + half < n; ++t) {
    if (t % 65536 == 0) {
      check_interrupts();
    }
    double trend = 0;
    if (running) {
      // Odd m: y[t-h..t+h]; even m: y[t-h+1..t+h-1] plus half of both ends.
      trend = period % 2 == 1 ? static_cast<double>(prefix[t + half + 1] - prefix[t - half])
                              : static_cast<double>(prefix[t + half] - prefix[t - half + 1]) +
                                    (y[t - half] + y[t + half]) / 2;
    } else if (period % 2 == 1) {
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
