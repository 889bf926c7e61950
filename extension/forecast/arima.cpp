// Seasonal ARIMA: R's stats::arima (CSS-ML) and predict.Arima, with a fast exact likelihood for the
// search (see arima.hpp and test/forecast/fixtures/arima/NOTES.md).
#include "forecast/arima.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"
#include "forecast/checks.hpp"
#include "forecast/ets_fit.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <complex>
#include <limits>
#include <string>
#include <utility>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

constexpr double kKappa = 1e6;                     // R's prior variance of the differenced states
constexpr double kDiffuseGain = 1e4;               // innovations of this variance are left out
constexpr double kLog2Pi = 1.83787706640934548356; // log(2 pi)
constexpr double kReltol = 1.4901161193847656e-08; // optim's reltol, sqrt(DBL_EPSILON)
constexpr double kNdeps = 1e-3;                    // optim's ndeps
constexpr int kMaxit = 100;                        // optim's maxit for BFGS
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr size_t kMaxTransformed = 100; // R's partrans limit

// A model that cannot be fitted to the data; fit_arima turns it into Error 22023.
struct NotFittable {
  std::string why;
};

[[noreturn]] void not_fittable(std::string why) {
  throw NotFittable{std::move(why)};
}

size_t seasonal_period(const ArimaOrder& o) {
  return o.P + o.D + o.Q > 0 ? o.period : 1;
}

size_t full_p(const ArimaOrder& o) {
  return o.p + seasonal_period(o) * o.P;
}

size_t full_q(const ArimaOrder& o) {
  return o.q + seasonal_period(o) * o.Q;
}

// The differencing polynomial (1 - B)^d (1 - B^m)^D = 1 - delta_1 B - ... - delta_k B^k; returns delta.
std::vector<double> differencing(const ArimaOrder& o) {
  std::vector<double> poly{1.0};
  const auto multiply = [&](size_t lag) {
    std::vector<double> next(poly.size() + lag, 0.0);
    for (size_t i = 0; i < poly.size(); ++i) {
      next[i] += poly[i];
      next[i + lag] -= poly[i];
    }
    poly = std::move(next);
  };
  for (size_t i = 0; i < o.d; ++i) {
    multiply(1);
  }
  for (size_t i = 0; i < o.D; ++i) {
    multiply(seasonal_period(o));
  }
  std::vector<double> delta(poly.size() - 1);
  for (size_t i = 0; i < delta.size(); ++i) {
    delta[i] = -poly[i + 1];
  }
  return delta;
}

// R's diff(): d differences at lag 1, then D at lag m.
std::vector<double> difference(std::span<const double> x, const ArimaOrder& o) {
  std::vector<double> w(x.begin(), x.end());
  const auto once = [&](size_t lag) {
    if (w.size() <= lag) {
      w.clear();
      return;
    }
    for (size_t t = w.size(); t-- > lag;) {
      w[t] -= w[t - lag];
    }
    w.erase(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(lag));
  };
  for (size_t i = 0; i < o.d; ++i) {
    once(1);
  }
  for (size_t i = 0; i < o.D; ++i) {
    once(seasonal_period(o));
  }
  return w;
}

// ---- parameters -------------------------------------------------------------------------------

// partrans: tanh maps each raw value into (-1, 1), read as partial autocorrelations; the
// Durbin-Levinson recursion turns them into the coefficients of a stationary AR polynomial.
void partrans(size_t p, const double* raw, double* out) {
  std::array<double, kMaxTransformed> work{};
  for (size_t j = 0; j < p; ++j) {
    work[j] = out[j] = std::tanh(raw[j]);
  }
  for (size_t j = 1; j < p; ++j) {
    const double a = out[j];
    for (size_t k = 0; k < j; ++k) {
      work[k] -= a * out[j - k - 1];
    }
    for (size_t k = 0; k < j; ++k) {
      out[k] = work[k];
    }
  }
}

void invpartrans(size_t p, const double* phi, double* out) {
  std::array<double, kMaxTransformed> work{};
  for (size_t j = 0; j < p; ++j) {
    work[j] = out[j] = phi[j];
  }
  for (size_t j = p; j-- > 1;) {
    const double a = out[j];
    for (size_t k = 0; k < j; ++k) {
      work[k] = (out[k] + a * out[j - k - 1]) / (1 - a * a);
    }
    for (size_t k = 0; k < j; ++k) {
      out[k] = work[k];
    }
  }
  for (size_t j = 0; j < p; ++j) {
    out[j] = std::atanh(out[j]);
  }
}

// The parameter vector's layout: ar (p), ma (q), sar (P), sma (Q), then the constant.
struct Layout {
  size_t p, q, P, Q, m;
  size_t ma() const { return p; }
  size_t sar() const { return p + q; }
  size_t sma() const { return p + q + P; }
  size_t arma() const { return p + q + P + Q; }
};

Layout layout(const ArimaOrder& o) {
  return Layout{o.p, o.q, o.P, o.Q, seasonal_period(o)};
}

// The AR parts of `in` mapped by partrans (R's ARIMA_transPars with trans = TRUE, ARIMA_undoPars).
void transform_ar(const Layout& l, const double* in, double* out) {
  std::copy(in, in + l.arma(), out);
  if (l.p > 0) {
    partrans(l.p, in, out);
  }
  if (l.P > 0) {
    partrans(l.P, in + l.sar(), out + l.sar());
  }
}

// phi(B) Phi(B^m) and theta(B) Theta(B^m) from the (untransformed) parameters; phi has p + mP values,
// theta q + mQ.
void expand(const Layout& l, const double* par, double* phi, double* theta) {
  const size_t pf = l.p + l.m * l.P;
  const size_t qf = l.q + l.m * l.Q;
  for (size_t i = 0; i < pf; ++i) {
    phi[i] = i < l.p ? par[i] : 0.0;
  }
  for (size_t i = 0; i < qf; ++i) {
    theta[i] = i < l.q ? par[l.ma() + i] : 0.0;
  }
  for (size_t j = 0; j < l.P; ++j) {
    const double s = par[l.sar() + j];
    phi[(j + 1) * l.m - 1] += s;
    for (size_t i = 0; i < l.p; ++i) {
      phi[(j + 1) * l.m + i] -= par[i] * s;
    }
  }
  for (size_t j = 0; j < l.Q; ++j) {
    const double s = par[l.sma() + j];
    theta[(j + 1) * l.m - 1] += s;
    for (size_t i = 0; i < l.q; ++i) {
      theta[(j + 1) * l.m + i] += par[l.ma() + i] * s;
    }
  }
}

// ---- polynomial roots -------------------------------------------------------------------------

// The roots of c[0] + c[1] z + ... + c[n] z^n (c[n] != 0) by the Aberth-Ehrlich iteration.
std::vector<std::complex<double>> polynomial_roots(std::span<const double> c) {
  using cd = std::complex<double>;
  const size_t n = c.size() - 1;
  std::vector<cd> z;
  if (n == 0) {
    return z;
  }
  size_t zeros = 0;
  while (zeros < n && c[zeros] == 0) {
    ++zeros; // roots at zero
  }
  const size_t degree = n - zeros;
  std::vector<double> a(degree + 1);
  for (size_t i = 0; i <= degree; ++i) {
    a[i] = c[i + zeros] / c[n];
  }
  const auto eval = [&](cd x, cd& derivative) {
    cd v = a[degree];
    derivative = 0;
    for (size_t i = degree; i-- > 0;) {
      derivative = derivative * x + v;
      v = v * x + a[i];
    }
    return v;
  };
  double radius = degree > 0 ? std::pow(std::fabs(a[0]), 1.0 / static_cast<double>(degree)) : 1.0;
  if (!(radius > 0) || !std::isfinite(radius)) {
    radius = 1;
  }
  for (size_t k = 0; k < degree; ++k) {
    const double angle = 2 * M_PI * static_cast<double>(k) / static_cast<double>(degree) + 0.4;
    z.push_back(std::polar(radius, angle));
  }
  for (int iteration = 0; iteration < 500; ++iteration) {
    double largest = 0;
    for (size_t i = 0; i < degree; ++i) {
      cd derivative;
      const cd v = eval(z[i], derivative);
      if (v == cd(0)) {
        continue;
      }
      const cd ratio = v / derivative;
      cd sum = 0;
      for (size_t j = 0; j < degree; ++j) {
        if (j != i) {
          sum += 1.0 / (z[i] - z[j]);
        }
      }
      const cd w = ratio / (1.0 - ratio * sum);
      if (!std::isfinite(w.real()) || !std::isfinite(w.imag())) {
        continue;
      }
      z[i] -= w;
      largest = std::max(largest, std::abs(w) / std::max(1.0, std::abs(z[i])));
    }
    if (largest < 1e-15) {
      break;
    }
  }
  for (size_t i = 0; i < zeros; ++i) {
    z.emplace_back(0.0, 0.0);
  }
  return z;
}

