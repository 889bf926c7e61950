// Maximum likelihood estimation of ETS models.
#include "forecast/ets_fit.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"
#include "forecast/checks.hpp"
#include "forecast/least_squares.hpp"
#include "forecast/seasonal.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

constexpr double kLower[4] = {1e-4, 1e-4, 1e-4, 0.8};
constexpr double kUpper[4] = {0.9999, 0.9999, 0.9999, 0.98};
constexpr double kInfinity = std::numeric_limits<double>::infinity();

bool has_trend(const EtsSpec& s) {
  return s.trend != Component::None;
}
bool has_season(const EtsSpec& s) {
  return s.season != Component::None;
}

// Solves the 4x4 (or smaller) normal equations A x = b by Gaussian elimination with pivoting.
std::vector<double> solve(std::vector<std::vector<double>> a, std::vector<double> b) {
  const size_t n = b.size();
  for (size_t c = 0; c < n; ++c) {
    size_t pivot = c;
    for (size_t r = c + 1; r < n; ++r) {
      if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) {
        pivot = r;
      }
    }
    std::swap(a[c], a[pivot]);
    std::swap(b[c], b[pivot]);
    for (size_t r = c + 1; r < n; ++r) {
      const double f = a[r][c] / a[c][c];
      for (size_t k = c; k < n; ++k) {
        a[r][k] -= f * a[c][k];
      }
      b[r] -= f * b[c];
    }
  }
  std::vector<double> x(n);
  for (size_t i = n; i-- > 0;) {
    double s = b[i];
    for (size_t k = i + 1; k < n; ++k) {
      s -= a[i][k] * x[k];
    }
    x[i] = s / a[i][i];
  }
  return x;
}

// The seasonal pattern sigma_1..sigma_n used to start a seasonal model.
std::vector<double> start_pattern(std::span<const double> y, size_t m, bool multiplicative) {
  const size_t n = y.size();
  std::vector<double> pattern(n);
  if (n >= 3 * m) {
    const std::vector<double> figure = seasonal_figure(y, m, multiplicative);
    for (size_t t = 0; t < n; ++t) {
      pattern[t] = figure[t % m];
    }
    return pattern;
  }
  // A regression on an intercept, t, sin and cos of the season (no sine when m = 2).
  const bool sine = m != 2;
  std::vector<std::vector<double>> rows;
  for (size_t t = 1; t <= n; ++t) {
    const double angle = 2 * M_PI * static_cast<double>(t) / static_cast<double>(m);
    std::vector<double> row{1.0, static_cast<double>(t)};
    if (sine) {
      row.push_back(std::sin(angle));
    }
    row.push_back(std::cos(angle));
    rows.push_back(row);
  }
  const size_t k = rows[0].size();
  std::vector<std::vector<double>> a(k, std::vector<double>(k, 0.0));
  std::vector<double> b(k, 0.0);
  for (size_t t = 0; t < n; ++t) {
    for (size_t i = 0; i < k; ++i) {
      b[i] += rows[t][i] * y[t];
      for (size_t j = 0; j < k; ++j) {
        a[i][j] += rows[t][i] * rows[t][j];
      }
    }
  }
  const std::vector<double> coef = solve(a, b);
  for (size_t t = 0; t < n; ++t) {
    const double trend = coef[0] + coef[1] * static_cast<double>(t + 1);
    pattern[t] = multiplicative ? y[t] / trend : y[t] - trend;
  }
  return pattern;
}

} // namespace

bool roots_within(std::span<const double> coefficients, double radius) {
  // Schur-Cohn-Jury: the roots of q(z) = p(radius z) lie strictly inside the unit circle iff every
  // reflection coefficient k = (constant term) / (leading term) of the successive reductions
  // q <- (q - k q*) / (1 - k^2), q* the reversed polynomial, has |k| < 1.
  const size_t degree = coefficients.size() - 1;
  std::vector<double> c(coefficients.begin(), coefficients.end());
  double scale = 1;
  for (size_t i = degree + 1; i-- > 0;) { // c[i] multiplies z^(degree - i)
    c[i] *= scale;
    scale *= radius;
  }
  for (size_t n = degree; n > 0; --n) {
    if (c[0] == 0) {
      return false;
    }
    const double k = c[n] / c[0];
    if (!(std::fabs(k) < 1)) {
      return false;
    }
    std::vector<double> next(n);
    for (size_t i = 0; i < n; ++i) {
      next[i] = (c[i] - k * c[n - i]) / (1 - k * k);
    }
    c = std::move(next);
  }
  return true;
}

