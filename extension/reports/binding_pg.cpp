// Converting and checking parameter values with PostgreSQL's type system.
#include "reports/binding_pg.hpp"

#include "common/convert_pg.hpp"
#include "common/time_zone_pg.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "nodes/primnodes.h"
#include "utils/date.h"
#include "utils/timestamp.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
}

namespace autoreport::reports {

namespace {

using nlohmann::json;

std::string label(const ParamSpec& spec) {
  return "parameter \"" + spec.name + "\" (" + spec.sql_type() + ")";
}

Oid element_type(const ParamSpec& spec) {
  ParamSpec scalar = spec;
  scalar.is_array = false;
  return param_type(scalar);
}

// The text PostgreSQL's input function reads for a JSON scalar: a number exactly as written.
std::string scalar_text(const ParamSpec& spec, const json& v) {
  if (v.is_string()) {
    return v.get<std::string>();
  }
  if (v.is_boolean()) {
    return v.get<bool>() ? "true" : "false";
  }
  if (is_exact_number(v)) {
    return number_text(v);
  }
  throw Error(sqlstate::invalid_parameter_value, label(spec) + " must be a single " +
                                                     std::string(spec.base_name()) + " value, not " +
                                                     exact_type_name(v));
}

// At most 40 characters of a value, for a message: a numeric may have thousands of digits.
std::string shortened(const std::string& text) {
  if (text.size() <= 40) {
    return text;
  }
  return text.substr(0, 30) + "... (" + std::to_string(text.size()) + " characters)";
}

// One element through its type's input function; PostgreSQL's complaint becomes the detail.
// `what` names the value in messages: "value", "min", "default"...
Datum element_datum(const ParamSpec& spec, const json& v, std::string_view what = "value") {
  const std::string text = scalar_text(spec, v);
  try {
    return pg::input_value(element_type(spec), text);
  } catch (const Error& e) {
    if (e.sqlstate() == sqlstate::numeric_value_out_of_range) {
      throw Error(sqlstate::numeric_value_out_of_range, std::string(what) + " of parameter \"" + spec.name +
                                                            "\" is out of range for type " +
                                                            std::string(spec.base_name()))
          .with_detail("It was " + shortened(text) + ".");
    }
    const std::string_view base = spec.base_name();
    const bool vowel = base.front() == 'i';
    throw Error(sqlstate::invalid_parameter_value,
                "parameter \"" + spec.name + "\" must be " +
                    (spec.is_array ? "an array of " : (vowel ? "an " : "a ")) + std::string(base) +
                    (spec.is_array ? " values" : ""))
        .with_detail(e.message());
  }
}

int compare(Oid type, Datum a, Datum b) {
  return pg::guard([&] {
    TypeCacheEntry* tc = lookup_type_cache(type, TYPECACHE_CMP_PROC_FINFO);
    return DatumGetInt32(FunctionCall2Coll(&tc->cmp_proc_finfo, DEFAULT_COLLATION_OID, a, b));
  });
}

// Checks one non-null element against allowed values, bounds and length.
void check_element(const ParamSpec& spec, Datum value) {
  const Oid type = element_type(spec);
  if (!spec.allowed.empty()) {
    bool ok = false;
    std::string list;
    for (const json& a : spec.allowed) {
      ok = ok || compare(type, value, element_datum(spec, a)) == 0;
      list += (list.empty() ? "" : ", ") + scalar_text(spec, a);
    }
    if (!ok) {
      throw Error(sqlstate::invalid_parameter_value, label(spec) + " must be one of: " + list)
          .with_detail("It was " + pg::output_value(type, value) + ".");
    }
  }
  if (spec.min && compare(type, value, element_datum(spec, *spec.min)) < 0) {
    throw Error(sqlstate::invalid_parameter_value,
                label(spec) + " must be at least " + scalar_text(spec, *spec.min))
        .with_detail("It was " + pg::output_value(type, value) + ".");
  }
  if (spec.max && compare(type, value, element_datum(spec, *spec.max)) > 0) {
    throw Error(sqlstate::invalid_parameter_value,
                label(spec) + " must be at most " + scalar_text(spec, *spec.max))
        .with_detail("It was " + pg::output_value(type, value) + ".");
  }
  if (spec.max_length) {
    const std::string s = pg::text_to_string(value);
    const int64_t chars =
        pg::guard([&] { return pg_mbstrlen_with_len(s.data(), static_cast<int>(s.size())); });
    if (chars > *spec.max_length) {
      throw Error(sqlstate::invalid_parameter_value,
                  label(spec) + " must be at most " + std::to_string(*spec.max_length) + " characters long")
          .with_detail("It was " + std::to_string(chars) + " characters long.");
    }
  }
}

// Checks a whole value (scalar or array).
void check_value(const ParamSpec& spec, Datum value) {
  if (!spec.is_array) {
    check_element(spec, value);
    return;
  }
  const Oid type = element_type(spec);
  Datum* elems = nullptr;
  bool* nulls = nullptr;
  int n = 0;
  pg::guard([&] {
    ArrayType* arr = DatumGetArrayTypeP(value);
    int16 len;
    bool byval;
    char align;
    get_typlenbyvalalign(type, &len, &byval, &align);
    deconstruct_array(arr, type, len, byval, align, &elems, &nulls, &n);
  });
  if (spec.max_items && n > *spec.max_items) {
    throw Error(sqlstate::invalid_parameter_value,
                label(spec) + " may hold at most " + std::to_string(*spec.max_items) + " items")
        .with_detail("It held " + std::to_string(n) + ".");
  }
  for (int i = 0; i < n; ++i) {
    if (!nulls[i]) {
      check_element(spec, elems[i]);
    }
  }
}

// A JSON value (scalar or array) as a Datum of the parameter's type.
Datum json_datum(const ParamSpec& spec, const json& v, std::string_view what = "value") {
  if (!spec.is_array) {
    return element_datum(spec, v, what);
  }
  if (!v.is_array()) {
    throw Error(sqlstate::invalid_parameter_value, label(spec) + " must be a JSON array")
        .with_detail("It was a " + exact_type_name(v) + ".");
  }
  std::vector<std::optional<std::string>> texts;
  std::vector<Datum> datums;
  std::unique_ptr<bool[]> nulls(new bool[v.size() + 1]());
  size_t i = 0;
  for (const json& e : v) {
    nulls[i] = e.is_null();
    datums.push_back(e.is_null() ? Datum(0) : element_datum(spec, e, what));
    ++i;
  }
  return pg::make_array(datums, std::span<const bool>(nulls.get(), datums.size()), element_type(spec));
}

// The canonical bytes of a value: its type's binary send form, as hex.
std::string canonical(Oid type, Datum value) {
  bytea* bytes = pg::guard([&] {
    Oid send_fn;
    bool varlena;
    getTypeBinaryOutputInfo(type, &send_fn, &varlena);
    return OidSendFunctionCall(send_fn, value);
  });
  static const char* hex = "0123456789abcdef";
  std::string out;
  const auto* p = reinterpret_cast<const unsigned char*>(VARDATA(bytes));
  const size_t n = VARSIZE(bytes) - VARHDRSZ;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += hex[p[i] >> 4];
    out += hex[p[i] & 15];
  }
  pfree(bytes);
  return out;
}

// A value as PostgreSQL's to_json writes it (numbers as numbers, ISO 8601 dates and times, arrays as
// arrays), whatever the session's DateStyle: wrapped in a one-element array for array_to_json.
json as_json(Oid type, Datum value) {
  const bool is_array = pg::guard([&] { return OidIsValid(get_element_type(type)); });
  const std::string rendered = pg::guard([&] {
    if (is_array) {
      return TextDatumGetCString(DirectFunctionCall1(array_to_json, value));
    }
    Datum one = value;
    int16 len;
    bool byval;
    char align;
    get_typlenbyvalalign(type, &len, &byval, &align);
    ArrayType* arr = construct_array(&one, 1, type, len, byval, align);
    return TextDatumGetCString(DirectFunctionCall1(array_to_json, PointerGetDatum(arr)));
  });
  const json parsed = parse_exact_json(rendered);
  if (parsed.is_discarded()) {
    return json(rendered);
  }
  return !is_array && parsed.is_array() && parsed.size() == 1 ? parsed[0] : parsed;
}

// Fills key, display and JSON once every value is known.
void describe(const ReportVersion& report, BoundParams& b) {
  json values = json::object();
  for (size_t i = 0; i < report.params.size(); ++i) {
    const ParamSpec& spec = report.params[i];
    const pg::SpiParam& v = b.values[i];
    b.cache_key += spec.name + "=" + (v.is_null ? std::string("null") : canonical(v.type, v.value)) + ";";
    const std::string text = v.is_null ? std::string() : pg::output_value(v.type, v.value);
    b.display.emplace_back(spec.name, v.is_null ? std::string("NULL") : text);
    values[spec.name] = v.is_null ? json() : as_json(v.type, v.value);
  }
  b.json = dump_exact(values);
}

[[noreturn]] void missing(const ReportVersion& report, const ParamSpec& spec) {
  throw Error(sqlstate::invalid_parameter_value, "parameter \"" + spec.name + "\" is required")
      .with_detail("Report \"" + report.name + "\" needs a value of type " + spec.sql_type() + ".");
}

// An explicit NULL for a parameter that is not nullable.
[[noreturn]] void not_nullable(const ReportVersion& report, const ParamSpec& spec) {
  if (spec.required) {
    missing(report, spec);
  }
  std::string when_left_out = "NULL";
  if (spec.default_value) {
    when_left_out = spec.default_value->is_string() ? spec.default_value->get<std::string>()
                                                    : dump_exact(*spec.default_value);
  }
  throw Error(sqlstate::invalid_parameter_value,
              "parameter \"" + spec.name + "\" of report \"" + report.name + "\" must not be null")
      .with_hint("Leave it out to use its default (" + when_left_out +
                 "), or declare the parameter \"nullable\": true.");
}

// The value of a parameter left out: its default (a relative date resolved now), or NULL.
pg::SpiParam default_value(const ParamSpec& spec) {
  const Oid type = param_type(spec);
  if (spec.relative_default) {
    const Datum d = resolve_relative_default(spec);
    check_value(spec, d);
    return {type, d, false};
  }
  if (spec.default_value) {
    return {type, json_datum(spec, *spec.default_value), false};
  }
  return {type, Datum(0), true};
}

// Whether argument `arg` of the call was left out (PostgreSQL put the function's DEFAULT NULL there):
// the planner inserts the stored default, a NULL constant with no place in the query's text. An
// explicit NULL was written somewhere (a constant with a location, or a parameter). A NULL bound to
// a parameter of a custom plan becomes a constant without location too, and counts as left out.
bool left_out(FunctionCallInfo fcinfo, int arg) {
  const Node* expr = fcinfo->flinfo != nullptr ? fcinfo->flinfo->fn_expr : nullptr;
  if (expr == nullptr || !IsA(expr, FuncExpr)) {
    return true; // no call expression to look at: as before, NULL is the default
  }
  const List* args = reinterpret_cast<const FuncExpr*>(expr)->args;
  if (arg >= list_length(args)) {
    return true;
  }
  const Node* a = static_cast<const Node*>(list_nth(args, arg));
  while (a != nullptr && IsA(a, RelabelType)) {
    a = reinterpret_cast<const Node*>(reinterpret_cast<const RelabelType*>(a)->arg);
  }
  return a != nullptr && IsA(a, Const) && reinterpret_cast<const Const*>(a)->constisnull &&
         reinterpret_cast<const Const*>(a)->location < 0;
}

} // namespace

