// Simple exponential smoothing and the Theta method of the M3 competition (as R's forecast::ses()
// and forecast::thetaf() compute them).
//
// SES (ETS(A,N,N)) fitted by least squares: for a given alpha the one-step errors are linear in the
// initial level, so the best initial level has a closed form and the fit is a one-dimensional search
// over alpha in [1e-4, 0.9999] (a grid, then golden-section refinement) - the exact optimum of the
// criterion, with no starting-point luck.
//
// Theta: when the seasonality test passes, the series is divided by its classical multiplicative
// seasonal indices; SES is fitted to it; the forecast is SES's plus a drift of half the least-squares
// slope, b (k - 1 + (1 - (1 - alpha)^n) / alpha) at step k; the seasonal indices are put back; the
// intervals are centred on that forecast with SES's variance sigma^2 (1 + alpha^2 (k - 1)), not rescaled
// by the season (as thetaf does).
#pragma once

#include "forecast/simple.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace autoreport::forecast {

struct SesFit {
  double alpha = 0;
  double initial_level = 0;
  double final_level = 0;
  double sse = 0;
  double sigma2 = 0; // sse / (n - 2): two estimated parameters
};

// Needs at least 3 finite values (22023 otherwise).
SesFit fit_ses(std::span<const double> y);

struct ThetaResult {
  Forecast forecast;
  bool decomposed = false;
  std::vector<double> seasonal_indices; // empty unless decomposed; element i for positions t mod m == i
  SesFit ses;
  double drift = 0; // half the least-squares slope of the (adjusted) series
};

// The M3 Theta method. period 1 for no season; needs at least 3 finite values, and positive values
// when the season is removed (a series with zeros or negatives is forecast without it).
ThetaResult theta(std::span<const double> y, size_t period, size_t horizon, std::span<const double> levels);

// Theta's forecast assembled from given SES results (used to check against R's fits).
Forecast theta_forecast(size_t n, const SesFit& ses, double drift,
                        const std::vector<double>& seasonal_indices, size_t horizon,
                        std::span<const double> levels);

} // namespace autoreport::forecast
