// The ETS recursion, its likelihood and information criteria.
#include "forecast/ets.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

constexpr double kTiny = 1e-10;
constexpr double kHuge = 1e10;

double divide(double a, double b) {
  return std::fabs(b) < kTiny ? kHuge : a / b;
}

Error unknown_model(std::string_view name, std::string_view why) {
  return Error(sqlstate::invalid_parameter_value, "unknown ETS model \"" + std::string(name) + "\"")
      .with_detail(std::string(why))
      .with_hint(std::string(ets_model_hint()));
}

Component component(char c, std::string_view name) {
  switch (c) {
  case 'N':
    return Component::None;
  case 'A':
    return Component::Additive;
  case 'M':
    return Component::Multiplicative;
  default:
    throw unknown_model(name, "Each component is one of the letters N, A and M.");
  }
}

char letter(Component c) {
  return c == Component::None ? 'N' : c == Component::Additive ? 'A' : 'M';
}

} // namespace

std::string_view ets_model_hint() {
  return "use method ets for the automatic choice, or ets: and one of ANN, ANA, ANM, AAN, AAA, AAM, AAdN, "
         "AAdA, AAdM, MNN, MNA, MNM, MAN, MAA, MAM, MAdN, MAdA, MAdM (error, trend with d for damped, "
         "season)";
}

EtsSpec parse_ets_model(std::string_view name, size_t period) {
  EtsSpec spec;
  if (name.empty()) {
    throw Error(sqlstate::invalid_parameter_value, "the ETS model is missing after \"ets:\"")
        .with_hint(std::string(ets_model_hint()));
  }
  const bool damped = name.size() == 4 && name[2] == 'd';
  if (name.size() != 3 && !damped) {
    throw unknown_model(name,
                        "A model is three letters (error, trend, season), or four with a damped trend.");
  }
  spec.error = component(name[0], name);
  spec.trend = component(name[1], name);
  spec.season = component(name[damped ? 3 : 2], name);
  spec.damped = damped;
  if (spec.error == Component::None || (damped && spec.trend == Component::None)) {
    throw unknown_model(name, "The error is A or M, and only a trend can be damped.");
  }
  spec.period = spec.season == Component::None ? 1 : period;
  if (spec.season != Component::None && period < 2) {
    throw Error(sqlstate::invalid_parameter_value, "a seasonal ETS model needs a period of at least 2");
  }
  if (spec.season != Component::None && period > kMaxEtsPeriod) {
    // Every seasonal term is a parameter the optimiser moves: a long season costs time and memory
    // quadratic in the period (R's ets() refuses these too).
    throw Error(sqlstate::invalid_parameter_value, "a seasonal ETS model supports periods up to " +
                                                       std::to_string(kMaxEtsPeriod) + ", not " +
                                                       std::to_string(period))
        .with_hint("use theta, damped or snaive for a longer season, or a model without a season");
  }
  return spec;
}

std::string ets_model_name(const EtsSpec& spec) {
  std::string name(1, letter(spec.error));
  name += letter(spec.trend);
  if (spec.damped) {
    name += 'd';
  }
  name += letter(spec.season);
  return name;
}

