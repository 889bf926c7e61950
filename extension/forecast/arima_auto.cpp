// auto.arima(): the choice of d and D, and the stepwise search (see arima_auto.hpp).
#include "forecast/arima_auto.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"
#include "forecast/checks.hpp"
#include "forecast/stl.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<double> diff(std::span<const double> x, size_t lag) {
  std::vector<double> out;
  for (size_t t = lag; t < x.size(); ++t) {
    out.push_back(x[t] - x[t - lag]);
  }
  return out;
}

double variance(std::span<const double> x) {
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  double s = 0;
  for (const double v : x) {
    s += (v - mean) * (v - mean);
  }
  return s / static_cast<double>(x.size() - 1);
}

// The KPSS p-value as forecast's ndiffs reads it: linear interpolation in urca's table, clamped.
double kpss_p_value(double stat) {
  constexpr double cval[4] = {0.347, 0.463, 0.574, 0.739};
  constexpr double pval[4] = {0.10, 0.05, 0.025, 0.01};
  if (std::isnan(stat)) {
    return stat;
  }
  if (stat <= cval[0]) {
    return pval[0];
  }
  if (stat >= cval[3]) {
    return pval[3];
  }
  for (size_t i = 0; i < 3; ++i) {
    if (stat <= cval[i + 1]) {
      return pval[i] + (pval[i + 1] - pval[i]) * (stat - cval[i]) / (cval[i + 1] - cval[i]);
    }
  }
  return pval[3];
}

// One stepwise search (or its approximation) over the candidates of a series with d and D fixed.
class Search {
public:
  Search(std::span<const double> y, const ArimaChoice& c, size_t m, double offset, bool use_aic)
      : y_(y), d_(c.d), D_(c.D), m_(m), approximation_(c.approximation), offset_(offset), use_aic_(use_aic) {}

  struct Result {
    size_t p, q, P, Q;
    bool constant;
    double ic;
    std::optional<ArimaFit> fit; // kept for the best model only
    ArimaSpec spec;
    bool checked = false; // the Hessian check done
  };

  // myarima(): fits a candidate and computes its criterion, without the Hessian check (done when it
  // matters, check()).
  Result fit(size_t p, size_t q, size_t P, size_t Q, bool constant, bool approximation) const {
    check_interrupts();
    ArimaSpec spec;
    spec.order.p = p;
    spec.order.d = d_;
    spec.order.q = q;
    const bool season = P + D_ + Q > 0 && m_ > 1;
    if (season) {
      spec.order.P = P;
      spec.order.D = D_;
      spec.order.Q = Q;
      spec.order.period = m_;
    }
    const size_t diffs = d_ + D_;
    spec.constant = !constant    ? ArimaConstant::None
                    : diffs == 0 ? ArimaConstant::Mean
                    : diffs == 1 ? ArimaConstant::Drift
                                 : ArimaConstant::None;
    ArimaFitOptions options;
    options.method = approximation ? ArimaMethod::Css : ArimaMethod::CssMl;
    options.finish = false;
    Result r{p, q, P, Q, constant, kInf, std::nullopt, spec};
    std::optional<ArimaFit> f = try_fit_arima(y_, spec, options);
    if (!f) {
      return r;
    }
    const double nstar = static_cast<double>(f->n_used);
    const double npar = static_cast<double>(f->estimated + 1);
    double aic = f->aic;
    if (approximation) {
      aic = offset_ + nstar * std::log(f->sigma2_ml) + 2 * npar;
    }
    if (std::isnan(aic)) {
      return r;
    }
    const double aicc = aic + 2 * npar * (npar + 1) / (nstar - npar - 1);
    r.ic = use_aic_ ? aic : aicc;
    if (!arima_roots_outside(*f, 1.01)) {
      r.ic = kInf;
    }
    r.fit = std::move(f);
    return r;
  }

  // checkarima(): a candidate whose coefficients' variances are not all defined is refused.
  void check(Result& r) const {
    if (!r.checked && r.fit && r.ic < kInf && !arima_variances_defined(y_, *r.fit)) {
      r.ic = kInf;
    }
    r.checked = true;
  }

private:
  std::span<const double> y_;
  size_t d_, D_, m_;
  bool approximation_;
  double offset_;
  bool use_aic_;
};

ArimaChoice finish_choice(std::span<const double> y, ArimaChoice c) {
  finish_arima(y, c.fit);
  return c;
}

} // namespace