BoundParams bind_json(const ReportVersion& report, const std::string& params_json) {
  const json given = params_json.empty() ? json::object() : parse_exact_json(params_json);
  if (given.is_discarded() || !given.is_object()) {
    throw Error(sqlstate::invalid_parameter_value, "report parameters must be a JSON object")
        .with_hint("Pass them like '{\"since\": \"2026-01-01\"}'.");
  }
  for (const auto& [key, value] : given.items()) {
    bool known = false;
    for (const ParamSpec& spec : report.params) {
      known = known || spec.name == key;
    }
    if (!known) {
      std::string list;
      for (const ParamSpec& spec : report.params) {
        list += (list.empty() ? "" : ", ") + spec.name + " (" + spec.sql_type() + ")";
      }
      throw Error(sqlstate::invalid_parameter_value,
                  "report \"" + report.name + "\" has no parameter \"" + key + "\"")
          .with_hint(list.empty() ? "It takes no parameters." : "Its parameters are: " + list + ".");
    }
  }
  BoundParams b;
  for (const ParamSpec& spec : report.params) {
    const Oid type = param_type(spec);
    const auto it = given.find(spec.name);
    if (it == given.end()) {
      if (spec.required) {
        missing(report, spec);
      }
      b.values.push_back(default_value(spec));
      continue;
    }
    if (it->is_null()) {
      if (!spec.nullable) {
        not_nullable(report, spec);
      }
      b.values.push_back({type, Datum(0), true});
      continue;
    }
    const Datum d = json_datum(spec, *it);
    check_value(spec, d);
    b.values.push_back({type, d, false});
  }
  describe(report, b);
  return b;
}