// Whether all roots of 1 - c_1 z - ... - c_k z^k (sign = -1) or 1 + c_1 z + ... (sign = +1) lie
// outside the circle of the radius, coefficients of absolute value below `negligible` at the end
// dropped first: the roots of the reversed polynomial lie inside 1 / radius (Schur-Cohn).
bool roots_outside(std::span<const double> c, double sign, double radius, double negligible) {
  size_t k = c.size();
  while (k > 0 && !(std::fabs(c[k - 1]) > negligible)) {
    --k;
  }
  if (k == 0) {
    return true;
  }
  std::vector<double> reversed(k + 1);
  reversed[0] = 1;
  for (size_t i = 0; i < k; ++i) {
    reversed[i + 1] = sign * c[i];
  }
  return roots_within(reversed, 1 / radius);
}

// R's arCheck: the AR polynomial 1 - ar_1 z - ... has all roots outside the unit circle.
bool ar_stationary(std::span<const double> ar) {
  return roots_outside(ar, -1, 1, 0);
}

// ---- the ARMA covariance ----------------------------------------------------------------------

// Work space of the likelihood, allocated once per fit.
struct Workspace {
  std::vector<double> psi, gamma, system, column, a, w, k;
  void reserve(size_t p, size_t q) {
    const size_t r = std::max(p, q + 1);
    psi.assign(std::max(q, r) + 1, 0.0);
    gamma.assign(r + 1, 0.0);
    system.assign((p + 1) * (p + 2), 0.0);
    column.assign(r + 1, 0.0);
    a.assign(r, 0.0);
    w.assign(r, 0.0);
    k.assign(r, 0.0);
  }
};

// The first column of the stationary covariance of the state (R's layout: a_t[0] = y_t, a_t[i] =
// sum_{k >= i} phi_k y_{t+i-1-k} + theta_{k-1} e_{t+i-1-k}...), unit innovation variance, into
// ws.column[0..r) (ws.column[r] = 0), from the autocovariances gamma(0..r) and psi weights of the
// ARMA process. False when the AR part is not stationary (singular system or gamma(0) <= 0).
bool stationary_column(std::span<const double> phi, std::span<const double> theta, Workspace& ws) {
  const size_t p = phi.size();
  const size_t q = theta.size();
  const size_t r = std::max(p, q + 1);
  const auto th = [&](size_t j) { return j == 0 ? 1.0 : j <= q ? theta[j - 1] : 0.0; };
  const auto ph = [&](size_t j) { return j >= 1 && j <= p ? phi[j - 1] : 0.0; };
  double* psi = ws.psi.data();
  const size_t np = std::max(q, r);
  psi[0] = 1;
  for (size_t j = 1; j <= np; ++j) {
    double s = th(j);
    for (size_t i = 1; i <= std::min(j, p); ++i) {
      s += phi[i - 1] * psi[j - i];
    }
    psi[j] = s;
  }
  // gamma(k) - sum_i phi_i gamma(|k - i|) = c_k = sum_{j >= k} theta_j psi_{j-k}, k = 0..p.
  const auto c = [&](size_t kk) {
    double s = 0;
    for (size_t j = kk; j <= q; ++j) {
      s += th(j) * psi[j - kk];
    }
    return s;
  };
  double* g = ws.gamma.data();
  const size_t w = p + 2; // row width: p + 1 coefficients and the right-hand side
  double* A = ws.system.data();
  std::fill(A, A + (p + 1) * w, 0.0);
  for (size_t kk = 0; kk <= p; ++kk) {
    A[kk * w + kk] += 1;
    for (size_t i = 1; i <= p; ++i) {
      const size_t lag = kk > i ? kk - i : i - kk;
      A[kk * w + lag] -= phi[i - 1];
    }
    A[kk * w + p + 1] = c(kk);
  }
  for (size_t col = 0; col <= p; ++col) {
    size_t pivot = col;
    for (size_t row = col + 1; row <= p; ++row) {
      if (std::fabs(A[row * w + col]) > std::fabs(A[pivot * w + col])) {
        pivot = row;
      }
    }
    if (!(std::fabs(A[pivot * w + col]) > 0)) {
      return false;
    }
    if (pivot != col) {
      for (size_t j = col; j < w; ++j) {
        std::swap(A[pivot * w + j], A[col * w + j]);
      }
    }
    for (size_t row = col + 1; row <= p; ++row) {
      const double f = A[row * w + col] / A[col * w + col];
      if (f != 0) {
        for (size_t j = col; j < w; ++j) {
          A[row * w + j] -= f * A[col * w + j];
        }
      }
    }
  }
  for (size_t i = p + 1; i-- > 0;) {
    double s = A[i * w + p + 1];
    for (size_t j = i + 1; j <= p; ++j) {
      s -= A[i * w + j] * g[j];
    }
    g[i] = s / A[i * w + i];
  }
  for (size_t kk = p + 1; kk <= r; ++kk) {
    double s = c(kk);
    for (size_t i = 1; i <= p; ++i) {
      s += phi[i - 1] * g[kk - i];
    }
    g[kk] = s;
  }
  if (!(g[0] > 0) || !std::isfinite(g[0])) {
    return false;
  }
  double* col = ws.column.data();
  for (size_t j = 0; j < r; ++j) {
    double s = 0;
    for (size_t kk = 0; kk + j < r; ++kk) {
      s += ph(j + kk + 1) * g[kk + 1] + th(j + kk) * psi[kk];
    }
    col[j] = s;
  }
  col[r] = 0;
  col[0] = g[0];
  return true;
}

// The whole stationary covariance (R's getQ0), r x r row-major, from its first column and
// P = T P T' + R R' read entry by entry from the bottom right corner.
bool stationary_covariance(std::span<const double> phi, std::span<const double> theta,
                           std::vector<double>& out) {
  Workspace ws;
  ws.reserve(phi.size(), theta.size());
  if (!stationary_column(phi, theta, ws)) {
    return false;
  }
  const size_t p = phi.size();
  const size_t q = theta.size();
  const size_t r = std::max(p, q + 1);
  const auto th = [&](size_t j) { return j == 0 ? 1.0 : j <= q ? theta[j - 1] : 0.0; };
  const auto ph = [&](size_t j) { return j >= 1 && j <= p ? phi[j - 1] : 0.0; };
  out.assign(r * r, 0.0);
  const double* col = ws.column.data();
  for (size_t j = 0; j < r; ++j) {
    out[j] = out[j * r] = col[j];
  }
  for (size_t i = r; i-- > 1;) {
    for (size_t j = r; j-- > i;) {
      double v =
          ph(i + 1) * ph(j + 1) * col[0] + ph(i + 1) * col[j + 1] + ph(j + 1) * col[i + 1] + th(i) * th(j);
      if (i + 1 < r && j + 1 < r) {
        v += out[(i + 1) * r + j + 1];
      }
      out[i * r + j] = out[j * r + i] = v;
    }
  }
  return true;
}

// ---- likelihoods ------------------------------------------------------------------------------

