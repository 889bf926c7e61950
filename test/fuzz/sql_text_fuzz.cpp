// Fuzz target for the report definition parsers: the :name placeholder scanner and rewriter, and the
// parameter declarations. Any input must end in a result or an autoreport::Error, never a crash, and
// rewriting must leave every byte outside the placeholders as it was.
#include "common/error.hpp"
#include "reports/params.hpp"
#include "reports/placeholders.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace autoreport;
using namespace autoreport::reports;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto placeholders = find_placeholders(input);
  for (const Placeholder& p : placeholders) {
    // Every occurrence is ":" + its name (case-folded) at its offset.
    if (p.offset >= input.size() || input[p.offset] != ':' || p.name.empty() ||
        p.offset + 1 + p.name.size() > input.size()) {
      std::abort();
    }
  }
  try {
    const std::string rewritten = rewrite_placeholders(input, placeholder_names(input));
    if (placeholders.empty() && rewritten != input) {
      std::abort(); // nothing to rewrite: the text must be unchanged
    }
  } catch (const Error&) {
    // $n in the text: refused, as documented
  }
  try {
    (void)params_to_json(parse_params(input, placeholder_names(input)));
  } catch (const Error& e) {
    if (e.sqlstate() != "22023") {
      std::abort(); // every declaration error is 22023
    }
  }
  return 0;
}
