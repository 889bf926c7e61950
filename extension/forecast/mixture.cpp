// Akaike weights and quantiles of Student t mixtures (see mixture.hpp).
#include "forecast/mixture.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <boost/math/tools/toms748_solve.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>

#include "common/pure.hpp"

namespace autoreport::forecast {

std::vector<double> akaike_weights(std::span<const double> criteria) {
  // A criterion of -infinity (a perfect fit) takes all the weight, shared with any other such.
  const auto perfect = [](double c) { return std::isinf(c) && c < 0; };
  const bool any_perfect = std::any_of(criteria.begin(), criteria.end(), perfect);
  double best = std::numeric_limits<double>::infinity();
  for (const double c : criteria) {
    if (std::isfinite(c)) {
      best = std::min(best, c);
    }
  }
  if (!any_perfect && !std::isfinite(best)) {
    return {};
  }
  std::vector<double> w;
  double sum = 0;
  for (const double c : criteria) {
    w.push_back(any_perfect ? (perfect(c) ? 1.0 : 0.0) : std::isfinite(c) ? std::exp(-(c - best) / 2) : 0.0);
    sum += w.back();
  }
  for (double& v : w) {
    v /= sum;
  }
  return w;
}

namespace {

// Double precision throughout (Boost otherwise evaluates in long double, several times slower).
using Fast = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
using Student = boost::math::students_t_distribution<double, Fast>;

} // namespace

StudentMixture::StudentMixture(std::vector<double> weights, std::vector<double> df)
    : weights_(std::move(weights)), df_(std::move(df)) {
  if (weights_.size() != df_.size() || weights_.empty() ||
      !std::all_of(df_.begin(), df_.end(), [](double v) { return v > 0; })) {
    throw std::invalid_argument("StudentMixture: one positive df per weight, at least one");
  }
}

double StudentMixture::quantile(std::span<const double> locations, std::span<const double> scales, double p) {
  const size_t n = weights_.size();
  if (locations.size() != n || scales.size() != n || !(p > 0 && p < 1)) {
    throw std::invalid_argument("StudentMixture::quantile: sizes differ, or p outside (0, 1)");
  }
  auto cached = std::find_if(standard_.begin(), standard_.end(), [&](const auto& e) { return e.first == p; });
  if (cached == standard_.end()) {
    std::vector<double> q(n);
    for (size_t i = 0; i < n; ++i) {
      q[i] = boost::math::quantile(Student(df_[i]), p);
    }
    standard_.emplace_back(p, std::move(q));
    cached = standard_.end() - 1;
  }
  const std::vector<double>& z = cached->second;
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (size_t i = 0; i < n; ++i) {
    if (weights_[i] > 0) {
      const double q = locations[i] + std::max(scales[i], 0.0) * z[i];
      lo = std::min(lo, q);
      hi = std::max(hi, q);
    }
  }
  if (!(hi > lo)) {
    return lo;
  }
  const auto excess = [&](double x) {
    double f = 0;
    for (size_t i = 0; i < n; ++i) {
      if (weights_[i] <= 0) {
        continue;
      }
      if (scales[i] <= 0) {
        f += x >= locations[i] ? weights_[i] : 0.0;
      } else {
        f += weights_[i] * boost::math::cdf(Student(df_[i]), (x - locations[i]) / scales[i]);
      }
    }
    return f - p;
  };
  const double f_lo = excess(lo);
  const double f_hi = excess(hi);
  if (f_lo >= 0) {
    return lo;
  }
  if (f_hi <= 0) {
    return hi;
  }
  std::uintmax_t iterations = 200;
  const auto [a, b] = boost::math::tools::toms748_solve(
      excess, lo, hi, f_lo, f_hi, boost::math::tools::eps_tolerance<double>(32), iterations);
  return (a + b) / 2;
}

} // namespace autoreport::forecast
