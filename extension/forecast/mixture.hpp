// Model averaging for prediction intervals: Akaike weights, and the quantiles of a weighted mixture of
// Student t predictive distributions (Burnham and Anderson, "Model Selection and Multimodel Inference",
// 2002, ch. 4). `auto` uses them to let the interval carry the uncertainty of which ETS model is right,
// which an interval from the one chosen model leaves out.
#pragma once

#include <span>
#include <utility>
#include <vector>

namespace autoreport::forecast {

// exp(-(c_i - min c) / 2), normalised to sum to 1: the weight of each model given its information
// criterion (AICc). NaN and +infinity get weight 0; -infinity (a perfect fit, e.g. of a constant series)
// takes all the weight. Empty when no criterion is usable (e.g. too few values for any AICc).
std::vector<double> akaike_weights(std::span<const double> criteria);

// A weighted mixture of location-scale Student t distributions whose weights and degrees of freedom
// stay fixed while locations and scales change (a forecast's steps): sum_i w_i T_df_i((x - l_i) / s_i).
class StudentMixture {
public:
  // weights summing to 1 (0 allowed); df > 0, one per weight (std::invalid_argument otherwise).
  StudentMixture(std::vector<double> weights, std::vector<double> df);

  // The p-quantile (0 < p < 1) for these locations and scales (scale 0: the component's mass sits at
  // its location). It lies between the smallest and the largest of the components' own p-quantiles,
  // where it is found by bracketed root finding (TOMS 748) to about 1e-9 relative.
  double quantile(std::span<const double> locations, std::span<const double> scales, double p);

private:
  std::vector<double> weights_;
  std::vector<double> df_;
  // The components' standard p-quantiles for each p asked so far (few: two per interval level).
  std::vector<std::pair<double, std::vector<double>>> standard_;
};

} // namespace autoreport::forecast
