// forecast_series(): methods by name, period detection, the combination, and the model summary.
#include "forecast/auto.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"
#include "forecast/arima.hpp"
#include "forecast/arima_auto.hpp"
#include "forecast/checks.hpp"
#include "forecast/ets.hpp"
#include "forecast/ets_fit.hpp"
#include "forecast/ets_forecast.hpp"
#include "forecast/least_squares.hpp"
#include "forecast/mixture.hpp"
#include "forecast/mstl.hpp"
#include "forecast/seasonal.hpp"
#include "forecast/theta.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

constexpr size_t kMaxDetectedPeriod = 366;

[[noreturn]] void fail(std::string message) {
  throw Error(sqlstate::invalid_parameter_value, std::move(message));
}

std::string ets_display_name(const EtsSpec& spec) {
  const auto letter = [](Component c) {
    return c == Component::None ? "N" : c == Component::Additive ? "A" : "M";
  };
  std::string name = std::string("ETS(") + letter(spec.error) + "," + letter(spec.trend);
  if (spec.damped) {
    name += "d";
  }
  return name + "," + letter(spec.season) + ")";
}

// ETS forecasts and summary from an estimate.
SeriesForecast from_ets(const EtsSpec& spec, const EtsEstimate& e, size_t n, const ForecastOptions& o) {
  SeriesForecast r;
  r.forecast = ets_forecast(spec, e.params, e.fit.final_state, e.criteria.sigma2, o.horizon, o.levels);
  ModelSummary& s = r.model;
  s.model = ets_display_name(spec);
  s.n = n;
  s.period = spec.period;
  s.parameters.emplace_back("alpha", e.params.alpha);
  if (spec.trend != Component::None) {
    s.parameters.emplace_back("beta", e.params.beta);
  }
  if (spec.season != Component::None) {
    s.parameters.emplace_back("gamma", e.params.gamma);
  }
  if (spec.damped) {
    s.parameters.emplace_back("phi", e.params.phi);
  }
  s.parameters.emplace_back("initial_level", e.initial.level);
  if (spec.trend != Component::None) {
    s.parameters.emplace_back("initial_growth", e.initial.growth);
  }
  s.has_criteria = true;
  s.aic = e.criteria.aic;
  s.aicc = e.criteria.aicc;
  s.bic = e.criteria.bic;
  s.sigma = std::sqrt(e.fit.mse);
  return r;
}

// fixed: the model after "ets:" (parse_ets_model refuses an empty one); nullopt: automatic selection.
SeriesForecast run_ets(std::span<const double> y, size_t period, std::optional<std::string_view> fixed,
                       const ForecastOptions& o) {
  if (!fixed) {
    const EtsChoice c = ets_auto(y, period);
    return from_ets(c.spec, c.estimate, y.size(), o);
  }
  const EtsSpec spec = parse_ets_model(*fixed, period);
  if (spec.trend == Component::Multiplicative) {
    throw Error(sqlstate::invalid_parameter_value, "multiplicative-trend ETS models are not supported")
        .with_hint(std::string(ets_model_hint()));
  }
  if (spec.season != Component::None && y.size() <= spec.period) {
    fail("a seasonal ETS model needs more values than the period (" + std::to_string(y.size()) +
         " values, period " + std::to_string(spec.period) + ")");
  }
  return from_ets(spec, ets_estimate(y, spec), y.size(), o);
}

// An ARIMA fit's forecasts and summary.
SeriesForecast from_arima(const ArimaFit& fit, const ForecastOptions& o) {
  SeriesForecast r;
  r.forecast = arima_forecast(fit, o.horizon, o.levels);
  ModelSummary& s = r.model;
  s.model = arima_model_name(fit.spec);
  s.n = fit.n;
  const ArimaOrder& order = fit.spec.order;
  s.period = order.P + order.D + order.Q > 0 ? order.period : 1;
  const auto add = [&](const char* prefix, const std::vector<double>& values) {
    for (size_t i = 0; i < values.size(); ++i) {
      s.parameters.emplace_back(prefix + std::to_string(i + 1), values[i]);
    }
  };
  add("ar", fit.coef.ar);
  add("ma", fit.coef.ma);
  add("sar", fit.coef.sar);
  add("sma", fit.coef.sma);
  if (fit.spec.constant == ArimaConstant::Mean) {
    s.parameters.emplace_back("intercept", fit.coef.constant);
  } else if (fit.spec.constant == ArimaConstant::Drift) {
    s.parameters.emplace_back("drift", fit.coef.constant);
  }
  s.has_criteria = std::isfinite(fit.aicc);
  s.aic = fit.aic;
  s.aicc = fit.aicc;
  s.bic = fit.bic;
  s.sigma = std::sqrt(fit.sigma2);
  return r;
}

