// Parameter declarations: accepted forms, normalisation, and a clear 22023 for every mistake.
#include "common/error.hpp"
#include "reports/params.hpp"

#include <gtest/gtest.h>

namespace autoreport::reports {
namespace {

// The message of the Error that parse_params throws for json, checking its SQLSTATE.
std::string error_of(std::string_view json, const std::vector<std::string>& order = {}) {
  try {
    parse_params(json, order);
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "22023") << e.message();
    return e.message();
  }
  return "no error";
}

TEST(Params, ArrayFormKeepsItsOrder) {
  const auto p = parse_params(R"([{"name": "until", "type": "date"}, {"name": "since", "type": "date",
                                  "default": "2026-01-01", "min": "2024-01-01", "description": "first day"}])",
                              {"since", "until"});
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].name, "until");
  EXPECT_EQ(p[1].name, "since");
  EXPECT_EQ(p[1].default_value->get<std::string>(), "2026-01-01");
  EXPECT_EQ(p[1].min->get<std::string>(), "2024-01-01");
  EXPECT_EQ(p[1].description, "first day");
}

TEST(Params, ObjectFormFollowsTheQueryAndAcceptsTypeShorthand) {
  const auto p =
      parse_params(R"({"a_last": "text", "region": "text", "since": {"type": "timestamp with time zone"}})",
                   {"since", "region"});
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].name, "since");
  EXPECT_EQ(p[0].sql_type(), "timestamptz");
  EXPECT_EQ(p[1].name, "region");
  EXPECT_EQ(p[2].name, "a_last"); // not in the query: after those that are
}

TEST(Params, TypesAliasesAndArrays) {
  const auto p = parse_params(R"([{"name": "a", "type": "INT"}, {"name": "b", "type": "int8[]"},
                                  {"name": "c", "type": "decimal"}, {"name": "d", "type": "bool"},
                                  {"name": "e", "type": "enum", "allowed": ["EMEA", "APAC"]}])",
                              {});
  EXPECT_EQ(p[0].sql_type(), "integer");
  EXPECT_EQ(p[1].sql_type(), "bigint[]");
  EXPECT_TRUE(p[1].is_array);
  EXPECT_EQ(p[2].sql_type(), "numeric");
  EXPECT_EQ(p[3].sql_type(), "boolean");
  EXPECT_EQ(p[4].sql_type(), "text");
  EXPECT_EQ(p[4].allowed.size(), 2u);
}

TEST(Params, NormalisedJsonIsCanonical) {
  const auto p = parse_params(R"({"n": {"type": "integer", "min": 1, "max": 100, "default": 10}})", {"n"});
  EXPECT_EQ(params_to_json(p).dump(),
            R"([{"default":10,"max":100,"min":1,"name":"n","required":false,"type":"integer"}])");
  EXPECT_TRUE(parse_params("null", {}).empty());
  EXPECT_TRUE(parse_params("[]", {}).empty());
}

