// The forecasting code against reference values from R's forecast package (test/forecast/fixtures,
// made once by make_fixtures.R; see its README for versions and tolerances).
#include "common/error.hpp"
#include "forecast/ets.hpp"
#include "forecast/ets_fit.hpp"
#include "forecast/ets_forecast.hpp"
#include "forecast/seasonal.hpp"
#include "forecast/simple.hpp"
#include "forecast/theta.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace autoreport::forecast {
namespace {

std::vector<nlohmann::json> fixtures() {
  return test::fixture_files();
}

void expect_close(const std::vector<double>& ours, const nlohmann::json& theirs, const std::string& what) {
  ASSERT_EQ(ours.size(), theirs.size()) << what;
  for (size_t i = 0; i < ours.size(); ++i) {
    const double r = theirs[i].get<double>();
    EXPECT_NEAR(ours[i], r, 1e-8 * std::max(1.0, std::fabs(r))) << what << " step " << i + 1;
  }
}

void check_walk(const nlohmann::json& f, const char* key, size_t lag, bool drift) {
  if (!f.contains(key) || f[key].is_null()) {
    return;
  }
  const auto train = f["train"].get<std::vector<double>>();
  const size_t h = f["horizon"].get<size_t>();
  const Forecast ours = lag_walk(train, lag, h, drift, std::vector<double>{80, 95});
  const std::string name = f["name"].get<std::string>() + " " + key;
  expect_close(ours.mean, f[key]["mean"], name + " mean");
  expect_close(ours.lower[0], f[key]["lower80"], name + " lower80");
  expect_close(ours.upper[0], f[key]["upper80"], name + " upper80");
  expect_close(ours.lower[1], f[key]["lower95"], name + " lower95");
  expect_close(ours.upper[1], f[key]["upper95"], name + " upper95");
}

TEST(ForecastFixtures, TheyAreThere) {
  EXPECT_GE(fixtures().size(), 10u);
}

TEST(ForecastFixtures, NaiveSeasonalNaiveAndDriftMatchR) {
  for (const nlohmann::json& f : fixtures()) {
    const size_t m = f["frequency"].get<size_t>();
    check_walk(f, "naive", 1, false);
    check_walk(f, "snaive", m, false);
    check_walk(f, "rwf_drift", 1, true);
  }
}

TEST(ForecastFixtures, TheSeasonalityTestAgreesWithThetaf) {
  for (const nlohmann::json& f : fixtures()) {
    if (!f.contains("thetaf") || f["thetaf"].is_null() || !f["thetaf"].contains("decomposed")) {
      continue;
    }
    const auto train = f["train"].get<std::vector<double>>();
    const size_t m = f["frequency"].get<size_t>();
    EXPECT_EQ(seasonality_test(train, m), f["thetaf"]["decomposed"].get<bool>()) << f["name"];
  }
}

double number(const nlohmann::json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    return s == "Inf" ? INFINITY : s == "-Inf" ? -INFINITY : NAN;
  }
  return v.get<double>();
}

TEST(ForecastFixtures, ThetaAssembledFromRsFitMatchesR) {
  for (const nlohmann::json& f : fixtures()) {
    const nlohmann::json& t = f["thetaf"];
    if (t.is_null() || !t.contains("forecast")) {
      continue;
    }
    const auto train = f["train"].get<std::vector<double>>();
    SesFit ses;
    ses.alpha = number(t["alpha"]);
    ses.final_level = number(t["ses_final_level"]);
    ses.sigma2 = number(t["ses_sigma2"]);
    std::vector<double> indices;
    if (t["decomposed"].get<bool>()) {
      // R lists the indices as applied to forecast steps 1..m; ours are by position from the first value.
      const auto r = t["seasonal_index"].get<std::vector<double>>();
      indices = multiplicative_indices(train, f["frequency"].get<size_t>());
      for (size_t k = 0; k < r.size(); ++k) {
        EXPECT_NEAR(indices[(train.size() + k) % r.size()], r[k], 1e-9) << f["name"] << " index " << k;
      }
    }
    const Forecast fc = theta_forecast(train.size(), ses, number(t["drift"]), indices,
                                       f["horizon"].get<size_t>(), std::vector<double>{80, 95});
    const std::string name = f["name"].get<std::string>() + " thetaf";
    expect_close(fc.mean, t["forecast"]["mean"], name + " mean");
    expect_close(fc.upper[1], t["forecast"]["upper95"], name + " upper95");
    expect_close(fc.lower[0], t["forecast"]["lower80"], name + " lower80");
  }
}

