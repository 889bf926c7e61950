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
}

} // namespace
} // namespace autoreport::reports
