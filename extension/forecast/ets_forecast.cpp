// ETS forecasts and prediction intervals (classes 1, 2 and 3).
#include "forecast/ets_forecast.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"

#include <cmath>
#include <utility>
#include <vector>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

// A small dense matrix, row-major.
struct Matrix {
  size_t rows = 0, cols = 0;
  std::vector<double> v;
  Matrix(size_t r, size_t c) : rows(r), cols(c), v(r * c, 0.0) {}
  double& operator()(size_t i, size_t j) { return v[i * cols + j]; }
  double operator()(size_t i, size_t j) const { return v[i * cols + j]; }
};

Matrix operator*(const Matrix& a, const Matrix& b) {
  Matrix c(a.rows, b.cols);
  for (size_t i = 0; i < a.rows; ++i) {
    for (size_t k = 0; k < a.cols; ++k) {
      const double x = a(i, k);
      if (x == 0) {
        continue;
      }
      for (size_t j = 0; j < b.cols; ++j) {
        c(i, j) += x * b(k, j);
      }
    }
  }
  return c;
}

Matrix operator+(Matrix a, const Matrix& b) {
  for (size_t i = 0; i < a.v.size(); ++i) {
    a.v[i] += b.v[i];
  }
  return a;
}

Matrix scaled(Matrix a, double s) {
  for (double& x : a.v) {
    x *= s;
  }
  return a;
}

Matrix transpose(const Matrix& a) {
  Matrix t(a.cols, a.rows);
  for (size_t i = 0; i < a.rows; ++i) {
    for (size_t j = 0; j < a.cols; ++j) {
      t(j, i) = a(i, j);
    }
  }
  return t;
}

Matrix kron(const Matrix& a, const Matrix& b) {
  Matrix k(a.rows * b.rows, a.cols * b.cols);
  for (size_t i = 0; i < a.rows; ++i) {
    for (size_t j = 0; j < a.cols; ++j) {
      for (size_t p = 0; p < b.rows; ++p) {
        for (size_t q = 0; q < b.cols; ++q) {
          k(i * b.rows + p, j * b.cols + q) = a(i, j) * b(p, q);
        }
      }
    }
  }
  return k;
}

// The point forecast h steps ahead (h from 1).
double point(const EtsSpec& spec, const EtsParams& p, const EtsState& x, size_t h) {
  const double phi = spec.damped ? p.phi : 1;
  double phi_h = 0;
  double power = 1;
  for (size_t i = 1; i <= h; ++i) {
    power *= phi;
    phi_h += spec.damped ? power : 1;
  }
  double trend = x.level;
  if (spec.trend == Component::Additive) {
    trend = x.level + phi_h * x.growth;
  } else if (spec.trend == Component::Multiplicative) {
    trend = x.level * std::pow(x.growth, phi_h);
  }
  if (spec.season == Component::None) {
    return trend;
  }
  const size_t m = spec.period;
  const double s = x.season[m - 1 - (h - 1) % m];
  return spec.season == Component::Additive ? trend + s : trend * s;
}

// c_j = H F^(j-1) G for the linear (class 1) form.
double c_coefficient(const EtsSpec& spec, const EtsParams& p, size_t j) {
  double c = p.alpha;
  if (spec.trend != Component::None) {
    double sum = 0;
    double power = 1;
    for (size_t i = 1; i <= j; ++i) {
      power *= spec.damped ? p.phi : 1;
      sum += power;
    }
    c += p.beta * sum;
  }
  if (spec.season != Component::None && j % spec.period == 0) {
    c += p.gamma;
  }
  return c;
}

} // namespace