namespace {

struct Layout {
  bool beta = false, gamma = false, phi = false;
  size_t states = 0; // level, growth, m - 1 seasonal
};

Layout layout(const EtsSpec& spec) {
  Layout l;
  l.beta = has_trend(spec);
  l.gamma = has_season(spec);
  l.phi = spec.damped;
  l.states = 1 + (has_trend(spec) ? 1 : 0) + (has_season(spec) ? spec.period - 1 : 0);
  return l;
}

std::vector<double> pack(const EtsSpec& spec, const EtsStart& s) {
  const Layout l = layout(spec);
  std::vector<double> x{s.params.alpha};
  if (l.beta) {
    x.push_back(s.params.beta);
  }
  if (l.gamma) {
    x.push_back(s.params.gamma);
  }
  if (l.phi) {
    x.push_back(s.params.phi);
  }
  x.push_back(s.state.level);
  if (has_trend(spec)) {
    x.push_back(s.state.growth);
  }
  for (size_t i = 0; has_season(spec) && i + 1 < spec.period; ++i) {
    x.push_back(s.state.season[i]);
  }
  return x;
}

EtsStart unpack(const EtsSpec& spec, const std::vector<double>& x) {
  const Layout l = layout(spec);
  EtsStart s;
  size_t i = 0;
  s.params.alpha = x[i++];
  s.params.beta = l.beta ? x[i++] : 0;
  s.params.gamma = l.gamma ? x[i++] : 0;
  s.params.phi = l.phi ? x[i++] : 1;
  s.state.level = x[i++];
  s.state.growth = has_trend(spec) ? x[i++] : 0;
  if (has_season(spec)) {
    double sum = 0;
    for (size_t j = 0; j + 1 < spec.period; ++j) {
      s.state.season.push_back(x[i]);
      sum += x[i++];
    }
    s.state.season.push_back(spec.season == Component::Additive ? -sum
                                                                : static_cast<double>(spec.period) - sum);
  }
  return s;
}

double objective(std::span<const double> y, const EtsSpec& spec, const std::vector<double>& x) {
  const EtsStart s = unpack(spec, x);
  if (!ets_admissible(spec, s.params)) {
    return kInfinity;
  }
  if (spec.season == Component::Multiplicative) {
    for (const double v : s.state.season) {
      if (v < 0) {
        return kInfinity;
      }
    }
  }
  const EtsFit fit = ets_run(y, spec, s.params, s.state, false);
  if (!fit.valid || std::isnan(fit.lik)) {
    return kInfinity;
  }
  return std::max(fit.lik, -1e10);
}

// Nelder-Mead as R's optim: reflection 1, contraction 0.5, expansion 2, shrink 0.5.
std::vector<double> nelder_mead(const std::function<double(const std::vector<double>&)>& f,
                                std::vector<double> x0, size_t max_evaluations, size_t& evaluations,
                                double& best) {
  const size_t n = x0.size();
  const double f0 = f(x0);
  ++evaluations;
  if (!std::isfinite(f0)) {
    best = f0;
    return x0;
  }
  const double tol = 1.490116119384765625e-8 * (std::fabs(f0) + 1.490116119384765625e-8);
  double size = 0;
  for (const double v : x0) {
    size = std::max(size, 0.1 * std::fabs(v));
  }
  if (size == 0) {
    size = 0.1;
  }
  const auto value = [&](const std::vector<double>& x) {
    ++evaluations;
    const double v = f(x);
    return std::isfinite(v) ? v : 1e35;
  };
  std::vector<std::vector<double>> p(n + 1, x0);
  std::vector<double> fv(n + 1, f0);
  for (size_t j = 0; j < n; ++j) {
    double step = size;
    while (p[j + 1][j] + step == p[j + 1][j]) {
      step *= 10;
    }
    p[j + 1][j] += step;
    check_interrupts();
    fv[j + 1] = value(p[j + 1]);
  }
  while (evaluations < max_evaluations) {
    check_interrupts(); // cheap: a flag test when nothing is pending
    size_t lo = 0, hi = 0;
    for (size_t i = 1; i <= n; ++i) {
      if (fv[i] < fv[lo]) {
        lo = i;
      }
      if (fv[i] > fv[hi]) {
        hi = i;
      }
    }
    if (fv[hi] <= fv[lo] + tol) {
      break;
    }
    std::vector<double> c(n, 0.0);
    for (size_t i = 0; i <= n; ++i) {
      if (i != hi) {
        for (size_t k = 0; k < n; ++k) {
          c[k] += p[i][k] / static_cast<double>(n);
        }
      }
    }
    std::vector<double> r(n);
    for (size_t k = 0; k < n; ++k) {
      r[k] = 2 * c[k] - p[hi][k];
    }
    const double fr = value(r);
    if (fr < fv[lo]) {
      std::vector<double> e(n);
      for (size_t k = 0; k < n; ++k) {
        e[k] = 2 * r[k] - c[k];
      }
      const double fe = value(e);
      if (fe < fr) {
        p[hi] = e;
        fv[hi] = fe;
      } else {
        p[hi] = r;
        fv[hi] = fr;
      }
      continue;
    }
    const double worst = fv[hi];
    if (fr < fv[hi]) {
      p[hi] = r;
      fv[hi] = fr;
    }
    std::vector<double> k_point(n);
    for (size_t k = 0; k < n; ++k) {
      k_point[k] = (p[hi][k] + c[k]) / 2;
    }
    const double fk = value(k_point);
    if (fk < fv[hi]) {
      p[hi] = k_point;
      fv[hi] = fk;
    } else if (fr >= worst) {
      for (size_t i = 0; i <= n; ++i) {
        if (i != lo) {
          for (size_t k = 0; k < n; ++k) {
            p[i][k] = (p[i][k] + p[lo][k]) / 2;
          }
          fv[i] = value(p[i]);
        }
      }
    }
  }
  size_t lo = 0;
  for (size_t i = 1; i <= n; ++i) {
    if (fv[i] < fv[lo]) {
      lo = i;
    }
  }
  best = fv[lo];
  return p[lo];
}

} // namespace