// The exact Gaussian likelihood of a stationary ARMA series z (unit innovation variance): the Kalman
// filter from the stationary state, its covariance updated by Chandrasekhar recursions (the change
// of the predicted covariance has rank one when the filter starts from the stationary covariance), so
// each step costs O(r). Returns ssq = sum v_t^2 / F_t and sumlog = sum log F_t; false on breakdown.
bool arma_likelihood(std::span<const double> phi, std::span<const double> theta, std::span<const double> z,
                     Workspace& ws, double& ssq, double& sumlog) {
  if (!stationary_column(phi, theta, ws)) {
    return false;
  }
  const size_t p = phi.size();
  const size_t r = std::max(p, theta.size() + 1);
  double* a = ws.a.data();
  double* W = ws.w.data();
  double* k = ws.k.data();
  const double* col = ws.column.data();
  double F = col[0];
  for (size_t i = 0; i < r; ++i) {
    a[i] = 0;
    k[i] = (i < p ? phi[i] * col[0] : 0.0) + col[i + 1]; // T P_1 Z'
    W[i] = k[i];
  }
  double M = -1 / F;
  ssq = 0;
  sumlog = 0;
  double product = 1; // of the F_t not yet in sumlog (one log per many steps)
  bool steady = false;
  size_t steady_steps = 0;
  for (const double zt : z) {
    if (!(F > 0)) {
      return false;
    }
    const double v = zt - a[0];
    ssq += v * v / F;
    if (steady) {
      ++steady_steps;
    } else {
      product *= F;
      if (!(product < 1e100 && product > 1e-100)) {
        sumlog += std::log(product);
        product = 1;
      }
    }
    // a_{t+1} = T a_t + k_t v_t / F_t
    const double a0 = a[0];
    const double gain = v / F;
    for (size_t i = 0; i + 1 < r; ++i) {
      a[i] = (i < p ? phi[i] * a0 : 0.0) + a[i + 1] + k[i] * gain;
    }
    a[r - 1] = (r - 1 < p ? phi[r - 1] * a0 : 0.0) + k[r - 1] * gain;
    if (steady) {
      continue;
    }
    // P_{t+1} - P_t = W M W': F, k, W, M one step on.
    const double w0 = W[0];
    for (size_t i = 0; i + 1 < r; ++i) {
      W[i] = (i < p ? phi[i] * w0 : 0.0) + W[i + 1];
    }
    W[r - 1] = r - 1 < p ? phi[r - 1] * w0 : 0.0;
    const double change = M * w0 * w0;
    const double next = F + change;
    const double mw = M * w0;
    for (size_t i = 0; i < r; ++i) {
      k[i] += mw * W[i];
    }
    const double f = w0 / next;
    double size = 0;
    for (size_t i = 0; i < r; ++i) {
      W[i] -= f * k[i];
      size += W[i] * W[i];
    }
    M *= next / F;
    F = next;
    // Converged: the covariance no longer changes in double precision.
    steady = std::fabs(M) * size <= 1e-16 * F;
  }
  sumlog += std::log(product) + static_cast<double>(steady_steps) * std::log(F);
  return std::isfinite(ssq) && std::isfinite(sumlog);
}

// R's filter (ARIMA_Like): the state holds the ARMA part (r) and the last d + Dm values; the ARMA part
// starts from its stationary covariance, the others from variance 1e6. Innovations of variance 1e4 or
// more are left out of ssq and sumlog (nu counts the others).
struct FilterResult {
  double ssq = 0, sumlog = 0;
  size_t nu = 0;
  std::vector<double> residuals; // innovation / sqrt(variance), all n
  std::vector<double> a, P;      // filtered state and covariance after the last value
};

// The state transition T of R's state space applied to the rows of M (rd x cols, row-major): out = T M.
void transition_rows(std::span<const double> phi, size_t r, std::span<const double> delta, const double* in,
                     double* out, size_t cols) {
  const size_t p = phi.size();
  const size_t dd = delta.size();
  for (size_t i = 0; i < r; ++i) {
    double* o = out + i * cols;
    const double f = i < p ? phi[i] : 0.0;
    for (size_t j = 0; j < cols; ++j) {
      o[j] = f * in[j] + (i + 1 < r ? in[(i + 1) * cols + j] : 0.0);
    }
  }
  if (dd > 0) {
    double* o = out + r * cols;
    for (size_t j = 0; j < cols; ++j) {
      double s = in[j];
      for (size_t k = 0; k < dd; ++k) {
        s += delta[k] * in[(r + k) * cols + j];
      }
      o[j] = s;
    }
    for (size_t i = 1; i < dd; ++i) {
      std::copy(in + (r + i - 1) * cols, in + (r + i) * cols, out + (r + i) * cols);
    }
  }
}

// P <- T P T' + V for the symmetric P (rd x rd).
void predict_covariance(std::span<const double> phi, std::span<const double> theta, size_t r,
                        std::span<const double> delta, std::vector<double>& P, std::vector<double>& work) {
  const size_t rd = r + delta.size();
  work.resize(2 * rd * rd);
  double* x = work.data();
  double* xt = work.data() + rd * rd;
  transition_rows(phi, r, delta, P.data(), x, rd); // T P
  for (size_t i = 0; i < rd; ++i) {
    for (size_t j = 0; j < rd; ++j) {
      xt[j * rd + i] = x[i * rd + j];
    }
  }
  transition_rows(phi, r, delta, xt, P.data(), rd); // T (T P)' = T P T'
  const size_t q = theta.size();
  for (size_t i = 0; i <= q; ++i) {
    const double vi = i == 0 ? 1.0 : theta[i - 1];
    for (size_t j = 0; j <= q; ++j) {
      P[i * rd + j] += vi * (j == 0 ? 1.0 : theta[j - 1]);
    }
  }
}

FilterResult r_filter(std::span<const double> x, std::span<const double> phi, std::span<const double> theta,
                      std::span<const double> delta) {
  const size_t p = phi.size();
  const size_t q = theta.size();
  const size_t r = std::max(p, q + 1);
  const size_t dd = delta.size();
  const size_t rd = r + dd;
  std::vector<double> P0;
  if (!stationary_covariance(phi, theta, P0)) {
    not_fittable("the AR part is not stationary");
  }
  FilterResult out;
  out.residuals.assign(x.size(), 0.0);
  std::vector<double> a(rd, 0.0), anew(rd, 0.0), P(rd * rd, 0.0), M(rd, 0.0), work;
  for (size_t i = 0; i < r; ++i) {
    for (size_t j = 0; j < r; ++j) {
      P[i * rd + j] = P0[i * r + j];
    }
  }
  for (size_t i = 0; i < dd; ++i) {
    P[(r + i) * rd + r + i] = kKappa;
  }
  for (size_t l = 0; l < x.size(); ++l) {
    if (l % 256 == 255) {
      check_interrupts();
    }
    transition_rows(phi, r, delta, a.data(), anew.data(), 1);
    if (l > 0) {
      predict_covariance(phi, theta, r, delta, P, work);
    }
    double resid = x[l] - anew[0];
    for (size_t i = 0; i < dd; ++i) {
      resid -= delta[i] * anew[r + i];
    }
    for (size_t i = 0; i < rd; ++i) {
      double s = P[i * rd];
      for (size_t j = 0; j < dd; ++j) {
        s += P[i * rd + r + j] * delta[j];
      }
      M[i] = s;
    }
    double gain = M[0];
    for (size_t j = 0; j < dd; ++j) {
      gain += delta[j] * M[r + j];
    }
    if (gain < kDiffuseGain) {
      ++out.nu;
      out.ssq += resid * resid / gain;
      out.sumlog += std::log(gain);
    }
    out.residuals[l] = resid / std::sqrt(gain);
    for (size_t i = 0; i < rd; ++i) {
      a[i] = anew[i] + M[i] * resid / gain;
    }
    for (size_t i = 0; i < rd; ++i) {
      for (size_t j = 0; j < rd; ++j) {
        P[i * rd + j] -= M[i] * M[j] / gain;
      }
    }
  }
  out.a = std::move(a);
  out.P = std::move(P);
  return out;
}

// Conditional sum of squares (R's ARIMA_CSS) of the differenced series w: residuals from position
// `skip` on, the earlier residuals taken as 0. Returns ssq / (number of residuals).
double css(std::span<const double> w, std::span<const double> phi, std::span<const double> theta,
           double* resid, std::span<const size_t> ar_lags = {}, std::span<const size_t> ma_lags = {}) {
  const size_t n = w.size();
  const size_t skip = phi.size();
  const size_t q = theta.size();
  if (!ar_lags.empty() || !ma_lags.empty()) {
    // The same with only the lags where the expanded polynomials can be non-zero.
    double ssq = 0;
    size_t nu = 0;
    for (size_t l = 0; l < std::min(skip, n); ++l) {
      resid[l] = 0;
    }
    for (size_t l = skip; l < n; ++l) {
      double v = w[l];
      for (const size_t j : ar_lags) {
        v -= phi[j] * w[l - j - 1];
      }
      const size_t lags = std::min(l - skip, q);
      for (const size_t j : ma_lags) {
        if (j >= lags) {
          break;
        }
        v -= theta[j] * resid[l - j - 1];
      }
      resid[l] = v;
      if (!std::isnan(v)) {
        ++nu;
        ssq += v * v;
      }
    }
    return ssq / static_cast<double>(nu);
  }
  double ssq = 0;
  size_t nu = 0;
  for (size_t l = 0; l < std::min(skip, n); ++l) {
    resid[l] = 0;
  }
  for (size_t l = skip; l < n; ++l) {
    double v = w[l];
    for (size_t j = 0; j < skip; ++j) {
      v -= phi[j] * w[l - j - 1];
    }
    const size_t lags = std::min(l - skip, q);
    for (size_t j = 0; j < lags; ++j) {
      v -= theta[j] * resid[l - j - 1];
    }
    resid[l] = v;
    if (!std::isnan(v)) {
      ++nu;
      ssq += v * v;
    }
  }
  return ssq / static_cast<double>(nu);
}

