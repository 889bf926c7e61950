// MSTL decomposition (R's forecast::mstl with its defaults), seasonal strength and the choice of the
// periods the data support.
#include "forecast/mstl.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"
#include "forecast/checks.hpp"
#include "forecast/stl.hpp"

#include <algorithm>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

constexpr size_t kPasses = 2; // R's iterate = 2

// The sum of squared deviations from the mean (the variance up to a factor the ratios cancel).
double squared_deviations(std::span<const double> x) {
  if (x.empty()) {
    return 0;
  }
  double mean = 0;
  for (const double v : x) {
    mean += v;
  }
  mean /= static_cast<double>(x.size());
  double sum = 0;
  for (const double v : x) {
    sum += (v - mean) * (v - mean);
  }
  return sum;
}

double strength_of(std::span<const double> seasonal, std::span<const double> remainder) {
  std::vector<double> both(seasonal.size());
  for (size_t t = 0; t < both.size(); ++t) {
    both[t] = seasonal[t] + remainder[t];
  }
  const double total = squared_deviations(both);
  if (total <= 0) {
    return 0; // nothing varies: no season to speak of
  }
  return std::clamp(1 - squared_deviations(remainder) / total, 0.0, 1.0);
}

} // namespace

MstlResult mstl(std::span<const double> y, std::span<const size_t> periods) {
  require_finite(y, "the history");
  const size_t n = y.size();
  MstlResult d;
  d.periods.assign(periods.begin(), periods.end());
  std::sort(d.periods.begin(), d.periods.end());
  d.periods.erase(std::unique(d.periods.begin(), d.periods.end()), d.periods.end());
  if (d.periods.empty()) {
    throw Error(sqlstate::invalid_parameter_value, "MSTL needs at least one seasonal period");
  }
  for (const size_t m : d.periods) {
    if (m < 2 || n <= 2 * m) {
      throw Error(sqlstate::invalid_parameter_value,
                  "MSTL needs seasonal periods of at least 2 with more than two full cycles in the series (" +
                      std::to_string(n) + " values, period " + std::to_string(m) + ")");
    }
  }
  const size_t k = d.periods.size();
  d.seasonal.assign(k, std::vector<double>(n, 0.0));
  std::vector<double> deseasonalised(y.begin(), y.end());
  const size_t passes = k == 1 ? 1 : kPasses;
  for (size_t pass = 0; pass < passes; ++pass) {
    for (size_t i = 0; i < k; ++i) {
      check_interrupts();
      std::vector<double>& s = d.seasonal[i];
      for (size_t t = 0; t < n; ++t) {
        deseasonalised[t] += s[t];
      }
      StlOptions options;
      options.period = d.periods[i];
      options.seasonal_window = 11 + 4 * i; // R's s.window = 7 + 4 * seq(6)
      StlResult fit = stl(deseasonalised, options);
      s = std::move(fit.seasonal);
      for (size_t t = 0; t < n; ++t) {
        deseasonalised[t] -= s[t];
      }
      if (pass + 1 == passes && i + 1 == k) {
        d.trend = std::move(fit.trend);
      }
    }
  }
  d.remainder.resize(n);
  for (size_t t = 0; t < n; ++t) {
    d.remainder[t] = deseasonalised[t] - d.trend[t];
  }
  for (size_t i = 0; i < k; ++i) {
    d.strength.push_back(strength_of(d.seasonal[i], d.remainder));
  }
  return d;
}

std::vector<double> seasonally_adjusted(std::span<const double> y, const MstlResult& d) {
  std::vector<double> out(y.begin(), y.end());
  for (const std::vector<double>& s : d.seasonal) {
    for (size_t t = 0; t < out.size(); ++t) {
      out[t] -= s[t];
    }
  }
  return out;
}

std::vector<double> seasonal_continuation(const MstlResult& d, size_t horizon) {
  std::vector<double> out(horizon, 0.0);
  for (size_t i = 0; i < d.periods.size(); ++i) {
    const std::vector<double>& s = d.seasonal[i];
    const size_t m = d.periods[i];
    const size_t n = s.size();
    for (size_t h = 0; h < horizon; ++h) {
      out[h] += s[n - m + h % m];
    }
  }
  return out;
}

TrendRemainderForecast trend_remainder_forecast(const MstlResult& d, size_t horizon) {
  TrendRemainderForecast f;
  const std::vector<double>& r = d.remainder;
  const size_t n = r.size();
  if (n >= 2) {
    double mean = 0;
    for (const double v : r) {
      mean += v;
    }
    mean /= static_cast<double>(n);
    double lag0 = 0;
    double lag1 = 0;
    for (size_t t = 0; t < n; ++t) {
      lag0 += (r[t] - mean) * (r[t] - mean);
      if (t > 0) {
        lag1 += (r[t] - mean) * (r[t - 1] - mean);
      }
    }
    f.phi = lag0 > 0 ? std::clamp(lag1 / lag0, -0.99, 0.99) : 0.0;
  }
  double decayed = n > 0 ? r.back() : 0.0;
  const double level = n > 0 ? d.trend.back() : 0.0;
  for (size_t h = 0; h < horizon; ++h) {
    decayed *= f.phi;
    f.mean.push_back(level + decayed);
  }
  return f;
}

double required_strength(size_t n, size_t period) {
  const size_t cycles = period == 0 ? 0 : n / period;
  return cycles == 0 ? 1.0 : std::max(kMinSeasonalStrength, 2.0 / static_cast<double>(cycles));
}

std::vector<size_t> supported_periods(std::span<const double> y, std::span<const size_t> candidates,
                                      MstlResult* judged) {
  std::vector<size_t> fitting;
  for (const size_t m : candidates) {
    if (m >= 2 && y.size() > 2 * m) {
      fitting.push_back(m);
    }
  }
  if (fitting.empty()) {
    if (judged != nullptr) {
      *judged = MstlResult{};
    }
    return {};
  }
  MstlResult d = mstl(y, fitting);
  std::vector<size_t> out;
  for (size_t i = 0; i < d.periods.size(); ++i) {
    if (d.strength[i] >= required_strength(y.size(), d.periods[i])) {
      out.push_back(d.periods[i]);
    }
  }
  if (judged != nullptr) {
    *judged = std::move(d);
  }
  return out;
}

} // namespace autoreport::forecast