TEST(ForecastFixtures, ThetaFitsAtLeastAsWellAsR) {
  for (const nlohmann::json& f : fixtures()) {
    const nlohmann::json& t = f["thetaf"];
    if (t.is_null() || !t.contains("forecast")) {
      continue;
    }
    const auto train = f["train"].get<std::vector<double>>();
    const ThetaResult ours =
        theta(train, f["frequency"].get<size_t>(), f["horizon"].get<size_t>(), std::vector<double>{80, 95});
    EXPECT_EQ(ours.decomposed, t["decomposed"].get<bool>()) << f["name"];
    EXPECT_NEAR(ours.drift, number(t["drift"]), 1e-9 * std::max(1.0, std::fabs(number(t["drift"]))))
        << f["name"];
    // Our SES fit is the exact least-squares optimum: never worse than R's, and close to its alpha.
    const double n = static_cast<double>(train.size());
    EXPECT_LE(ours.ses.sigma2, number(t["ses_sigma2"]) * (1 + 1e-9)) << f["name"];
    if (number(t["ses_sigma2"]) > 0) { // a constant series fits perfectly at any alpha
      EXPECT_NEAR(ours.ses.alpha, number(t["alpha"]), 1e-3)
          << f["name"] << " n " << n << " sigma2 ours " << ours.ses.sigma2 << " R "
          << number(t["ses_sigma2"]);
    }
    for (const auto& bounds : {ours.forecast.lower, ours.forecast.upper}) {
      for (const auto& level : bounds) {
        for (const double v : level) {
          EXPECT_TRUE(std::isfinite(v)) << f["name"];
        }
      }
    }
  }
}

} // namespace
} // namespace autoreport::forecast

namespace autoreport::forecast {
namespace {

// R's smoothing parameters and a state (l, b, s1..sm) as the fixtures write them.
EtsParams params_of(const nlohmann::json& par) {
  EtsParams p;
  p.alpha = number(par["alpha"]);
  p.beta = par.contains("beta") ? number(par["beta"]) : 0;
  p.gamma = par.contains("gamma") ? number(par["gamma"]) : 0;
  p.phi = par.contains("phi") ? number(par["phi"]) : 1;
  return p;
}

EtsState state_of(const nlohmann::json& j, const EtsSpec& spec) {
  EtsState s;
  s.level = number(j["l"]);
  s.growth = j.contains("b") ? number(j["b"]) : 0;
  for (size_t i = 1; i <= spec.period && spec.season != Component::None; ++i) {
    s.season.push_back(number(j["s" + std::to_string(i)]));
  }
  return s;
}

// Runs R's fitted model (its parameters from its initial state) and compares what R reported.
void check_ets(const nlohmann::json& f, const nlohmann::json& e, const std::string& label) {
  if (e.is_null() || !e.contains("model") || !e.contains("initial_state") || !e.contains("minus2loglik")) {
    return; // R did not fit by likelihood (constant data, or too short: a least-squares fallback)
  }
  const std::string model = e["model"].get<std::string>();
  const double lik = number(e["minus2loglik"]);
  if (!std::isfinite(lik)) {
    return; // a perfect fit (constant series): nothing to compare
  }
  const auto train = f["train"].get<std::vector<double>>();
  const EtsSpec spec = parse_ets_model(model, f["frequency"].get<size_t>());
  const EtsParams p = params_of(e["parameters"]);
  const EtsState s = state_of(e["initial_state"], spec);
  const EtsFit fit = ets_run(train, spec, p, s);
  const std::string name = f["name"].get<std::string>() + " " + label + " " + model;
  ASSERT_TRUE(fit.valid) << name;
  const auto close = [&](double ours, double theirs, const char* what) {
    EXPECT_NEAR(ours, theirs, 1e-9 * std::max(1.0, std::fabs(theirs))) << name << " " << what;
  };
  close(fit.lik, lik, "-2 loglik");
  close(fit.mse, number(e["mse"]), "mse");
  const EtsCriteria c = ets_criteria(fit, train.size(), spec);
  close(c.aicc, number(e["aicc"]), "AICc");
  close(c.bic, number(e["bic"]), "BIC");
  close(c.sigma2, number(e["sigma2"]), "sigma2");
  EXPECT_EQ(ets_parameter_count(spec), e["n_params_ic"].get<size_t>()) << name;
  close(fit.final_state.level, number(e["final_state"]["l"]), "final level");
  for (size_t i = 0; i < fit.final_state.season.size(); ++i) {
    close(fit.final_state.season[i], number(e["final_state"]["s" + std::to_string(i + 1)]), "final season");
  }
}

TEST(ForecastFixtures, EtsRecursionAndLikelihoodMatchRAtRsParameters) {
  size_t checked = 0;
  for (const nlohmann::json& f : fixtures()) {
    check_ets(f, f["ets_auto"], "auto");
    ++checked;
    if (f.contains("ets_fixed")) {
      for (const auto& [label, e] : f["ets_fixed"].items()) {
        check_ets(f, e, label);
      }
    }
  }
  EXPECT_GE(checked, 10u);
}

TEST(ForecastEts, ModelNames) {
  EXPECT_EQ(ets_model_name(parse_ets_model("MAdM", 12)), "MAdM");
  EXPECT_EQ(ets_model_name(parse_ets_model("ANN", 1)), "ANN");
  EXPECT_EQ(ets_parameter_count(parse_ets_model("MAdM", 4)), 10u);
  EXPECT_THROW(parse_ets_model("XNN", 1), Error);
  EXPECT_THROW(parse_ets_model("ANdN", 1), Error);
  EXPECT_THROW(parse_ets_model("NNN", 1), Error);
  EXPECT_THROW(parse_ets_model("ANA", 1), Error);
}

} // namespace
} // namespace autoreport::forecast

