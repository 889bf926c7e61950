// The HTML document as a browser and a screen reader will see it.
#include "render/html.hpp"

#include "render_text_support.hpp"

#include <algorithm>
#include <cctype>

namespace autoreport::render {
namespace {

using namespace testing;

const Factory html = [](const Options& o, Output& out) { return make_html(o, out); };

TableInfo sales() {
  TableInfo info = table({{"region", Kind::Text, "text"}, {"total", Kind::Numeric, "numeric(12,2)"}});
  info.title = "sales_by_region";
  info.description = "Revenue per region & quarter";
  info.parameters = {{"since", "2026-01-01"}, {"region", "North"}};
  info.generated_at = "2026-01-31T09:00:00+00:00";
  return info;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(RenderHtml, WritesACompleteDocument) {
  const std::string out = render(html, sales(), {{text_cell("North"), number_cell("1200.50")}});
  EXPECT_EQ(out.rfind("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", 0), 0u)
      << out;
  EXPECT_TRUE(contains(out, "<title>sales_by_region</title>"));
  EXPECT_TRUE(contains(out, "<style>\n"));
  EXPECT_TRUE(contains(out, "<caption>\n<span class=\"title\">sales_by_region</span>\n"
                            "<p class=\"description\">Revenue per region &amp; quarter</p>\n"
                            "<ul class=\"parameters\">\n"
                            "<li><span class=\"name\">since</span> = 2026-01-01</li>\n"
                            "<li><span class=\"name\">region</span> = North</li>\n</ul>\n"
                            "<p class=\"generated\">Generated <time datetime=\"2026-01-31T09:00:00+00:00\">"
                            "2026-01-31 09:00:00+00:00</time></p>\n</caption>\n"))
      << out;
  EXPECT_TRUE(contains(out, "<thead>\n<tr><th scope=\"col\" data-column=\"region\">Region</th>"
                            "<th scope=\"col\" class=\"num\" data-column=\"total\">Total</th>"
                            "</tr>\n</thead>\n<tbody>\n"
                            "<tr><td>North</td><td class=\"num\">1,200.50</td></tr>\n</tbody>\n"
                            "<tfoot>\n<tr><td colspan=\"2\">1 row</td></tr>\n</tfoot>\n</table>\n"))
      << out;
  EXPECT_TRUE(contains(out, ".num{text-align:right"));
  EXPECT_TRUE(out.ends_with("</table>\n</main>\n</body>\n</html>\n"));
}

TEST(RenderHtml, IsSelfContained) {
  const std::string out = lower(render(html, sales(), {{text_cell("https://example.com"), null_cell()}}));
  EXPECT_FALSE(contains(out, "<script"));
  EXPECT_FALSE(contains(out, "<link"));
  EXPECT_FALSE(contains(out, "src="));
  EXPECT_FALSE(contains(out, "url("));
  EXPECT_TRUE(contains(out, "content-security-policy\" content=\"default-src 'none'"));
  EXPECT_TRUE(contains(out, "<td>https://example.com</td>")) << "a value is text, not a link";
}

TEST(RenderHtml, EscapesEveryTextItShows) {
  const std::string attack = "<script>alert('x')</script>";
  TableInfo info = table({{attack, Kind::Text, "text"}});
  info.title = attack;
  info.description = attack;
  info.parameters = {{attack, attack}};
  info.generated_at = "\"><script>";
  const std::string out =
      render(html, info, {{text_cell(attack)}, {text_cell("a & b \"q\" \x01")}}, R"({"null": "<b>"})");
  EXPECT_FALSE(contains(lower(out), "<script")) << out;
  EXPECT_TRUE(contains(out, "<title>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</title>"));
  EXPECT_TRUE(contains(out, "<th scope=\"col\">&lt;script&gt;"));
  EXPECT_TRUE(contains(out, "<time datetime=\"&quot;&gt;&lt;script&gt;\">"));
  EXPECT_TRUE(contains(out, "<tr><td>a &amp; b &quot;q&quot; </td></tr>"));
}

TEST(RenderHtml, MarksNullsDifferentlyFromEmptyStrings) {
  const TableInfo info = table({{"t", Kind::Text, "text"}, {"n", Kind::Integer, "integer"}});
  const std::vector<std::vector<Cell>> rows = {{null_cell(), null_cell()},
                                               {text_cell(""), integer_cell(0, "0")}};
  std::string out = render(html, info, rows);
  EXPECT_TRUE(contains(out, "<tr><td class=\"null\"></td><td class=\"num null\"></td></tr>\n"
                            "<tr><td></td><td class=\"num\">0</td></tr>\n"))
      << out;
  EXPECT_TRUE(contains(out, "td.null:empty{"));
  out = render(html, info, rows, R"({"null": "n/a"})");
  EXPECT_TRUE(contains(out, "<tr><td class=\"null\">n/a</td><td class=\"num null\">n/a</td></tr>\n")) << out;
}

TEST(RenderHtml, ShowsBooleansBytesAndUnicode) {
  const TableInfo info =
      table({{"b", Kind::Boolean, "boolean"}, {"y", Kind::Bytes, "bytea"}, {"t", Kind::Text, "text"}});
  const std::string out = render(html, info, {{bool_cell(false), text_cell("foob"), text_cell("東京 \xFF")}});
  EXPECT_TRUE(contains(out, "<tr><td>No</td><td>Zm9vYg==</td><td>東京 \xEF\xBF\xBD</td></tr>")) << out;
}

TEST(RenderHtml, EmptyTitleAndNoRows) {
  const TableInfo info = table({{"", Kind::Text, "text"}});
  const std::string out = render(html, info, {});
  EXPECT_TRUE(contains(out, "<title>Report</title>"));
  EXPECT_TRUE(contains(out, "<th scope=\"col\" data-column=\"column_1\">Column 1</th>"));
  EXPECT_TRUE(contains(out, "<tbody>\n</tbody>\n<tfoot>\n<tr><td colspan=\"1\">0 rows</td></tr>"));
  EXPECT_FALSE(contains(out, "class=\"description\""));
  EXPECT_FALSE(contains(out, "<time"));
}

TEST(RenderHtml, LangOptionSetsTheDocumentLanguage) {
  for (const char* tag : {"pt-BR", "de", "zh-Hant-TW", "sr-Latn-RS", "es-419", "EN-gb"}) {
    const std::string out = render(html, sales(), {}, std::string(R"({"lang": ")") + tag + "\"}");
    EXPECT_TRUE(contains(out, std::string("<html lang=\"") + tag + "\">")) << tag;
  }
}

TEST(RenderHtml, RefusesAnInvalidLanguageTag) {
  for (const char* tag :
       {"", "e", "en_US", "en-", "-en", "en--US", "englishlanguage", "\\\"><b>", "en-US-toolongsubtag"}) {
    const Error e = options_error(html, std::string(R"({"lang": ")") + tag + "\"}");
    EXPECT_EQ(e.sqlstate(), "22023") << tag;
    EXPECT_EQ(e.message(), "option \"lang\" must be a language tag such as \"en\" or \"pt-BR\"") << tag;
  }
  EXPECT_EQ(options_error(html, R"({"lang": "en_US"})").detail(), "It was \"en_US\".");
}

TEST(RenderHtml, RefusesUnknownOptionsAndWrongTypes) {
  Error e = options_error(html, R"({"theme": "dark"})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "unknown option \"theme\" for format html");
  EXPECT_EQ(e.detail(), "Format html accepts: lang, null, chart, locale, totals, time_zone.");
  e = options_error(html, R"({"chart": "yes"})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "option \"chart\" must be true, false, \"first\" or \"last\"");
  e = options_error(html, R"({"lang": 1})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "option \"lang\" must be a string");
  e = options_error(html, R"({"null": false})");
  EXPECT_EQ(e.message(), "option \"null\" must be a string");
}

TEST(RenderHtml, StreamsRowsAsTheyArrive) {
  StringOutput out;
  auto r = make_html(Options{}, out);
  r->begin(sales());
  EXPECT_TRUE(contains(out.data(), "<tbody>\n"));
  const size_t before = out.data().size();
  r->row(std::vector<Cell>{text_cell("West"), number_cell("5")});
  EXPECT_EQ(out.data().substr(before), "<tr><td>West</td><td class=\"num\">5.00</td></tr>\n");
}

TEST(RenderHtml, ChartIsAnInlineSvgFigureAfterTheTable) {
  TableInfo info = table({{"day", Kind::Date, "date"}, {"total", Kind::Numeric, "numeric"}});
  info.title = "daily";
  Cell d1 = text_cell("2026-01-01");
  d1.integer = 20454;
  Cell d2 = text_cell("2026-01-02");
  d2.integer = 20455;
  Cell v1 = number_cell("10");
  v1.number = 10;
  Cell v2 = number_cell("12.5");
  v2.number = 12.5;
  const std::string out = render(html, info, {{d1, v1}, {d2, v2}}, R"({"chart": true})");
  const size_t table_end = out.find("</table>");
  const size_t figure = out.find("<figure class=\"chart\">\n<svg");
  ASSERT_NE(figure, std::string::npos) << out;
  EXPECT_LT(table_end, figure);
  EXPECT_LT(figure, out.find("</svg>"));
  EXPECT_TRUE(contains(out, "<figcaption>Chart of daily</figcaption>\n</figure>\n</main>"));
  EXPECT_FALSE(contains(out, "<?xml"));
  EXPECT_FALSE(contains(render(html, info, {{d1, v1}}), "<svg")) << "no chart unless asked";
}

} // namespace
} // namespace autoreport::render