// ---- R's BFGS ---------------------------------------------------------------------------------

struct Search {
  std::vector<double> par; // in the objective's coordinates
  double value = kNaN;
  int code = 0; // 0 converged, 1 iteration limit
  size_t evaluations = 0;
};

// optim(method = "BFGS"): Nash's variable metric method (R's vmmin) on par / parscale, with optim's
// central-difference gradient (ndeps 1e-3 on the scaled values), reltol 1.5e-8, at most maxit
// gradients. A non-finite start or gradient makes the model unfittable, as it stops optim.
template <class F>
Search bfgs(F& objective, std::span<const double> start, std::span<const double> parscale, int maxit) {
  constexpr double stepredn = 0.2, acctol = 0.0001, reltest = 10.0;
  const size_t n = start.size();
  Search out;
  std::vector<double> b(n), g(n), t(n), X(n), c(n), B(n * n), scaled(n);
  for (size_t i = 0; i < n; ++i) {
    b[i] = start[i] / parscale[i];
  }
  const auto fn = [&](const std::vector<double>& v) {
    for (size_t i = 0; i < n; ++i) {
      scaled[i] = v[i] * parscale[i];
    }
    ++out.evaluations;
    return objective(scaled);
  };
  const auto gr = [&](const std::vector<double>& v, std::vector<double>& grad) {
    for (size_t i = 0; i < n; ++i) {
      scaled[i] = v[i] * parscale[i];
    }
    for (size_t i = 0; i < n; ++i) {
      scaled[i] = (v[i] + kNdeps) * parscale[i];
      const double v1 = objective(scaled);
      scaled[i] = (v[i] - kNdeps) * parscale[i];
      const double v2 = objective(scaled);
      out.evaluations += 2;
      grad[i] = (v1 - v2) / (2 * kNdeps);
      if (!std::isfinite(grad[i])) {
        not_fittable("the likelihood's gradient is not finite");
      }
      scaled[i] = v[i] * parscale[i];
    }
  };
  if (maxit <= 0) {
    out.value = fn(b);
    out.par.resize(n);
    for (size_t i = 0; i < n; ++i) {
      out.par[i] = b[i] * parscale[i];
    }
    return out;
  }
  double f = fn(b);
  if (!std::isfinite(f)) {
    not_fittable("the likelihood is not finite at the start");
  }
  double fmin = f;
  int gradcount = 1;
  gr(b, g);
  int iter = 1;
  int ilast = gradcount;
  size_t count = 0;
  do {
    check_interrupts();
    if (ilast == gradcount) {
      std::fill(B.begin(), B.end(), 0.0);
      for (size_t i = 0; i < n; ++i) {
        B[i * n + i] = 1;
      }
    }
    for (size_t i = 0; i < n; ++i) {
      X[i] = b[i];
      c[i] = g[i];
    }
    double gradproj = 0;
    for (size_t i = 0; i < n; ++i) {
      double s = 0;
      for (size_t j = 0; j < n; ++j) {
        s -= B[i * n + j] * g[j];
      }
      t[i] = s;
      gradproj += s * g[i];
    }
    if (gradproj < 0) {
      double steplength = 1;
      bool accpoint = false;
      do {
        count = 0;
        for (size_t i = 0; i < n; ++i) {
          b[i] = X[i] + steplength * t[i];
          if (reltest + X[i] == reltest + b[i]) {
            ++count;
          }
        }
        if (count < n) {
          f = fn(b);
          accpoint = std::isfinite(f) && f <= fmin + gradproj * steplength * acctol;
          if (!accpoint) {
            steplength *= stepredn;
          }
        }
      } while (!(count == n || accpoint));
      const bool enough = f > -kInf && std::fabs(f - fmin) > kReltol * (std::fabs(fmin) + kReltol);
      if (!enough) {
        count = n;
        fmin = f;
      }
      if (count < n) {
        fmin = f;
        gr(b, g);
        ++gradcount;
        ++iter;
        double d1 = 0;
        for (size_t i = 0; i < n; ++i) {
          t[i] *= steplength;
          c[i] = g[i] - c[i];
          d1 += t[i] * c[i];
        }
        if (d1 > 0) {
          double d2 = 0;
          for (size_t i = 0; i < n; ++i) {
            double s = 0;
            for (size_t j = 0; j < n; ++j) {
              s += B[i * n + j] * c[j];
            }
            X[i] = s;
            d2 += s * c[i];
          }
          d2 = 1 + d2 / d1;
          for (size_t i = 0; i < n; ++i) {
            for (size_t j = 0; j < n; ++j) {
              B[i * n + j] += (d2 * t[i] * t[j] - X[i] * t[j] - t[i] * X[j]) / d1;
            }
          }
        } else {
          ilast = gradcount;
        }
      } else if (ilast < gradcount) {
        count = 0;
        ilast = gradcount;
      }
    } else {
      count = 0;
      if (ilast == gradcount) {
        count = n;
      } else {
        ilast = gradcount;
      }
    }
    if (iter >= maxit) {
      break;
    }
    if (gradcount - ilast > 2 * static_cast<int>(n)) {
      ilast = gradcount;
    }
  } while (count != n || ilast != gradcount);
  out.code = iter < maxit ? 0 : 1;
  out.value = fmin;
  out.par.resize(n);
  for (size_t i = 0; i < n; ++i) {
    out.par[i] = b[i] * parscale[i];
  }
  return out;
}

// optim's optimhess: the symmetrised central difference of the numerical gradient, in the
// objective's coordinates.
template <class F>
std::vector<double> hessian(F& objective, std::span<const double> par, std::span<const double> parscale) {
  const size_t n = par.size();
  std::vector<double> dpar(n), scaled(n), df1(n), df2(n), h(n * n);
  for (size_t i = 0; i < n; ++i) {
    dpar[i] = par[i] / parscale[i];
  }
  const auto gr = [&](std::vector<double>& grad) {
    for (size_t i = 0; i < n; ++i) {
      scaled[i] = dpar[i] * parscale[i];
    }
    for (size_t i = 0; i < n; ++i) {
      scaled[i] = (dpar[i] + kNdeps) * parscale[i];
      const double v1 = objective(scaled);
      scaled[i] = (dpar[i] - kNdeps) * parscale[i];
      const double v2 = objective(scaled);
      grad[i] = (v1 - v2) / (2 * kNdeps);
      scaled[i] = dpar[i] * parscale[i];
    }
  };
  for (size_t i = 0; i < n; ++i) {
    check_interrupts();
    const double eps = kNdeps / parscale[i];
    dpar[i] += eps;
    gr(df1);
    dpar[i] -= 2 * eps;
    gr(df2);
    for (size_t j = 0; j < n; ++j) {
      h[i * n + j] = (df1[j] - df2[j]) / (2 * eps * parscale[i] * parscale[j]);
    }
    dpar[i] += eps;
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < i; ++j) {
      const double v = (h[i * n + j] + h[j * n + i]) / 2;
      h[i * n + j] = h[j * n + i] = v;
    }
  }
  return h;
}