namespace autoreport::forecast {
namespace {

// Our estimate of each model R fitted by likelihood: the starting point is R's, and the answer is at
// least as likely as R's, inside the bounds.
void check_estimate(const nlohmann::json& f, const nlohmann::json& e, const std::string& label,
                    double& gain) {
  if (e.is_null() || !e.contains("optimizer") || !e.contains("minus2loglik") ||
      !std::isfinite(number(e["minus2loglik"]))) {
    return;
  }
  const auto train = f["train"].get<std::vector<double>>();
  const EtsSpec spec = parse_ets_model(e["model"].get<std::string>(), f["frequency"].get<size_t>());
  const std::string name = f["name"].get<std::string>() + " " + label + " " + e["model"].get<std::string>();
  const EtsStart start = ets_start(train, spec);
  const nlohmann::json& r = e["optimizer"]["start"];
  const auto close = [&](double ours, double theirs, const std::string& what) {
    EXPECT_NEAR(ours, theirs, 1e-8 * std::max(1.0, std::fabs(theirs))) << name << " start " << what;
  };
  close(start.params.alpha, number(r["alpha"]), "alpha");
  if (r.contains("beta")) {
    close(start.params.beta, number(r["beta"]), "beta");
  }
  if (r.contains("gamma")) {
    close(start.params.gamma, number(r["gamma"]), "gamma");
  }
  if (r.contains("phi")) {
    close(start.params.phi, number(r["phi"]), "phi");
  }
  close(start.state.level, number(r["l"]), "l");
  if (r.contains("b")) {
    close(start.state.growth, number(r["b"]), "b");
  }
  for (size_t i = 0; i + 1 < start.state.season.size(); ++i) {
    close(start.state.season[i], number(r["s" + std::to_string(i)]), "s" + std::to_string(i));
  }
  const EtsEstimate ours = ets_estimate(train, spec, true);
  const double theirs = number(e["minus2loglik"]);
  EXPECT_LE(ours.fit.lik, theirs + 1e-6 * std::fabs(theirs)) << name;
  // One search, as R does it (and as forecasting uses it), ends where R's does.
  const EtsEstimate single = ets_estimate(train, spec);
  EXPECT_NEAR(single.fit.lik, theirs, 1e-6 * std::fabs(theirs)) << name;
  EXPECT_TRUE(ets_admissible(spec, ours.params)) << name;
  gain = std::max(gain, theirs - ours.fit.lik);
}

TEST(ForecastFixtures, EtsEstimatesStartWhereRStartsAndEndAtLeastAsLikely) {
  double gain = 0;
  for (const nlohmann::json& f : fixtures()) {
    check_estimate(f, f["ets_auto"], "auto", gain);
    if (f.contains("ets_fixed")) {
      for (const auto& [label, e] : f["ets_fixed"].items()) {
        check_estimate(f, e, label, gain);
      }
    }
  }
  std::printf("largest improvement of -2 log-likelihood over R's estimates: %.3f\n", gain);
}

TEST(ForecastEts, AdmissibleRegion) {
  const EtsSpec aaa = parse_ets_model("AAA", 4);
  EXPECT_TRUE(ets_admissible(aaa, EtsParams{0.3, 0.1, 0.1, 1}));
  EXPECT_FALSE(ets_admissible(aaa, EtsParams{0.3, 0.4, 0.1, 1}));  // beta > alpha
  EXPECT_FALSE(ets_admissible(aaa, EtsParams{0.95, 0.1, 0.1, 1})); // gamma > 1 - alpha
  const EtsSpec ann = parse_ets_model("ANN", 1);
  EXPECT_FALSE(ets_admissible(ann, EtsParams{0, 0, 0, 1}));
  EXPECT_TRUE(ets_admissible(ann, EtsParams{0.5, 0, 0, 1}));
}

} // namespace
} // namespace autoreport::forecast

