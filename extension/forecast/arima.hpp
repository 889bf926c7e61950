// Seasonal ARIMA(p,d,q)(P,D,Q)[m] models, estimated and forecast as R's stats::arima() (method
// "CSS-ML") and forecast::Arima() do (test/forecast/fixtures/arima/NOTES.md describes every step and
// what it was checked against).
//
//   phi(B) Phi(B^m) (1 - B)^d (1 - B^m)^D (y_t - c_t) = theta(B) Theta(B^m) e_t,  e_t ~ N(0, sigma^2)
//
// with c_t a mean (no differencing) or a drift b t (one difference), or 0. The differencing is part of
// the state space (Gardner, Harvey and Phillips 1980; Harvey 1989) with the ARMA part started from its
// stationary covariance and the differenced states from a variance of 1e6, as R's makeARIMA; the first
// d + Dm observations, whose innovation variance is that large, are left out of the likelihood.
//
// Estimation, as R: conditional sum of squares (CSS) first, started at zero; then exact maximum
// likelihood started there, the AR parts written as partial autocorrelations through tanh (so that the
// search stays stationary) and MA parts with roots inside the unit circle inverted. Both searches are
// R's BFGS (optim's vmmin) with central-difference gradients. R's Kalman filter costs O(n (r + d +
// Dm)^2); the search here uses the likelihood of the differenced series, which is R's without the
// 1e6 prior (they differ by about 1e-4 in the log-likelihood), evaluated by Chandrasekhar recursions in
// O(n r), r = max(p + mP, q + mQ + 1). The reported likelihood, residuals and forecasting state come
// from R's filter at the estimate.
#pragma once

#include "forecast/simple.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::forecast {

struct ArimaOrder {
  size_t p = 0, d = 0, q = 0; // non-seasonal AR order, differences, MA order
  size_t P = 0, D = 0, Q = 0; // seasonal: the same in steps of the period
  size_t period = 1;          // m; seasonal orders need m >= 2
};

// c_t: a mean (only without differencing), a drift b t (only with exactly one difference, d + D = 1).
enum class ArimaConstant { None, Mean, Drift };

struct ArimaSpec {
  ArimaOrder order;
  ArimaConstant constant = ArimaConstant::None;
};

// Limits of what fit_arima accepts (the state has at most 350 ARMA lags, as R's).
inline constexpr size_t kMaxArimaOrder = 30;        // p, q
inline constexpr size_t kMaxArimaSeasonalOrder = 5; // P, Q
inline constexpr size_t kMaxArimaDifferences = 3;   // d
inline constexpr size_t kMaxArimaSeasonalDiffs = 2; // D
inline constexpr size_t kMaxArimaLag = 350;         // p + mP and q + mQ + 1

// "ARIMA(p,d,q)", "(P,D,Q)[m]" when seasonal, and R's suffix: " with drift", " with non-zero mean",
// " with zero mean" (no constant, no differencing), nothing otherwise.
std::string arima_model_name(const ArimaSpec& spec);

// Parses "arima(p,d,q)", "arima(p,d,q)(P,D,Q)", each optionally followed by "[m]" and by one of R's
// suffixes " with drift", " with non-zero mean", " with zero mean" (case does not matter; spaces around
// numbers are allowed). Without a suffix: a mean when nothing is differenced, as R's Arima(). Error
// 22023 with a hint for anything else.
struct ParsedArima {
  ArimaSpec spec;
  std::optional<size_t> period; // the "[m]" given
};
ParsedArima parse_arima_model(std::string_view text);

// The hint that describes the syntax.
std::string_view arima_model_hint();

enum class ArimaMethod {
  CssMl, // conditional sum of squares, then maximum likelihood (R's default)
  Css,   // conditional sum of squares only (auto.arima's approximation)
};

struct ArimaFitOptions {
  ArimaMethod method = ArimaMethod::CssMl;
  // The mean or drift held at this value instead of estimated (auto.arima's fits of a series whose
  // differences are constant).
  std::optional<double> fixed_constant;
  // Run R's Kalman filter at the estimate: the log-likelihood and criteria as R reports them, the
  // residuals, sigma2 and the state forecasts start from. Without it (auto.arima's candidates) the
  // criteria come from the search's likelihood and nothing can be forecast yet (finish_arima).
  bool finish = true;
};

struct ArimaCoefficients {
  std::vector<double> ar, ma, sar, sma; // phi_1..p, theta_1..q, Phi_1..P, Theta_1..Q (R's signs)
  double constant = 0;                  // the mean or the drift per step
};

struct ArimaFit {
  ArimaSpec spec;
  ArimaMethod method = ArimaMethod::CssMl;
  ArimaCoefficients coef;
  size_t n = 0;         // values
  size_t n_used = 0;    // n - d - Dm
  size_t estimated = 0; // coefficients estimated (the constant not when fixed)
  bool finished = false;