// method "arima": auto.arima's choice; "arima(p,d,q)(P,D,Q)[m] ..." fixes the model. `detected` says
// whether the period was detected (a "[m]" then replaces it) or given (a "[m]" must agree).
SeriesForecast run_arima(std::span<const double> y, size_t period, bool detected, std::string_view method,
                         const ForecastOptions& o) {
  if (method == "arima") {
    const ArimaChoice c = auto_arima(y, period);
    SeriesForecast r = from_arima(c.fit, o);
    r.model.notes = arima_choice_notes(c);
    return r;
  }
  ParsedArima parsed = parse_arima_model(method);
  ArimaSpec& spec = parsed.spec;
  if (parsed.period) {
    if (!detected && *parsed.period != period) {
      throw Error(sqlstate::invalid_parameter_value, "the ARIMA model's period [" +
                                                         std::to_string(*parsed.period) +
                                                         "] differs from period " + std::to_string(period))
          .with_hint("give the period once, in the model or as period =>");
    }
    period = *parsed.period;
  }
  const bool seasonal = spec.order.P + spec.order.D + spec.order.Q > 0;
  if (seasonal && period < 2) {
    throw Error(sqlstate::invalid_parameter_value,
                "a seasonal ARIMA model needs a period of at least 2 (none was " +
                    std::string(detected ? "detected" : "given") + ")")
        .with_hint("pass period => m, or write the period in the model, e.g. arima(0,1,1)(0,1,1)[12]");
  }
  spec.order.period = seasonal ? period : 1;
  if (arima_is_constant(y)) {
    throw Error(sqlstate::invalid_parameter_value,
                "the series is constant: " + arima_model_name(spec) + " cannot be estimated")
        .with_hint("use method => 'arima', which forecasts a constant series flat, or 'naive'");
  }
  const ArimaFit fit = fit_arima(y, spec);
  SeriesForecast r = from_arima(fit, o);
  if (fit.ml_code == 1) {
    r.model.notes.emplace_back("the likelihood search stopped at its iteration limit (100), as R's does");
  }
  return r;
}

// How the combination's Theta and damped trend remove a season: not at all, by dividing by seasonal
// indices (as thetaf), or by subtracting a seasonal figure (when ETS found the season additive).
enum class Adjustment { None, Multiplicative, Additive };

// The seasonal figure to remove, or empty: a season that passes the seasonality test on the detrended
// series (detect_period), multiplicative only for positive data. thetaf tests the raw series, where
// a strong trend hides the season; on M3 the two agree in accuracy.
std::vector<double> season_to_remove(std::span<const double> y, size_t period, Adjustment how) {
  if (how == Adjustment::None || period < 2 || y.size() <= 2 * period) {
    return {};
  }
  for (const double v : y) {
    if (how == Adjustment::Multiplicative && v <= 0) {
      return {};
    }
  }
  const std::array<size_t, 1> candidate{period};
  if (detect_period(y, candidate) != period) {
    return {};
  }
  return seasonal_figure(y, period, how == Adjustment::Multiplicative);
}

// Fits `fit` to the series with its season removed (when it has one) and puts the season back on the
// forecast and its bounds.
template <class Fit>
SeriesForecast seasonally_adjusted(std::span<const double> y, size_t period, Adjustment how,
                                   const ForecastOptions& o, Fit fit) {
  const std::vector<double> figure = season_to_remove(y, period, how);
  const bool multiplicative = how == Adjustment::Multiplicative;
  std::vector<double> adjusted(y.begin(), y.end());
  for (size_t t = 0; t < adjusted.size() && !figure.empty(); ++t) {
    adjusted[t] = multiplicative ? adjusted[t] / figure[t % period] : adjusted[t] - figure[t % period];
  }
  SeriesForecast r = fit(std::span<const double>(adjusted));
  r.model.n = y.size();
  if (!figure.empty()) {
    const size_t n = y.size();
    const auto put_back = [&](double& v, double s) { v = multiplicative ? v * s : v + s; };
    for (size_t k = 0; k < o.horizon; ++k) {
      const double s = figure[(n + k) % period];
      put_back(r.forecast.mean[k], s);
      for (size_t i = 0; i < o.levels.size(); ++i) {
        put_back(r.forecast.lower[i][k], s);
        put_back(r.forecast.upper[i][k], s);
      }
    }
    r.model.model += multiplicative ? " (seasonally adjusted)" : " (seasonally adjusted, additive)";
    r.model.period = period;
  }
  return r;
}