BoundParams bind_args(const ReportVersion& report, FunctionCallInfo fcinfo) {
  if (fcinfo->nargs != static_cast<int>(report.params.size())) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "function of report \"" + report.name + "\" does not match its current version")
        .with_hint("Redefine the report with autoreport.define_report() to recreate its function.");
  }
  // The function lists required parameters first; match arguments to declarations by name.
  std::vector<std::string> order;
  for (const ParamSpec& spec : report.params) {
    if (spec.required) {
      order.push_back(spec.name);
    }
  }
  for (const ParamSpec& spec : report.params) {
    if (!spec.required) {
      order.push_back(spec.name);
    }
  }
  BoundParams b;
  for (const ParamSpec& spec : report.params) {
    const int arg = static_cast<int>(std::find(order.begin(), order.end(), spec.name) - order.begin());
    const bool is_null = PG_ARGISNULL(arg);
    if (is_null && spec.required) {
      missing(report, spec);
    }
    // NULL is the value of an optional parameter without a default that was left out; written
    // explicitly, it must be allowed.
    if (is_null && !spec.nullable && (spec.default_value || !left_out(fcinfo, arg))) {
      not_nullable(report, spec);
    }
    const Datum d = is_null ? Datum(0) : PG_GETARG_DATUM(arg);
    if (!is_null) {
      check_value(spec, d);
    }
    b.values.push_back({param_type(spec), d, is_null});
  }
  describe(report, b);
  return b;
}