// The inverse of a (row-major, n x n) by Gauss-Jordan elimination with partial pivoting; false when R's
// solve() refuses it (reciprocal condition number in the 1-norm below the machine epsilon).
bool invert(std::vector<double> a, size_t n, std::vector<double>& inverse) {
  double norm = 0;
  for (size_t j = 0; j < n; ++j) {
    double s = 0;
    for (size_t i = 0; i < n; ++i) {
      s += std::fabs(a[i * n + j]);
    }
    norm = std::max(norm, s);
  }
  inverse.assign(n * n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    inverse[i * n + i] = 1;
  }
  for (size_t col = 0; col < n; ++col) {
    size_t pivot = col;
    for (size_t row = col + 1; row < n; ++row) {
      if (std::fabs(a[row * n + col]) > std::fabs(a[pivot * n + col])) {
        pivot = row;
      }
    }
    if (!(std::fabs(a[pivot * n + col]) > 0) || !std::isfinite(a[pivot * n + col])) {
      return false;
    }
    for (size_t j = 0; j < n; ++j) {
      std::swap(a[pivot * n + j], a[col * n + j]);
      std::swap(inverse[pivot * n + j], inverse[col * n + j]);
    }
    const double d = a[col * n + col];
    for (size_t j = 0; j < n; ++j) {
      a[col * n + j] /= d;
      inverse[col * n + j] /= d;
    }
    for (size_t row = 0; row < n; ++row) {
      if (row != col) {
        const double f = a[row * n + col];
        if (f != 0) {
          for (size_t j = 0; j < n; ++j) {
            a[row * n + j] -= f * a[col * n + j];
            inverse[row * n + j] -= f * inverse[col * n + j];
          }
        }
      }
    }
  }
  double inverse_norm = 0;
  for (size_t j = 0; j < n; ++j) {
    double s = 0;
    for (size_t i = 0; i < n; ++i) {
      s += std::fabs(inverse[i * n + j]);
    }
    inverse_norm = std::max(inverse_norm, s);
  }
  const double rcond = 1 / (norm * inverse_norm);
  return rcond >= std::numeric_limits<double>::epsilon();
}

// ---- the estimation problem -------------------------------------------------------------------

// Everything the objectives need, allocated once per fit.
struct Problem {
  ArimaSpec spec;
  Layout lay;
  size_t n = 0, dd = 0, used = 0, pf = 0, qf = 0;
  bool has_xreg = false;
  std::vector<double> y, xreg, delta;
  std::vector<double> dy, dxreg; // differenced, length `used`
  // Starting values and optim's parscale for all coefficients (R's init0 and parscale).
  std::vector<double> init, parscale;
  // Scratch.
  std::vector<double> full, trans, phi, theta, z, resid;
  std::vector<size_t> ar_lags, ma_lags; // where phi and theta can be non-zero
  Workspace ws;

  Problem(std::span<const double> data, const ArimaSpec& s)
      : spec(s), lay(layout(s.order)), y(data.begin(), data.end()) {
    n = y.size();
    delta = differencing(s.order);
    dd = delta.size();
    pf = full_p(s.order);
    qf = full_q(s.order);
    has_xreg = s.constant != ArimaConstant::None;
    if (n <= dd) {
      not_fittable("too few values for " + std::to_string(dd) + " difference" + (dd == 1 ? "" : "s"));
    }
    used = n - dd;
    dy = difference(y, s.order);
    init.assign(lay.arma(), 0.0);
    parscale.assign(lay.arma(), 1.0);
    if (has_xreg) {
      xreg.resize(n);
      for (size_t t = 0; t < n; ++t) {
        xreg[t] = s.constant == ArimaConstant::Drift ? static_cast<double>(t + 1) : 1.0;
      }
      dxreg = difference(xreg, s.order);
      // lm(dx ~ dxreg - 1), or on the undifferenced series when too short (R: rank 0).
      const bool differenced = dy.size() > 1;
      const std::span<const double> u =
          differenced ? std::span<const double>(dy) : std::span<const double>(y);
      const std::span<const double> v =
          differenced ? std::span<const double>(dxreg) : std::span<const double>(xreg);
      double uv = 0, vv = 0;
      for (size_t t = 0; t < u.size(); ++t) {
        uv += u[t] * v[t];
        vv += v[t] * v[t];
      }
      const double beta = uv / vv;
      double rss = 0;
      for (size_t t = 0; t < u.size(); ++t) {
        rss += (u[t] - beta * v[t]) * (u[t] - beta * v[t]);
      }
      const double se = std::sqrt(rss / static_cast<double>(u.size() - 1) / vv);
      init.push_back(beta);
      parscale.push_back(10 * se);
    }
    full.assign(init.size(), 0.0);
    trans.assign(init.size(), 0.0);
    phi.assign(pf, 0.0);
    theta.assign(qf, 0.0);
    z.assign(used, 0.0);
    resid.assign(used, 0.0);
    ws.reserve(pf, qf);
    const auto lags = [&](size_t order, size_t seasonal, std::vector<size_t>& out) {
      for (size_t i = 0; i < order; ++i) {
        out.push_back(i);
      }
      for (size_t j = 0; j < seasonal; ++j) {
        for (size_t i = 0; i <= order; ++i) {
          out.push_back((j + 1) * lay.m - 1 + i);
        }
      }
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
    };
    lags(lay.p, lay.P, ar_lags);
    lags(lay.q, lay.Q, ma_lags);
  }

  size_t size() const { return init.size(); }

  // z = the differenced series less the differenced regressor times its coefficient.
  void set_z(const double* par) {
    if (has_xreg) {
      const double b = par[lay.arma()];
      for (size_t t = 0; t < used; ++t) {
        z[t] = dy[t] - b * dxreg[t];
      }
    } else {
      std::copy(dy.begin(), dy.end(), z.begin());
    }
  }

  // 0.5 log(CSS variance) (armaCSS).
  double css_objective(const double* par) {
    expand(lay, par, phi.data(), theta.data());
    set_z(par);
    return 0.5 * std::log(css(z, phi, theta, resid.data(), ar_lags, ma_lags));
  }

  // 0.5 (log(ssq / n) + sumlog / n) of the exact likelihood (armafn), AR parts transformed or not.
  double ml_objective(const double* par, bool transform) {
    const double* use = par;
    if (transform) {
      transform_ar(lay, par, trans.data());
      use = trans.data();
    }
    expand(lay, use, phi.data(), theta.data());
    set_z(par);
    double ssq = 0, sumlog = 0;
    if (!arma_likelihood(phi, theta, z, ws, ssq, sumlog)) {
      return kNaN;
    }
    const double nu = static_cast<double>(used);
    return 0.5 * (std::log(ssq / nu) + sumlog / nu);
  }
};

// The objective over the estimated coefficients (`mask`), the fixed ones taken from `values`.
struct Masked {
  Problem& problem;
  std::vector<bool> mask;
  std::vector<double> values;
  bool ml = true;
  bool transform = false;

  double operator()(const std::vector<double>& x) {
    size_t k = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      problem.full[i] = mask[i] ? x[k++] : values[i];
    }
    return ml ? problem.ml_objective(problem.full.data(), transform)
              : problem.css_objective(problem.full.data());
  }
};

std::vector<double> masked(const std::vector<double>& v, const std::vector<bool>& mask) {
  std::vector<double> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (mask[i]) {
      out.push_back(v[i]);
    }
  }
  return out;
}

void unmask(std::vector<double>& v, const std::vector<bool>& mask, const std::vector<double>& x) {
  size_t k = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (mask[i]) {
      v[i] = x[k++];
    }
  }
}

void check_spec(const ArimaSpec& spec) {
  const ArimaOrder& o = spec.order;
  const auto hint = [](std::string message) {
    return Error(sqlstate::invalid_parameter_value, std::move(message))
        .with_hint(std::string(arima_model_hint()));
  };
  if (o.p > kMaxArimaOrder || o.q > kMaxArimaOrder) {
    throw hint("ARIMA orders p and q must be at most " + std::to_string(kMaxArimaOrder));
  }
  if (o.P > kMaxArimaSeasonalOrder || o.Q > kMaxArimaSeasonalOrder) {
    throw hint("seasonal ARIMA orders P and Q must be at most " + std::to_string(kMaxArimaSeasonalOrder));
  }
  if (o.d > kMaxArimaDifferences || o.D > kMaxArimaSeasonalDiffs) {
    throw hint("ARIMA differences must be at most d = " + std::to_string(kMaxArimaDifferences) +
               " and D = " + std::to_string(kMaxArimaSeasonalDiffs));
  }
  if (o.P + o.D + o.Q > 0 && o.period < 2) {
    throw hint("a seasonal ARIMA needs a period of at least 2");
  }
  if (full_p(o) > kMaxArimaLag || full_q(o) + 1 > kMaxArimaLag) {
    throw hint("the ARIMA model reaches back more than " + std::to_string(kMaxArimaLag) + " values");
  }
  const size_t diffs = o.d + o.D;
  if (spec.constant == ArimaConstant::Mean && diffs > 0) {
    throw hint("a mean applies only to a model without differencing (d = D = 0)");
  }
  if (spec.constant == ArimaConstant::Drift && diffs != 1) {
    throw hint("a drift applies only to a model with one difference (d + D = 1)");
  }
}