SeriesForecast run_theta(std::span<const double> y, size_t period, const ForecastOptions& o) {
  const ThetaResult t = theta(y, period, o.horizon, o.levels);
  SeriesForecast r;
  r.forecast = t.forecast;
  r.model.model = t.decomposed ? "Theta (seasonally adjusted)" : "Theta";
  r.model.n = y.size();
  r.model.period = t.decomposed ? period : 1;
  r.model.parameters = {{"alpha", t.ses.alpha}, {"initial_level", t.ses.initial_level}, {"drift", t.drift}};
  r.model.sigma = std::sqrt(t.ses.sigma2);
  return r;
}

SeriesForecast run_damped(std::span<const double> y, size_t period, Adjustment how,
                          const ForecastOptions& o) {
  return seasonally_adjusted(y, period, how, o, [&](std::span<const double> adjusted) {
    const EtsSpec spec = parse_ets_model("AAdN", 1);
    return from_ets(spec, ets_estimate(adjusted, spec), adjusted.size(), o);
  });
}

SeriesForecast run_walk(std::span<const double> y, size_t lag, bool drift, const char* name,
                        const ForecastOptions& o) {
  SeriesForecast r;
  r.forecast = lag_walk(y, lag, o.horizon, drift, o.levels);
  r.model.model = name;
  r.model.n = y.size();
  r.model.period = lag;
  double sum = 0;
  for (size_t t = lag; t < y.size(); ++t) {
    sum += (y[t] - y[t - lag]) * (y[t] - y[t - lag]);
  }
  r.model.sigma = std::sqrt(sum / static_cast<double>(y.size() - lag));
  return r;
}

// The interval of `auto`: the ETS models the selection fitted, averaged with Akaike weights from
// their AICc, each as a Student t forecast distribution (its mean and variance, n - k + 1 degrees of
// freedom for its k estimated quantities), widened where needed to take in every member's forecast.
// The chosen model's own interval leaves out the doubt about which model is right, and covers only 85%
// of M3's yearly test points at 95%; spanning the members' intervals covers them but is too wide where
// Theta lags a strong trend (M3 "other"). Models with weight below 1e-6 are left out. Returns the number
// of models averaged; without any (their moments not finite) the ETS member's interval stays.
size_t model_averaged_interval(const EtsChoice& ets, size_t n, const ForecastOptions& o,
                               std::span<const SeriesForecast> members, Forecast& out) {
  std::vector<double> aicc;
  for (const EtsCandidate& c : ets.fitted) {
    aicc.push_back(c.estimate.criteria.aicc);
  }
  const std::vector<double> weights = akaike_weights(aicc);
  if (weights.empty()) {
    return 0; // too few values for any AICc (n - k - 1 <= 0 for every model): nothing to weigh by
  }
  struct Averaged {
    double weight;
    double df;
    EtsMoments moments;
  };
  std::vector<Averaged> models;
  double total = 0;
  for (size_t i = 0; i < ets.fitted.size(); ++i) {
    if (weights[i] < 1e-6) {
      continue;
    }
    const EtsCandidate& c = ets.fitted[i];
    EtsMoments m = ets_moments(c.spec, c.estimate.params, c.estimate.fit.final_state,
                               c.estimate.criteria.sigma2, o.horizon);
    const bool finite =
        std::all_of(m.mean.begin(), m.mean.end(), [](double v) { return std::isfinite(v); }) &&
        std::all_of(m.variance.begin(), m.variance.end(), [](double v) { return std::isfinite(v); });
    if (finite) {
      const double df = static_cast<double>(n) - static_cast<double>(ets_parameter_count(c.spec) - 1);
      models.push_back({weights[i], std::max(df, 1.0), std::move(m)});
      total += weights[i];
    }
  }
  if (models.empty()) {
    return 0;
  }
  std::vector<double> w, df;
  for (const Averaged& m : models) {
    w.push_back(m.weight / total);
    df.push_back(m.df);
  }
  StudentMixture mixture(std::move(w), std::move(df));
  std::vector<double> locations(models.size()), scales(models.size());
  for (size_t k = 0; k < o.horizon; ++k) {
    check_interrupts();
    for (size_t j = 0; j < models.size(); ++j) {
      locations[j] = models[j].moments.mean[k];
      scales[j] = std::sqrt(std::max(models[j].moments.variance[k], 0.0));
    }
    double lowest = out.mean[k];
    double highest = out.mean[k];
    for (const SeriesForecast& member : members) {
      lowest = std::min(lowest, member.forecast.mean[k]);
      highest = std::max(highest, member.forecast.mean[k]);
    }
    for (size_t i = 0; i < o.levels.size(); ++i) {
      const double tail = (1 - o.levels[i] / 100) / 2;
      out.lower[i][k] = std::min(mixture.quantile(locations, scales, tail), lowest);
      out.upper[i][k] = std::max(mixture.quantile(locations, scales, 1 - tail), highest);
    }
  }
  return models.size();
}

