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
  EXPECT_EQ(e.detail(), "Format html accepts: lang, null, chart, chart_options, locale, totals, time_zone.");
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

Column styled(std::string name, Kind kind, std::string type, NumberStyle style, std::string currency = "") {
  Column c{std::move(name), kind, std::move(type)};
  c.style = style;
  c.currency = std::move(currency);
  return c;
}

TEST(RenderHtml, LocaleWritesNumbersDatesAndBooleans) {
  const TableInfo info = table({{"total", Kind::Numeric, "numeric(12,2)"},
                                {"day", Kind::Date, "date"},
                                {"ok", Kind::Boolean, "boolean"},
                                styled("share", Kind::Numeric, "numeric(6,4)", NumberStyle::percent),
                                styled("price", Kind::Numeric, "numeric", NumberStyle::currency, "EUR")});
  const std::vector<std::vector<Cell>> rows = {{number_cell("1234567.5"), text_cell("2026-01-31"),
                                                bool_cell(true), number_cell("0.1234"),
                                                number_cell("-9.995")}};
  std::string out = render(html, info, rows, R"({"locale": "de-DE"})");
  EXPECT_TRUE(contains(out, "<html lang=\"de-DE\">")) << "the locale's tag is the document's language";
  EXPECT_TRUE(contains(out, "<tr><td class=\"num\">1.234.567,50</td>"
                            "<td><time datetime=\"2026-01-31\">31.01.2026</time></td><td>Ja</td>"
                            "<td class=\"num\">12,34\u00a0%</td><td class=\"num\">-10,00\u00a0€</td></tr>"))
      << out;
  // "lang" still wins over the locale's tag.
  EXPECT_TRUE(
      contains(render(html, info, rows, R"({"locale": "de-DE", "lang": "de"})"), "<html lang=\"de\">"));
  // Without the option, the session's locale; without that, en-US.
  TableInfo session = info;
  session.locale = "fr-FR";
  out = render(html, session, rows);
  EXPECT_TRUE(contains(out, "<td class=\"num\">1\u202f234\u202f567,50</td>")) << out;
  EXPECT_TRUE(contains(out, "<html lang=\"en\">"));
  out = render(html, info, rows);
  EXPECT_TRUE(contains(out,
                       "<td class=\"num\">1,234,567.50</td><td><time datetime=\"2026-01-31\">01/31/2026"
                       "</time></td><td>Yes</td><td class=\"num\">12.34%</td><td class=\"num\">-€10.00</td>"))
      << out;
  const Error e = options_error(html, R"({"locale": "xx"})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "unknown locale \"xx\"");
}

TEST(RenderHtml, NumbersKeepEveryDigitAndNonFiniteText) {
  const TableInfo info = table({{"amount", Kind::Numeric, "numeric"},
                                {"ratio", Kind::Float, "double precision"},
                                {"customer_id", Kind::Integer, "bigint"}});
  const std::string out =
      render(html, info,
             {{number_cell("123456789012345678901234567890.5"), number_cell("1e+20"),
               integer_cell(1234567, "1234567")},
              {number_cell("NaN", false), number_cell("-Infinity", false), integer_cell(7, "7")},
              {number_cell("-0.004"), number_cell("1.5e-07"), null_cell()}});
  EXPECT_TRUE(
      contains(out, "<tr><td class=\"num\">123,456,789,012,345,678,901,234,567,890.5</td>"
                    "<td class=\"num\">100,000,000,000,000,000,000</td><td class=\"num\">1234567</td></tr>"))
      << out;
  EXPECT_TRUE(contains(out, "<tr><td class=\"num\">NaN</td><td class=\"num\">-Infinity</td>")) << out;
  EXPECT_TRUE(contains(out, "<tr><td class=\"num\">-0.004</td><td class=\"num\">0.00000015</td>")) << out;
}

TEST(RenderHtml, LabelsKeepTheColumnNameInDataColumn) {
  Column revenue{"revenue", Kind::Numeric, "numeric(12,2)"};
  revenue.label = "Umsatz <€>";
  const TableInfo info =
      table({{"Region", Kind::Text, "text"}, revenue, {"customerId", Kind::Integer, "bigint"}});
  const std::string out = render(html, info, {});
  EXPECT_TRUE(contains(out, "<th scope=\"col\">Region</th>"))
      << "a heading equal to the name has no data-column";
  EXPECT_TRUE(contains(out, "<th scope=\"col\" class=\"num\" data-column=\"revenue\">Umsatz &lt;€&gt;</th>"));
  EXPECT_TRUE(contains(out, "<th scope=\"col\" class=\"num\" data-column=\"customerId\">Customer ID</th>"));
}