ArimaCoefficients split(const Layout& l, const std::vector<double>& c, bool has_xreg) {
  ArimaCoefficients out;
  out.ar.assign(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(l.p));
  out.ma.assign(c.begin() + static_cast<std::ptrdiff_t>(l.ma()),
                c.begin() + static_cast<std::ptrdiff_t>(l.sar()));
  out.sar.assign(c.begin() + static_cast<std::ptrdiff_t>(l.sar()),
                 c.begin() + static_cast<std::ptrdiff_t>(l.sma()));
  out.sma.assign(c.begin() + static_cast<std::ptrdiff_t>(l.sma()),
                 c.begin() + static_cast<std::ptrdiff_t>(l.arma()));
  out.constant = has_xreg ? c[l.arma()] : 0.0;
  return out;
}

std::vector<double> join(const Layout& l, const ArimaCoefficients& c, bool has_xreg) {
  if (c.ar.size() != l.p || c.ma.size() != l.q || c.sar.size() != l.P || c.sma.size() != l.Q) {
    throw Error(sqlstate::invalid_parameter_value, "the coefficients do not match the ARIMA orders");
  }
  std::vector<double> v;
  v.insert(v.end(), c.ar.begin(), c.ar.end());
  v.insert(v.end(), c.ma.begin(), c.ma.end());
  v.insert(v.end(), c.sar.begin(), c.sar.end());
  v.insert(v.end(), c.sma.begin(), c.sma.end());
  if (has_xreg) {
    v.push_back(c.constant);
  }
  return v;
}

// y less the regressor times its coefficient (what R's filter runs on).
std::vector<double> adjusted(const Problem& pr, double constant) {
  std::vector<double> x = pr.y;
  if (pr.has_xreg) {
    for (size_t t = 0; t < x.size(); ++t) {
      x[t] -= constant * pr.xreg[t];
    }
  }
  return x;
}

void set_criteria(ArimaFit& fit, double objective) {
  const double nu = static_cast<double>(fit.n_used);
  const double value = 2 * nu * objective + nu + nu * kLog2Pi;
  fit.loglik = -0.5 * value;
  const double npar = static_cast<double>(fit.estimated + 1);
  if (fit.method == ArimaMethod::Css) {
    fit.aic = fit.aicc = fit.bic = kNaN;
    return;
  }
  fit.aic = value + 2 * static_cast<double>(fit.estimated) + 2;
  fit.aicc = fit.aic + 2 * npar * (nu / (nu - npar - 1) - 1);
  fit.bic = fit.aic + npar * (std::log(nu) - 2);
}

// R's filter at the estimate: residuals, sigma2, the forecasting state and (CSS-ML) the likelihood
// as R computes it.
void finish(Problem& pr, ArimaFit& fit) {
  const std::vector<double> x = adjusted(pr, fit.coef.constant);
  FilterResult f = r_filter(x, fit.phi, fit.theta, fit.delta);
  const double nu = static_cast<double>(f.nu);
  if (fit.method == ArimaMethod::CssMl) {
    set_criteria(fit, 0.5 * (std::log(f.ssq / nu) + f.sumlog / nu));
    fit.sigma2_ml = f.ssq / static_cast<double>(fit.n_used);
    fit.residuals = std::move(f.residuals);
  }
  double sum = 0;
  for (const double e : fit.residuals) {
    sum += e * e;
  }
  fit.sigma2 = sum / (static_cast<double>(fit.n_used) - static_cast<double>(fit.estimated + 1) + 1);
  fit.state = std::move(f.a);
  fit.covariance = std::move(f.P);
  fit.finished = true;
}

ArimaFit fit_model(std::span<const double> y, const ArimaSpec& spec, const ArimaFitOptions& options) {
  check_spec(spec);
  require_finite(y, "the history");
  Problem pr(y, spec);
  const Layout& l = pr.lay;
  const size_t k = pr.size();
  ArimaFit fit;
  fit.spec = spec;
  fit.method = options.method;
  fit.n = pr.n;
  fit.n_used = pr.used;
  fit.delta = pr.delta;
  std::vector<bool> mask(k, true);
  std::vector<double> coef(k, 0.0);
  std::vector<double> init = pr.init;
  if (pr.has_xreg && options.fixed_constant) {
    mask[l.arma()] = false;
    coef[l.arma()] = init[l.arma()] = *options.fixed_constant;
  }
  size_t estimated = 0;
  for (const bool b : mask) {
    estimated += b ? 1 : 0;
  }
  fit.estimated = estimated;
  const bool no_optim = estimated == 0;
  const std::vector<double> scale = masked(pr.parscale, mask);
  for (const double s : scale) {
    if (!(s > 0) || !std::isfinite(s)) {
      not_fittable("the differenced series is constant");
    }
  }
  Masked objective{pr, mask, coef, false, false};
  double value = 0;
  if (options.method == ArimaMethod::Css) {
    objective.values = init;
    if (no_optim) {
      value = objective(std::vector<double>{});
      fit.css_code = 0;
    } else {
      Search s = bfgs(objective, masked(init, mask), scale, kMaxit);
      fit.css_code = s.code;
      fit.evaluations += s.evaluations;
      unmask(coef, mask, s.par);
      fit.search_point = s.par;
      value = s.value;
    }
    expand(l, coef.data(), pr.phi.data(), pr.theta.data());
    pr.set_z(coef.data());
    fit.sigma2_ml = css(pr.z, pr.phi, pr.theta, pr.resid.data());
    fit.residuals.assign(pr.n, 0.0);
    std::copy(pr.resid.begin(), pr.resid.end(), fit.residuals.begin() + static_cast<std::ptrdiff_t>(pr.dd));
  } else {
    // CSS to start from, then exact ML with the AR parts transformed.
    objective.values = init;
    if (!no_optim) {
      Search s = bfgs(objective, masked(init, mask), scale, kMaxit);
      fit.css_code = s.code;
      fit.evaluations += s.evaluations;
      if (s.code == 0) {
        unmask(init, mask, s.par);
      }
    } else {
      fit.css_code = 0;
    }
    if (!ar_stationary(std::span<const double>(init.data(), l.p))) {
      not_fittable("the AR part estimated by conditional sum of squares is not stationary");
    }
    if (!ar_stationary(std::span<const double>(init.data() + l.sar(), l.P))) {
      not_fittable("the seasonal AR part estimated by conditional sum of squares is not stationary");
    }
    const bool transform = !no_optim;
    if (transform) {
      std::vector<double> raw = init;
      if (l.p > 0) {
        invpartrans(l.p, raw.data(), init.data());
      }
      if (l.P > 0) {
        invpartrans(l.P, raw.data() + l.sar(), init.data() + l.sar());
      }
      if (l.q > 0) {
        const std::vector<double> v = arima_ma_invert(std::span<const double>(init.data() + l.ma(), l.q));
        std::copy(v.begin(), v.end(), init.begin() + static_cast<std::ptrdiff_t>(l.ma()));
      }
      if (l.Q > 0) {
        const std::vector<double> v = arima_ma_invert(std::span<const double>(init.data() + l.sma(), l.Q));
        std::copy(v.begin(), v.end(), init.begin() + static_cast<std::ptrdiff_t>(l.sma()));
      }
    }
    objective.ml = true;
    objective.transform = transform;
    objective.values = init;
    if (no_optim) {
      value = objective(std::vector<double>{});
      fit.ml_code = 0;
    } else {
      Search s = bfgs(objective, masked(init, mask), scale, kMaxit);
      fit.ml_code = s.code;
      fit.evaluations += s.evaluations;
      value = s.value;
      unmask(coef, mask, s.par);
      if (l.q > 0) {
        const std::vector<double> v = arima_ma_invert(std::span<const double>(coef.data() + l.ma(), l.q));
        std::copy(v.begin(), v.end(), coef.begin() + static_cast<std::ptrdiff_t>(l.ma()));
      }
      if (l.Q > 0) {
        const std::vector<double> v = arima_ma_invert(std::span<const double>(coef.data() + l.sma(), l.Q));
        std::copy(v.begin(), v.end(), coef.begin() + static_cast<std::ptrdiff_t>(l.sma()));
      }
      std::vector<double> answer = masked(coef, mask);
      if (answer != s.par) {
        value = objective(answer); // R: optim again with maxit = 0 at the inverted MA
        ++fit.evaluations;
      }
      fit.search_point = std::move(answer);
      std::vector<double> untransformed(coef.size());
      transform_ar(l, coef.data(), untransformed.data());
      std::copy(untransformed.begin(), untransformed.begin() + static_cast<std::ptrdiff_t>(l.arma()),
                coef.begin());
    }
  }
  if (std::isnan(value) || (!no_optim && !std::isfinite(value))) {
    // (Nothing estimated, an exact fit is allowed: auto.arima's model of a constant series.)
    not_fittable("the likelihood is not finite at the estimate");
  }
  fit.coef = split(l, coef, pr.has_xreg);
  fit.phi.assign(pr.pf, 0.0);
  fit.theta.assign(pr.qf, 0.0);
  expand(l, coef.data(), fit.phi.data(), fit.theta.data());
  set_criteria(fit, options.method == ArimaMethod::Css ? 0.5 * std::log(fit.sigma2_ml) : value);
  if (options.method == ArimaMethod::Css) {
    double sum = 0;
    for (const double e : fit.residuals) {
      sum += e * e;
    }
    fit.sigma2 = sum / (static_cast<double>(fit.n_used) - static_cast<double>(fit.estimated + 1) + 1);
  }
  if (options.finish) {
    finish(pr, fit);
  }
  return fit;
}

