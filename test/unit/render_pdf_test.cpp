// The PDF and PNG renderers: documents that readers open, options and their errors, limits. The text
// and pages are also checked with poppler's pdftotext and pdftoppm (test/render/pdf_test.sh, suite pdf).
#include "render/pdf.hpp"
#include "render/png.hpp"

#include "render_text_support.hpp"

#include <cstdio>
#include <fstream>

namespace autoreport::render {
namespace {

using namespace testing;

const Factory pdf = [](const Options& o, Output& out) { return make_pdf(o, out); };
const Factory png = [](const Options& o, Output& out) { return make_png(o, out); };

TableInfo sales() {
  TableInfo info = table({{"region", Kind::Text, "text"}, {"revenue", Kind::Numeric, "numeric(12,2)"}});
  info.title = "sales_by_region";
  info.parameters = {{"since", "2026-01-01"}};
  info.generated_at = "2026-01-31T09:00:00.5+00:00";
  return info;
}

// The text pdftotext reads from a PDF ("" when poppler is missing, which fails the calling test).
std::string pdf_text(const std::string& document) {
  const std::string path = ::testing::TempDir() + "autoreport_pdf_test.pdf";
  std::ofstream(path, std::ios::binary) << document;
  std::string text;
  if (FILE* p = popen(("pdftotext -layout '" + path + "' - 2>/dev/null").c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) {
      text.append(buf, n);
    }
    pclose(p);
  }
  std::remove(path.c_str());
  return text;
}

TEST(RenderPdf, WritesADocumentWithHeadingTableAndFooter) {
  const std::string doc =
      render(pdf, sales(),
             {{text_cell("North"), number_cell("4016.10")}, {text_cell("South"), number_cell("-5.00")}});
  ASSERT_TRUE(doc.starts_with("%PDF-1.")) << doc.substr(0, 20);
  EXPECT_NE(doc.rfind("%%EOF"), std::string::npos);
  const std::string text = pdf_text(doc);
  EXPECT_NE(text.find("Sales by region"), std::string::npos) << text;
  EXPECT_NE(text.find("since = 2026-01-01"), std::string::npos) << text;
  EXPECT_NE(text.find("Generated 2026-01-31 09:00:00 +00:00"), std::string::npos) << text;
  EXPECT_NE(text.find("Region"), std::string::npos) << text;
  EXPECT_LT(text.find("4,016.10"), text.find("-5.00")) << text;
  EXPECT_NE(text.find("Page 1 of 1"), std::string::npos) << text;
}

TEST(RenderPdf, LocaleTotalsAndRepeatedHeaderOnEveryPage) {
  std::vector<std::string> names, amounts;
  for (int i = 1; i <= 120; ++i) {
    names.push_back("r" + std::to_string(i));
    amounts.push_back(std::to_string(i * 1000) + ".50");
  }
  std::vector<std::vector<Cell>> rows;
  for (size_t i = 0; i < names.size(); ++i) {
    rows.push_back({text_cell(names[i]), number_cell(amounts[i])});
  }
  const std::string text = pdf_text(render(pdf, sales(), rows, R"({"locale": "de-DE", "totals": true})"));
  EXPECT_NE(text.find("120.000,50"), std::string::npos) << text;
  EXPECT_NE(text.find("Summe"), std::string::npos);
  EXPECT_NE(text.find("7.260.060,00"), std::string::npos); // 1000 × (1 + ... + 120) + 120 × 0.50
  size_t pages = 0, headers = 0;
  for (size_t at = text.find("Page "); at != std::string::npos; at = text.find("Page ", at + 1)) {
    ++pages;
  }
  for (size_t at = text.find("Revenue"); at != std::string::npos; at = text.find("Revenue", at + 1)) {
    ++headers;
  }
  EXPECT_GE(pages, 2u);
  EXPECT_EQ(headers, pages); // the header row on every page
  // The rows in order.
  size_t last = 0;
  for (int i = 1; i <= 120; ++i) {
    const size_t at = text.find(" r" + std::to_string(i) + " ", last);
    ASSERT_NE(at, std::string::npos) << i;
    last = at;
  }
}

TEST(RenderPdf, OptionsAndTheirErrors) {
  Error e = options_error(pdf, R"({"page": "A3"})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "option \"page\" must be \"A4\", \"letter\" or \"legal\"");
  e = options_error(pdf, R"({"orientation": "sideways"})");
  EXPECT_EQ(e.message(), "option \"orientation\" must be \"portrait\", \"landscape\" or \"auto\"");
  e = options_error(pdf, R"({"chart": "yes"})");
  EXPECT_EQ(e.message(), "option \"chart\" must be true or false");
  e = options_error(pdf, R"({"locale": "xx"})");
  EXPECT_EQ(e.message(), "unknown locale \"xx\"");
  e = options_error(pdf, R"({"header": false})");
  EXPECT_EQ(e.detail(),
            "Format pdf accepts: locale, totals, chart, chart_options, page, orientation, title, time_zone.");
  e = options_error(pdf, R"({"chart_options": {"kind": "pie"}})");
  EXPECT_EQ(e.sqlstate(), "22023"); // the chart's own options are checked before any work
  e = options_error(pdf, R"({"chart_options": "line"})");
  EXPECT_EQ(e.message(), "option \"chart_options\" must be a JSON object");
  // A chart asked for a result with nothing to plot says why.
  const TableInfo words = table({{"a", Kind::Text, "text"}, {"b", Kind::Text, "text"}});
  StringOutput out;
  auto r = make_pdf(Options::parse(R"({"chart": true})"), out);
  try {
    r->begin(words);
    ADD_FAILURE() << "no error";
  } catch (const Error& err) {
    EXPECT_EQ(err.sqlstate(), "22023");
  }
  // Left to itself, such a result is just a table.
  EXPECT_TRUE(render(pdf, words, {{text_cell("x"), text_cell("y")}}).starts_with("%PDF-"));
}

TEST(RenderPdf, RefusesMoreRowsThanAPdfHolds) {
  StringOutput out;
  auto r = make_pdf(Options{}, out);
  r->begin(table({{"n", Kind::Integer, "integer"}}));
  const Cell c = integer_cell(1, "1");
  try {
    for (size_t i = 0; i <= pdf_max_rows; ++i) {
      r->row({&c, 1});
    }
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "54000");
    EXPECT_EQ(e.message(), "a PDF holds at most 200000 rows");
  }
}

TEST(RenderPng, IsAPngOfTheChartAtItsScale) {
  TableInfo info = table({{"region", Kind::Text, "text"}, {"revenue", Kind::Numeric, "numeric"}});
  const std::string image =
      render(png, info, {{text_cell("North"), number_cell("10")}, {text_cell("South"), number_cell("7")}},
             R"({"width": 400, "height": 200})");
  ASSERT_TRUE(image.starts_with("\x89PNG\r\n\x1a\n")) << image.substr(0, 8);
  // IHDR: width and height, big-endian, after the signature and the chunk's length and type.
  const auto be32 = [](const std::string& s, size_t at) {
    return (static_cast<uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
           (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
           (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
           static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3]));
  };
  EXPECT_EQ(be32(image, 16), 800u); // scale 2 by default
  EXPECT_EQ(be32(image, 20), 400u);
  const std::string one = render(png, info, {{text_cell("North"), number_cell("10")}},
                                 R"({"width": 400, "height": 200, "scale": 1})");
  EXPECT_EQ(be32(one, 16), 400u);
  EXPECT_EQ(be32(one, 20), 200u);
  const Error e = options_error(png, R"({"scale": 5})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "option \"scale\" must be between 1 and 4");
  EXPECT_EQ(options_error(png, R"({"lang": "en"})").message(), "unknown option \"lang\" for format png");
}

} // namespace
} // namespace autoreport::render
