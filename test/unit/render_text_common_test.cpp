// Column naming and JSON text checks shared by the text renderers.
#include "render/column_names.hpp"
#include "render/json_text.hpp"

#include <gtest/gtest.h>

namespace autoreport::render {
namespace {

std::vector<Column> columns(std::initializer_list<const char*> names) {
  std::vector<Column> cs;
  for (const char* n : names) {
    cs.push_back(Column{n, Kind::Text, "text"});
  }
  return cs;
}

TEST(RenderColumnNames, DuplicateNamesGetFreeSuffixes) {
  EXPECT_EQ(unique_keys(columns({"a", "b", "a", "a"})), (std::vector<std::string>{"a", "b", "a_2", "a_3"}));
  // An existing a_2 keeps its name; the duplicate a skips to a_3.
  EXPECT_EQ(unique_keys(columns({"a", "a", "a_2"})), (std::vector<std::string>{"a", "a_3", "a_2"}));
  EXPECT_EQ(unique_keys(columns({"", ""})), (std::vector<std::string>{"", "_2"}));
}

TEST(RenderColumnNames, UnnamedColumnsGetAPlaceholderForDisplay) {
  EXPECT_EQ(display_name(Column{"", Kind::Text, "text"}, 2), "column_3");
  EXPECT_EQ(display_name(Column{"total", Kind::Numeric, "numeric"}, 0), "total");
}

TEST(RenderJsonText, RecognisesJsonNumbers) {
  for (const char* n :
       {"0", "-0", "12", "-12.5", "1e10", "1E+10", "1.5e-7", "123456789012345678901234567890.5"}) {
    EXPECT_TRUE(is_json_number(n)) << n;
  }
  for (const char* n :
       {"", "-", "01", "1.", ".5", "+1", "1e", "1e+", "NaN", "Infinity", "0x10", "1 ", "1,5"}) {
    EXPECT_FALSE(is_json_number(n)) << n;
  }
}

TEST(RenderJsonText, CompactsValidJsonAndRefusesInvalid) {
  std::string out = "x";
  EXPECT_TRUE(append_compact_json(out, " {\"a\" : [1, 2.5e400,\n true, null],\r\n\t\"b c\": \"d e\"} "));
  EXPECT_EQ(out, R"(x{"a":[1,2.5e400,true,null],"b c":"d e"})");
  out.clear();
  EXPECT_TRUE(append_compact_json(out, "\"\\ud83d\\ude00 \\u00e9 \\n\""));
  EXPECT_EQ(out, "\"\\ud83d\\ude00 \\u00e9 \\n\"");
  out.clear();
  EXPECT_TRUE(append_compact_json(out, "[\"a\xE2\x80\xA8\"]"));
  EXPECT_EQ(out, R"(["a\u2028"])");
  for (const char* bad :
       {"", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "[1 2]", "tru", "nul", "[]]", "1 2", "{1:2}", "\"a\nb\"",
        "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\xFF\"", "[01]", "'a'"}) {
    out = "keep";
    EXPECT_FALSE(append_compact_json(out, bad)) << bad;
    EXPECT_EQ(out, "keep") << bad;
  }
}

} // namespace
} // namespace autoreport::render
