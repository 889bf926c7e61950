// Column presentation: labels, number styles, totals (see presentation.hpp).
#include "render/presentation.hpp"

#include "common/error.hpp"
#include "render/column_names.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

constexpr size_t max_label_bytes = 200;
constexpr int max_decimals = 10;

bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
char to_lower(char c) {
  return is_upper(c) ? static_cast<char>(c + 32) : c;
}

// The words of a name: split at separators and where a lower-case letter or digit meets an upper-case one.
std::vector<std::string> words_of(std::string_view name) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '_' || c == '-' || c == ' ' || c == '.') {
      if (!word.empty()) {
        words.push_back(std::move(word));
        word.clear();
      }
      continue;
    }
    if (is_upper(c) && !word.empty() &&
        (is_lower(word.back()) || (word.back() >= '0' && word.back() <= '9'))) {
      words.push_back(std::move(word));
      word.clear();
    }
    word.push_back(c);
  }
  if (!word.empty()) {
    words.push_back(std::move(word));
  }
  return words;
}

bool is_abbreviation(std::string_view lower) {
  static constexpr std::array<std::string_view, 12> known = {"id",  "url", "uuid", "sku", "ip",  "api",
                                                             "vat", "eu",  "us",   "uk",  "kpi", "csv"};
  return std::find(known.begin(), known.end(), lower) != known.end();
}

std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), to_lower);
  return out;
}

[[noreturn]] void bad(const std::string& message, const std::string& hint = "") {
  Error e(sqlstate::invalid_parameter_value, message);
  if (!hint.empty()) {
    e.with_hint(hint);
  }
  throw e;
}

NumberStyle style_named(std::string_view s) {
  if (s == "number") {
    return NumberStyle::number;
  }
  if (s == "currency") {
    return NumberStyle::currency;
  }
  if (s == "percent") {
    return NumberStyle::percent;
  }
  if (s == "text") {
    return NumberStyle::text;
  }
  return NumberStyle::automatic;
}

Total total_named(std::string_view s) {
  static constexpr std::pair<std::string_view, Total> names[] = {
      {"none", Total::none}, {"sum", Total::sum}, {"avg", Total::avg},
      {"min", Total::min},   {"max", Total::max}, {"count", Total::count},
  };
  for (const auto& [name, total] : names) {
    if (name == s) {
      return total;
    }
  }
  return Total::automatic;
}

// Checks one column's presentation object and returns it as the catalog keeps it.
nlohmann::json check_column(const std::string& name, const Column& column, const nlohmann::json& spec) {
  const std::string where = "column \"" + name + "\"";
  if (!spec.is_object()) {
    bad("the presentation of " + where + " must be a JSON object",
        "Write it like {\"label\": \"Revenue\", \"format\": \"currency\", \"currency\": \"EUR\"}.");
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : spec.items()) {
    if (key == "label") {
      if (!value.is_string() || value.get<std::string>().empty() ||
          value.get<std::string>().size() > max_label_bytes) {
        bad("the label of " + where + " must be a non-empty string of at most 200 bytes");
      }
      out["label"] = value;
    } else if (key == "format") {
      if (!value.is_string() || (style_named(value.get<std::string>()) == NumberStyle::automatic)) {
        bad("the format of " + where + " must be \"number\", \"currency\", \"percent\" or \"text\"");
      }
      out["format"] = value;
    } else if (key == "currency") {
      const std::string code = value.is_string() ? value.get<std::string>() : "";
      if (code.size() != 3 || !std::all_of(code.begin(), code.end(), is_upper)) {
        bad("the currency of " + where +
            " must be an ISO 4217 code of three capital letters, such as \"EUR\"");
      }
      out["currency"] = value;
    } else if (key == "decimals") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > max_decimals) {
        bad("the decimals of " + where + " must be an integer from 0 to 10");
      }
      out["decimals"] = value;
    } else if (key == "total") {
      if (!value.is_string() || total_named(value.get<std::string>()) == Total::automatic) {
        bad("the total of " + where + " must be \"sum\", \"avg\", \"min\", \"max\", \"count\" or \"none\"");
      }
      out["total"] = value;
    } else {
      bad("unknown key \"" + key + "\" in the presentation of " + where,
          "A column's presentation accepts: label, format, currency, decimals, total.");
    }
  }
  const bool numbers = is_numeric(column.kind);
  const std::string style = out.value("format", "");
  if (!numbers &&
      (style == "number" || style == "currency" || style == "percent" || out.contains("decimals"))) {
    bad(where + " holds " + column.type_name + ", not numbers: it cannot have a number format or decimals");
  }
  if ((style == "currency") != out.contains("currency")) {
    bad(style == "currency" ? where + " has format \"currency\" but no currency"
                            : where + " has a currency but not format \"currency\"",
        "Give both: {\"format\": \"currency\", \"currency\": \"EUR\"}.");
  }
  const std::string total = out.value("total", "");
  if (!numbers && total != "" && total != "count" && total != "none") {
    bad(where + " holds " + column.type_name + ", not numbers: its total can only be \"count\" or \"none\"");
  }
  return out;
}

} // namespace