  // As R reports them. loglik: -n_used/2 (log(2 pi sigma2_ml) + 1) - sum log(gain)/2 at the estimate
  // (CSS: from the CSS variance); aic = -2 loglik + 2 (estimated + 1) (R: NA for CSS; here NaN);
  // aicc and bic as forecast::Arima with k = estimated + 1 and n_used values.
  double loglik = 0, aic = 0, aicc = 0, bic = 0;
  double sigma2 = 0;             // forecast's: sum of squared residuals / (n_used - k + 1); used by intervals
  double sigma2_ml = 0;          // stats::arima's: the concentrated ML (or CSS) variance
  std::vector<double> residuals; // R's: standardised innovations (CSS: the CSS residuals), length n

  // The expanded polynomials: phi(B) Phi(B^m) = 1 - phi_1 B - ..., theta(B) Theta(B^m) = 1 + theta_1
  // B + ..., and the differencing (1 - B)^d (1 - B^m)^D = 1 - delta_1 B - ...
  std::vector<double> phi, theta, delta;
  // The filtered state at the last value and its covariance (finished fits), in R's layout.
  std::vector<double> state, covariance;

  // The searches: optim's convergence codes (0 converged, 1 iteration limit, -1 not run) and the
  // likelihood evaluations used.
  int css_code = -1, ml_code = -1;
  size_t evaluations = 0;
  // The answer of the last search in its own coordinates (AR parts transformed), for the check of
  // its Hessian.
  std::vector<double> search_point;
};

// Fits the model by CSS-ML (or CSS). Error 22023 when it cannot be: too few values (n <= d + Dm, or
// fewer than the coefficients), a non-stationary AR part from CSS (as R), a search that breaks down,
// or orders outside the limits above.
ArimaFit fit_arima(std::span<const double> y, const ArimaSpec& spec, const ArimaFitOptions& options = {});

// As fit_arima, nullopt instead of an error when the model cannot be fitted (auto.arima's candidates).
std::optional<ArimaFit> try_fit_arima(std::span<const double> y, const ArimaSpec& spec,
                                      const ArimaFitOptions& options = {});

// Runs R's filter at the estimate of a fit made with finish = false.
void finish_arima(std::span<const double> y, ArimaFit& fit);

// forecast::auto.arima's check of a candidate (checkarima): the coefficients' variances from the
// numerical Hessian of the search's objective at its answer (optim's optimhess), as stats::arima
// computes var.coef, are all defined (not negative); false too when the Hessian cannot be inverted
// (R: an error, so the candidate is dropped).
bool arima_variances_defined(std::span<const double> y, const ArimaFit& fit);

// Whether every root of phi(B) Phi(B^m) and of theta(B) Theta(B^m) lies at least 1.01 from zero, as
// auto.arima requires of a candidate (coefficients below 1e-8 at the end are dropped first).
bool arima_roots_outside(const ArimaFit& fit, double radius = 1.01);

// R's log-likelihood and what the filter gives at given coefficients (the constant not estimated):
// the ML evaluation of stats::arima (with transform.pars = FALSE). For checks against R.
struct ArimaLikelihood {
  double loglik = 0;
  double sigma2_ml = 0;          // sum of squared standardised innovations / n_used
  double sigma2 = 0;             // forecast's, with k = the coefficients of the spec + 1
  std::vector<double> residuals; // standardised innovations
  std::vector<double> state, covariance;
};
ArimaLikelihood arima_likelihood(std::span<const double> y, const ArimaSpec& spec,
                                 const ArimaCoefficients& coef);

// A finished fit at given coefficients (nothing estimated; `estimated` counts the spec's
// coefficients as if they had been): forecasts from R's coefficients, for checks against R.
ArimaFit arima_at(std::span<const double> y, const ArimaSpec& spec, const ArimaCoefficients& coef);

// CSS objective of stats::arima at given coefficients: the mean squared CSS residual (its log over
// two is what the CSS search minimises).
double arima_css_variance(std::span<const double> y, const ArimaSpec& spec, const ArimaCoefficients& coef);

// Point forecasts and intervals as predict.Arima / forecast.Arima: the Kalman forecast of the state
// from the last value, plus the mean or drift, with standard errors sqrt(var_h * sigma2). The fit
// must be finished.
Forecast arima_forecast(const ArimaFit& fit, size_t horizon, std::span<const double> levels);

// R's transformation of AR coefficients to partial autocorrelations through tanh (partrans) and back.
std::vector<double> arima_partrans(std::span<const double> raw);
std::vector<double> arima_invpartrans(std::span<const double> phi);

// R's maInvert: the MA polynomial 1 + theta_1 B + ... with its roots inside the unit circle replaced
// by their inverses.
std::vector<double> arima_ma_invert(std::span<const double> ma);

} // namespace autoreport::forecast