namespace {

// The recursion for one combination of components, so that the loop has no branches on the model.
// sum log|mu| is kept as a product with its binary exponent taken out (one log at the end, not one
// per step: the optimiser calls this thousands of times).
template <Component E, Component T, Component S>
EtsFit run(std::span<const double> y, size_t m, const EtsParams& p, const EtsState& initial, bool keep_fitted,
           double phi) {
  EtsFit fit;
  double level = initial.level;
  double growth = initial.growth;
  // The seasonal terms as a ring: season[j] (j = 0 newest) is ring[(head + j) % m]. The oldest term
  // applies to the next observation, and its slot then takes the newest.
  std::vector<double> ring = initial.season;
  size_t head = 0;
  double mu_product = 1;
  long mu_exponent = 0;
  double sum_sq_data = 0;
  if (keep_fitted) {
    fit.fitted.reserve(y.size());
  }
  const double beta_over_alpha = p.beta / p.alpha;
  for (const double v : y) {
    // The trend part T and the growth D carried forward.
    double t_part = level;
    double carried = 0;
    if constexpr (T == Component::Additive) {
      carried = phi * growth;
      t_part = level + carried;
    } else if constexpr (T == Component::Multiplicative) {
      if (growth < 0) {
        return fit; // the forecast is undefined: an invalid fit
      }
      carried = std::fabs(phi - 1) < kTiny ? growth : std::pow(growth, phi);
      t_part = level * carried;
    }
    size_t oldest = 0;
    double s = 0;
    double mu = t_part;
    double deseasonalised = v;
    if constexpr (S != Component::None) {
      oldest = head == 0 ? m - 1 : head - 1;
      s = ring[oldest];
      if constexpr (S == Component::Additive) {
        mu = t_part + s;
        deseasonalised = v - s;
      } else {
        mu = t_part * s;
        deseasonalised = divide(v, s);
      }
    }
    double error = v - mu;
    if constexpr (E == Component::Multiplicative) {
      error = divide(v - mu, mu);
      mu_product *= std::fabs(mu);
      if (!(mu_product > 1e-100 && mu_product < 1e100)) {
        int exponent = 0;
        mu_product = std::frexp(mu_product, &exponent);
        mu_exponent += exponent;
      }
    }
    fit.sse += error * error;
    sum_sq_data += (v - mu) * (v - mu);
    if (keep_fitted) {
      fit.fitted.push_back(mu);
    }
    // Updates.
    const double old_level = level;
    level = t_part + p.alpha * (deseasonalised - t_part);
    if constexpr (T == Component::Additive) {
      growth = carried + beta_over_alpha * (level - old_level - carried);
    } else if constexpr (T == Component::Multiplicative) {
      growth = carried + beta_over_alpha * (divide(level, old_level) - carried);
    }
    if constexpr (S != Component::None) {
      const double detrended = S == Component::Additive ? v - t_part : divide(v, t_part);
      ring[oldest] = s + p.gamma * (detrended - s);
      head = oldest;
    }
  }
  const double n = static_cast<double>(y.size());
  const double sum_log_mu = std::log(mu_product) + static_cast<double>(mu_exponent) * std::log(2.0);
  fit.lik = n * std::log(fit.sse) + (E == Component::Multiplicative ? 2 * sum_log_mu : 0);
  fit.mse = sum_sq_data / n;
  std::rotate(ring.begin(), ring.begin() + static_cast<std::ptrdiff_t>(head), ring.end());
  fit.final_state = EtsState{level, growth, std::move(ring)};
  fit.valid = !std::isnan(fit.lik);
  return fit;
}

template <Component E, Component T>
EtsFit run_season(std::span<const double> y, const EtsSpec& spec, const EtsParams& p, const EtsState& initial,
                  bool keep_fitted, double phi) {
  switch (spec.season) {
  case Component::None:
    return run<E, T, Component::None>(y, spec.period, p, initial, keep_fitted, phi);
  case Component::Additive:
    return run<E, T, Component::Additive>(y, spec.period, p, initial, keep_fitted, phi);
  default:
    return run<E, T, Component::Multiplicative>(y, spec.period, p, initial, keep_fitted, phi);
  }
}

template <Component E>
EtsFit run_trend(std::span<const double> y, const EtsSpec& spec, const EtsParams& p, const EtsState& initial,
                 bool keep_fitted, double phi) {
  switch (spec.trend) {
  case Component::None:
    return run_season<E, Component::None>(y, spec, p, initial, keep_fitted, phi);
  case Component::Additive:
    return run_season<E, Component::Additive>(y, spec, p, initial, keep_fitted, phi);
  default:
    return run_season<E, Component::Multiplicative>(y, spec, p, initial, keep_fitted, phi);
  }
}

} // namespace

EtsFit ets_run(std::span<const double> y, const EtsSpec& spec, const EtsParams& p, const EtsState& initial,
               bool keep_fitted) {
  const bool seasonal = spec.season != Component::None;
  if (seasonal && initial.season.size() != spec.period) {
    throw Error(sqlstate::invalid_parameter_value, "the initial state needs one seasonal term per period");
  }
  const double phi = spec.damped ? p.phi : 1.0;
  return spec.error == Component::Multiplicative
             ? run_trend<Component::Multiplicative>(y, spec, p, initial, keep_fitted, phi)
             : run_trend<Component::Additive>(y, spec, p, initial, keep_fitted, phi);
}

size_t ets_parameter_count(const EtsSpec& spec) {
  size_t k = 1 + 1; // alpha, level
  if (spec.trend != Component::None) {
    k += 2; // beta, growth
    if (spec.damped) {
      k += 1; // phi
    }
  }
  if (spec.season != Component::None) {
    k += 1 + (spec.period - 1); // gamma, m - 1 seasonal states
  }
  return k + 1; // sigma
}

EtsCriteria ets_criteria(const EtsFit& fit, size_t n, const EtsSpec& spec) {
  EtsCriteria c;
  const double k = static_cast<double>(ets_parameter_count(spec));
  const double nn = static_cast<double>(n);
  c.aic = fit.lik + 2 * k;
  c.bic = fit.lik + k * std::log(nn);
  c.aicc = nn - k - 1 > 0 ? c.aic + 2 * k * (k + 1) / (nn - k - 1) : std::numeric_limits<double>::infinity();
  c.sigma2 = fit.sse / (nn - (k - 1));
  return c;
}

} // namespace autoreport::forecast