EtsMoments ets_moments(const EtsSpec& spec, const EtsParams& p, const EtsState& x, double sigma2,
                       size_t horizon) {
  if (spec.trend == Component::Multiplicative ||
      (spec.error == Component::Additive && spec.season == Component::Multiplicative)) {
    throw Error(sqlstate::feature_not_supported,
                "prediction intervals for ETS(" + ets_model_name(spec) + ") are not available");
  }
  std::vector<double> mean(horizon);
  std::vector<double> variance(horizon);
  if (spec.error == Component::Additive) { // class 1
    double sum = 0;
    for (size_t h = 1; h <= horizon; ++h) {
      mean[h - 1] = point(spec, p, x, h);
      variance[h - 1] = sigma2 * (1 + sum);
      const double c = c_coefficient(spec, p, h);
      sum += c * c;
    }
  } else if (spec.season != Component::Multiplicative) { // class 2
    std::vector<double> theta(horizon);
    std::vector<double> c(horizon);
    for (size_t h = 1; h <= horizon; ++h) {
      check_interrupts(); // O(h^2) in all
      const double mu = point(spec, p, x, h);
      c[h - 1] = c_coefficient(spec, p, h);
      double t = mu * mu;
      for (size_t j = 1; j < h; ++j) {
        t += sigma2 * c[j - 1] * c[j - 1] * theta[h - j - 1];
      }
      theta[h - 1] = t;
      mean[h - 1] = mu;
      variance[h - 1] = (1 + sigma2) * t - mu * mu;
    }
  } else { // class 3: the moment recursion on the outer product of the states
    const bool trend = spec.trend != Component::None;
    const size_t q = trend ? 2 : 1;
    const size_t m = spec.period;
    const double phi = spec.damped ? p.phi : 1;
    Matrix h1(1, q), h2(1, m), f1(q, q), g1(q, q), f2(m, m), g2(m, m);
    // The level and the damped growth, as the model has them (R's forecast.ets leaves phi out of H1
    // and F1's first row, so its damped class 3 forecasts differ from the model's from the first step).
    h1(0, 0) = 1;
    if (trend) {
      h1(0, 1) = phi;
    }
    h2(0, m - 1) = 1;
    f1(0, 0) = 1;
    g1(0, 0) = p.alpha;
    if (trend) {
      f1(0, 1) = phi;
      f1(1, 1) = phi;
      g1(0, 1) = p.alpha;
      g1(1, 0) = p.beta;
      g1(1, 1) = p.beta;
    }
    f2(0, m - 1) = 1;
    for (size_t i = 0; i + 1 < m; ++i) {
      f2(i + 1, i) = 1;
    }
    g2(0, m - 1) = p.gamma;
    Matrix state(q, m); // x1 x2^T
    const double x1[2] = {x.level, x.growth};
    for (size_t i = 0; i < q; ++i) {
      for (size_t j = 0; j < m; ++j) {
        state(i, j) = x1[i] * x.season[j];
      }
    }
    const Matrix f = kron(f2, f1), g = kron(g2, g1), k = kron(g2, f1) + kron(f2, g1);
    const Matrix ft = transpose(f), gt = transpose(g), kt = transpose(k);
    const Matrix hh = kron(h2, h1);
    const Matrix hht = transpose(hh);
    const Matrix f2t = transpose(f2), g2t = transpose(g2);
    Matrix v(q * m, q * m);
    for (size_t i = 0; i < horizon; ++i) {
      check_interrupts(); // dense (q m)^3 products per step
      const double mu = (h1 * state * transpose(h2))(0, 0);
      mean[i] = mu;
      variance[i] = (1 + sigma2) * (hh * v * hht)(0, 0) + sigma2 * mu * mu;
      Matrix vec(q * m, 1); // columns of the state stacked
      for (size_t col = 0; col < m; ++col) {
        for (size_t row = 0; row < q; ++row) {
          vec(col * q + row, 0) = state(row, col);
        }
      }
      const Matrix vvt = vec * transpose(vec);
      const Matrix inner = f * v * gt + g * v * ft + k * (v + vvt) * kt +
                           scaled(g * (scaled(v, 3) + scaled(vvt, 2)) * gt, sigma2);
      v = f * v * ft + scaled(inner, sigma2);
      state = f1 * state * f2t + scaled(g1 * state * g2t, sigma2);
    }
  }
  return {std::move(mean), std::move(variance)};
}

Forecast ets_forecast(const EtsSpec& spec, const EtsParams& p, const EtsState& x, double sigma2,
                      size_t horizon, std::span<const double> levels) {
  const EtsMoments moments = ets_moments(spec, p, x, sigma2, horizon);
  Forecast out;
  out.mean = moments.mean;
  out.levels.assign(levels.begin(), levels.end());
  for (const double level : levels) {
    const double z = normal_quantile_for_level(level);
    std::vector<double> lo(horizon), hi(horizon);
    for (size_t h = 0; h < horizon; ++h) {
      const double sd = std::sqrt(std::max(moments.variance[h], 0.0));
      lo[h] = moments.mean[h] - z * sd;
      hi[h] = moments.mean[h] + z * sd;
    }
    out.lower.push_back(lo);
    out.upper.push_back(hi);
  }
  return out;
}

} // namespace autoreport::forecast
