// What an alert's event says about why it held, as pure code builds it: the source text of each
// aggregate in a condition, and the detail JSON of a finding, compact and bounded whatever the values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autoreport::schedules {

// The detail of a finding never exceeds this many bytes (the `alert` event must stay compact and well
// under NOTIFY's 8000-byte payload).
inline constexpr size_t kMaxAlertDetailBytes = 3900;
// At most this many matching rows are shown in a row-scope finding.
inline constexpr size_t kMaxAlertSampleRows = 5;

// The end (one past the last byte) of the function call that starts at `start` in `text`: its name
// (qualified or quoted parts allowed), its parenthesised arguments, and a WITHIN GROUP (...) and a
// FILTER (...) clause that follow it. Quoted strings, quoted identifiers, dollar quotes and comments
// are skipped, so a parenthesis inside them does not count. nullopt when no complete call starts there.
std::optional<size_t> call_end(std::string_view text, size_t start);

// A value of a finding, as PostgreSQL's output function wrote it.
struct AlertValue {
  enum class Kind {
    null,    // SQL NULL
    number,  // an integer, floating-point or numeric column: a JSON number when it is one (not NaN)
    boolean, // "t" or "f"
    text,    // anything else, as a JSON string
    array,   // an array, as a JSON string of its text; when cut, its end is kept (the latest values)
  };
  Kind kind = Kind::null;
  std::string text;
};

// A JSON string literal of `text` at most max_bytes long (quotes included; at least 8). When the text
// does not fit, its beginning (or with keep_end its end) is kept, "…" marks the cut, and *cut is set.
std::string json_string_within(std::string_view text, size_t max_bytes, bool keep_end, bool* cut);

// The value as JSON within max_bytes (a number that does not fit, or is not a JSON number, becomes a
// string, cut if needed).
std::string json_value_within(const AlertValue& value, size_t max_bytes, bool* cut);

// Row scope: {"matching_rows": N, "rows": [{"column": value, ...}, ...]} with at most
// kMaxAlertSampleRows rows, plus "cut": true when a value, a row or a column was left out or shortened.
// Each row holds (column name, value) pairs in the result's order.
using AlertRow = std::vector<std::pair<std::string, AlertValue>>;
std::string row_detail_json(uint64_t matching_rows, const std::vector<AlertRow>& rows);

// Result scope: {"values": {"<aggregate as written>": value, ...}}, plus "cut": true as above.
std::string result_detail_json(const std::vector<std::pair<std::string, AlertValue>>& values);

} // namespace autoreport::schedules