void validate_declaration(const ParamSpec& spec) {
  for (const json& a : spec.allowed) {
    element_datum(spec, a, "allowed value");
  }
  std::optional<Datum> lo;
  std::optional<Datum> hi;
  if (spec.min) {
    lo = element_datum(spec, *spec.min, "min");
  }
  if (spec.max) {
    hi = element_datum(spec, *spec.max, "max");
  }
  if (lo && hi && compare(element_type(spec), *lo, *hi) > 0) {
    throw Error(sqlstate::invalid_parameter_value, label(spec) + ": min is greater than max");
  }
  if (spec.default_value && !spec.relative_default) { // a relative one is checked at each call
    try {
      check_value(spec, json_datum(spec, *spec.default_value, "default"));
    } catch (const Error& e) {
      if (e.sqlstate() == sqlstate::numeric_value_out_of_range) {
        throw; // its message already names the default
      }
      throw Error(sqlstate::invalid_parameter_value, "default of " + e.message()).with_detail(e.detail());
    }
  }
}

LocalDateTime resolve_at_transaction_start(const RelativeDate& date, std::optional<TimestampTz>* instant) {
  const TimestampTz start = GetCurrentTransactionStartTimestamp();
  const pg::NamedZone session = pg::session_zone(false);
  const pg::PgZone zone(session.tz);
  const LocalDateTime v = resolve(date, pg::to_unix_seconds(start), zone);
  *instant = pg::from_unix_seconds(v.instant(zone));
  if (*instant && v.has_time) { // "now" and what derives from it keep now()'s microseconds
    **instant += start % USECS_PER_SEC;
  }
  return v;
}

Datum resolve_relative_default(const ParamSpec& spec) {
  std::optional<TimestampTz> t;
  const LocalDateTime v = resolve_at_transaction_start(*spec.relative_default, &t);
  if (spec.base == BaseType::Date) {
    return DateADTGetDatum(static_cast<DateADT>(v.days() - (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE)));
  }
  if (!t) {
    throw Error(sqlstate::datetime_field_overflow,
                "default of parameter \"" + spec.name + "\" is out of range for type timestamptz");
  }
  return TimestampTzGetDatum(*t);
}

std::string default_literal(const ParamSpec& spec) {
  if (spec.required) {
    // Left out, the parameter's default raises 22023 naming it (PostgreSQL would say only that no
    // function matches).
    char* quoted = pg::guard([&] { return quote_literal_cstr(spec.name.c_str()); });
    std::string out = "autoreport.required(" + std::string(quoted) + ", NULL::" + spec.sql_type() + ")";
    pfree(quoted);
    return out;
  }
  if (spec.relative_default) {
    char* quoted = pg::guard([&] { return quote_literal_cstr(spec.relative_default->text().c_str()); });
    std::string out = "autoreport.relative_date(" + std::string(quoted) + ")" +
                      (spec.base == BaseType::Date ? "::date" : "");
    pfree(quoted);
    return out;
  }
  if (!spec.default_value) {
    return "NULL::" + spec.sql_type();
  }
  const Datum d = json_datum(spec, *spec.default_value);
  const std::string text = pg::output_value(param_type(spec), d);
  char* quoted = pg::guard([&] { return quote_literal_cstr(text.c_str()); });
  std::string out = std::string(quoted) + "::" + spec.sql_type();
  pfree(quoted);
  return out;
}

} // namespace autoreport::reports
