// Fuzz target for an alert's detail: finding the end of an aggregate call in any text, and bounding
// any value as JSON. A call's end lies after its start and within the text, and ends on a closing
// parenthesis; a bounded JSON string fits its budget, parses, and the detail objects stay under the limit.
#include "fuzz_reader.hpp"
#include "schedules/alert_detail.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace autoreport::schedules;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  autoreport::fuzz::Reader in(data, size);
  const size_t max = 8 + in.byte();
  const bool keep_end = (in.byte() & 1) != 0;
  const std::string text = in.text(255) + in.text(255);
  for (size_t start = 0; start < text.size(); ++start) {
    const std::optional<size_t> end = call_end(text, start);
    if (end && (*end <= start || *end > text.size() || text[*end - 1] != ')')) {
      std::abort();
    }
  }
  bool cut = false;
  const std::string s = json_string_within(text, max, keep_end, &cut);
  if (s.size() > max || !nlohmann::json::parse(s, nullptr, false).is_string()) {
    std::abort();
  }
  const AlertValue value{static_cast<AlertValue::Kind>(in.byte() % 5), text};
  const std::string v = json_value_within(value, max, &cut);
  if (nlohmann::json::parse(v, nullptr, false).is_discarded()) {
    std::abort();
  }
  std::vector<AlertRow> rows(1 + in.byte() % 8, AlertRow(1 + in.byte() % 40, {text, value}));
  const std::string row_json = row_detail_json(in.u64(), rows);
  const std::string result_json = result_detail_json(rows[0]);
  for (const std::string& json : {row_json, result_json}) {
    if (json.size() > kMaxAlertDetailBytes || nlohmann::json::parse(json, nullptr, false).is_discarded()) {
      std::abort();
    }
  }
  return 0;
}
