// The exponential smoothing (ETS) state space models of Hyndman, Koehler, Ord and Snyder (2008):
// error additive or multiplicative; trend none, additive or multiplicative, optionally damped; season
// none, additive or multiplicative. This file holds the recursion and the likelihood that estimation
// and model selection are built on (see test/forecast/fixtures/NOTES.md for the equations, checked
// against R's forecast package).
//
// The state after observation t is the level, the growth (trend models) and the last m seasonal
// terms, newest first: season[0] is the newest, season[m-1] the oldest, which applies to the next
// observation. The updates are written with the observation and are the same for both error types;
// the error is y - mu (additive) or (y - mu) / mu (multiplicative).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::forecast {

enum class Component { None, Additive, Multiplicative };

struct EtsSpec {
  Component error = Component::Additive;
  Component trend = Component::None;
  Component season = Component::None;
  bool damped = false;
  size_t period = 1; // the season's length m (1 without a season)
};

// The longest season a seasonal ETS model takes (as R's ets()); automatic selection leaves longer
// seasons out.
inline constexpr size_t kMaxEtsPeriod = 24;

// "AAdM"-style names (error, trend with optional "d", season). Error 22023, with a hint listing the
// models, for an empty, unknown or malformed name, and for a seasonal model with a period below 2 or
// above kMaxEtsPeriod.
EtsSpec parse_ets_model(std::string_view name, size_t period);

// The hint that lists the ETS model names.
std::string_view ets_model_hint();
std::string ets_model_name(const EtsSpec& spec);

struct EtsParams {
  double alpha = 0;
  double beta = 0;
  double gamma = 0;
  double phi = 1;
};

struct EtsState {
  double level = 0;
  double growth = 0;
  std::vector<double> season; // newest first
};

struct EtsFit {
  bool valid =
      false;      // false when the recursion broke down (e.g. negative growth with a multiplicative trend)
  double sse = 0; // sum of squared errors (relative errors for multiplicative error)
  double mse = 0; // mean squared one-step error in the data's units
  double lik = 0; // n log(SSE) (+ 2 sum log|mu| for multiplicative error): -2 log-likelihood up to a constant
  EtsState final_state;
  std::vector<double> fitted; // one-step forecasts mu_t
};

// Runs the model over y from the initial state (without fitted values when keep_fitted is false, as
// the optimiser wants it).
EtsFit ets_run(std::span<const double> y, const EtsSpec& spec, const EtsParams& params,
               const EtsState& initial, bool keep_fitted = true);

// The number of estimated quantities counted by the information criteria: smoothing parameters
// (alpha, beta, gamma, phi as present), the initial level, growth and m - 1 seasonal states, and sigma.
size_t ets_parameter_count(const EtsSpec& spec);

struct EtsCriteria {
  double aic = 0;
  double aicc = 0; // +infinity when n - k - 1 <= 0
  double bic = 0;
  double sigma2 = 0; // SSE / (n - (k - 1))
};

EtsCriteria ets_criteria(const EtsFit& fit, size_t n, const EtsSpec& spec);

} // namespace autoreport::forecast