namespace autoreport::forecast {
namespace {

// Forecasts and intervals from R's final state, parameters and sigma^2 equal R's.
void check_ets_forecast(const nlohmann::json& f, const nlohmann::json& e, const std::string& label,
                        size_t& checked) {
  if (e.is_null() || !e.contains("minus2loglik") || !std::isfinite(number(e["minus2loglik"])) ||
      !e.contains("forecast")) {
    return;
  }
  const EtsSpec spec = parse_ets_model(e["model"].get<std::string>(), f["frequency"].get<size_t>());
  const EtsParams p = params_of(e["parameters"]);
  const EtsState x = state_of(e["final_state"], spec);
  const size_t h = f["horizon"].get<size_t>();
  if (spec.damped && spec.error == Component::Multiplicative && spec.season == Component::Multiplicative) {
    return; // R's class 3 leaves phi out of the damped growth (see ets_forecast.cpp); ours follows the model
  }
  const Forecast fc = ets_forecast(spec, p, x, number(e["sigma2"]), h, std::vector<double>{80, 95});
  const std::string name = f["name"].get<std::string>() + " " + label + " " + e["model"].get<std::string>();
  const nlohmann::json& r = e["forecast"];
  const auto close = [&](const std::vector<double>& ours, const nlohmann::json& theirs, const char* what) {
    ASSERT_EQ(ours.size(), theirs.size()) << name << what;
    for (size_t i = 0; i < ours.size(); ++i) {
      const double t = number(theirs[i]);
      EXPECT_NEAR(ours[i], t, 1e-7 * std::max(1.0, std::fabs(t))) << name << " " << what << " step " << i + 1;
    }
  };
  close(fc.mean, r["mean"], "mean");
  // R's class 1 variance puts gamma into the third state whether or not there is a growth state
  // (forecast:::class1, G[3, 1]); without a trend that is the second seasonal state, so from step m on
  // R's intervals for ANA/MNA use c_(m-1) where the model has c_m. Ours follow the model: compare the
  // steps before m there.
  const size_t agree =
      spec.trend == Component::None && spec.season == Component::Additive ? spec.period - 1 : h;
  std::vector<double> lower(fc.lower[0].begin(), fc.lower[0].begin() + static_cast<ptrdiff_t>(agree));
  std::vector<double> upper(fc.upper[1].begin(), fc.upper[1].begin() + static_cast<ptrdiff_t>(agree));
  nlohmann::json r_lower = nlohmann::json::array(), r_upper = nlohmann::json::array();
  for (size_t i = 0; i < agree; ++i) {
    r_lower.push_back(r["lower80"][i]);
    r_upper.push_back(r["upper95"][i]);
  }
  close(lower, r_lower, "lower80");
  close(upper, r_upper, "upper95");
  ++checked;
}

TEST(ForecastFixtures, EtsForecastsAndIntervalsMatchRFromRsFinalState) {
  size_t checked = 0;
  for (const nlohmann::json& f : fixtures()) {
    check_ets_forecast(f, f["ets_auto"], "auto", checked);
    if (f.contains("ets_fixed")) {
      for (const auto& [label, e] : f["ets_fixed"].items()) {
        check_ets_forecast(f, e, label, checked);
      }
    }
  }
  EXPECT_GE(checked, 30u);
}

} // namespace
} // namespace autoreport::forecast

