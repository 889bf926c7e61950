// The ETS recursion, its likelihood and information criteria.
#include "forecast/ets.hpp"

#include "common/error.hpp"

#include <cmath>
#include <limits>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

constexpr double kTiny = 1e-10;
constexpr double kHuge = 1e10;

double divide(double a, double b) {
  return std::fabs(b) < kTiny ? kHuge : a / b;
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
    throw Error(sqlstate::invalid_parameter_value, "unknown ETS model \"" + std::string(name) +
                                                       "\": use three letters of N, A, M, e.g. \"AAdM\"");
  }
}

char letter(Component c) {
  return c == Component::None ? 'N' : c == Component::Additive ? 'A' : 'M';
}

} // namespace

EtsSpec parse_ets_model(std::string_view name, size_t period) {
  EtsSpec spec;
  const bool damped = name.size() == 4 && name[2] == 'd';
  if (name.size() != 3 && !damped) {
    throw Error(sqlstate::invalid_parameter_value, "unknown ETS model \"" + std::string(name) +
                                                       "\": use three letters of N, A, M, e.g. \"AAdM\"");
  }
  spec.error = component(name[0], name);
  spec.trend = component(name[1], name);
  spec.season = component(name[damped ? 3 : 2], name);
  spec.damped = damped;
  if (spec.error == Component::None || (damped && spec.trend == Component::None)) {
    throw Error(sqlstate::invalid_parameter_value,
                "unknown ETS model \"" + std::string(name) +
                    "\": the error is A or M, and only a trend can be damped");
  }
  spec.period = spec.season == Component::None ? 1 : period;
  if (spec.season != Component::None && period < 2) {
    throw Error(sqlstate::invalid_parameter_value, "a seasonal ETS model needs a period of at least 2");
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

EtsFit ets_run(std::span<const double> y, const EtsSpec& spec, const EtsParams& p, const EtsState& initial) {
  EtsFit fit;
  const size_t m = spec.period;
  const bool seasonal = spec.season != Component::None;
  if (seasonal && initial.season.size() != m) {
    throw Error(sqlstate::invalid_parameter_value, "the initial state needs one seasonal term per period");
  }
  const double phi = spec.damped ? p.phi : 1.0;
  double level = initial.level;
  double growth = initial.growth;
  std::vector<double> season = initial.season;
  double sum_log_mu = 0;
  double sum_sq_data = 0;
  fit.fitted.reserve(y.size());
  for (const double v : y) {
    // The trend part T and the growth D carried forward.
    double t_part = level;
    double carried = 0;
    if (spec.trend == Component::Additive) {
      carried = phi * growth;
      t_part = level + carried;
    } else if (spec.trend == Component::Multiplicative) {
      if (growth < 0) {
        return fit; // the forecast is undefined: an invalid fit
      }
      carried = std::fabs(phi - 1) < kTiny ? growth : std::pow(growth, phi);
      t_part = level * carried;
    }
    const double s = seasonal ? season[m - 1] : 0;
    double mu = t_part;
    double deseasonalised = v;
    if (spec.season == Component::Additive) {
      mu = t_part + s;
      deseasonalised = v - s;
    } else if (spec.season == Component::Multiplicative) {
      mu = t_part * s;
      deseasonalised = divide(v, s);
    }
    const double error = spec.error == Component::Additive ? v - mu : divide(v - mu, mu);
    fit.sse += error * error;
    sum_sq_data += (v - mu) * (v - mu);
    if (spec.error == Component::Multiplicative) {
      sum_log_mu += std::log(std::fabs(mu));
    }
    fit.fitted.push_back(mu);
    // Updates.
    const double old_level = level;
    level = t_part + p.alpha * (deseasonalised - t_part);
    if (spec.trend == Component::Additive) {
      growth = carried + (p.beta / p.alpha) * (level - old_level - carried);
    } else if (spec.trend == Component::Multiplicative) {
      growth = carried + (p.beta / p.alpha) * (divide(level, old_level) - carried);
    }
    if (seasonal) {
      const double detrended = spec.season == Component::Additive ? v - t_part : divide(v, t_part);
      const double newest = s + p.gamma * (detrended - s);
      for (size_t j = m - 1; j > 0; --j) {
        season[j] = season[j - 1];
      }
      season[0] = newest;
    }
  }
  const double n = static_cast<double>(y.size());
  fit.lik = n * std::log(fit.sse) + (spec.error == Component::Multiplicative ? 2 * sum_log_mu : 0);
  fit.mse = sum_sq_data / n;
  fit.final_state = EtsState{level, growth, season};
  fit.valid = !std::isnan(fit.lik);
  return fit;
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
