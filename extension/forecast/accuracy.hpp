// Forecast accuracy as the M3 and M4 competitions score it.
//
//   sMAPE  mean of 200 |F - A| / (|A| + |F|), on the 0-200 scale (a step where both are 0 counts 0)
//   MASE   mean |F - A| divided by the in-sample mean absolute error of the seasonal naive forecast
//          (lag m; lag 1 when m is 1 or the history is too short for lag m)
//   MSIS   mean interval score (U - L) + (2/a)(L - A)[A < L] + (2/a)(A - U)[A > U] of the 100(1-a)%
//          interval, divided by the same scale as MASE
//   coverage  the share of A inside [L, U]
//
// Inputs must be finite and of matching lengths; otherwise autoreport::Error (22023).
#pragma once

#include <cstddef>
#include <span>

namespace autoreport::forecast {

double smape(std::span<const double> actual, std::span<const double> predicted);

// The MASE/MSIS scale: mean |y_t - y_{t-m}| over the history. Zero for a history that never changes
// at that lag (then MASE and MSIS are infinite and reported as such).
double naive_scale(std::span<const double> history, size_t period);

double mase(std::span<const double> history, size_t period, std::span<const double> actual,
            std::span<const double> predicted);

double msis(std::span<const double> history, size_t period, std::span<const double> actual,
            std::span<const double> lower, std::span<const double> upper, double alpha);

double coverage(std::span<const double> actual, std::span<const double> lower, std::span<const double> upper);

} // namespace autoreport::forecast
