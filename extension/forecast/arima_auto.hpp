// forecast::auto.arima() as forecast 8.20 runs it by default (test/forecast/fixtures/arima/NOTES.md):
// D by the seasonal strength of an STL decomposition (nsdiffs, test "seas": difference when it
// exceeds 0.64), d by KPSS tests at 5% (ndiffs), then the Hyndman-Khandakar stepwise search over
// (p, q, P, Q) and the constant by AICc, with R's maximum orders (5, 5, 2, 2, p + q + P + Q <= 5
// only in the non-stepwise search), R's rule for approximating the likelihood by CSS during the search
// (n > 150 or m > 12) and its special cases (constant series, constant differences).
#pragma once

#include "forecast/arima.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace autoreport::forecast {

// forecast's is.constant(): all values equal within all.equal's relative tolerance 1.5e-8.
bool arima_is_constant(std::span<const double> x);

// The KPSS level-stationarity statistic with R's lag trunc(3 sqrt(n) / 13) (urca's ur.kpss, "mu").
double kpss_statistic(std::span<const double> x);

// ndiffs(x, test = "kpss", alpha = 0.05, max.d = 2): differences until the KPSS p-value (interpolated
// in the table 0.347, 0.463, 0.574, 0.739 for 10%, 5%, 2.5%, 1%) is no longer below 5%.
size_t kpss_differences(std::span<const double> x, size_t max_d = 2);

// seas.heuristic: 1 - var(remainder) / var(remainder + seasonal) of stl(x, s.window = 11), clamped to
// [0, 1]. Needs more than 2m values.
double seasonal_strength(std::span<const double> x, size_t period);

struct ArimaCandidate {
  ArimaSpec spec;
  double ic = 0; // AICc (or the approximation's), +infinity when the model was refused
};

struct ArimaChoice {
  ArimaFit fit; // the chosen model, finished
  size_t d = 0, D = 0;
  double strength = -1;              // seasonal strength when it was tested, else -1
  std::vector<double> kpss;          // KPSS statistics of the tests run for d
  bool approximation = false;        // CSS during the search
  bool constant_series = false;      // the series is constant: its first value is forecast
  bool constant_differences = false; // the differenced series is constant: a fixed drift or none
  std::vector<ArimaCandidate> tried; // in the order fitted
};

// Error 22023 when no model can be fitted (fewer than 3 values, or every candidate refused).
ArimaChoice auto_arima(std::span<const double> y, size_t period);

// Notes for the model summary: how d, D and the orders were chosen.
std::vector<std::string> arima_choice_notes(const ArimaChoice& choice);

} // namespace autoreport::forecast