SeriesForecast run_auto(std::span<const double> y, size_t period, const ForecastOptions& o) {
  if (y.size() < 4) {
    SeriesForecast r = run_walk(y, 1, false, "naive", o);
    r.model.notes.emplace_back("fewer than 4 values: naive forecast");
    return r;
  }
  std::optional<EtsChoice> fitted;
  try {
    fitted = ets_auto(y, period);
  } catch (const Error&) {
    // Too few values for any ETS model (4 or 5 that no model fits): naive, as for fewer than 4.
    SeriesForecast r = run_walk(y, 1, false, "naive", o);
    r.model.notes.emplace_back("no exponential smoothing model fits " + std::to_string(y.size()) +
                               " values: naive forecast");
    return r;
  }
  const EtsChoice& ets = *fitted;
  std::vector<SeriesForecast> members;
  members.push_back(from_ets(ets.spec, ets.estimate, y.size(), o));
  // The others remove the season as ETS models it: additively when it chose an additive season.
  const Adjustment how =
      ets.spec.season == Component::Additive ? Adjustment::Additive : Adjustment::Multiplicative;
  members.push_back(seasonally_adjusted(
      y, period, how, o, [&](std::span<const double> adjusted) { return run_theta(adjusted, 1, o); }));
  try {
    members.push_back(run_damped(y, period, how, o));
  } catch (const Error&) {
    // A damped trend cannot be fitted (too few values): the two others are combined.
  }
  SeriesForecast r = members.front();
  std::string names;
  for (size_t k = 0; k < o.horizon; ++k) {
    // The median of the members' forecasts (the mean of two): one member far off does not drag the
    // combination (on M3 the median beats the mean where Theta lags a strong trend, "other").
    std::vector<double> points;
    for (const SeriesForecast& m : members) {
      points.push_back(m.forecast.mean[k]);
    }
    std::sort(points.begin(), points.end());
    const size_t middle = points.size() / 2;
    r.forecast.mean[k] = points.size() % 2 == 1 ? points[middle] : (points[middle - 1] + points[middle]) / 2;
  }
  const size_t averaged = model_averaged_interval(ets, y.size(), o, members, r.forecast);
  for (const SeriesForecast& m : members) {
    names += (names.empty() ? "" : ", ") + m.model.model;
    r.model.members.push_back(m.model);
  }
  r.model.notes.emplace_back(
      "the information criteria, parameters and sigma shown are those of the ETS member");
  r.model.notes.emplace_back(averaged > 0 ? "the interval averages " + std::to_string(averaged) + " of the " +
                                                std::to_string(ets.fitted.size()) +
                                                " ETS models fitted (those of AICc weight 1e-6 or more), "
                                                "as Student t distributions weighted by AICc, and takes in "
                                                "every member's forecast"
                                          : "the interval is the ETS member's");
  r.model.model = (members.size() == 3 ? "median of " : "mean of ") + names;
  r.model.period = period;
  return r;
}

