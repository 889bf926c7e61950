// Estimating an ETS model by maximum likelihood (test/forecast/fixtures/NOTES.md, 1.3-1.5).
//
// Starting values follow R's forecast::ets (initparam, initstate); the parameters must lie in the
// usual and the admissible region ("both"); the objective is ets_run()'s -2 log-likelihood (up to a
// constant). The search is Nelder-Mead as in R (2,000 evaluations, relative tolerance 1.5e-8). R stops
// at its first answer, which is often short of the optimum; ets_estimate(refine = true) restarts from
// it until a restart no longer improves it, but forecasting uses R's single search (see
// ets_estimate).
#pragma once

#include "forecast/ets.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace autoreport::forecast {

// The optimiser's vector: the estimated smoothing parameters (alpha, beta, gamma, phi as the model has
// them), the initial level, growth, and the first m - 1 seasonal states (the last is implied).
struct EtsStart {
  EtsParams params;
  EtsState state; // with all m seasonal states, the last implied
};

// R's starting values (initparam and initstate). Needs 4 values for a seasonal model.
EtsStart ets_start(std::span<const double> y, const EtsSpec& spec);

// Whether every root of the polynomial (coefficients from the highest power down, the first not 0)
// has absolute value below radius (the Schur-Cohn-Jury test: O(degree^2), no root finding).
bool roots_within(std::span<const double> coefficients, double radius);

// Whether parameters lie in the usual and the admissible region (R's bounds = "both").
bool ets_admissible(const EtsSpec& spec, const EtsParams& p);

struct EtsEstimate {
  EtsParams params;
  EtsState initial;
  EtsFit fit;
  EtsCriteria criteria;
  size_t evaluations = 0;
};

// Fits the model by maximum likelihood; Error 22023 when it cannot be fitted (e.g. the starting point
// is not admissible or the data are too short). By default one search, as R does it; with refine,
// restarts from its answer while they improve the likelihood. Refined fits are more likely but
// forecast worse on M3 (ETS alone, yearly: sMAPE 17.67 refined against 17.00 with one search), so
// forecasting uses one search.
EtsEstimate ets_estimate(std::span<const double> y, const EtsSpec& spec, bool refine = false);

struct EtsCandidate {
  EtsSpec spec;
  EtsEstimate estimate;
};

struct EtsChoice {
  EtsSpec spec;                     // the chosen model
  EtsEstimate estimate;             // and its estimate
  std::vector<EtsCandidate> fitted; // every candidate fitted, in the order tried (the chosen too)
};

// Automatic selection as R's ets(y): every admissible candidate (error A/M; trend N/A, each also
// damped; season N/A/M when 1 < m <= 24 and n > m; no additive error with a multiplicative season, no
// multiplicative error unless all values are positive; none with as many coefficients as n - 1) is
// fitted with one search, and the smallest AICc wins. A constant series gets ETS(A,N,N) with alpha 0.99999 at
// its value. Error 22023 when nothing can be fitted (fewer than 4 values).
EtsChoice ets_auto(std::span<const double> y, size_t period);

} // namespace autoreport::forecast