EtsStart ets_start(std::span<const double> y, const EtsSpec& spec) {
  const size_t n = y.size();
  const size_t m = has_season(spec) ? spec.period : 1;
  EtsStart s;
  s.params.alpha = kLower[0] + 0.2 * (kUpper[0] - kLower[0]) / static_cast<double>(m);
  s.params.beta = kLower[1] + 0.1 * (std::min(kUpper[1], s.params.alpha) - kLower[1]);
  s.params.gamma = kLower[2] + 0.05 * (std::min(kUpper[2], 1 - s.params.alpha) - kLower[2]);
  s.params.phi = spec.damped ? kLower[3] + 0.99 * (kUpper[3] - kLower[3]) : 1;

  std::vector<double> adjusted(y.begin(), y.end());
  if (has_season(spec)) {
    if (n < 4) {
      throw Error(sqlstate::invalid_parameter_value, "a seasonal ETS model needs at least 4 values");
    }
    const bool mult = spec.season == Component::Multiplicative;
    std::vector<double> pattern = start_pattern(y, m, mult);
    // s1..s(m-1) = sigma_m .. sigma_2 (s1 the newest).
    std::vector<double> states;
    for (size_t j = 1; j < m; ++j) {
      states.push_back(pattern[m - j]);
    }
    if (mult) {
      double sum = 0;
      for (double& v : states) {
        v = std::max(v, 0.01);
        sum += v;
      }
      if (sum > static_cast<double>(m)) {
        for (double& v : states) {
          v /= sum + 0.01 * static_cast<double>(m - 1);
        }
      }
    }
    double sum = 0;
    for (const double v : states) {
      sum += v;
    }
    states.push_back(mult ? static_cast<double>(m) - sum : -sum);
    s.state.season = states;
    for (size_t t = 0; t < n; ++t) {
      adjusted[t] = mult ? y[t] / std::max(pattern[t], 0.01) : y[t] - pattern[t];
    }
  }
  const size_t first = std::min(std::max<size_t>(10, 2 * m), n);
  const std::span<const double> head(adjusted.data(), first);
  if (!has_trend(spec)) {
    double sum = 0;
    for (const double v : head) {
      sum += v;
    }
    s.state.level = sum / static_cast<double>(first);
  } else if (spec.trend == Component::Additive) {
    auto [a, b] = least_squares_line(head);
    if (std::fabs(a + b) < 1e-8) {
      a *= 1 + 1e-3;
      b *= 1 - 1e-3;
    }
    s.state.level = a;
    s.state.growth = b;
  } else {
    const auto [a, c] = least_squares_line(head);
    double f1 = a + c;
    const double f2 = a + 2 * c;
    if (std::fabs(f1) < 1e-7) {
      f1 = f1 < 0 ? -1e-7 : 1e-7;
    }
    double b = f2 / f1;
    b = std::clamp(b, -1e10, 1e10);
    double l = f1 / b;
    if (l < 1e-8 || b < 1e-8) {
      l = std::max(y[0], 1e-3);
      b = std::max(y[1] / y[0], 1e-3);
    }
    s.state.level = l;
    s.state.growth = b;
  }
  return s;
}

