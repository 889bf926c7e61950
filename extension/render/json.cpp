// JSON and NDJSON renderer.
//
// Decisions:
// - json: one array of objects, one object per line: "[\n{...},\n{...}\n]\n"; no rows gives "[]\n".
//   ndjson: one object per line, each line ending in "\n", no array; no rows gives no bytes.
// - Keys are the column names; a name used twice gets _2, _3, ... (see unique_keys) so no value is
//   lost to a duplicate key (names are made valid UTF-8 first).
// - NULL is null; Boolean is true/false; Text is a JSON string (see json_quote: control characters
//   escaped, invalid UTF-8 as U+FFFD, U+2028/U+2029 escaped so the output is also JavaScript).
// - Integer is a JSON number, except beyond JavaScript's safe range (|v| > 2^53-1), where a JSON
//   parser that reads numbers as doubles would change the value: those are strings by default, or
//   numbers with option "large_integers": "number" ("string" is the default; anything else is 22023).
// - Float and Numeric: their exact text as a JSON number (JSON allows any size and precision);
//   NaN, Infinity and -Infinity, which JSON cannot carry, as the strings "NaN", "Infinity", "-Infinity",
//   as PostgreSQL's to_json does. Text that is not a JSON number (never from the glue) is a string.
// - Date, Timestamp, TimestampTz, Time, Interval: strings of their ISO 8601 text.
// - Json (json, jsonb): embedded as JSON, with its insignificant whitespace removed so that a json
//   value written over several lines keeps NDJSON one object per line. Text that is not valid JSON
//   (never from the glue) is embedded as a JSON string, so the output is always valid JSON.
// - Bytes: base64 strings (RFC 4648, with padding).
// - Streams: one write per row.
#include "render/json.hpp"

#include "common/error.hpp"
#include "render/column_names.hpp"
#include "render/escape.hpp"
#include "render/json_text.hpp"
#include "render/utf8.hpp"

#include <charconv>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

// The largest integer a double represents exactly along with all smaller ones (JavaScript's
// Number.MAX_SAFE_INTEGER).
constexpr int64_t max_safe_integer = (int64_t{1} << 53) - 1;

class JsonRenderer final : public Renderer {
public:
  // Reads and checks the options, so that a bad one fails before any output.
  JsonRenderer(const Options& options, Output& out, bool ndjson) : out_(out), ndjson_(ndjson) {
    const std::string format = ndjson ? "ndjson" : "json";
    options.allow_only(format, {"large_integers"});
    const std::string large = options.text("large_integers", "string");
    if (large != "string" && large != "number") {
      throw Error(sqlstate::invalid_parameter_value,
                  "option \"large_integers\" must be \"string\" or \"number\"")
          .with_detail("It was \"" + large + "\".")
          .with_hint(
              "\"string\" keeps integers beyond 2^53-1 exact for JavaScript; \"number\" writes them as "
              "JSON numbers.");
    }
    large_as_number_ = large == "number";
  }

  // Prepares the quoted key of each column.
  void begin(const TableInfo& info) override {
    kinds_.clear();
    keys_.clear();
    // Names are made valid UTF-8 before they are made unique, so two names that differ only in
    // invalid bytes cannot become the same key.
    std::vector<Column> columns = info.columns;
    for (Column& c : columns) {
      c.name = repair_utf8(c.name);
    }
    for (const std::string& key : unique_keys(columns)) {
      keys_.push_back(json_quote(key) + ":");
    }
    for (const Column& c : info.columns) {
      kinds_.push_back(c.kind);
    }
    rows_ = 0;
  }

  // Writes one object.
  void row(std::span<const Cell> cells) override {
    line_.clear();
    if (!ndjson_) {
      line_ += rows_ == 0 ? "[\n" : ",\n";
    }
    line_ += '{';
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (i > 0) {
        line_ += ',';
      }
      line_ += keys_[i];
      append_value(kinds_[i], i < cells.size() ? cells[i] : Cell{}); // a missing cell is NULL
    }
    line_ += '}';
    if (ndjson_) {
      line_ += '\n';
    }
    out_.write(line_);
    ++rows_;
  }

  // Closes the array (json only).
  void end() override {
    if (!ndjson_) {
      out_.write(rows_ == 0 ? "[]\n" : "\n]\n");
    }
  }

private:
  // Appends an integer's decimal digits without a temporary string.
  void append_integer(int64_t value) {
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
    line_.append(digits, static_cast<size_t>(end - digits));
  }

  // Appends one cell as a JSON value.
  void append_value(Kind kind, const Cell& cell) {
    if (cell.is_null) {
      line_ += "null";
      return;
    }
    switch (kind) {
    case Kind::Boolean:
      line_ += cell.boolean ? "true" : "false";
      return;
    case Kind::Integer: {
      const bool safe = cell.integer >= -max_safe_integer && cell.integer <= max_safe_integer;
      if (safe || large_as_number_) {
        append_integer(cell.integer);
      } else {
        line_ += '"';
        append_integer(cell.integer);
        line_ += '"';
      }
      return;
    }
    case Kind::Float:
    case Kind::Numeric:
      if (cell.finite && is_json_number(cell.text)) {
        line_ += cell.text;
      } else {
        append_json_quoted(line_, cell.text);
      }
      return;
    case Kind::Json:
      if (!append_compact_json(line_, cell.text)) {
        append_json_quoted(line_, cell.text);
      }
      return;
    case Kind::Bytes:
      append_json_quoted(line_, base64_encode(cell.text));
      return;
    default:
      append_json_quoted(line_, cell.text);
      return;
    }
  }

  Output& out_;
  bool ndjson_;
  bool large_as_number_ = false;
  std::vector<std::string> keys_; // "\"name\":" per column
  std::vector<Kind> kinds_;
  size_t rows_ = 0;
  std::string line_; // the object being built, reused between rows
};

} // namespace

std::unique_ptr<Renderer> make_json(const Options& options, Output& out, bool ndjson) {
  return std::make_unique<JsonRenderer>(options, out, ndjson);
}

} // namespace autoreport::render
