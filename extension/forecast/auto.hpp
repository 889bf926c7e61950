// The forecasting entry point the SQL functions call: one series in, a method by name, the period
// given or detected, point forecasts and intervals out, with a summary of the model that made them.
//
// Methods:
//   auto     the median of three forecasts - automatic ETS, Theta and a damped trend - with intervals
//            from the ETS models fitted, averaged by AICc weight and widened to hold every member's
//            forecast (see the README's M3 benchmark). With fewer than 4 values: naive.
//   ets      automatic ETS selection by AICc (ets_auto); "ets:MAdM"-style names fix the model
//   arima    forecast::auto.arima (arima_auto.hpp); "arima(p,d,q)(P,D,Q)[m] with drift"-style names fix
//            the model (arima.hpp, parse_arima_model)
//   theta    the M3 Theta method
//   damped   ETS(A,Ad,N) on the seasonally adjusted series (Theta's seasonality test, on the series
//            less its straight line, and classical multiplicative decomposition), the season put
//            back on the forecast; auto's Theta member removes the season the same way
//   naive, snaive, drift   random walks (simple.hpp)
//   mstl     several seasonal periods (mstl.hpp): the periods given, or those of the candidates the
//            data support; each seasonal component continued by its last cycle, the seasonally
//            adjusted series forecast as the mean of `auto`'s forecast of a series without season and
//            the decomposition's trend with an AR(1) remainder. `auto` takes this path when two or
//            more periods are given, or when it detects the period and the data support two or more
//            candidates, or one longer than a seasonal ETS model holds (supported: more than two full
//            cycles and a seasonal strength of at least required_strength(), mstl.hpp).
//
// Degenerate input: fewer than 2 values, non-finite values, an unknown method, a horizon of 0 or
// levels outside (0, 100) are Error 22023. A constant series is forecast flat with zero-width
// intervals. Models that need positive data are skipped (auto, ets) or refused (a fixed model).
#pragma once

#include "forecast/simple.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autoreport::forecast {

struct ForecastOptions {
  size_t horizon = 1;
  size_t period = 0;              // 0: detect (detect_period with the candidates below)
  std::vector<size_t> candidates; // periods the data's frequency suggests (e.g. 7 for daily); may be empty
  // Several seasonal periods given (auto and mstl only; one is as good as `period`); each at least 2,
  // distinct, and not together with `period`. Empty: none given.
  std::vector<size_t> periods;
  std::string method = "auto";
  std::vector<double> levels = {80, 95};
};

// The longest horizon forecast_series() accepts.
inline constexpr size_t kMaxHorizon = 100000;

// What made a forecast, for the explain function.
struct ModelSummary {
  std::string method; // the method as asked ("auto", "ets", ...)
  std::string model;  // e.g. "ETS(M,Ad,N)", "Theta", "mean of ETS(A,N,A), Theta, damped trend"
  size_t n = 0;       // values used
  size_t period = 1;  // the season's length used (1: none)
  bool period_detected = false;
  std::vector<std::pair<std::string, double>> parameters; // name -> value, in a fixed order
  double aic = 0, aicc = 0, bic = 0;
  bool has_criteria = false;         // only likelihood-fitted models (ETS) have them
  double sigma = 0;                  // standard deviation of the one-step in-sample errors, data units
  std::vector<std::string> notes;    // fallbacks taken, how a combination was made
  std::vector<ModelSummary> members; // the models a combination averages
};

struct SeriesForecast {
  Forecast forecast;
  ModelSummary model;
};

SeriesForecast forecast_series(std::span<const double> y, const ForecastOptions& options);

// The season's length, judged on the series less its least-squares line: of the candidates (in the
// given order) the first whose autocorrelation passes Theta's seasonality test; without candidates,
// the lag in 2..min(n/3, 366) with the highest autocorrelation that is a local peak and passes the
// test. 1 when none does.
size_t detect_period(std::span<const double> y, std::span<const size_t> candidates);

// The methods forecast_series accepts, for error messages and documentation.
std::string_view method_names();

} // namespace autoreport::forecast