Error fit_error(const ArimaSpec& spec, const std::string& why) {
  return std::move(Error(sqlstate::invalid_parameter_value,
                         "the " + arima_model_name(spec) + " model cannot be fitted to these data: " + why)
                       .with_hint("try other orders, or method => 'arima' to choose them automatically"));
}

} // namespace

std::string arima_model_name(const ArimaSpec& spec) {
  const ArimaOrder& o = spec.order;
  std::string s =
      "ARIMA(" + std::to_string(o.p) + "," + std::to_string(o.d) + "," + std::to_string(o.q) + ")";
  if (o.period > 1 && o.P + o.D + o.Q > 0) {
    s += "(" + std::to_string(o.P) + "," + std::to_string(o.D) + "," + std::to_string(o.Q) + ")[" +
         std::to_string(o.period) + "]";
  }
  switch (spec.constant) {
  case ArimaConstant::Drift:
    return s + " with drift";
  case ArimaConstant::Mean:
    return s + " with non-zero mean";
  case ArimaConstant::None:
    break;
  }
  return o.d == 0 && o.D == 0 ? s + " with zero mean" : s;
}

std::string_view arima_model_hint() {
  return "write arima(p,d,q) or arima(p,d,q)(P,D,Q), e.g. arima(0,1,1)(0,1,1), optionally followed by "
         "[m] for the period and by \" with drift\" (one difference), \" with non-zero mean\" or \" with "
         "zero "
         "mean\" (no differencing); without a suffix a model without differencing has a mean; "
         "method => 'arima' chooses the orders";
}

ParsedArima parse_arima_model(std::string_view text) {
  ParsedArima out;
  size_t i = 0;
  const auto fail = [&]() {
    throw Error(sqlstate::invalid_parameter_value, "invalid ARIMA model \"" + std::string(text) + "\"")
        .with_hint(std::string(arima_model_hint()));
  };
  const auto spaces = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
  };
  const auto expect = [&](char c) {
    spaces();
    if (i >= text.size() || text[i] != c) {
      fail();
    }
    ++i;
  };
  const auto number = [&]() -> size_t {
    spaces();
    size_t v = 0;
    const size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      v = v * 10 + static_cast<size_t>(text[i] - '0');
      if (v > 100000) {
        fail();
      }
      ++i;
    }
    if (i == start) {
      fail();
    }
    return v;
  };
  const auto word = [&](std::string_view w) {
    spaces();
    if (text.size() - i < w.size()) {
      return false;
    }
    for (size_t k = 0; k < w.size(); ++k) {
      if (std::tolower(static_cast<unsigned char>(text[i + k])) != w[k]) {
        return false;
      }
    }
    i += w.size();
    return true;
  };
  if (!word("arima")) {
    fail();
  }
  const auto triple = [&](size_t& a, size_t& b, size_t& c) {
    expect('(');
    a = number();
    expect(',');
    b = number();
    expect(',');
    c = number();
    expect(')');
  };
  ArimaOrder& o = out.spec.order;
  triple(o.p, o.d, o.q);
  spaces();
  if (i < text.size() && text[i] == '(') {
    triple(o.P, o.D, o.Q);
    spaces();
  }
  if (i < text.size() && text[i] == '[') {
    ++i;
    out.period = number();
    expect(']');
    if (*out.period < 1) {
      fail();
    }
  }
  const size_t diffs = o.d + o.D;
  out.spec.constant = diffs == 0 ? ArimaConstant::Mean : ArimaConstant::None;
  spaces();
  if (i < text.size()) {
    if (!word("with")) {
      fail();
    }
    if (word("drift")) {
      out.spec.constant = ArimaConstant::Drift;
    } else if (word("non-zero") && word("mean")) {
      out.spec.constant = ArimaConstant::Mean;
    } else if (word("zero") && word("mean")) {
      out.spec.constant = ArimaConstant::None;
      if (diffs > 0) {
        throw Error(sqlstate::invalid_parameter_value,
                    "\"with zero mean\" applies only to a model without differencing")
            .with_hint(std::string(arima_model_hint()));
      }
    } else {
      fail();
    }
    spaces();
    if (i < text.size()) {
      fail();
    }
  }
  return out;
}

ArimaFit fit_arima(std::span<const double> y, const ArimaSpec& spec, const ArimaFitOptions& options) {
  try {
    return fit_model(y, spec, options);
  } catch (const NotFittable& e) {
    throw fit_error(spec, e.why);
  }
}

std::optional<ArimaFit> try_fit_arima(std::span<const double> y, const ArimaSpec& spec,
                                      const ArimaFitOptions& options) {
  try {
    return fit_model(y, spec, options);
  } catch (const NotFittable&) {
    return std::nullopt;
  }
}

void finish_arima(std::span<const double> y, ArimaFit& fit) {
  if (fit.finished) {
    return;
  }
  try {
    Problem pr(y, fit.spec);
    finish(pr, fit);
  } catch (const NotFittable& e) {
    throw fit_error(fit.spec, e.why);
  }
}

bool arima_variances_defined(std::span<const double> y, const ArimaFit& fit) {
  if (fit.search_point.empty()) {
    return true; // nothing estimated: no variances to check
  }
  try {
    Problem pr(y, fit.spec);
    const Layout& l = pr.lay;
    const size_t k = pr.size();
    std::vector<bool> mask(k, true);
    std::vector<double> values(k, 0.0);
    if (pr.has_xreg && fit.estimated < k) {
      mask[l.arma()] = false;
      values[l.arma()] = fit.coef.constant;
    }
    const bool ml = fit.method == ArimaMethod::CssMl;
    Masked objective{pr, mask, values, ml, ml};
    const std::vector<double> scale = masked(pr.parscale, mask);
    const std::vector<double> h = hessian(objective, fit.search_point, scale);
    const size_t m = fit.search_point.size();
    std::vector<double> hn(h);
    for (double& v : hn) {
      v *= static_cast<double>(fit.n_used);
    }
    std::vector<double> inverse;
    if (!invert(hn, m, inverse)) {
      return false;
    }
    // With transformed AR parts the variances are A' H^-1 A, A the forward-difference Jacobian of
    // partrans (R's ARIMA_Gradtrans, step 1e-3) at the answer.
    std::vector<double> A(k * k, 0.0);
    for (size_t i = 0; i < k; ++i) {
      A[i * k + i] = 1;
    }
    if (ml) {
      std::vector<double> point = values;
      unmask(point, mask, fit.search_point);
      const auto block = [&](size_t offset, size_t count) {
        if (count == 0) {
          return;
        }
        std::vector<double> w1(point.begin() + static_cast<std::ptrdiff_t>(offset),
                               point.begin() + static_cast<std::ptrdiff_t>(offset + count));
        std::vector<double> w2(count), w3(count);
        partrans(count, w1.data(), w2.data());
        for (size_t i = 0; i < count; ++i) {
          w1[i] += 1e-3;
          partrans(count, w1.data(), w3.data());
          for (size_t j = 0; j < count; ++j) {
            A[(offset + i) * k + offset + j] = (w3[j] - w2[j]) / 1e-3;
          }
          w1[i] -= 1e-3;
        }
      };
      block(0, l.p);
      block(l.sar(), l.P);
    }
    std::vector<size_t> index;
    for (size_t i = 0; i < k; ++i) {
      if (mask[i]) {
        index.push_back(i);
      }
    }
    for (size_t c = 0; c < m; ++c) {
      double v = 0;
      for (size_t a = 0; a < m; ++a) {
        for (size_t b = 0; b < m; ++b) {
          v += A[index[a] * k + index[c]] * inverse[a * m + b] * A[index[b] * k + index[c]];
        }
      }
      if (!(v >= 0)) {
        return false;
      }
    }
    return true;
  } catch (const NotFittable&) {
    return false;
  }
}

