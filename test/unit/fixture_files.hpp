// Reference files for the unit tests: every .json file of a folder under test/forecast/fixtures.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

namespace autoreport::test {

// The parsed .json files of test/forecast/fixtures/<subfolder> (the folder itself when subfolder is
// empty). The unit tests run from the repository's root (make test), where __FILE__ is relative to.
inline std::vector<nlohmann::json> fixture_files(std::string_view subfolder = "") {
  const std::filesystem::path dir =
      std::filesystem::path(__FILE__).parent_path().parent_path() / "forecast" / "fixtures" / subfolder;
  std::vector<nlohmann::json> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") {
      std::ifstream in(entry.path());
      out.push_back(nlohmann::json::parse(in));
    }
  }
  return out;
}

} // namespace autoreport::test
