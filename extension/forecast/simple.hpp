// The simple benchmarks of forecasting: naive, seasonal naive and drift (random walks on a lag), with
// prediction intervals computed as R's forecast package does (naive(), snaive(), rwf(drift = TRUE)).
//
//   fitted_t = y_{t-lag} (+ b with drift); residuals e_t = y_t - fitted_t for t > lag
//   b, se(b)  drift: the mean of y_t - y_{t-lag} and its standard error
//   point     y_{n - lag + 1 + ((k-1) mod lag)} + k b           for step k = 1..h
//   se_k      sqrt(mse * (floor((k-1)/lag) + 1) + (k se(b))^2),  mse = mean of e_t^2 (with drift:
//             sum of e_t^2 over one degree of freedom fewer, as lm() estimates it)
//   interval  point -+ z_{(1+level)/2} se_k
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace autoreport::forecast {

// Point forecasts and, per requested level, the interval bounds.
struct Forecast {
  std::vector<double> mean;
  std::vector<double> levels;             // e.g. 80, 95
  std::vector<std::vector<double>> lower; // [level][step]
  std::vector<std::vector<double>> upper;
};

// The z quantile of the standard normal distribution for a two-sided level in percent (95 -> 1.96).
double normal_quantile_for_level(double level);

// A random walk on lag `lag` (1: naive; the season length: seasonal naive), with or without drift.
// The history must be finite with more than `lag` values (2 with drift past the lag); levels in
// (0, 100); otherwise autoreport::Error 22023.
Forecast lag_walk(std::span<const double> history, size_t lag, size_t horizon, bool drift,
                  std::span<const double> levels);

} // namespace autoreport::forecast
