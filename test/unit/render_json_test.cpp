// JSON and NDJSON as a JSON parser (and JavaScript) will read them.
#include "render/json.hpp"

#include "render_text_support.hpp"

#include <nlohmann/json.hpp>

namespace autoreport::render {
namespace {

using namespace testing;
using nlohmann::json;

const Factory json_array = [](const Options& o, Output& out) { return make_json(o, out, false); };
const Factory ndjson = [](const Options& o, Output& out) { return make_json(o, out, true); };

TableInfo people() {
  return table({{"id", Kind::Integer, "integer"}, {"name", Kind::Text, "text"}});
}

TEST(RenderJson, WritesOneCompactObjectPerLineInAnArray) {
  EXPECT_EQ(render(json_array, people(),
                   {{integer_cell(1, "1"), text_cell("Alice")}, {integer_cell(2, "2"), null_cell()}}),
            "[\n{\"id\":1,\"name\":\"Alice\"},\n{\"id\":2,\"name\":null}\n]\n");
  EXPECT_EQ(render(json_array, people(), {{integer_cell(7, "7"), text_cell("x")}}),
            "[\n{\"id\":7,\"name\":\"x\"}\n]\n");
}

TEST(RenderJson, EmptyResultIsAnEmptyArray) {
  EXPECT_EQ(render(json_array, people(), {}), "[]\n");
  EXPECT_EQ(render(ndjson, people(), {}), "");
}

TEST(RenderJson, NdjsonWritesOneObjectPerLine) {
  EXPECT_EQ(render(ndjson, people(),
                   {{integer_cell(1, "1"), text_cell("a\nb")}, {integer_cell(2, "2"), null_cell()}}),
            "{\"id\":1,\"name\":\"a\\nb\"}\n{\"id\":2,\"name\":null}\n");
}

TEST(RenderJson, EveryKindParsesBackToTheRightJsonType) {
  const TableInfo info = table({{"b", Kind::Boolean, "boolean"},
                                {"i", Kind::Integer, "bigint"},
                                {"f", Kind::Float, "double precision"},
                                {"n", Kind::Numeric, "numeric"},
                                {"t", Kind::Text, "text"},
                                {"d", Kind::Date, "date"},
                                {"ts", Kind::Timestamp, "timestamp"},
                                {"tz", Kind::TimestampTz, "timestamp with time zone"},
                                {"tm", Kind::Time, "time"},
                                {"iv", Kind::Interval, "interval"},
                                {"j", Kind::Json, "jsonb"},
                                {"by", Kind::Bytes, "bytea"}});
  const std::string out =
      render(json_array, info,
             {{bool_cell(true), integer_cell(-42, "-42"), number_cell("0.1"), number_cell("12.50"),
               text_cell("héllo \"q\""), text_cell("2026-01-31"), text_cell("2026-01-31T09:30:00"),
               text_cell("2026-01-31T09:30:00+01:00"), text_cell("09:30:00"), text_cell("P1DT2H"),
               text_cell("{\"k\": [1, \"v\"]}"), text_cell("foobar")}});
  const json expected =
      json::parse(R"([{"b":true,"i":-42,"f":0.1,"n":12.50,"t":"héllo \"q\"","d":"2026-01-31",
    "ts":"2026-01-31T09:30:00","tz":"2026-01-31T09:30:00+01:00","tm":"09:30:00","iv":"P1DT2H",
    "j":{"k":[1,"v"]},"by":"Zm9vYmFy"}])");
  EXPECT_EQ(json::parse(out), expected);
  EXPECT_NE(out.find("\"n\":12.50,"), std::string::npos) << "numeric text is kept exactly";
}

TEST(RenderJson, KeepsNumericPrecisionExactly) {
  const TableInfo info = table({{"n", Kind::Numeric, "numeric"}});
  EXPECT_EQ(render(ndjson, info,
                   {{number_cell("123456789012345678901234567890.123456789")}, {number_cell("1e-7")}}),
            "{\"n\":123456789012345678901234567890.123456789}\n{\"n\":1e-7}\n");
}

TEST(RenderJson, NonFiniteNumbersAreStringsAsInToJson) {
  const TableInfo info = table({{"f", Kind::Float, "real"}, {"n", Kind::Numeric, "numeric"}});
  const std::string out = render(ndjson, info,
                                 {{number_cell("NaN", false), number_cell("Infinity", false)},
                                  {number_cell("-Infinity", false), number_cell("NaN", false)}});
  EXPECT_EQ(out, "{\"f\":\"NaN\",\"n\":\"Infinity\"}\n{\"f\":\"-Infinity\",\"n\":\"NaN\"}\n");
}

