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

Column styled(std::string name, Kind kind, std::string type, NumberStyle style, std::string currency = "") {
  Column c{std::move(name), kind, std::move(type)};
  c.style = style;
  c.currency = std::move(currency);
  return c;
}

TEST(RenderMarkdown, LocaleWritesNumbersDatesAndBooleans) {
  const TableInfo info = table({{"total", Kind::Numeric, "numeric(12,2)"},
                                {"day", Kind::Date, "date"},
                                {"ok", Kind::Boolean, "boolean"},
                                styled("price", Kind::Numeric, "numeric", NumberStyle::currency, "JPY"),
                                {"year", Kind::Integer, "integer"}});
  const std::vector<std::vector<Cell>> rows = {{number_cell("1234567.5"), text_cell("2026-01-31"),
                                                bool_cell(false), number_cell("-1500.5"),
                                                integer_cell(2026, "2026")}};
  EXPECT_EQ(render(markdown, info, rows, R"({"locale": "de-DE"})"),
            "| Total | Day | Ok | Price | Year |\n"
            "| ---: | --- | --- | ---: | ---: |\n"
            "| 1.234.567,50 | 31.01.2026 | Nein | -1.501\u00a0¥ | 2026 |\n");
  EXPECT_EQ(render(markdown, info, rows, R"({"locale": "ja-JP"})"),
            "| Total | Day | Ok | Price | Year |\n"
            "| ---: | --- | --- | ---: | ---: |\n"
            "| 1,234,567.50 | 2026/01/31 | いいえ | -¥1,501 | 2026 |\n");
  TableInfo session = info;
  session.locale = "sv-SE";
  EXPECT_TRUE(render(markdown, session, rows).find("| 1\u00a0234\u00a0567,50 | 2026-01-31 | Nej |") !=
              std::string::npos);
  const Error e = options_error(markdown, R"({"locale": "en"})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "unknown locale \"en\"");
}

TEST(RenderMarkdown, NumbersRoundWithoutNegativeZeroAndKeepNonFiniteText) {
  const TableInfo info = table({{"amount", Kind::Numeric, "numeric(12,2)"}, {"ratio", Kind::Float, "real"}});
  EXPECT_EQ(render(markdown, info,
                   {{number_cell("9.995"), number_cell("NaN", false)},
                    {number_cell("-0.004"), number_cell("Infinity", false)},
                    {number_cell("-1234.5"), number_cell("1.5e-07")}}),
            "| Amount | Ratio |\n| ---: | ---: |\n"
            "| 10.00 | NaN |\n| 0.00 | Infinity |\n| -1,234.50 | 0.00000015 |\n");
}

TEST(RenderMarkdown, LabelsAreEscapedLikeAnyText) {
  Column c{"revenue", Kind::Numeric, "numeric"};
  c.label = "Revenue | *net*";
  EXPECT_EQ(render(markdown, table({c, {"order_count", Kind::Integer, "bigint"}}), {}),
            "| Revenue \\| \\*net\\* | Order count |\n| ---: | ---: |\n");
}

TEST(RenderMarkdown, TotalsLineInBold) {
  Column note{"note", Kind::Text, "text"};
  note.total = Total::count;
  const TableInfo info =
      table({{"region", Kind::Text, "text"},
             styled("revenue", Kind::Numeric, "numeric(12,2)", NumberStyle::currency, "USD"),
             {"customer_id", Kind::Integer, "bigint"},
             note});
  const std::vector<std::vector<Cell>> rows = {
      {text_cell("North"), number_cell("1000.10"), integer_cell(1, "1"), text_cell("x")},
      {text_cell("South"), number_cell("-1234.56"), integer_cell(2, "2"), text_cell("")},
      {text_cell("West"), null_cell(), null_cell(), null_cell()}};
  EXPECT_EQ(render(markdown, info, rows, R"({"totals": true})"), "| Region | Revenue | Customer ID | Note |\n"
                                                                 "| --- | ---: | ---: | --- |\n"
                                                                 "| North | $1,000.10 | 1 | x |\n"
                                                                 "| South | -$1,234.56 | 2 |  |\n"
                                                                 "| West |  |  |  |\n"
                                                                 "| **Total** | **-$234.46** |  | **2** |\n");
  EXPECT_TRUE(render(markdown, info, rows, R"({"totals": true, "locale": "da-DK"})")
                  .ends_with("| **I alt** | **-234,46\u00a0$** |  | **2** |\n"));
  // No rows: the header, then the totals.
  EXPECT_EQ(render(markdown, info, {}, R"({"totals": true})"),
            "| Region | Revenue | Customer ID | Note |\n| --- | ---: | ---: | --- |\n"
            "| **Total** | **$0.00** |  | **0** |\n");
  // A result without columns has no table, and no totals line either.
  EXPECT_EQ(render(markdown, table({}), {}, R"({"totals": true})"), "");
  EXPECT_EQ(options_error(markdown, R"({"totals": 1})").message(), "option \"totals\" must be true or false");
}

TEST(RenderMarkdown, TotalsOfEveryColumnHaveNoLabel) {
  const TableInfo info = table({{"a", Kind::Integer, "integer"}, {"b", Kind::Numeric, "numeric"}});
  EXPECT_EQ(
      render(markdown, info,
             {{integer_cell(1500, "1500"), number_cell("0.1")}, {integer_cell(2, "2"), number_cell("0.2")}},
             R"({"totals": true})"),
      "| A | B |\n| ---: | ---: |\n| 1,500 | 0.1 |\n| 2 | 0.2 |\n| **1,502** | **0.3** |\n");
}

} // namespace
} // namespace autoreport::render