bool ets_admissible(const EtsSpec& spec, const EtsParams& p) {
  // The usual region.
  if (p.alpha < kLower[0] || p.alpha > kUpper[0]) {
    return false;
  }
  if (has_trend(spec) && (p.beta < kLower[1] || p.beta > std::min(kUpper[1], p.alpha))) {
    return false;
  }
  if (has_season(spec) && (p.gamma < kLower[2] || p.gamma > std::min(kUpper[2], 1 - p.alpha))) {
    return false;
  }
  if (spec.damped && (p.phi < kLower[3] || p.phi > kUpper[3])) {
    return false;
  }
  // The admissible region.
  const double phi = spec.damped ? p.phi : 1;
  const double beta = has_trend(spec) ? p.beta : 0;
  if (phi < 0 || phi > 1 + 1e-8) {
    return false;
  }
  if (!has_season(spec)) {
    if (p.alpha < 1 - 1 / phi || p.alpha > 1 + 1 / phi) {
      return false;
    }
    if (has_trend(spec) && (beta < p.alpha * (phi - 1) || beta > (1 + phi) * (2 - p.alpha))) {
      return false;
    }
    return true;
  }
  const double m = static_cast<double>(spec.period);
  const double gamma = p.gamma;
  if (gamma < std::max(1 - 1 / phi - p.alpha, 0.0) || gamma > 1 + 1 / phi - p.alpha) {
    return false;
  }
  if (p.alpha < 1 - 1 / phi - gamma * (1 - m + phi + phi * m) / (2 * phi * m)) {
    return false;
  }
  if (beta < -(1 - phi) * (gamma / m + p.alpha)) {
    return false;
  }
  // z^(m+1) + (a+b-phi) z^m + (a+b-a phi)(z^(m-1) + ... + z^2) + (a+b-a phi+g-1) z + phi(1-a-g)
  const size_t mm = spec.period;
  std::vector<double> c(mm + 2, 0.0);
  c[0] = 1;
  c[1] = p.alpha + beta - phi;
  for (size_t i = 2; i + 1 < mm + 1; ++i) {
    c[i] = p.alpha + beta - p.alpha * phi;
  }
  c[mm] = p.alpha + beta - p.alpha * phi + gamma - 1;
  c[mm + 1] = phi * (1 - p.alpha - gamma);
  return roots_within(c, 1 + 1e-10);
}