TEST(RenderJson, IntegersBeyondJavaScriptSafeRangeAreStringsByDefault) {
  const TableInfo info = table({{"v", Kind::Integer, "bigint"}});
  const std::vector<std::vector<Cell>> rows = {{integer_cell(9007199254740991, "9007199254740991")},
                                               {integer_cell(-9007199254740991, "-9007199254740991")},
                                               {integer_cell(9007199254740992, "9007199254740992")},
                                               {integer_cell(-9007199254740992, "-9007199254740992")},
                                               {integer_cell(INT64_MIN, "-9223372036854775808")},
                                               {integer_cell(INT64_MAX, "9223372036854775807")}};
  EXPECT_EQ(render(ndjson, info, rows), "{\"v\":9007199254740991}\n"
                                        "{\"v\":-9007199254740991}\n"
                                        "{\"v\":\"9007199254740992\"}\n"
                                        "{\"v\":\"-9007199254740992\"}\n"
                                        "{\"v\":\"-9223372036854775808\"}\n"
                                        "{\"v\":\"9223372036854775807\"}\n");
  EXPECT_EQ(render(ndjson, info, rows, R"({"large_integers": "string"})"), render(ndjson, info, rows));
}

TEST(RenderJson, LargeIntegersCanBeNumbers) {
  const TableInfo info = table({{"v", Kind::Integer, "bigint"}});
  const std::string out = render(
      json_array, info,
      {{integer_cell(INT64_MIN, "-9223372036854775808")}, {integer_cell(INT64_MAX, "9223372036854775807")}},
      R"({"large_integers": "number"})");
  const json parsed = json::parse(out);
  EXPECT_EQ(parsed[0]["v"].get<int64_t>(), INT64_MIN);
  EXPECT_EQ(parsed[1]["v"].get<int64_t>(), INT64_MAX);
}

TEST(RenderJson, DuplicateColumnNamesKeepEveryValue) {
  const TableInfo info =
      table({{"a", Kind::Text, "text"}, {"a", Kind::Text, "text"}, {"a_2", Kind::Text, "text"}});
  EXPECT_EQ(render(ndjson, info, {{text_cell("1"), text_cell("2"), text_cell("3")}}),
            "{\"a\":\"1\",\"a_3\":\"2\",\"a_2\":\"3\"}\n");
}

TEST(RenderJson, NamesDifferingOnlyInInvalidUtf8StayDistinctKeys) {
  const TableInfo info = table({{"a\xFF", Kind::Text, "text"}, {"a\xFE", Kind::Text, "text"}});
  const json parsed = json::parse(render(ndjson, info, {{text_cell("1"), text_cell("2")}}));
  EXPECT_EQ(parsed, json::parse("{\"a\xEF\xBF\xBD\":\"1\",\"a\xEF\xBF\xBD_2\":\"2\"}"));
}

TEST(RenderJson, EscapesTextForJsonAndJavaScript) {
  const TableInfo info = table({{"t\"k", Kind::Text, "text"}});
  const std::string out = render(
      ndjson, info, {{text_cell("q\" b\\ \x01 \t \xE2\x80\xA8 </script>")}, {text_cell("bad \xFF utf8")}});
  EXPECT_EQ(out, "{\"t\\\"k\":\"q\\\" b\\\\ \\u0001 \\t \\u2028 </script>\"}\n"
                 "{\"t\\\"k\":\"bad \xEF\xBF\xBD utf8\"}\n");
  const json first = json::parse(out.substr(0, out.find('\n')));
  EXPECT_EQ(first["t\"k"], "q\" b\\ \x01 \t \xE2\x80\xA8 </script>");
}

TEST(RenderJson, EmbedsJsonCompactlySoNdjsonStaysOneLinePerRow) {
  const TableInfo info = table({{"doc", Kind::Json, "json"}});
  const std::string out = render(ndjson, info,
                                 {{text_cell("{\n  \"a\": [1, 2],\n  \"b\": \"x y\"\n}")},
                                  {text_cell("\"text\"")},
                                  {text_cell("1e400")}});
  EXPECT_EQ(out, "{\"doc\":{\"a\":[1,2],\"b\":\"x y\"}}\n{\"doc\":\"text\"}\n{\"doc\":1e400}\n");
}

TEST(RenderJson, InvalidJsonTextIsWrittenAsAString) {
  const TableInfo info = table({{"doc", Kind::Json, "json"}, {"n", Kind::Numeric, "numeric"}});
  EXPECT_EQ(render(ndjson, info, {{text_cell("{\"a\":"), number_cell("12,5")}}),
            "{\"doc\":\"{\\\"a\\\":\",\"n\":\"12,5\"}\n");
}

TEST(RenderJson, RefusesUnknownOptions) {
  Error e = options_error(json_array, R"({"pretty": true})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "unknown option \"pretty\" for format json");
  EXPECT_EQ(e.detail(), "Format json accepts: large_integers, time_zone.");
  e = options_error(ndjson, R"({"header": true})");
  EXPECT_EQ(e.message(), "unknown option \"header\" for format ndjson");
}

TEST(RenderJson, RefusesBadLargeIntegersValues) {
  Error e = options_error(json_array, R"({"large_integers": "bigint"})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "option \"large_integers\" must be \"string\" or \"number\"");
  EXPECT_EQ(e.detail(), "It was \"bigint\".");
  e = options_error(json_array, R"({"large_integers": true})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "option \"large_integers\" must be a string");
}

} // namespace
} // namespace autoreport::render