namespace autoreport::forecast {
namespace {

TEST(ForecastEts, DampedClass3FollowsTheModel) {
  const EtsSpec spec = parse_ets_model("MAdM", 4);
  const EtsParams p{0.3, 0.1, 0.2, 0.9};
  const EtsState x{100, 5, {1.1, 0.9, 0.8, 1.2}};
  const double sigma2 = 0.01;
  const Forecast fc = ets_forecast(spec, p, x, sigma2, 2, std::vector<double>{95});
  const double mu1 = (100 + 0.9 * 5) * 1.2; // the oldest seasonal state applies first
  EXPECT_NEAR(fc.mean[0], mu1, 1e-9);
  EXPECT_NEAR(fc.upper[0][0] - fc.mean[0], 1.959963984540054 * std::sqrt(sigma2 * mu1 * mu1), 1e-9);
  EXPECT_NEAR(fc.mean[1], (100 + (0.9 + 0.81) * 5) * 0.8, 1e-9); // no variance term yet at step 2's mean
  EXPECT_THROW(ets_forecast(parse_ets_model("AAM", 4), p, x, sigma2, 2, std::vector<double>{95}), Error);
}

} // namespace
} // namespace autoreport::forecast

namespace autoreport::forecast {
namespace {

// Our automatic choice is R's: the same model with the same AICc (each candidate fitted with one
// search, as R does). Refined fits would be more likely - on T374 R's MNM and MAM both stop at 2,000
// evaluations, and fitted to their optima MAM wins - but forecast worse on M3 (see ets_estimate).
TEST(ForecastFixtures, EtsAutomaticSelectionIsR) {
  size_t checked = 0;
  for (const nlohmann::json& f : fixtures()) {
    const nlohmann::json& e = f["ets_auto"];
    if (e.is_null() || !e.contains("aicc") || !std::isfinite(number(e["aicc"])) ||
        !e.contains("candidates")) {
      continue;
    }
    const auto train = f["train"].get<std::vector<double>>();
    const EtsChoice ours = ets_auto(train, f["frequency"].get<size_t>());
    const double theirs = number(e["aicc"]);
    const std::string name = f["name"].get<std::string>();
    EXPECT_EQ(ets_model_name(ours.spec), e["model"].get<std::string>()) << name;
    EXPECT_NEAR(ours.estimate.criteria.aicc, theirs, 1e-6 * std::fabs(theirs)) << name;
    ++checked;
  }
  EXPECT_GE(checked, 10u);
}

TEST(ForecastEts, AutomaticSelectionEdgeCases) {
  const EtsChoice flat = ets_auto(std::vector<double>(10, 7.0), 4);
  EXPECT_EQ(ets_model_name(flat.spec), "ANN");
  EXPECT_EQ(flat.estimate.criteria.sigma2, 0);
  EXPECT_EQ(flat.fitted.size(), 1U);
  EXPECT_THROW(ets_auto(std::vector<double>{1, 2, 3}, 1), Error);
  EXPECT_THROW(ets_auto(std::vector<double>{1, 2, NAN, 4, 5}, 1), Error);
  // Data with zeros or negatives: no multiplicative error among the candidates.
  std::vector<double> y;
  for (int i = 0; i < 30; ++i) {
    y.push_back(std::sin(i) * 10);
  }
  const EtsChoice choice = ets_auto(y, 1);
  EXPECT_EQ(choice.fitted.size(), 3U); // ANN, AAdN and AAN
  for (const EtsCandidate& c : choice.fitted) {
    EXPECT_EQ(c.spec.error, Component::Additive) << ets_model_name(c.spec);
  }
}

} // namespace
} // namespace autoreport::forecast
