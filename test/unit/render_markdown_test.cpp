// GitHub-flavoured Markdown tables as GitHub will show them.
#include "render/markdown.hpp"

#include "render_text_support.hpp"

namespace autoreport::render {
namespace {

using namespace testing;

const Factory markdown = [](const Options& o, Output& out) { return make_markdown(o, out); };

TEST(RenderMarkdown, WritesATableWithNumericColumnsRightAligned) {
  const TableInfo info = table({{"region", Kind::Text, "text"},
                                {"orders", Kind::Integer, "bigint"},
                                {"total", Kind::Numeric, "numeric"},
                                {"active", Kind::Boolean, "boolean"}});
  EXPECT_EQ(render(markdown, info,
                   {{text_cell("North"), integer_cell(12, "12"), number_cell("1200.50"), bool_cell(true)},
                    {text_cell("South"), integer_cell(3, "3"), null_cell(), bool_cell(false)}}),
            "| Region | Orders | Total | Active |\n"
            "| --- | ---: | ---: | --- |\n"
            "| North | 12 | 1,200.50 | Yes |\n"
            "| South | 3 |  | No |\n");
}

TEST(RenderMarkdown, EmptyResultIsJustTheHeader) {
  EXPECT_EQ(render(markdown, table({{"a", Kind::Text, "text"}}), {}), "| A |\n| --- |\n");
  EXPECT_EQ(render(markdown, table({}), {{}}), "");
}

TEST(RenderMarkdown, EscapesPipesBackslashesAndMarkup) {
  const TableInfo info = table({{"a|b", Kind::Text, "text"}});
  EXPECT_EQ(
      render(markdown, info, {{text_cell("x|y\\z")}, {text_cell("*b* _i_ `c` [l](u) <script> &amp; ~~s~~")}}),
      "| A\\|b |\n| --- |\n"
      "| x\\|y\\\\z |\n"
      "| \\*b\\* \\_i\\_ \\`c\\` \\[l\\](u) \\<script\\> \\&amp; \\~\\~s\\~\\~ |\n");
}

TEST(RenderMarkdown, LineBreaksBecomeBrAndControlsAreDropped) {
  const TableInfo info = table({{"t", Kind::Text, "text"}});
  EXPECT_EQ(render(markdown, info,
                   {{text_cell("l1\r\nl2\nl3\rl4")},
                    {text_cell("a\x01\x7F"
                               "b\tc")}}),
            "| T |\n| --- |\n| l1<br>l2<br>l3<br>l4 |\n| ab\tc |\n");
}

TEST(RenderMarkdown, KeepsUnicodeAndRepairsInvalidUtf8) {
  const TableInfo info = table({{"t", Kind::Text, "text"}});
  EXPECT_EQ(render(markdown, info, {{text_cell("東京 😀")}, {text_cell("bad\xFF")}}),
            "| T |\n| --- |\n| 東京 😀 |\n| bad\xEF\xBF\xBD |\n");
}

TEST(RenderMarkdown, UnderscoresInsideWordsStayReadable) {
  const TableInfo info = table({{"order_id", Kind::Text, "text"}});
  EXPECT_EQ(render(markdown, info, {{text_cell("_a_ b_c _d e_ f__g")}}),
            "| Order ID |\n| --- |\n| \\_a\\_ b_c \\_d e\\_ f\\_\\_g |\n");
}

TEST(RenderMarkdown, UnnamedColumnsGetAPlaceholder) {
  const TableInfo info = table({{"id", Kind::Integer, "integer"}, {"", Kind::Text, "text"}});
  EXPECT_EQ(render(markdown, info, {}), "| ID | Column 2 |\n| ---: | --- |\n");
}

TEST(RenderMarkdown, NullStringOptionMarksNulls) {
  const TableInfo info = table({{"a", Kind::Text, "text"}, {"b", Kind::Bytes, "bytea"}});
  const std::vector<std::vector<Cell>> rows = {{null_cell(), text_cell("foo")}, {text_cell(""), null_cell()}};
  EXPECT_EQ(render(markdown, info, rows), "| A | B |\n| --- | --- |\n|  | Zm9v |\n|  |  |\n");
  EXPECT_EQ(render(markdown, info, rows, R"({"null": "_null_"})"),
            "| A | B |\n| --- | --- |\n| \\_null\\_ | Zm9v |\n|  | \\_null\\_ |\n");
}

TEST(RenderMarkdown, RefusesUnknownOptionsAndWrongTypes) {
  Error e = options_error(markdown, R"({"header": false})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "unknown option \"header\" for format markdown");
  EXPECT_EQ(e.detail(), "Format markdown accepts: null, locale, totals, time_zone.");
  e = options_error(markdown, R"({"null": null})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "option \"null\" must be a string");
}

} // namespace
} // namespace autoreport::render
