// An alert finding's detail: the aggregate calls found in a condition's text, and the JSON that says
// why the alert held, bounded whatever the values.
#include "schedules/alert_detail.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace autoreport::schedules {
namespace {

std::string call_at(std::string_view text, std::string_view name) {
  const size_t start = text.find(name);
  const std::optional<size_t> end = call_end(text, start);
  return end ? std::string(text.substr(start, *end - start)) : "<none>";
}

TEST(AlertCallEnd, PlainAndQualifiedCalls) {
  EXPECT_EQ(call_at("count(*) > 0", "count"), "count(*)");
  EXPECT_EQ(call_at("max(score) > 4 AND min(score) < 1", "min"), "min(score)");
  EXPECT_EQ(call_at("pg_catalog . max ( a + (b * 2) ) > 1", "pg_catalog"),
            "pg_catalog . max ( a + (b * 2) )");
  EXPECT_EQ(call_at("\"max\"(\"a)\") > 1", "\"max\""), "\"max\"(\"a)\")");
  EXPECT_EQ(call_at("autoreport.anomalous(array_agg(revenue ORDER BY day))", "array_agg"),
            "array_agg(revenue ORDER BY day)");
}

TEST(AlertCallEnd, ParenthesesInsideQuotesAndCommentsDoNotCount) {
  EXPECT_EQ(call_at("count(x = ')') > 0", "count"), "count(x = ')')");
  EXPECT_EQ(call_at("count(x = E'\\')') > 0", "count"), "count(x = E'\\')')");
  EXPECT_EQ(call_at("count(x = $q$)$q$) > 0", "count"), "count(x = $q$)$q$)");
  EXPECT_EQ(call_at("count(x /* ) */ ) > 0", "count"), "count(x /* ) */ )");
  EXPECT_EQ(call_at("count(x -- )\n) > 0", "count"), "count(x -- )\n)");
  EXPECT_EQ(call_at("sum(a$b) > 0", "sum"), "sum(a$b)");
}

TEST(AlertCallEnd, FilterAndWithinGroupBelongToTheCall) {
  EXPECT_EQ(call_at("count(*) FILTER (WHERE score > 4) > 2", "count"), "count(*) FILTER (WHERE score > 4)");
  EXPECT_EQ(call_at("percentile_cont(0.5) within  group (order by x) filter(where y) > 3", "percentile"),
            "percentile_cont(0.5) within  group (order by x) filter(where y)");
  // A column named filter after the call is not a clause.
  EXPECT_EQ(call_at("count(*) > filter", "count"), "count(*)");
  EXPECT_EQ(call_at("count(*) filtered", "count"), "count(*)");
}

TEST(AlertCallEnd, NoCompleteCall) {
  EXPECT_EQ(call_end("count(*", 0), std::nullopt);
  EXPECT_EQ(call_end("count", 0), std::nullopt);
  EXPECT_EQ(call_end("1 + count(*)", 0), std::nullopt);
  EXPECT_EQ(call_end("count(')", 0), std::nullopt);
  EXPECT_EQ(call_end("count(/* )", 0), std::nullopt);
  EXPECT_EQ(call_end("x", 5), std::nullopt);
}

TEST(AlertDetail, ValuesBecomeJson) {
  bool cut = false;
  EXPECT_EQ(json_value_within({AlertValue::Kind::number, "4.50"}, 300, &cut), "4.50");
  EXPECT_EQ(json_value_within({AlertValue::Kind::number, "1e+30"}, 300, &cut), "1e+30");
  EXPECT_EQ(json_value_within({AlertValue::Kind::number, "NaN"}, 300, &cut), "\"NaN\"");
  EXPECT_EQ(json_value_within({AlertValue::Kind::number, "-Infinity"}, 300, &cut), "\"-Infinity\"");
  EXPECT_EQ(json_value_within({AlertValue::Kind::boolean, "t"}, 300, &cut), "true");
  EXPECT_EQ(json_value_within({AlertValue::Kind::boolean, "f"}, 300, &cut), "false");
  EXPECT_EQ(json_value_within({AlertValue::Kind::null, ""}, 300, &cut), "null");
  EXPECT_EQ(json_value_within({AlertValue::Kind::text, "say \"hi\"\n"}, 300, &cut), "\"say \\\"hi\\\"\\n\"");
  EXPECT_FALSE(cut);
}

TEST(AlertDetail, LongValuesAreCutAndSaySo) {
  bool cut = false;
  const std::string head = json_string_within(std::string(1000, 'a') + "end", 100, false, &cut);
  EXPECT_TRUE(cut);
  EXPECT_LE(head.size(), 100U);
  EXPECT_EQ(head.substr(0, 4), "\"aaa");
  EXPECT_NE(head.find("\xE2\x80\xA6\""), std::string::npos);
  cut = false;
  const std::string tail = json_string_within("{1,2,3," + std::string(500, '9') + ",42}", 60, true, &cut);
  EXPECT_TRUE(cut);
  EXPECT_LE(tail.size(), 60U);
  EXPECT_EQ(tail.substr(tail.size() - 5), ",42}\"");
  EXPECT_EQ(tail.substr(0, 4), "\"\xE2\x80\xA6");
}

TEST(AlertDetail, CutsNeverSplitACharacterOrAnEscape) {
  for (size_t max = 8; max < 40; ++max) {
    for (const bool keep_end : {false, true}) {
      bool cut = false;
      const std::string s = json_string_within(
          std::string(30, '\x01') + "\xC3\xA9\xC3\xA9\xC3\xA9\"\"\"\xFF\xFF", max, keep_end, &cut);
      EXPECT_LE(s.size(), max);
      EXPECT_TRUE(nlohmann::json::accept(s)) << s;
    }
  }
}

TEST(AlertDetail, RowScope) {
  std::vector<AlertRow> rows = {
      {{"region", {AlertValue::Kind::text, "north"}}, {"revenue", {AlertValue::Kind::number, "900"}}},
      {{"region", {AlertValue::Kind::text, "south"}}, {"revenue", {AlertValue::Kind::null, ""}}},
  };
  EXPECT_EQ(
      row_detail_json(2, rows),
      R"({"matching_rows":2,"rows":[{"region":"north","revenue":900},{"region":"south","revenue":null}]})");
}

TEST(AlertDetail, RowScopeStaysUnderTheLimitWhateverTheValues) {
  AlertRow wide;
  for (int c = 0; c < 300; ++c) {
    wide.emplace_back(std::string(63, 'c') + std::to_string(c),
                      AlertValue{AlertValue::Kind::text, std::string(5000, 'x')});
  }
  const std::vector<AlertRow> rows(7, wide);
  const std::string json = row_detail_json(123456789, rows);
  EXPECT_LE(json.size(), kMaxAlertDetailBytes);
  const nlohmann::json parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed["matching_rows"], 123456789);
  EXPECT_EQ(parsed["rows"].size(), kMaxAlertSampleRows);
  EXPECT_EQ(parsed["cut"], true);
  EXPECT_GE(parsed["rows"][4].size(), 1U); // every shown row keeps at least its first column
}

TEST(AlertDetail, ResultScope) {
  EXPECT_EQ(result_detail_json({{"max(score)", {AlertValue::Kind::number, "4.5"}},
                                {"count(*) FILTER (WHERE \"x\" > 1)", {AlertValue::Kind::number, "3"}}}),
            R"json({"values":{"max(score)":4.5,"count(*) FILTER (WHERE \"x\" > 1)":3}})json");
  std::vector<std::pair<std::string, AlertValue>> many;
  for (int i = 0; i < 100; ++i) {
    many.emplace_back("array_agg(v" + std::to_string(i) + ")",
                      AlertValue{AlertValue::Kind::array, std::string(400, '1')});
  }
  const std::string json = result_detail_json(many);
  EXPECT_LE(json.size(), kMaxAlertDetailBytes);
  const nlohmann::json parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed["cut"], true);
  EXPECT_GE(parsed["values"].size(), 5U);
}

} // namespace
} // namespace autoreport::schedules