TEST(RenderHtml, TotalsRowInTheFooter) {
  Column region{"region", Kind::Text, "text"};
  Column note{"note", Kind::Text, "text"};
  note.total = Total::count;
  const TableInfo info =
      table({region,
             styled("revenue", Kind::Numeric, "numeric(12,2)", NumberStyle::currency, "EUR"),
             {"customer_id", Kind::Integer, "bigint"},
             styled("share", Kind::Numeric, "numeric(6,4)", NumberStyle::percent),
             note});
  const std::vector<std::vector<Cell>> rows = {
      {text_cell("North"), number_cell("1000.10"), integer_cell(1, "1"), number_cell("0.5"), text_cell("a")},
      {text_cell("South"), number_cell("-1234.56"), integer_cell(2, "2"), number_cell("0.5"), null_cell()}};
  std::string out = render(html, info, rows, R"({"totals": true})");
  EXPECT_TRUE(contains(out,
                       "</tbody>\n<tfoot>\n<tr class=\"totals\"><td>Total</td><td class=\"num\">-€234.46</td>"
                       "<td class=\"num\"></td><td class=\"num\"></td><td class=\"num\">1</td></tr>\n"
                       "<tr><td colspan=\"5\">2 rows</td></tr>\n</tfoot>"))
      << out;
  out = render(html, info, rows, R"({"totals": true, "locale": "de-DE"})");
  EXPECT_TRUE(contains(out, "<tr class=\"totals\"><td>Summe</td><td class=\"num\">-234,46\u00a0€</td>"))
      << out;
  EXPECT_FALSE(contains(render(html, info, rows), "class=\"totals\"")) << "no totals unless asked";
  // No rows: the label and zero sums.
  out = render(html, info, {}, R"({"totals": true})");
  EXPECT_TRUE(contains(out, "<tr class=\"totals\"><td>Total</td><td class=\"num\">€0.00</td>")) << out;
  const Error e = options_error(html, R"({"totals": "yes"})");
  EXPECT_EQ(e.message(), "option \"totals\" must be true or false");
}

TEST(RenderHtml, ChartFirstComesBeforeTheTable) {
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
  const std::string first = render(html, info, {{d1, v1}, {d2, v2}}, R"({"chart": "first", "totals": true})");
  const size_t figure = first.find("<figure class=\"chart\">\n<svg");
  ASSERT_NE(figure, std::string::npos) << first;
  EXPECT_EQ(first.find("<main>\n<figure class=\"chart\">"), first.find("<main>")) << "the chart opens <main>";
  EXPECT_LT(first.find("</figure>"), first.find("<table>"));
  EXPECT_EQ(first.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(contains(first, "<tr class=\"totals\"><td>Total</td><td class=\"num\">22.5</td></tr>"))
      << first;
  EXPECT_TRUE(first.ends_with("</table>\n</main>\n</body>\n</html>\n"));
  // "last" is the same as true: after the table.
  const std::string last = render(html, info, {{d1, v1}, {d2, v2}}, R"({"chart": "last"})");
  EXPECT_LT(last.find("</table>"), last.find("<figure class=\"chart\">"));
  EXPECT_EQ(options_error(html, R"({"chart": "middle"})").detail(), "It was \"middle\".");
}

TEST(RenderHtml, ChartFirstHoldsTheTableUntilTheEnd) {
  TableInfo info = table({{"label", Kind::Text, "text"}, {"n", Kind::Integer, "integer"}});
  StringOutput out;
  auto r = make_html(Options::parse(R"({"chart": "first"})"), out);
  r->begin(info);
  Cell n = integer_cell(1, "1");
  r->row(std::vector<Cell>{text_cell("a"), n});
  EXPECT_TRUE(out.data().empty()) << "nothing is written before the chart is drawn";
  r->end();
  EXPECT_LT(out.data().find("<svg"), out.data().find("<tr><td>a</td><td class=\"num\">1</td></tr>"));
}

} // namespace
} // namespace autoreport::render