bool arima_is_constant(std::span<const double> x) {
  if (x.empty()) {
    return true;
  }
  double diff = 0, scale = 0;
  size_t n = 0;
  for (const double v : x) {
    if (v != x[0]) {
      diff += std::fabs(v - x[0]);
      scale += std::fabs(v);
      ++n;
    }
  }
  if (n == 0) {
    return true;
  }
  const double tolerance = 1.4901161193847656e-08;
  double s = scale / static_cast<double>(n);
  if (!(std::isfinite(s) && s > tolerance)) {
    s = 1;
  }
  return diff / (static_cast<double>(n) * s) <= tolerance;
}

double kpss_statistic(std::span<const double> x) {
  const size_t n = x.size();
  const double nn = static_cast<double>(n);
  const auto lmax = static_cast<size_t>(std::trunc(3 * std::sqrt(nn) / 13));
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / nn;
  std::vector<double> res(n);
  double cumulative = 0, numerator = 0, s2 = 0;
  for (size_t t = 0; t < n; ++t) {
    res[t] = x[t] - mean;
    cumulative += res[t];
    numerator += cumulative * cumulative;
    s2 += res[t] * res[t];
  }
  numerator /= nn * nn;
  s2 /= nn;
  double denominator = s2;
  if (lmax > 0) {
    double sum = 0;
    for (size_t i = 1; i <= lmax && i < n; ++i) {
      double cov = 0;
      for (size_t t = i; t < n; ++t) {
        cov += res[t] * res[t - i];
      }
      sum += (1 - static_cast<double>(i) / static_cast<double>(lmax + 1)) * cov;
    }
    denominator = s2 + 2 / nn * sum;
  }
  return numerator / denominator;
}

size_t kpss_differences(std::span<const double> series, size_t max_d) {
  std::vector<double> x(series.begin(), series.end());
  size_t d = 0;
  if (arima_is_constant(x)) {
    return d;
  }
  const auto test = [](const std::vector<double>& v) -> std::optional<bool> {
    const double p = kpss_p_value(kpss_statistic(v));
    if (std::isnan(p)) {
      return std::nullopt;
    }
    return p < 0.05;
  };
  std::optional<bool> dodiff = test(x);
  if (!dodiff) {
    return d;
  }
  while (*dodiff && d < max_d) {
    ++d;
    x = diff(x, 1);
    if (arima_is_constant(x)) {
      return d;
    }
    dodiff = test(x);
    if (!dodiff) {
      return d - 1;
    }
  }
  return d;
}

double seasonal_strength(std::span<const double> x, size_t period) {
  StlOptions o;
  o.period = period;
  o.seasonal_window = 11;
  const StlResult s = stl(x, o);
  std::vector<double> both(x.size());
  for (size_t t = 0; t < x.size(); ++t) {
    both[t] = s.remainder[t] + s.seasonal[t];
  }
  return std::max(0.0, std::min(1.0, 1 - variance(s.remainder) / variance(both)));
}