bool arima_roots_outside(const ArimaFit& fit, double radius) {
  const ArimaOrder& o = fit.spec.order;
  if (o.p + o.P > 0 && !roots_outside(fit.phi, -1, radius, 1e-8)) {
    return false;
  }
  if (o.q + o.Q > 0 && !roots_outside(fit.theta, 1, radius, 1e-8)) {
    return false;
  }
  return true;
}

ArimaLikelihood arima_likelihood(std::span<const double> y, const ArimaSpec& spec,
                                 const ArimaCoefficients& coef) {
  check_spec(spec);
  try {
    Problem pr(y, spec);
    const std::vector<double> c = join(pr.lay, coef, pr.has_xreg);
    std::vector<double> phi(pr.pf), theta(pr.qf);
    expand(pr.lay, c.data(), phi.data(), theta.data());
    FilterResult f = r_filter(adjusted(pr, coef.constant), phi, theta, pr.delta);
    ArimaLikelihood out;
    const double nu = static_cast<double>(f.nu);
    const double used = static_cast<double>(pr.used);
    const double objective = 0.5 * (std::log(f.ssq / nu) + f.sumlog / nu);
    out.loglik = -0.5 * (2 * used * objective + used + used * kLog2Pi);
    out.sigma2_ml = f.ssq / used;
    double sum = 0;
    for (const double e : f.residuals) {
      sum += e * e;
    }
    out.sigma2 = sum / (used - static_cast<double>(c.size() + 1) + 1);
    out.residuals = std::move(f.residuals);
    out.state = std::move(f.a);
    out.covariance = std::move(f.P);
    return out;
  } catch (const NotFittable& e) {
    throw fit_error(spec, e.why);
  }
}

ArimaFit arima_at(std::span<const double> y, const ArimaSpec& spec, const ArimaCoefficients& coef) {
  check_spec(spec);
  try {
    Problem pr(y, spec);
    const std::vector<double> c = join(pr.lay, coef, pr.has_xreg);
    ArimaFit fit;
    fit.spec = spec;
    fit.coef = coef;
    fit.n = pr.n;
    fit.n_used = pr.used;
    fit.estimated = c.size();
    fit.delta = pr.delta;
    fit.phi.assign(pr.pf, 0.0);
    fit.theta.assign(pr.qf, 0.0);
    expand(pr.lay, c.data(), fit.phi.data(), fit.theta.data());
    finish(pr, fit);
    return fit;
  } catch (const NotFittable& e) {
    throw fit_error(spec, e.why);
  }
}

double arima_css_variance(std::span<const double> y, const ArimaSpec& spec, const ArimaCoefficients& coef) {
  check_spec(spec);
  try {
    Problem pr(y, spec);
    const std::vector<double> c = join(pr.lay, coef, pr.has_xreg);
    expand(pr.lay, c.data(), pr.phi.data(), pr.theta.data());
    pr.set_z(c.data());
    return css(pr.z, pr.phi, pr.theta, pr.resid.data());
  } catch (const NotFittable& e) {
    throw fit_error(spec, e.why);
  }
}

Forecast arima_forecast(const ArimaFit& fit, size_t horizon, std::span<const double> levels) {
  if (!fit.finished) {
    throw Error(sqlstate::internal_error, "arima_forecast: the fit is not finished");
  }
  Forecast out;
  out.levels.assign(levels.begin(), levels.end());
  out.mean.resize(horizon);
  out.lower.assign(levels.size(), std::vector<double>(horizon));
  out.upper.assign(levels.size(), std::vector<double>(horizon));
  const size_t r = std::max(fit.phi.size(), fit.theta.size() + 1);
  const size_t rd = r + fit.delta.size();
  std::vector<double> a = fit.state, anew(rd), P = fit.covariance, work;
  std::vector<double> z(levels.size());
  for (size_t i = 0; i < levels.size(); ++i) {
    z[i] = normal_quantile_for_level(levels[i]);
  }
  for (size_t h = 0; h < horizon; ++h) {
    if (h % 64 == 63) {
      check_interrupts();
    }
    transition_rows(fit.phi, r, fit.delta, a.data(), anew.data(), 1);
    a.swap(anew);
    predict_covariance(fit.phi, fit.theta, r, fit.delta, P, work);
    double mean = a[0];
    double var = P[0];
    for (size_t i = 0; i < fit.delta.size(); ++i) {
      mean += fit.delta[i] * a[r + i];
      var += 2 * fit.delta[i] * P[r + i];
      for (size_t j = 0; j < fit.delta.size(); ++j) {
        var += fit.delta[i] * fit.delta[j] * P[(r + i) * rd + r + j];
      }
    }
    switch (fit.spec.constant) {
    case ArimaConstant::Mean:
      mean += fit.coef.constant;
      break;
    case ArimaConstant::Drift:
      mean += fit.coef.constant * static_cast<double>(fit.n + h + 1);
      break;
    case ArimaConstant::None:
      break;
    }
    const double se = std::sqrt(std::max(var, 0.0) * fit.sigma2);
    out.mean[h] = mean;
    for (size_t i = 0; i < levels.size(); ++i) {
      out.lower[i][h] = mean - z[i] * se;
      out.upper[i][h] = mean + z[i] * se;
    }
  }
  return out;
}

namespace {

// One of the transforms (partrans or invpartrans) over at most kMaxTransformed coefficients.
std::vector<double> transformed(std::span<const double> in,
                                void (*transform)(size_t, const double*, double*)) {
  if (in.size() > kMaxTransformed) {
    throw Error(sqlstate::invalid_parameter_value, "at most 100 AR coefficients can be transformed");
  }
  std::vector<double> out(in.size());
  transform(in.size(), in.data(), out.data());
  return out;
}

} // namespace

std::vector<double> arima_partrans(std::span<const double> raw) {
  return transformed(raw, partrans);
}

std::vector<double> arima_invpartrans(std::span<const double> phi) {
  return transformed(phi, invpartrans);
}

std::vector<double> arima_ma_invert(std::span<const double> ma) {
  std::vector<double> out(ma.begin(), ma.end());
  size_t q0 = ma.size();
  while (q0 > 0 && ma[q0 - 1] == 0) {
    --q0;
  }
  if (q0 == 0) {
    return out;
  }
  std::vector<double> poly(q0 + 1);
  poly[0] = 1;
  for (size_t i = 0; i < q0; ++i) {
    poly[i + 1] = ma[i];
  }
  std::vector<std::complex<double>> roots = polynomial_roots(poly);
  bool any = false;
  for (const auto& z : roots) {
    any = any || std::abs(z) < 1;
  }
  if (!any) {
    return out;
  }
  if (q0 == 1) {
    out[0] = 1 / ma[0];
    return out;
  }
  for (auto& z : roots) {
    if (std::abs(z) < 1) {
      z = 1.0 / z;
    }
  }
  std::vector<std::complex<double>> x{1.0};
  for (const auto& z : roots) {
    std::vector<std::complex<double>> next(x.size() + 1, 0.0);
    for (size_t i = 0; i < x.size(); ++i) {
      next[i] += x[i];
      next[i + 1] -= x[i] / z;
    }
    x = std::move(next);
  }
  for (size_t i = 0; i < q0; ++i) {
    out[i] = x[i + 1].real();
  }
  for (size_t i = q0; i < out.size(); ++i) {
    out[i] = 0;
  }
  return out;
}

} // namespace autoreport::forecast
