// Forecasts of a fitted ETS model and their prediction intervals, as R's forecast.ets computes them
// (test/forecast/fixtures/NOTES.md, 1.7): analytical variances for class 1 (additive error, no
// multiplicative component), class 2 (multiplicative error, additive or no season) and class 3
// (multiplicative error and season, the moment recursion of Hyndman et al. 2008, ch. 6). Models with a
// multiplicative trend, or additive error with a multiplicative season, are refused (22023): the
// automatic selection never picks them.
#pragma once

#include "forecast/ets.hpp"
#include "forecast/simple.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace autoreport::forecast {

// The forecast distribution's mean (for class 3, the conditional mean R reports) and variance at
// steps 1..horizon from the final state of a fit.
struct EtsMoments {
  std::vector<double> mean;
  std::vector<double> variance;
};
EtsMoments ets_moments(const EtsSpec& spec, const EtsParams& params, const EtsState& final_state,
                       double sigma2, size_t horizon);

// The mean and the normal bounds mean +- z sd at each level.
Forecast ets_forecast(const EtsSpec& spec, const EtsParams& params, const EtsState& final_state,
                      double sigma2, size_t horizon, std::span<const double> levels);

} // namespace autoreport::forecast