namespace {

// Searches from x (R's single Nelder-Mead run, then, with refine, restarts from its answer while they
// still improve it) and evaluates the model at the answer.
EtsEstimate search(std::span<const double> y, const EtsSpec& spec, std::vector<double> x, bool refine,
                   size_t evaluations) {
  const auto f = [&](const std::vector<double>& v) { return objective(y, spec, v); };
  EtsEstimate e;
  e.evaluations = evaluations;
  double best = kInfinity;
  x = nelder_mead(f, std::move(x), 2000, e.evaluations, best);
  if (!std::isfinite(best)) {
    throw Error(sqlstate::invalid_parameter_value,
                "the ETS model " + ets_model_name(spec) + " cannot be fitted to these data");
  }
  for (int restart = 0; refine && restart < 10; ++restart) {
    double again = kInfinity;
    std::vector<double> next = nelder_mead(f, x, 2000, e.evaluations, again);
    const bool better = again < best;
    if (better) {
      x = std::move(next);
    }
    if (!(again < best - 1e-9 * std::fabs(best))) {
      best = std::min(best, again);
      break;
    }
    best = again;
  }
  const EtsStart s = unpack(spec, x);
  e.params = s.params;
  e.initial = s.state;
  e.fit = ets_run(y, spec, s.params, s.state);
  e.criteria = ets_criteria(e.fit, y.size(), spec);
  return e;
}

} // namespace

EtsEstimate ets_estimate(std::span<const double> y, const EtsSpec& spec, bool refine) {
  require_finite(y, "the history");
  for (const double v : y) {
    if (spec.error == Component::Multiplicative && v <= 0) {
      throw Error(sqlstate::invalid_parameter_value, "a multiplicative-error ETS model needs positive data");
    }
  }
  return search(y, spec, pack(spec, ets_start(y, spec)), refine, 0);
}

EtsChoice ets_auto(std::span<const double> y, size_t period) {
  const size_t n = y.size();
  if (n < 4) {
    throw Error(sqlstate::invalid_parameter_value,
                "too few values for exponential smoothing: " + std::to_string(n) + " (at least 4)");
  }
  bool constant = true;
  bool positive = true;
  require_finite(y, "the history");
  for (const double v : y) {
    constant = constant && std::fabs(v - y[0]) <= 1.5e-8 * std::max(1.0, std::fabs(y[0]));
    positive = positive && v > 0;
  }
  EtsChoice choice;
  if (constant) {
    choice.spec = parse_ets_model("ANN", 1);
    EtsEstimate& e = choice.estimate;
    e.params.alpha = 0.99999;
    e.initial.level = y[0];
    e.fit = ets_run(y, choice.spec, e.params, e.initial);
    e.criteria = ets_criteria(e.fit, n, choice.spec);
    e.criteria.sigma2 = 0;
    choice.fitted.push_back({choice.spec, e});
    return choice;
  }
  const bool seasonal = period > 1 && period <= kMaxEtsPeriod && n > period;
  double best = kInfinity;
  bool found = false;
  for (const Component error : {Component::Additive, Component::Multiplicative}) {
    if (error == Component::Multiplicative && !positive) {
      continue;
    }
    for (const Component trend : {Component::None, Component::Additive}) {
      for (const Component season : {Component::None, Component::Additive, Component::Multiplicative}) {
        if (season != Component::None && !seasonal) {
          continue;
        }
        if (error == Component::Additive && season == Component::Multiplicative) {
          continue;
        }
        for (const bool damped : {true, false}) {
          if (damped && trend == Component::None) {
            continue;
          }
          EtsSpec spec;
          spec.error = error;
          spec.trend = trend;
          spec.season = season;
          spec.damped = damped;
          spec.period = season == Component::None ? 1 : period;
          if (ets_parameter_count(spec) - 1 >= n - 1) {
            continue; // as many coefficients as data
          }
          try {
            EtsEstimate e = ets_estimate(y, spec);
            if (e.criteria.aicc < best) {
              best = e.criteria.aicc;
              choice.spec = spec;
              choice.estimate = e;
              found = true;
            }
            // The candidates keep what forecasting needs, not their n fitted values.
            e.fit.fitted = {};
            choice.fitted.push_back({spec, std::move(e)});
          } catch (const Error&) {
            continue; // this candidate cannot be fitted
          }
        }
      }
    }
  }
  if (!found) {
    throw Error(sqlstate::invalid_parameter_value,
                "no exponential smoothing model can be fitted to these data");
  }
  return choice;
}

} // namespace autoreport::forecast