std::string humanise(std::string_view name) {
  std::string out;
  for (const std::string& word : words_of(name)) {
    const std::string lower = lowered(word);
    std::string shown = is_abbreviation(lower) ? lowered(word) : word;
    if (is_abbreviation(lower)) {
      std::transform(shown.begin(), shown.end(), shown.begin(),
                     [](char c) { return is_lower(c) ? static_cast<char>(c - 32) : c; });
    } else if (!out.empty() && std::any_of(word.begin(), word.end(), is_lower)) {
      shown = lower; // "orderCount" → "Order count"; a word without lower case (EUR, Q1) stays
    }
    if (out.empty() && !shown.empty() && is_lower(shown[0])) {
      shown[0] = static_cast<char>(shown[0] - 32);
    }
    out += (out.empty() ? "" : " ") + shown;
  }
  return out.empty() ? std::string(name) : out;
}

std::string column_label(const Column& column, size_t index) {
  if (!column.label.empty()) {
    return column.label;
  }
  return column.name.empty() ? "Column " + std::to_string(index + 1) : humanise(column.name);
}

std::vector<std::pair<std::string, std::string>> parse_presentation(std::string_view json_text,
                                                                    const std::vector<Column>& columns) {
  const nlohmann::json spec = nlohmann::json::parse(json_text, nullptr, false);
  if (spec.is_discarded() || !spec.is_object()) {
    bad("columns must be a JSON object of column name to presentation",
        "Write it like '{\"revenue\": {\"label\": \"Revenue\", \"format\": \"currency\", \"currency\": "
        "\"EUR\"}}'.");
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& item : spec.items()) {
    const std::string& name = item.key();
    const nlohmann::json& value = item.value();
    const auto it =
        std::find_if(columns.begin(), columns.end(), [&](const Column& c) { return c.name == name; });
    if (it == columns.end()) {
      std::string known;
      for (size_t i = 0; i < columns.size(); ++i) {
        known += (i == 0 ? "" : ", ") + display_name(columns[i], i);
      }
      bad("the report has no column \"" + name + "\"", "Its columns are: " + known + ".");
    }
    out.emplace_back(name, check_column(name, *it, value).dump());
  }
  return out;
}

void apply_presentation(Column& column, std::string_view json_text) {
  if (json_text.empty()) {
    return;
  }
  const nlohmann::json p = nlohmann::json::parse(json_text, nullptr, false);
  if (!p.is_object()) {
    return;
  }
  column.label = p.value("label", "");
  column.style = style_named(p.value("format", ""));
  column.currency = p.value("currency", "");
  column.decimals = p.value("decimals", -1);
  column.total = total_named(p.value("total", ""));
}

std::optional<int> declared_scale(std::string_view type_name) {
  if (type_name == "money") {
    return 2;
  }
  constexpr std::string_view prefix = "numeric(";
  if (!type_name.starts_with(prefix) || !type_name.ends_with(")")) {
    return std::nullopt;
  }
  const size_t comma = type_name.find(',');
  if (comma == std::string_view::npos) {
    return 0; // numeric(p): scale 0
  }
  int scale = 0;
  for (size_t i = comma + 1; i + 1 < type_name.size(); ++i) {
    const char ch = type_name[i];
    if (ch < '0' || ch > '9') {
      return std::nullopt; // a negative scale (PostgreSQL 15 allows it)
    }
    scale = scale * 10 + (ch - '0');
    if (scale > 30) {
      return std::nullopt;
    }
  }
  return scale;
}

bool identifier_like(std::string_view name) {
  const std::string lower = lowered(name);
  static constexpr std::array<std::string_view, 9> whole = {"id",   "year",    "month", "day", "week",
                                                            "hour", "quarter", "code",  "zip"};
  static constexpr std::array<std::string_view, 8> suffixes = {"_id",   "_key",    "_code", "_no",
                                                               "_year", "_number", "_zip",  "id"};
  if (std::find(whole.begin(), whole.end(), lower) != whole.end()) {
    return true;
  }
  for (std::string_view s : suffixes) {
    // "id" alone as a suffix only in camel case (customerId, customerID), not in words like "paid".
    if (s == "id") {
      if (name.size() > 2 && (name.ends_with("Id") || name.ends_with("ID")) &&
          is_lower(name[name.size() - 3])) {
        return true;
      }
      continue;
    }
    if (lower.size() > s.size() && lower.ends_with(s)) {
      return true;
    }
  }
  return false;
}

Total effective_total(const Column& column) {
  if (column.total != Total::automatic) {
    return column.total;
  }
  const bool summable = is_numeric(column.kind) && column.style != NumberStyle::percent &&
                        column.style != NumberStyle::text &&
                        (column.style != NumberStyle::automatic || !identifier_like(column.name));
  return summable ? Total::sum : Total::none;
}

} // namespace autoreport::render
