// Seasonality: autocorrelation, the seasonality test of the Theta method, and classical
// multiplicative decomposition (as R's acf() and decompose(type = "multiplicative") compute them).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace autoreport::forecast {

// Sample autocorrelations r_1..r_max_lag (r_k = sum (y_t - mean)(y_{t+k} - mean) / sum (y_t - mean)^2).
// A constant series has no autocorrelation: all zeros. O(n log max_lag) for long series (correlation.hpp),
// and cancellable.
std::vector<double> autocorrelation(std::span<const double> y, size_t max_lag);

// The M3 Theta method's test: with period m > 1 and more than 2m values, seasonal when
// |r_m| > z_0.95 * sqrt((1 + 2 sum_{k<m} r_k^2) / n). False otherwise, and for a constant series.
// A period that the data cannot test (n <= 2m) is not seasonal.
bool seasonality_test(std::span<const double> y, size_t period);

// The same test from autocorrelations r_1..r_k (k >= period) already computed for a series of n values,
// so that many periods are tested on one autocorrelation.
bool seasonality_test(std::span<const double> r, size_t n, size_t period);

// The seasonal indices of a classical multiplicative decomposition: the series over its centred moving
// average of order m, averaged per position in the season and scaled to average 1. Element i belongs
// to the positions t with t mod m == i (t counted from 0 at the first value). Needs at least 2m
// values and positive data (autoreport::Error 22023 otherwise).
std::vector<double> multiplicative_indices(std::span<const double> y, size_t period);

// The seasonal figure of a classical decomposition, additive (differences from the centred moving
// average, scaled to average 0) or multiplicative (as multiplicative_indices, without its positivity
// check). Needs at least 2m values (22023 otherwise).
std::vector<double> seasonal_figure(std::span<const double> y, size_t period, bool multiplicative);

} // namespace autoreport::forecast