std::string period_list(std::span<const size_t> periods) {
  std::string out;
  for (const size_t m : periods) {
    out += (out.empty() ? "" : ",") + std::to_string(m);
  }
  return out;
}

// Forecasts a series by its MSTL decomposition: each seasonal component continued by its last cycle
// (as forecast.mstl() does), added to the mean of two forecasts of the seasonally adjusted series -
// `auto`'s for a series without season (the median of ETS, Theta and a damped trend; forecast.mstl()
// uses ETS alone), and the decomposition's own (its trend held, its remainder decaying as an AR(1)).
// The first follows the latest data, and is right after a level shift; the second trusts the smooth
// trend and lets a deviation of the last values die out, and is right where the remainder is
// short-lived (sub-daily data a day ahead). Their mean is the safer forecast (chosen on NAB series
// other than the benchmark's). The interval is `auto`'s, widened to take in both forecasts.
SeriesForecast run_mstl(std::span<const double> y, const MstlResult& d, const ForecastOptions& o) {
  const std::vector<double> adjusted = seasonally_adjusted(y, d);
  SeriesForecast r = run_auto(adjusted, 1, o);
  const TrendRemainderForecast own = trend_remainder_forecast(d, o.horizon);
  const std::vector<double> season = seasonal_continuation(d, o.horizon);
  for (size_t k = 0; k < o.horizon; ++k) {
    r.forecast.mean[k] = (r.forecast.mean[k] + own.mean[k]) / 2 + season[k];
    for (size_t i = 0; i < o.levels.size(); ++i) {
      r.forecast.lower[i][k] = std::min(r.forecast.lower[i][k], own.mean[k]) + season[k];
      r.forecast.upper[i][k] = std::max(r.forecast.upper[i][k], own.mean[k]) + season[k];
    }
  }
  ModelSummary& s = r.model;
  const std::string adjusted_model = s.model;
  s.model = "MSTL(" + period_list(d.periods) + ") + mean of " +
            (s.members.empty() ? adjusted_model : "[" + adjusted_model + "]") + " and trend + AR(1)";
  s.period = d.periods.front();
  std::vector<std::pair<std::string, double>> parameters;
  for (size_t i = 0; i < d.periods.size(); ++i) {
    parameters.emplace_back("seasonal_strength_" + std::to_string(d.periods[i]), d.strength[i]);
  }
  parameters.emplace_back("remainder_phi", own.phi);
  parameters.insert(parameters.end(), s.parameters.begin(), s.parameters.end());
  s.parameters = std::move(parameters);
  ModelSummary member;
  member.model = "trend + AR(1)";
  member.n = y.size();
  member.parameters = {{"trend_last", d.trend.back()}, {"phi", own.phi}};
  s.members.push_back(member);
  s.notes.insert(
      s.notes.begin(),
      "the seasonal components (periods " + period_list(d.periods) +
          ") are continued by their last cycle; the seasonally adjusted series is forecast as the mean "
          "of " +
          adjusted_model + " and the decomposition's trend with its remainder decaying as an AR(1)");
  return r;
}

// Numbers in notes, to two decimals.
std::string two_decimals(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", v);
  return text;
}

