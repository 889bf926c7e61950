// A report's parameter declarations: parsed from the user's JSON, checked for shape, normalised.
//
// Accepted forms of `params`:
//   [{"name": "since", "type": "date", "default": "2026-01-01"}, ...]   order as written
//   {"since": {"type": "date", "required": true}, "region": "text"}     order of first use in the query
// Fields: type (date, timestamptz, integer, bigint, numeric, text, boolean, or any of these with [] for
// an array; "enum" is text with "allowed"), required, nullable, default, min, max (integer, bigint,
// numeric, date, timestamptz), allowed (a list of values), max_length (text), max_items (arrays),
// description. The default of a date or timestamptz parameter may be a relative date
// (common/relative_date.hpp: "today", "start of last month", "today - 7 days"), resolved at each call.
// A parameter is NOT NULL unless declared "nullable": true.
// Typed checks of values (is "2026-02-30" a date? is the default within min and max?) need
// PostgreSQL's type input functions and happen in the glue (binding_pg.cpp).
#pragma once

#include "common/relative_date.hpp"
#include "reports/exact_json.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::reports {

enum class BaseType { Date, TimestampTz, Integer, BigInt, Numeric, Text, Boolean };

struct ParamSpec {
  std::string name;
  BaseType base = BaseType::Text;
  bool is_array = false;
  bool required = false;
  bool nullable = false; // an explicit NULL is a value (otherwise 22023)
  // JSON values as parse_exact_json reads them (numbers exact), typed-checked by the glue.
  std::optional<nlohmann::json> default_value;
  // A default that is a relative date (default_value holds its canonical spelling).
  std::optional<RelativeDate> relative_default;
  std::optional<nlohmann::json> min;
  std::optional<nlohmann::json> max;
  std::vector<nlohmann::json> allowed;
  std::optional<int64_t> max_length;
  std::optional<int64_t> max_items;
  std::string description;

  // The SQL type as it appears in the report function's signature: "date", "integer[]", ...
  std::string sql_type() const;
  // The element type's name: "date", "integer", ...
  std::string_view base_name() const;
  bool ordered() const; // min and max make sense
};

// Parses and checks the declarations (SQLSTATE 22023 naming the parameter and field on error).
// `query_order` is the order of first use of each placeholder in the query, used for the object form.
std::vector<ParamSpec> parse_params(std::string_view json_text, const std::vector<std::string>& query_order);

// The canonical JSON array stored in the catalog and shown to users, numbers exact as declared.
ExactJson params_to_json(const std::vector<ParamSpec>& params);

// True when name is a valid parameter name: a lower-case SQL identifier of at most 63 bytes.
bool valid_param_name(std::string_view name);

} // namespace autoreport::reports
