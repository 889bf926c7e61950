// The forecasting code against reference values from R's forecast package (test/forecast/fixtures,
// made once by make_fixtures.R; see its README for versions and tolerances).
#include "forecast/seasonal.hpp"
#include "forecast/simple.hpp"
#include "forecast/theta.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace autoreport::forecast {
namespace {

namespace fs = std::filesystem;

// The fixture files; the unit tests run from the repository's root (make test), where __FILE__ is
// relative to.
std::vector<nlohmann::json> fixtures() {
  const fs::path dir = fs::path(__FILE__).parent_path().parent_path() / "forecast" / "fixtures";
  std::vector<nlohmann::json> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") {
      std::ifstream in(entry.path());
      out.push_back(nlohmann::json::parse(in));
    }
  }
  return out;
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