ArimaChoice auto_arima(std::span<const double> y, size_t period) {
  require_finite(y, "the history");
  const size_t n = y.size();
  if (n < 3) {
    throw Error(sqlstate::invalid_parameter_value,
                "too few values for ARIMA: " + std::to_string(n) + " (at least 3)");
  }
  ArimaChoice c;
  if (arima_is_constant(y)) {
    ArimaSpec spec;
    spec.constant = ArimaConstant::Mean;
    ArimaFitOptions o;
    o.fixed_constant = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
    c.fit = fit_arima(y, spec, o);
    c.constant_series = true;
    return c;
  }
  const size_t m = std::max<size_t>(period, 1);
  size_t max_p = std::min<size_t>(5, n / 3), max_q = max_p;
  size_t max_P = std::min<size_t>(2, n / 3 / m), max_Q = max_P;
  const bool use_aic = n <= 3;
  if (m == 1) {
    max_P = max_Q = 0;
  } else if (n > 2 * m) {
    c.strength = seasonal_strength(y, m);
    c.D = c.strength > 0.64 ? 1 : 0;
  }
  std::vector<double> dx = c.D > 0 ? diff(y, m) : std::vector<double>(y.begin(), y.end());
  {
    // The KPSS statistics of the tests ndiffs runs, for the notes.
    std::vector<double> x = dx;
    c.d = kpss_differences(dx);
    for (size_t i = 0; i <= c.d && x.size() > 1 && !arima_is_constant(x); ++i) {
      c.kpss.push_back(kpss_statistic(x));
      x = diff(x, 1);
    }
  }
  for (size_t i = 0; i < c.d; ++i) {
    dx = diff(dx, 1);
  }
  if (dx.empty()) {
    throw Error(sqlstate::invalid_parameter_value, "too few values for ARIMA after differencing");
  }
  if (arima_is_constant(dx)) {
    c.constant_differences = true;
    ArimaSpec spec;
    ArimaFitOptions o;
    spec.order.d = c.d;
    if (c.D > 0) {
      spec.order.D = c.D;
      spec.order.period = m;
    }
    const double mean = std::accumulate(dx.begin(), dx.end(), 0.0) / static_cast<double>(dx.size());
    if (c.D > 0 && c.d == 0) {
      spec.constant = ArimaConstant::Drift;
      o.fixed_constant = mean / static_cast<double>(m);
    } else if (c.D == 0 && c.d < 2) {
      spec.constant = ArimaConstant::Drift;
      o.fixed_constant = mean;
    }
    c.fit = fit_arima(y, spec, o);
    return c;
  }
  if (m > 1) {
    if (max_P > 0) {
      max_p = std::min(max_p, m - 1);
    }
    if (max_Q > 0) {
      max_q = std::min(max_q, m - 1);
    }
  }
  c.approximation = n > 150 || m > 12;
  double offset = 0;
  if (c.approximation) {
    ArimaSpec spec;
    spec.order.d = c.d;
    if (c.D > 0) {
      spec.order.D = c.D;
      spec.order.period = m;
    }
    spec.constant = c.d + c.D == 0 ? ArimaConstant::Mean : ArimaConstant::None;
    if (const std::optional<ArimaFit> f = try_fit_arima(y, spec)) {
      offset = -2 * f->loglik - static_cast<double>(n) * std::log(f->sigma2_ml);
    }
  }
  const bool allow_drift = c.d + c.D == 1;
  const bool allow_mean = c.d + c.D == 0;
  bool constant = allow_drift || allow_mean;
  Search search(y, c, m, offset, use_aic);
  size_t start_p = 2, start_q = 2, start_P = 1, start_Q = 1;
  if (n < 10) {
    start_p = start_q = 1;
    start_P = start_Q = 0;
  }
  size_t p = std::min(start_p, max_p), q = std::min(start_q, max_q);
  size_t P = std::min(start_P, max_P), Q = std::min(start_Q, max_Q);
  constexpr size_t kModels = 94;
  std::vector<Search::Result> results;
  Search::Result best{0, 0, 0, 0, false, kInf, std::nullopt, ArimaSpec{}};
  const auto record = [&](Search::Result r) {
    c.tried.push_back({r.spec, r.ic});
    // In the approximation every candidate's criterion is final (it orders the refits).
    if (c.approximation) {
      search.check(r);
      c.tried.back().ic = r.ic;
    }
    bool better = false;
    if (r.ic < best.ic) {
      search.check(r);
      c.tried.back().ic = r.ic;
      better = r.ic < best.ic;
    }
    Search::Result kept = r;
    if (!better) {
      kept.fit.reset();
    }
    results.push_back(kept);
    if (better) {
      best = std::move(r);
    }
    return better;
  };
  const auto is_new = [&](size_t pp, size_t qq, size_t PP, size_t QQ, bool cc) {
    for (const Search::Result& r : results) {
      if (r.p == pp && r.q == qq && r.P == PP && r.Q == QQ && r.constant == cc) {
        return false;
      }
    }
    return true;
  };
  const bool approx = c.approximation;
  record(search.fit(p, q, P, Q, constant, approx));
  if (record(search.fit(0, 0, 0, 0, constant, approx))) {
    p = q = P = Q = 0;
  }
  if (max_p > 0 || max_P > 0) {
    const size_t pp = max_p > 0 ? 1 : 0, PP = m > 1 && max_P > 0 ? 1 : 0;
    if (record(search.fit(pp, 0, PP, 0, constant, approx))) {
      p = pp;
      P = PP;
      q = Q = 0;
    }
  }
  if (max_q > 0 || max_Q > 0) {
    const size_t qq = max_q > 0 ? 1 : 0, QQ = m > 1 && max_Q > 0 ? 1 : 0;
    if (record(search.fit(0, qq, 0, QQ, constant, approx))) {
      p = P = 0;
      q = qq;
      Q = QQ;
    }
  }
  if (constant) {
    if (record(search.fit(0, 0, 0, 0, false, approx))) {
      p = q = P = Q = 0;
    }
  }
  size_t k = results.size();
  size_t startk = 0;
  bool stop = false;
  while (startk < k && k < kModels && !stop) {
    startk = k;
    // One step of R's loop: tries a neighbour if new; true when it became the best (the pass restarts).
    const auto step = [&](bool allowed, long dp, long dq, long dP, long dQ) {
      if (stop || !allowed) {
        return false;
      }
      const size_t np = static_cast<size_t>(static_cast<long>(p) + dp);
      const size_t nq = static_cast<size_t>(static_cast<long>(q) + dq);
      const size_t nP = static_cast<size_t>(static_cast<long>(P) + dP);
      const size_t nQ = static_cast<size_t>(static_cast<long>(Q) + dQ);
      if (!is_new(np, nq, nP, nQ, constant)) {
        return false;
      }
      ++k;
      if (k > kModels) {
        stop = true;
        return false;
      }
      if (record(search.fit(np, nq, nP, nQ, constant, approx))) {
        p = np;
        q = nq;
        P = nP;
        Q = nQ;
        return true;
      }
      return false;
    };
    if (step(P > 0, 0, 0, -1, 0) || step(Q > 0, 0, 0, 0, -1) || step(P < max_P, 0, 0, 1, 0) ||
        step(Q < max_Q, 0, 0, 0, 1) || step(Q > 0 && P > 0, 0, 0, -1, -1) ||
        step(Q < max_Q && P > 0, 0, 0, -1, 1) || step(Q > 0 && P < max_P, 0, 0, 1, -1) ||
        step(Q < max_Q && P < max_P, 0, 0, 1, 1) || step(p > 0, -1, 0, 0, 0) || step(q > 0, 0, -1, 0, 0) ||
        step(p < max_p, 1, 0, 0, 0) || step(q < max_q, 0, 1, 0, 0) || step(q > 0 && p > 0, -1, -1, 0, 0) ||
        step(q < max_q && p > 0, -1, 1, 0, 0) || step(q > 0 && p < max_p, 1, -1, 0, 0) ||
        step(q < max_q && p < max_p, 1, 1, 0, 0)) {
      continue;
    }
    if ((allow_drift || allow_mean) && !stop && is_new(p, q, P, Q, !constant)) {
      ++k;
      if (k > kModels) {
        break;
      }
      if (record(search.fit(p, q, P, Q, !constant, approx))) {
        constant = !constant;
      }
    }
  }
  if (approx && best.fit) {
    // Refit by maximum likelihood, best criterion first, until one is accepted.
    std::vector<size_t> order(results.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return results[a].ic < results[b].ic; });
    for (const size_t i : order) {
      const Search::Result& r = results[i];
      Search::Result refit = search.fit(r.p, r.q, r.P, r.Q, r.constant, false);
      search.check(refit);
      if (refit.ic < kInf) {
        best = std::move(refit);
        break;
      }
    }
  }
  if (!best.fit || !(best.ic < kInf)) {
    throw Error(sqlstate::invalid_parameter_value, "no suitable ARIMA model can be fitted to these data")
        .with_hint("use another method, e.g. 'ets' or 'naive'");
  }
  c.fit = std::move(*best.fit);
  return finish_choice(y, std::move(c));
}

