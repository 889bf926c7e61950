// The forecasting code against reference values from R's forecast package (test/forecast/fixtures,
// made once by make_fixtures.R; see its README for versions and tolerances).
#include "forecast/seasonal.hpp"
#include "forecast/simple.hpp"

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

} // namespace
} // namespace autoreport::forecast
