// Parsing and normalising parameter declarations.
#include "reports/params.hpp"

#include "common/error.hpp"
#include "reports/exact_json.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "common/pure.hpp"

namespace autoreport::reports {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& message, const std::string& hint = "") {
  Error e(sqlstate::invalid_parameter_value, message);
  if (!hint.empty()) {
    e.with_hint(hint);
  }
  throw e;
}

const char* kTypeList =
    "date, timestamptz, integer, bigint, numeric, text, boolean, enum, or one of these with []";

struct TypeName {
  std::string_view name;
  BaseType base;
};
constexpr TypeName kTypeNames[] = {
    {"date", BaseType::Date},
    {"timestamptz", BaseType::TimestampTz},
    {"timestamp with time zone", BaseType::TimestampTz},
    {"integer", BaseType::Integer},
    {"int", BaseType::Integer},
    {"int4", BaseType::Integer},
    {"bigint", BaseType::BigInt},
    {"int8", BaseType::BigInt},
    {"numeric", BaseType::Numeric},
    {"decimal", BaseType::Numeric},
    {"text", BaseType::Text},
    {"enum", BaseType::Text},
    {"boolean", BaseType::Boolean},
    {"bool", BaseType::Boolean},
};

// Reads the "type" field into spec.base / spec.is_array; returns whether it was "enum".
bool read_type(ParamSpec& spec, const json& type) {
  if (!type.is_string()) {
    bad("parameter \"" + spec.name + "\" needs a type",
        std::string("Give \"type\": one of ") + kTypeList + ".");
  }
  std::string t = type.get<std::string>();
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t.size() > 2 && t.compare(t.size() - 2, 2, "[]") == 0) {
    spec.is_array = true;
    t.resize(t.size() - 2);
  }
  for (const TypeName& n : kTypeNames) {
    if (n.name == t) {
      spec.base = n.base;
      return t == "enum";
    }
  }
  bad("parameter \"" + spec.name + "\" has unknown type \"" + type.get<std::string>() + "\"",
      std::string("Use ") + kTypeList + ".");
}

// A JSON scalar that can stand for a value of the parameter's element type (typed check later).
void check_scalar(const ParamSpec& spec, std::string_view field, const json& v) {
  const std::string where = "parameter \"" + spec.name + "\": " + std::string(field);
  switch (spec.base) {
  case BaseType::Boolean:
    if (!v.is_boolean()) {
      bad(where + " must be true or false");
    }
    return;
  case BaseType::Integer:
  case BaseType::BigInt:
    if (!is_exact_integer(v) && !v.is_string()) {
      bad(where + " must be an integer");
    }
    return;
  case BaseType::Numeric:
    if (!is_exact_number(v) && !v.is_string()) {
      bad(where + " must be a number");
    }
    return;
  default:
    if (!v.is_string()) {
      bad(where + " must be a string",
          "Write dates as \"2026-01-31\" and times as \"2026-01-31T09:00:00Z\".");
    }
  }
}

std::optional<int64_t> positive(const ParamSpec& spec, const json& field, std::string_view name) {
  if (field.is_null()) {
    return std::nullopt;
  }
  int64_t n = -1;
  if (is_exact_integer(field)) {
    const std::string text = number_text(field);
    if (std::from_chars(text.data(), text.data() + text.size(), n).ec != std::errc()) {
      n = -1;
    }
  }
  if (n < 0) {
    bad("parameter \"" + spec.name + "\": " + std::string(name) + " must be a non-negative integer");
  }
  return n;
}

ParamSpec read_spec(std::string name, const json& decl) {
  ParamSpec spec;
  spec.name = std::move(name);
  if (!valid_param_name(spec.name)) {
    bad("invalid parameter name \"" + spec.name + "\"",
        "Parameter names are lower-case SQL identifiers: letters, digits and _, not starting with a digit.");
  }
  if (decl.is_string()) {
    read_type(spec, decl);
    return spec;
  }
  if (!decl.is_object()) {
    bad("parameter \"" + spec.name + "\" must be declared as an object or a type name");
  }
  static const char* kFields[] = {"name", "type",    "required",   "nullable",  "default",    "min",
                                  "max",  "allowed", "max_length", "max_items", "description"};
  for (const auto& [key, value] : decl.items()) {
    if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) {
      bad("parameter \"" + spec.name + "\" has unknown field \"" + key + "\"",
          "Fields are: type, required, nullable, default, min, max, allowed, max_length, max_items, "
          "description.");
    }
  }
  const bool is_enum = read_type(spec, decl.value("type", json()));
  if (decl.contains("required")) {
    if (!decl["required"].is_boolean()) {
      bad("parameter \"" + spec.name + "\": required must be true or false");
    }
    spec.required = decl["required"].get<bool>();
  }
  if (decl.contains("nullable")) {
    if (!decl["nullable"].is_boolean()) {
      bad("parameter \"" + spec.name + "\": nullable must be true or false");
    }
    spec.nullable = decl["nullable"].get<bool>();
  }
  if (decl.contains("description")) {
    if (!decl["description"].is_string()) {
      bad("parameter \"" + spec.name + "\": description must be a string");
    }
    spec.description = decl["description"].get<std::string>();
  }
  if (decl.contains("default") && !decl["default"].is_null()) {
    if (spec.required) {
      bad("parameter \"" + spec.name + "\" cannot be both required and have a default");
    }
    const json& d = decl["default"];
    if (spec.is_array) {
      if (!d.is_array()) {
        bad("parameter \"" + spec.name + "\": default must be an array");
      }
      for (const json& e : d) {
        check_scalar(spec, "default element", e);
      }
    } else {
      check_scalar(spec, "default", d);
    }
    spec.default_value = d;
    // A date or time default that reads as a relative date is one: resolved at each call.
    if (!spec.is_array && (spec.base == BaseType::Date || spec.base == BaseType::TimestampTz) &&
        d.is_string()) {
      try {
        spec.relative_default = parse_relative_date(d.get<std::string>());
        spec.default_value = spec.relative_default->text();
      } catch (const Error&) {
        // not relative: a date or time the glue reads with the type's input function
      }
    }
  }
  for (const char* bound : {"min", "max"}) {
    if (decl.contains(bound) && !decl[bound].is_null()) {
      if (!spec.ordered()) {
        bad("parameter \"" + spec.name + "\": " + bound +
            " applies only to integer, bigint, numeric, date and timestamptz");
      }
      check_scalar(spec, bound, decl[bound]);
      (std::string_view(bound) == "min" ? spec.min : spec.max) = decl[bound];
    }
  }
  if (decl.contains("allowed") && !decl["allowed"].is_null()) {
    const json& a = decl["allowed"];
    if (!a.is_array() || a.empty()) {
      bad("parameter \"" + spec.name + "\": allowed must be a non-empty list of values");
    }
    for (const json& v : a) {
      check_scalar(spec, "allowed value", v);
      spec.allowed.push_back(v);
    }
  } else if (is_enum) {
    bad("parameter \"" + spec.name + "\" of type enum needs \"allowed\": the list of its values");
  }
  spec.max_length = positive(spec, decl.value("max_length", json()), "max_length");
  if (spec.max_length && spec.base != BaseType::Text) {
    bad("parameter \"" + spec.name + "\": max_length applies only to text");
  }
  spec.max_items = positive(spec, decl.value("max_items", json()), "max_items");
  if (spec.max_items && !spec.is_array) {
    bad("parameter \"" + spec.name + "\": max_items applies only to arrays");
  }
  return spec;
}

} // namespace