std::vector<std::string> arima_choice_notes(const ArimaChoice& c) {
  std::vector<std::string> notes;
  const auto fixed = [](double v, int digits) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
    return std::string(buffer);
  };
  if (c.constant_series) {
    notes.emplace_back("the series is constant: it is forecast flat at its first value");
    return notes;
  }
  if (c.strength >= 0) {
    notes.emplace_back("D = " + std::to_string(c.D) + ": seasonal strength of an STL decomposition " +
                       fixed(c.strength, 3) + (c.D > 0 ? " > 0.64" : " <= 0.64"));
  } else if (c.fit.spec.order.period > 1 || c.D == 0) {
    notes.emplace_back("D = 0: no season tested (period 1, or at most two seasons of data)");
  }
  std::string kpss;
  for (const double s : c.kpss) {
    kpss += (kpss.empty() ? "" : ", ") + fixed(s, 3);
  }
  notes.emplace_back("d = " + std::to_string(c.d) + ": KPSS tests at 5% (statistic" +
                     (c.kpss.size() == 1 ? " " : "s ") + kpss + " against 0.463)");
  if (c.constant_differences) {
    notes.emplace_back("the differenced series is constant: no ARMA terms, the drift fixed at its mean");
    return notes;
  }
  notes.emplace_back("orders by the stepwise search of Hyndman and Khandakar: " +
                     std::to_string(c.tried.size()) + " models compared by AICc");
  if (c.approximation) {
    notes.emplace_back("more than 150 values or a period above 12: the search approximated the likelihood by "
                       "conditional sums of squares, then refitted the best by maximum likelihood");
  }
  return notes;
}

} // namespace autoreport::forecast
