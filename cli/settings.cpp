// Parameters and options from the command line to JSON (see settings.hpp).
#include "cli/settings.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <map>
#include <utility>

namespace autoreport::cli {

namespace {

// A JSON string literal; refuses text that is not UTF-8 (the server would too, less clearly).
std::string quoted(const std::string& text, std::string_view what) {
  try {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception&) {
    throw UsageError{std::string(what) + " is not valid UTF-8"};
  }
}

// A NAME:=JSON value, checked and kept as written (trimmed), so numbers stay exact.
std::string raw(const Setting& s, std::string_view kind) {
  if (!nlohmann::json::accept(s.value)) {
    throw UsageError{std::string(kind) + " \"" + s.name + "\": " + s.value +
                     " is not a JSON value (for text, write " + s.name + "=VALUE)"};
  }
  const size_t first = s.value.find_first_not_of(" \t\r\n");
  const size_t last = s.value.find_last_not_of(" \t\r\n");
  return s.value.substr(first, last - first + 1);
}

// An object from (key, value text) pairs in order; keys are escaped here.
std::string object(const std::vector<std::pair<std::string, std::string>>& members, std::string_view kind) {
  std::string out = "{";
  for (const auto& [key, value] : members) {
    out += (out.size() > 1 ? ", " : "") + quoted(key, std::string(kind) + " name") + ": " + value;
  }
  return out + "}";
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

constexpr std::array<std::string_view, 5> kBooleanOptions = {"header", "formula_guard", "chart", "totals",
                                                             "parameters_sheet"};
// Options that are true, false or a word (chart: "first", "last").
constexpr std::array<std::string_view, 1> kBooleanOrWordOptions = {"chart"};
constexpr std::array<std::string_view, 4> kIntegerOptions = {"width", "height", "max_points", "scale"};

bool contains(const auto& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::string option_value(const Setting& s) {
  if (contains(kBooleanOptions, s.name)) {
    const std::string v = lower(s.value);
    if (v == "true" || v == "t" || v == "on" || v == "yes" || v == "1") {
      return "true";
    }
    if (v == "false" || v == "f" || v == "off" || v == "no" || v == "0") {
      return "false";
    }
    if (contains(kBooleanOrWordOptions, s.name)) {
      return quoted(s.value, "option \"" + s.name + "\"");
    }
    throw UsageError{"option \"" + s.name + "\" must be true or false, not \"" + s.value + "\""};
  }
  if (contains(kIntegerOptions, s.name)) {
    long long n = 0;
    const char* end = s.value.data() + s.value.size();
    const auto [ptr, ec] = std::from_chars(s.value.data(), end, n);
    if (s.value.empty() || ec != std::errc() || ptr != end) {
      throw UsageError{"option \"" + s.name + "\" must be a whole number, not \"" + s.value + "\""};
    }
    return std::to_string(n);
  }
  return quoted(s.value, "option \"" + s.name + "\"");
}

} // namespace

std::string params_object(const std::vector<Setting>& params, const std::set<std::string>& array_params) {
  std::vector<std::pair<std::string, std::string>> members;
  std::map<std::string, size_t> at;                         // member index by name
  std::map<std::string, std::vector<std::string>> elements; // array parameters given NAME=VALUE
  for (const Setting& s : params) {
    const bool is_array = array_params.contains(s.name);
    const auto seen = at.find(s.name);
    if (seen != at.end() && (s.raw_json || !is_array || !elements.contains(s.name))) {
      throw UsageError{"parameter \"" + s.name + "\" is given more than once" +
                       (is_array ? " (an array parameter is given once per element as NAME=VALUE, or "
                                   "once as NAME:=JSON)"
                                 : "")};
    }
    const std::string value =
        s.raw_json ? raw(s, "parameter") : quoted(s.value, "parameter \"" + s.name + "\"");
    if (seen == at.end()) {
      at[s.name] = members.size();
      members.emplace_back(s.name, value);
    }
    if (is_array && !s.raw_json) {
      elements[s.name].push_back(value);
    }
  }
  for (const auto& [name, list] : elements) {
    std::string arr = "[";
    for (const std::string& e : list) {
      arr += (arr.size() > 1 ? ", " : "") + e;
    }
    members[at[name]].second = arr + "]";
  }
  return object(members, "parameter");
}

std::string options_object(const std::vector<Setting>& options) {
  std::vector<std::pair<std::string, std::string>> members;
  for (const Setting& s : options) {
    for (const auto& m : members) {
      if (m.first == s.name) {
        throw UsageError{"option \"" + s.name + "\" is given more than once"};
      }
    }
    members.emplace_back(s.name, s.raw_json ? raw(s, "option") : option_value(s));
  }
  return object(members, "option");
}

void check_json_object(std::string_view text, std::string_view flag) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw UsageError{std::string(flag) + " must be a JSON object, like '{\"since\": \"2026-01-01\"}'"};
  }
}

std::string format_for_file(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) {
    return "";
  }
  const std::string ext = lower(base.substr(dot + 1));
  static const std::map<std::string, std::string, std::less<>> kByExtension = {
      {"csv", "csv"},   {"tsv", "tsv"},  {"json", "json"},   {"ndjson", "ndjson"},     {"jsonl", "ndjson"},
      {"html", "html"}, {"htm", "html"}, {"md", "markdown"}, {"markdown", "markdown"}, {"xlsx", "xlsx"},
      {"svg", "svg"},   {"pdf", "pdf"},  {"png", "png"}};
  const auto it = kByExtension.find(ext);
  return it == kByExtension.end() ? "" : it->second;
}

} // namespace autoreport::cli