TEST(Params, NumbersStayExactlyAsDeclared) {
  // A double would turn 0.1 into 0.1000000000000000055..., drop the last digits of the bigint bound
  // and refuse 1e400 (whose range is for the glue to judge, with the parameter's type).
  const auto p = parse_params(
      R"({"x": {"type": "numeric", "min": 0.1, "max": 12345678901234567890123.45, "default": 1e400,
                "allowed": [0.10, -0, 1E-7]},
          "b": {"type": "bigint[]", "max": 12345678901234567890, "default": [1, 18446744073709551617]}})",
      {"x", "b"});
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(number_text(*p[0].min), "0.1");
  EXPECT_EQ(number_text(*p[0].max), "12345678901234567890123.45");
  EXPECT_EQ(number_text(*p[0].default_value), "1e400");
  ASSERT_EQ(p[0].allowed.size(), 3u);
  EXPECT_EQ(number_text(p[0].allowed[0]), "0.10");
  EXPECT_EQ(number_text(p[0].allowed[2]), "1E-7");
  EXPECT_EQ(number_text(*p[1].max), "12345678901234567890");
  EXPECT_EQ(params_to_json(p).dump(),
            R"([{"allowed":[0.10,-0,1E-7],"default":1e400,"max":12345678901234567890123.45,"min":0.1,)"
            R"("name":"x","required":false,"type":"numeric"},)"
            R"({"default":[1,18446744073709551617],"max":12345678901234567890,"name":"b","required":false,)"
            R"("type":"bigint[]"}])");
  // The stored form reads back to the same declarations.
  EXPECT_EQ(params_to_json(parse_params(params_to_json(p).dump(), {})).dump(), params_to_json(p).dump());
  // Integers are written without a fraction or an exponent, however large.
  EXPECT_EQ(error_of(R"({"x": {"type": "bigint", "max": 1e3}})"), "parameter \"x\": max must be an integer");
  EXPECT_EQ(error_of(R"({"x": {"type": "text", "max_length": 99999999999999999999}})"),
            "parameter \"x\": max_length must be a non-negative integer");
  EXPECT_EQ(parse_params(R"({"x": {"type": "text", "max_length": 12}})", {})[0].max_length, 12);
}

TEST(ExactJson, ReadsWhatJsonAllowsAndNothingElse) {
  const auto j = parse_exact_json(R"( {"a": [1, -2.50, 3e+2, true, null, "\u00e9\n"], "b": {}, "c": []} )");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(dump_exact(j), R"({"a":[1,-2.50,3e+2,true,null,"é\n"],"b":{},"c":[]})");
  EXPECT_TRUE(is_exact_integer(j["a"][0]));
  EXPECT_FALSE(is_exact_integer(j["a"][1]));
  EXPECT_FALSE(is_exact_integer(j["a"][2]));
  EXPECT_EQ(exact_type_name(j["a"][1]), "number");
  EXPECT_EQ(exact_type_name(j["a"]), "array");
  EXPECT_EQ(dump_exact(parse_exact_json(R"({"k": 1, "k": 2})")), R"({"k":2})"); // last wins, as in jsonb
  for (const char* bad :
       {"", "{", "[1,]", "[01]", "[1.]", "[.5]", "[-]", "[1e]", "[+1]", "{\"a\" 1}", "{1: 2}", "[1] 2", "tru",
        "nul", "\"open", "\"\\u12\"", "[\"a\tb\"]", "NaN", "Infinity"}) {
    EXPECT_TRUE(parse_exact_json(bad).is_discarded()) << bad;
  }
  // Deep nesting is refused instead of exhausting the stack.
  EXPECT_TRUE(parse_exact_json(std::string(100000, '[')).is_discarded());
  EXPECT_FALSE(parse_exact_json(std::string(500, '[') + std::string(500, ']')).is_discarded());
  // A string can never pass for a number.
  EXPECT_FALSE(is_exact_number(parse_exact_json(R"("1")")));
}

