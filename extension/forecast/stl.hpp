// STL: the seasonal-trend decomposition by loess of Cleveland, Cleveland, McRae & Terpenning (1990),
// as R's stl() computes it (the Fortran of R's stats package, then R's averaging of a periodic season).
//
// y = trend + seasonal + remainder. Each inner pass smooths the cycle-subseries (all values at one
// position of the season) by loess, removes their low-pass (moving averages of m, m and 3, then a
// loess), and smooths the deseasonalised series by loess for the trend. Robust fits repeat the inner
// pass with bisquare weights of the remainder (6 times its median absolute value), as stl(robust =
// TRUE): 1 inner pass, 15 robustness passes. Loess is evaluated every `jump` points and linearly
// interpolated between them, with R's default jumps ceil(window / 10); a jump of 1 evaluates it at
// every point.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace autoreport::forecast {

struct StlOptions {
  size_t period = 0; // m >= 2, values per season
  // Loess window of the cycle-subseries, in seasons: at least 7 (even windows are increased by one,
  // as R's Fortran does). nullopt: "periodic", the seasonal is the mean of each cycle-subseries.
  std::optional<size_t> seasonal_window;
  // nullopt: R's defaults, nextodd(ceil(1.5 m / (1 - 1.5 / s_window))) (s_window = 10 n + 1 when
  // periodic) and nextodd(m). At least 3; even windows are increased by one.
  std::optional<size_t> trend_window;
  std::optional<size_t> lowpass_window;
  // Loess degrees, 0 or 1: R's defaults (0 for the season, 0 whenever periodic).
  int seasonal_degree = 0;
  int trend_degree = 1;
  int lowpass_degree = 1;
  // Loess evaluated every jump points, >= 1; nullopt: ceil(window / 10) (R's defaults).
  std::optional<size_t> seasonal_jump;
  std::optional<size_t> trend_jump;
  std::optional<size_t> lowpass_jump;
  bool robust = false;
  // nullopt: R's defaults, 1 and 15 when robust, 2 and 0 otherwise.
  std::optional<size_t> inner;
  std::optional<size_t> outer;
  // R's robustness weights degenerate on exact data (constant, a straight line, a perfect season)
  // with a few deviations: the median absolute remainder is 0 or rounding noise, every value the fit
  // misses because of the deviations gets weight 0, and where a whole loess window has weight 0 R
  // copies the data, so the fit runs through an isolated deviation. Set, when 6 times the median
  // absolute remainder is below its mean (never for normal remainders), 6 times the mean is used;
  // off by default (R's numbers).
  bool guard_exact_fit = false;
};

struct StlResult {
  std::vector<double> seasonal;
  std::vector<double> trend;
  std::vector<double> remainder; // y - seasonal - trend
  std::vector<double> weights;   // the robustness weights of the last pass; all 1 without robustness
};

// Decomposes y (finite) of at least 2 full seasons (2m values; R asks for more than 2m). Position t
// of the season is t mod m, counted from the first value. autoreport::Error 22023 for a period below
// 2, too few or non-finite values, or a window, degree, jump or iteration count out of range.
StlResult stl(std::span<const double> y, const StlOptions& options);

// The loess smooth STL uses for its trend, on its own: degree 1, tricube weights over `window` points
// (at least 3, even windows increased by one; a window longer than the series widens the tricube),
// evaluated every ceil(window / 10) points and interpolated. Robust: 15 further passes with bisquare
// weights of the residuals, as stl(robust = TRUE, guard_exact_fit) weighs its remainder. Needs at
// least 1 finite value (22023 otherwise); 1 or 2 values are returned as they are.
std::vector<double> loess_smooth(std::span<const double> y, size_t window, bool robust);

} // namespace autoreport::forecast