// The multiple-seasonality path of forecast_series (`mstl`, and `auto` with several periods), or
// nullopt where `auto` goes its usual way: one period given, or detected with fewer than two
// candidates that the data support. `mstl` always answers: by the periods given (those with more
// than two full cycles), by the candidates the data support, by the one period detected, or, with no
// period, as `auto` forecasts a series without season. Notes say how the periods were chosen.
std::optional<SeriesForecast> try_mstl(std::span<const double> y, const ForecastOptions& o,
                                       bool explicit_mstl) {
  const size_t n = y.size();
  std::vector<std::string> notes;
  std::vector<size_t> periods;
  MstlResult judged;
  const auto fit_cycles = [&](std::span<const size_t> given) {
    for (const size_t m : given) {
      if (n > 2 * m) {
        periods.push_back(m);
      } else {
        notes.push_back("period " + std::to_string(m) + " left out: " + std::to_string(n) +
                        " values are not more than two full cycles");
      }
    }
  };
  if (!o.periods.empty()) {
    fit_cycles(o.periods);
  } else if (o.period != 0) {
    if (!explicit_mstl) {
      return std::nullopt;
    }
    if (o.period >= 2) {
      const std::array<size_t, 1> one{o.period};
      fit_cycles(one);
    }
  } else {
    size_t fitting = 0;
    for (const size_t m : o.candidates) {
      fitting += m >= 2 && n > 2 * m ? 1 : 0;
    }
    if (fitting >= 2 || (explicit_mstl && fitting == 1)) {
      periods = supported_periods(y, o.candidates, &judged);
      std::string strengths;
      for (size_t i = 0; i < judged.periods.size(); ++i) {
        strengths += (strengths.empty() ? "" : ", ") + std::to_string(judged.periods[i]) + ": " +
                     two_decimals(judged.strength[i]) + " (needs " +
                     two_decimals(required_strength(n, judged.periods[i])) + ")";
      }
      notes.push_back("seasonal strength by period " + strengths +
                      "; a period needs max(0.30, 2 / its full cycles), twice what noise reaches");
    }
    if (periods.empty() && explicit_mstl) {
      const size_t m = detect_period(y, o.candidates);
      if (m > 1) {
        periods.push_back(m);
        notes.push_back("period " + std::to_string(m) + " detected by autocorrelation");
      }
    }
  }
  // One supported period is auto's usual business, unless it is longer than a seasonal ETS model
  // can hold (R's ets() refuses them too and points to stlf, which MSTL with one period is).
  const bool one_long = periods.size() == 1 && periods.front() > kMaxEtsPeriod && o.periods.empty();
  if (!explicit_mstl && periods.size() < 2 && !one_long) {
    if (o.periods.size() < 2) {
      return std::nullopt;
    }
    // Several periods given, too few of them fit the series: auto with the one left, if any.
    SeriesForecast r = run_auto(y, periods.empty() ? 1 : periods.front(), o);
    r.model.notes.insert(r.model.notes.begin(), notes.begin(), notes.end());
    return r;
  }
  SeriesForecast r;
  if (periods.empty()) {
    r = run_auto(y, 1, o);
    notes.push_back("no seasonal period to decompose by: forecast as a series without season");
  } else {
    const MstlResult d = judged.periods == periods ? std::move(judged) : mstl(y, periods);
    r = run_mstl(y, d, o);
  }
  r.model.notes.insert(r.model.notes.begin(), notes.begin(), notes.end());
  return r;
}

// Checks the periods given; 22023 for a period below 2, one given twice, periods with `period`, or
// several periods for a method that models one season.
void check_periods(const ForecastOptions& o) {
  if (o.periods.empty()) {
    return;
  }
  if (o.period != 0) {
    throw Error(sqlstate::invalid_parameter_value, "give period or periods, not both")
        .with_hint("periods lists several seasonal periods for MSTL; one period alone can go in either");
  }
  std::set<size_t> seen;
  for (const size_t m : o.periods) {
    if (m < 2) {
      throw Error(sqlstate::invalid_parameter_value,
                  "seasonal periods must be at least 2, not " + std::to_string(m))
          .with_hint("a period is the number of values in one cycle, e.g. 24 and 168 for hourly data");
    }
    if (!seen.insert(m).second) {
      throw Error(sqlstate::invalid_parameter_value, "period " + std::to_string(m) + " is given twice");
    }
  }
  if (o.periods.size() >= 2 && o.method != "auto" && o.method != "mstl") {
    throw Error(sqlstate::invalid_parameter_value, "method \"" + o.method +
                                                       "\" models one seasonal period, not " +
                                                       std::to_string(o.periods.size()))
        .with_hint("use method 'mstl' or 'auto' for several periods, or give one period");
  }
}

} // namespace

std::string_view method_names() {
  return "auto, ets, ets:<model> (e.g. ets:MAdM), arima, arima(p,d,q)(P,D,Q) (e.g. arima(0,1,1)(0,1,1)), "
         "theta, damped, mstl, naive, snaive, drift";
}