bool valid_param_name(std::string_view name) {
  if (name.empty() || name.size() > 63 || (name[0] >= '0' && name[0] <= '9')) {
    return false;
  }
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

std::string_view ParamSpec::base_name() const {
  switch (base) {
  case BaseType::Date:
    return "date";
  case BaseType::TimestampTz:
    return "timestamptz";
  case BaseType::Integer:
    return "integer";
  case BaseType::BigInt:
    return "bigint";
  case BaseType::Numeric:
    return "numeric";
  case BaseType::Boolean:
    return "boolean";
  case BaseType::Text:
    break;
  }
  return "text";
}

std::string ParamSpec::sql_type() const {
  return std::string(base_name()) + (is_array ? "[]" : "");
}

bool ParamSpec::ordered() const {
  return base != BaseType::Text && base != BaseType::Boolean;
}

std::vector<ParamSpec> parse_params(std::string_view json_text, const std::vector<std::string>& query_order) {
  std::vector<ParamSpec> out;
  if (json_text.empty() || json_text == "null") {
    return out;
  }
  const json j = parse_exact_json(json_text);
  if (j.is_discarded()) {
    bad("params must be JSON");
  }
  if (j.is_array()) {
    for (const json& decl : j) {
      if (!decl.is_object() || !decl.contains("name") || !decl["name"].is_string()) {
        bad("each parameter in the params array must be an object with a \"name\"");
      }
      out.push_back(read_spec(decl["name"].get<std::string>(), decl));
    }
  } else if (j.is_object()) {
    // Object keys have no order in jsonb: use the order of first use in the query, then the rest
    // in name order.
    std::vector<std::string> keys;
    for (const auto& [key, value] : j.items()) {
      keys.push_back(key);
    }
    std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
      const auto pa = std::find(query_order.begin(), query_order.end(), a) - query_order.begin();
      const auto pb = std::find(query_order.begin(), query_order.end(), b) - query_order.begin();
      return pa < pb;
    });
    for (const std::string& key : keys) {
      if (j[key].is_object() && j[key].contains("name")) {
        bad("parameter \"" + key + "\": \"name\" belongs only in the array form of params");
      }
      out.push_back(read_spec(key, j[key]));
    }
  } else {
    bad("params must be a JSON array or object",
        "Write '[{\"name\": \"since\", \"type\": \"date\"}]' or '{\"since\": \"date\"}'.");
  }
  for (size_t i = 0; i < out.size(); ++i) {
    for (size_t k = 0; k < i; ++k) {
      if (out[k].name == out[i].name) {
        bad("parameter \"" + out[i].name + "\" is declared twice");
      }
    }
  }
  return out;
}

ExactJson params_to_json(const std::vector<ParamSpec>& params) {
  json arr = json::array();
  for (const ParamSpec& p : params) {
    json o = json::object();
    o["name"] = p.name;
    o["type"] = p.sql_type();
    o["required"] = p.required;
    if (p.nullable) {
      o["nullable"] = true;
    }
    if (p.default_value) {
      o["default"] = *p.default_value;
    }
    if (p.min) {
      o["min"] = *p.min;
    }
    if (p.max) {
      o["max"] = *p.max;
    }
    if (!p.allowed.empty()) {
      o["allowed"] = p.allowed;
    }
    if (p.max_length) {
      o["max_length"] = exact_number(std::to_string(*p.max_length));
    }
    if (p.max_items) {
      o["max_items"] = exact_number(std::to_string(*p.max_items));
    }
    if (!p.description.empty()) {
      o["description"] = p.description;
    }
    arr.push_back(std::move(o));
  }
  return {std::move(arr)};
}

} // namespace autoreport::reports