TEST(Params, EveryMistakeIsNamed) {
  EXPECT_EQ(error_of("{"), "params must be JSON");
  EXPECT_EQ(error_of("42"), "params must be a JSON array or object");
  EXPECT_EQ(error_of(R"([{"type": "date"}])"),
            "each parameter in the params array must be an object with a \"name\"");
  EXPECT_EQ(error_of(R"({"Since": "date"})"), "invalid parameter name \"Since\"");
  EXPECT_EQ(error_of(R"({"1x": "date"})"), "invalid parameter name \"1x\"");
  EXPECT_EQ(error_of(R"({"x": "datetime"})"), "parameter \"x\" has unknown type \"datetime\"");
  EXPECT_EQ(error_of(R"({"x": {"required": true}})"), "parameter \"x\" needs a type");
  EXPECT_EQ(error_of(R"({"x": {"type": "date", "color": 1}})"),
            "parameter \"x\" has unknown field \"color\"");
  EXPECT_EQ(error_of(R"({"x": {"type": "date", "required": true, "default": "2026-01-01"}})"),
            "parameter \"x\" cannot be both required and have a default");
  EXPECT_EQ(error_of(R"({"x": {"type": "date", "default": 20260101}})"),
            "parameter \"x\": default must be a string");
  EXPECT_EQ(error_of(R"({"x": {"type": "integer", "default": 1.5}})"),
            "parameter \"x\": default must be an integer");
  EXPECT_EQ(error_of(R"({"x": {"type": "boolean", "default": "yes"}})"),
            "parameter \"x\": default must be true or false");
  EXPECT_EQ(error_of(R"({"x": {"type": "integer[]", "default": 1}})"),
            "parameter \"x\": default must be an array");
  EXPECT_EQ(error_of(R"({"x": {"type": "text", "min": "a"}})"),
            "parameter \"x\": min applies only to integer, bigint, numeric, date and timestamptz");
  EXPECT_EQ(error_of(R"({"x": {"type": "enum"}})"),
            "parameter \"x\" of type enum needs \"allowed\": the list of its values");
  EXPECT_EQ(error_of(R"({"x": {"type": "text", "allowed": []}})"),
            "parameter \"x\": allowed must be a non-empty list of values");
  EXPECT_EQ(error_of(R"({"x": {"type": "date", "max_length": 3}})"),
            "parameter \"x\": max_length applies only to text");
  EXPECT_EQ(error_of(R"({"x": {"type": "text", "max_length": -1}})"),
            "parameter \"x\": max_length must be a non-negative integer");
  EXPECT_EQ(error_of(R"({"x": {"type": "text", "max_items": 3}})"),
            "parameter \"x\": max_items applies only to arrays");
  EXPECT_EQ(error_of(R"([{"name": "x", "type": "text"}, {"name": "x", "type": "date"}])"),
            "parameter \"x\" is declared twice");
  EXPECT_EQ(error_of(R"({"x": {"name": "y", "type": "date"}})"),
            "parameter \"x\": \"name\" belongs only in the array form of params");
  EXPECT_EQ(error_of(R"({"x": {"type": "date", "nullable": "yes"}})"),
            "parameter \"x\": nullable must be true or false");
}

// A date or time default that reads as a relative date is one, in its canonical spelling; anything
// else stays a literal for the type's input function. Only nullable parameters say so in the JSON.
TEST(Params, RelativeDefaultsAndNullable) {
  const auto p = parse_params(R"({"since": {"type": "date", "default": "Today  -7 days"},
                                  "at": {"type": "timestamptz", "default": "now"},
                                  "day": {"type": "date", "default": "2026-01-01"},
                                  "word": {"type": "text", "default": "today"},
                                  "region": {"type": "text", "nullable": true}})",
                              {"since", "at", "day", "word", "region"});
  ASSERT_EQ(p.size(), 5u);
  ASSERT_TRUE(p[0].relative_default.has_value());
  EXPECT_EQ(p[0].default_value->get<std::string>(), "today - 7 days");
  ASSERT_TRUE(p[1].relative_default.has_value());
  EXPECT_TRUE(p[1].relative_default->now);
  EXPECT_FALSE(p[2].relative_default.has_value());
  EXPECT_FALSE(p[3].relative_default.has_value()); // text: "today" is a word
  EXPECT_FALSE(p[0].nullable);
  EXPECT_TRUE(p[4].nullable);
  const std::string j = params_to_json(p).dump();
  EXPECT_NE(j.find(R"("default":"today - 7 days")"), std::string::npos) << j;
  EXPECT_EQ(j.find(R"("nullable")"), j.rfind(R"("nullable")")) << j; // once: region's
  EXPECT_NE(j.find(R"("nullable":true,"required":false,"type":"text")"), std::string::npos) << j;
}

} // namespace
} // namespace autoreport::reports