size_t detect_period(std::span<const double> history, std::span<const size_t> candidates) {
  const size_t n = history.size();
  if (n < 3) {
    return 1;
  }
  // A trend would dominate the autocorrelations: they are taken of the residuals of a straight line.
  const Line line = least_squares_line(history);
  std::vector<double> y(n);
  for (size_t t = 0; t < n; ++t) {
    y[t] = history[t] - (line.intercept + line.slope * static_cast<double>(t + 1));
  }
  if (!candidates.empty()) {
    // Only periods the data can test (more than two seasons); one autocorrelation serves them all.
    size_t longest = 0;
    for (const size_t m : candidates) {
      if (m > 1 && n > 2 * m) {
        longest = std::max(longest, m);
      }
    }
    if (longest == 0) {
      return 1;
    }
    const std::vector<double> r = autocorrelation(y, longest);
    for (const size_t m : candidates) {
      if (m > 1 && seasonality_test(r, n, m)) {
        return m;
      }
    }
    return 1;
  }
  const size_t max_lag = std::min(n / 3, kMaxDetectedPeriod);
  if (max_lag < 2) {
    return 1;
  }
  const std::vector<double> r = autocorrelation(y, max_lag + 1);
  size_t best = 1;
  double best_r = 0;
  for (size_t lag = 2; lag <= max_lag; ++lag) {
    const double v = r[lag - 1];
    const bool peak = v > r[lag - 2] && (lag >= r.size() || v >= r[lag]);
    if (peak && v > best_r && seasonality_test(r, n, lag)) {
      best = lag;
      best_r = v;
    }
  }
  return best;
}

SeriesForecast forecast_series(std::span<const double> y, const ForecastOptions& o) {
  if (o.horizon < 1 || o.horizon > kMaxHorizon) {
    fail("the horizon must be between 1 and " + std::to_string(kMaxHorizon) + ", not " +
         std::to_string(o.horizon));
  }
  if (y.size() < 2) {
    fail("too few values to forecast: " + std::to_string(y.size()) + " (at least 2)");
  }
  require_finite(y, "the history");
  for (const double level : o.levels) {
    normal_quantile_for_level(level); // checks the level's range
  }
  check_interrupts();
  check_periods(o);
  size_t period = o.periods.size() == 1 ? o.periods.front() : o.period;
  const bool detected = period == 0 && o.periods.empty();
  const std::string_view method = o.method;
  std::optional<SeriesForecast> several;
  if (method == "mstl" || method == "auto") {
    several = try_mstl(y, o, method == "mstl");
  }
  if (detected && !several) {
    period = detect_period(y, o.candidates);
  }
  SeriesForecast r;
  if (several) {
    r = std::move(*several);
  } else if (method == "auto") {
    r = run_auto(y, period, o);
  } else if (method == "ets") {
    r = run_ets(y, period, std::nullopt, o);
  } else if (method.starts_with("ets:")) {
    r = run_ets(y, period, method.substr(4), o);
  } else if (method == "arima" || method.starts_with("arima(") || method.starts_with("ARIMA(")) {
    r = run_arima(y, period, detected, method, o);
  } else if (method == "theta") {
    r = run_theta(y, period, o);
  } else if (method == "damped") {
    r = run_damped(y, period, Adjustment::Multiplicative, o);
  } else if (method == "naive") {
    r = run_walk(y, 1, false, "naive", o);
  } else if (method == "snaive") {
    if (period < 2) {
      fail("seasonal naive needs a period of at least 2 (none was " +
           std::string(detected ? "detected" : "given") + ")");
    }
    r = run_walk(y, period, false, "seasonal naive", o);
  } else if (method == "drift") {
    r = run_walk(y, 1, true, "drift", o);
  } else {
    throw Error(sqlstate::invalid_parameter_value, "unknown forecasting method \"" + o.method + "\"")
        .with_hint("use one of: " + std::string(method_names()));
  }
  // Far horizons can take a model's variance (or a multiplicative model's mean) past what a double
  // holds: an error, never NaN or infinity in the answer.
  for (size_t k = 0; k < o.horizon; ++k) {
    bool finite = std::isfinite(r.forecast.mean[k]);
    for (size_t i = 0; i < o.levels.size(); ++i) {
      finite = finite && std::isfinite(r.forecast.lower[i][k]) && std::isfinite(r.forecast.upper[i][k]);
    }
    if (!finite) {
      throw Error(sqlstate::invalid_parameter_value,
                  "the " + r.model.model + " forecast is not finite from step " + std::to_string(k + 1))
          .with_hint("use a shorter horizon or another method");
    }
  }
  r.model.method = o.method;
  r.model.n = y.size();
  r.model.period_detected = detected;
  return r;
}

} // namespace autoreport::forecast
