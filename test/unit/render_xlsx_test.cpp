// The XLSX renderer, checked by opening what it writes with a real reader (openpyxl, through
// test/render/check_xlsx.py): values and their types, formats, the frozen header, the autofilter,
// column widths, sheet names and the spill of long results onto further sheets.
#include "render/excel_date.hpp"
#include "render/excel_text.hpp"
#include "render/xlsx.hpp"

#include "common/error.hpp"
#include "render_check.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>

namespace autoreport::render {
namespace {

using nlohmann::json;
using testing::CellStore;
using testing::ScratchDir;

Column col(std::string name, Kind kind) {
  return Column{std::move(name), kind, ""};
}

TableInfo table(std::vector<Column> columns, std::string title = "sales") {
  TableInfo info;
  info.columns = std::move(columns);
  info.title = std::move(title);
  info.description = "Revenue by day";
  return info;
}

// Renders rows to XLSX bytes.
std::string render(const TableInfo& info, const std::vector<std::vector<Cell>>& rows,
                   const std::string& options = "", uint32_t rows_per_sheet = excel_max_rows) {
  StringOutput out;
  auto r = make_xlsx_with_row_limit(Options::parse(options), out, rows_per_sheet);
  r->begin(info);
  for (const auto& row : rows) {
    r->row(row);
  }
  r->end();
  return out.take();
}

// What openpyxl sees in the workbook.
json read_back(const std::string& bytes, bool summary = false) {
  const ScratchDir dir;
  const std::string file = dir.write("report.xlsx", bytes);
  std::vector<std::string> args;
  if (summary) {
    args.push_back("--summary");
  }
  args.push_back(file);
  return testing::run_checker("check_xlsx.py", args);
}

// The cell at row r, column c (0-based) of a sheet as check_xlsx.py describes it.
const json& cell(const json& sheet, size_t r, size_t c) {
  return sheet.at("rows").at(r).at(c);
}

TEST(XlsxDate, SerialsFollowExcels1900DateSystem) {
  EXPECT_EQ(excel_serial_from_days(0), 25569.0);   // 1970-01-01
  EXPECT_EQ(excel_serial_from_days(-25508), 61.0); // 1900-03-01, the first unambiguous day
  EXPECT_EQ(excel_serial_from_days(-25509), std::nullopt);
  EXPECT_EQ(excel_serial_from_days(2932896), 2958465.0); // 9999-12-31
  EXPECT_EQ(excel_serial_from_days(2932897), std::nullopt);
  EXPECT_DOUBLE_EQ(*excel_serial_from_micros(-6LL * 3600 * 1000000), 25568.75); // 1969-12-31 18:00
  EXPECT_DOUBLE_EQ(*excel_serial_from_micros(43200LL * 1000000), 25569.5);
}

TEST(XlsxText, SheetNamesFollowExcelsRules) {
  EXPECT_EQ(sheet_name_from_title("sales_by_region"), "sales_by_region");
  EXPECT_EQ(sheet_name_from_title("Q1/Q2: [draft]*?\\"), "Q1_Q2_ _draft____");
  EXPECT_EQ(sheet_name_from_title(""), "Report");
  EXPECT_EQ(sheet_name_from_title("''' "), "Report");
  EXPECT_EQ(sheet_name_from_title("'quoted'"), "quoted");
  EXPECT_EQ(sheet_name_from_title("history"), "history_");
  EXPECT_EQ(sheet_name_from_title("a\tb\x01"), "ab");
  EXPECT_EQ(sheet_name_from_title(std::string(40, 'x')), std::string(31, 'x'));
  // 31 characters, counted as Excel does (UTF-16), never splitting a character.
  EXPECT_EQ(sheet_name_from_title(std::string(15, 'x') +
                                  "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
                                  "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"),
            std::string(15, 'x') + "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
                                   "\u00e9\u00e9\u00e9\u00e9");
  EXPECT_EQ(sheet_name_from_title(std::string(30, 'x') + "\U0001F600"), std::string(30, 'x'));

  EXPECT_EQ(numbered_sheet_name("sales", 2), "sales (2)");
  EXPECT_EQ(numbered_sheet_name(std::string(31, 'x'), 12), std::string(26, 'x') + " (12)");

  EXPECT_EQ(sheet_name_problem("Sales 2026"), "");
  EXPECT_NE(sheet_name_problem(""), "");
  EXPECT_NE(sheet_name_problem("a/b"), "");
  EXPECT_NE(sheet_name_problem(std::string(32, 'x')), "");
  EXPECT_NE(sheet_name_problem("'x"), "");
  EXPECT_NE(sheet_name_problem("History"), "");
  EXPECT_NE(sheet_name_problem("bad\xff"), "");
}

TEST(XlsxText, CellTextIsWhatExcelAccepts) {
  EXPECT_EQ(excel_cell_text("plain <&> text"), "plain <&> text"); // libxlsxwriter escapes markup
  EXPECT_EQ(excel_cell_text("a\x01"
                            "b\x1f"
                            "c\td\n"),
            "abc\td\n");
  EXPECT_EQ(excel_cell_text("bad\xff"), "bad\uFFFD");
  EXPECT_EQ(excel_cell_text("_x0041_ and _x00_"), "_x005F_x0041_ and _x00_");

  const std::string cut = excel_cell_text(std::string(40000, 'y'));
  EXPECT_TRUE(cut.ends_with("\u2026 [cut: Excel cells hold at most 32,767 characters]"));
  EXPECT_EQ(cut.find_first_not_of('y'), 32767u - 51); // 51 characters of marker, 53 bytes
  const std::string exact(excel_max_cell_text, 'z');
  EXPECT_EQ(excel_cell_text(exact), exact);
  // Characters outside the BMP count twice, as in Excel.
  std::string astral;
  for (int i = 0; i < 20000; ++i) {
    astral += "\U0001F600";
  }
  EXPECT_NE(excel_cell_text(astral).find("[cut:"), std::string::npos);

  EXPECT_EQ(text_width("abc\nabcdef\nab"), 6u);
  EXPECT_EQ(text_width("\u65e5\u672c"), 4u);
}

TEST(XlsxRender, EveryKindKeepsItsType) {
  CellStore s;
  const TableInfo info =
      table({col("id", Kind::Integer), col("amount", Kind::Numeric), col("ratio", Kind::Float),
             col("paid", Kind::Boolean), col("day", Kind::Date), col("at", Kind::Timestamp),
             col("ordered_at", Kind::TimestampTz), col("note", Kind::Text), col("blob", Kind::Bytes),
             col("took", Kind::Interval), col("doc", Kind::Json), col("", Kind::Time)});
  const std::vector<std::vector<Cell>> rows = {
      {s.integer(42), s.numeric("1234.50"), s.floating(0.25), s.boolean(true), s.date(2026, 1, 31),
       s.timestamp(2026, 1, 31, 9, 30, 15), s.timestamp(2026, 1, 31, 23, 59, 59, true), s.text("héllo <b>&"),
       s.text("\x01\x02\xff"), s.text("P1DT2H"), s.text("{\"a\": 1}"), s.text("09:30:00")},
      {s.integer(-7), s.numeric("-0.001"), s.floating(-1e300), s.boolean(false), s.null(), s.null(), s.null(),
       s.text(""), s.null(), s.null(), s.null(), s.null()},
  };
  const json book = read_back(render(info, rows));
  ASSERT_FALSE(book.contains("error")) << book.dump();
  EXPECT_EQ(book["properties"]["title"], "sales");
  EXPECT_EQ(book["properties"]["subject"], "Revenue by day");
  EXPECT_EQ(book["properties"]["description"], "Revenue by day");
  ASSERT_EQ(book["sheets"].size(), 2u); // the rows, then the parameters
  EXPECT_EQ(book["sheets"][1]["name"], "Parameters");
  const json& sheet = book["sheets"][0];
  EXPECT_EQ(sheet["name"], "sales");
  EXPECT_EQ(sheet["freeze"], "A2");
  EXPECT_EQ(sheet["autofilter"], "A1:L3");
  EXPECT_EQ(sheet["max_row"], 3);
  for (bool bold : sheet["bold_first_row"]) {
    EXPECT_TRUE(bold);
  }

  const std::vector<std::string> header = {"ID",         "Amount", "Ratio", "Paid", "Day", "At",
                                           "Ordered at", "Note",   "Blob",  "Took", "Doc", "Column 12"};
  for (size_t c = 0; c < header.size(); ++c) {
    EXPECT_EQ(cell(sheet, 0, c)["v"], header[c]);
  }
  EXPECT_EQ(cell(sheet, 1, 0), (json{{"v", 42}, {"t", "n"}, {"f", "General"}}));
  EXPECT_EQ(cell(sheet, 1, 1)["v"], 1234.5);
  EXPECT_EQ(cell(sheet, 1, 1)["t"], "n");
  EXPECT_EQ(cell(sheet, 1, 2)["v"], 0.25);
  EXPECT_EQ(cell(sheet, 1, 3), (json{{"v", true}, {"t", "b"}, {"f", "General"}}));
  EXPECT_EQ(cell(sheet, 1, 4), (json{{"v", "2026-01-31T00:00:00"}, {"t", "d"}, {"f", "yyyy-mm-dd"}}));
  EXPECT_EQ(cell(sheet, 1, 5),
            (json{{"v", "2026-01-31T09:30:15"}, {"t", "d"}, {"f", "yyyy-mm-dd hh:mm:ss"}}));
  EXPECT_EQ(cell(sheet, 1, 6),
            (json{{"v", "2026-01-31T23:59:59"}, {"t", "d"}, {"f", "yyyy-mm-dd hh:mm:ss"}}));
  EXPECT_EQ(cell(sheet, 1, 7), (json{{"v", "héllo <b>&"}, {"t", "s"}, {"f", "General"}}));
  EXPECT_EQ(cell(sheet, 1, 8)["v"], "AQL/"); // bytea as base64
  EXPECT_EQ(cell(sheet, 1, 9)["v"], "P1DT2H");
  EXPECT_EQ(cell(sheet, 1, 10)["v"], "{\"a\": 1}");
  EXPECT_EQ(cell(sheet, 1, 11)["v"], "09:30:00");

  EXPECT_EQ(cell(sheet, 2, 0)["v"], -7);
  EXPECT_EQ(cell(sheet, 2, 1)["v"], -0.001);
  EXPECT_EQ(cell(sheet, 2, 2)["v"], -1e300);
  EXPECT_EQ(cell(sheet, 2, 3)["v"], false);
  for (size_t c : {4, 5, 6, 8, 9, 10, 11}) {
    EXPECT_TRUE(cell(sheet, 2, c).is_null()) << "NULL is an empty cell, column " << c;
  }
}

// A numeric column shows its declared scale with thousands separators, as openpyxl reads it back.
TEST(XlsxRender, NumericColumnsShowTheirScale) {
  CellStore s;
  const TableInfo info = table(
      {Column{"revenue", Kind::Numeric, "numeric(14,2)"}, Column{"units", Kind::Numeric, "numeric(10,0)"},
       Column{"rate", Kind::Numeric, "numeric(6,4)"}, Column{"price", Kind::Numeric, "money"},
       Column{"any", Kind::Numeric, "numeric"}, Column{"id", Kind::Integer, "bigint"}});
  const json book = read_back(render(info, {{s.numeric("4016.10"), s.numeric("1200"), s.numeric("0.1250"),
                                             s.numeric("3.50"), s.numeric("4016.1"), s.integer(123456)}}));
  ASSERT_FALSE(book.contains("error")) << book.dump();
  const json& sheet = book["sheets"][0];
  EXPECT_EQ(cell(sheet, 1, 0), (json{{"v", 4016.1}, {"t", "n"}, {"f", "#,##0.00"}}));
  EXPECT_EQ(cell(sheet, 1, 1)["f"], "#,##0");
  EXPECT_EQ(cell(sheet, 1, 2)["f"], "#,##0.0000");
  EXPECT_EQ(cell(sheet, 1, 3)["f"], "#,##0.00");
  EXPECT_EQ(cell(sheet, 1, 4)["f"], "General"); // no declared scale
  EXPECT_EQ(cell(sheet, 1, 5)["f"], "General"); // an id gets no separators
}

TEST(XlsxRender, NumbersBeyondFifteenDigitsStayExactAsText) {
  CellStore s;
  const TableInfo info = table({col("n", Kind::Integer), col("x", Kind::Numeric), col("f", Kind::Float)});
  const std::vector<std::vector<Cell>> rows = {
      {s.integer(123456789012345), s.numeric("123456789012345"), s.floating(NAN)},
      {s.integer(1234567890123456), s.numeric("1234567890.123456789"), s.floating(INFINITY)},
      {s.integer(INT64_MIN), s.numeric("0.000000000000000000001"), s.floating(-INFINITY)},
      {s.integer(1000000000000000000), s.numeric("NaN"), s.floating(1.0 / 3)},
      {s.integer(0), s.numeric("-Infinity"), s.floating(0)},
  };
  const json book = read_back(render(info, rows));
  ASSERT_FALSE(book.contains("error")) << book.dump();
  const json& sheet = book["sheets"][0];
  EXPECT_EQ(cell(sheet, 1, 0)["v"], 123456789012345);
  EXPECT_EQ(cell(sheet, 1, 0)["t"], "n");
  EXPECT_EQ(cell(sheet, 1, 1)["t"], "n");
  EXPECT_EQ(cell(sheet, 2, 0), (json{{"v", "1234567890123456"}, {"t", "s"}, {"f", "General"}}));
  EXPECT_EQ(cell(sheet, 2, 1)["v"], "1234567890.123456789");
  EXPECT_EQ(cell(sheet, 3, 0)["v"], "-9223372036854775808");
  EXPECT_EQ(cell(sheet, 3, 1)["v"], 1e-21); // one significant digit: a number
  EXPECT_EQ(cell(sheet, 4, 0)["v"], 1e18);
  EXPECT_EQ(cell(sheet, 4, 0)["t"], "n");
  EXPECT_EQ(cell(sheet, 5, 0)["v"], 0);
  // Excel has no NaN or infinity: they are texts.
  EXPECT_EQ(cell(sheet, 1, 2), (json{{"v", "NaN"}, {"t", "s"}, {"f", "General"}}));
  EXPECT_EQ(cell(sheet, 2, 2)["v"], "Infinity");
  EXPECT_EQ(cell(sheet, 3, 2)["v"], "-Infinity");
  EXPECT_EQ(cell(sheet, 4, 1)["v"], "NaN");
  EXPECT_EQ(cell(sheet, 5, 1)["v"], "-Infinity");
  EXPECT_DOUBLE_EQ(cell(sheet, 4, 2)["v"].get<double>(), 1.0 / 3);
}

TEST(XlsxRender, DatesExcelCannotShowAreText) {
  CellStore s;
  const TableInfo info = table({col("d", Kind::Date), col("t", Kind::TimestampTz)});
  const std::vector<std::vector<Cell>> rows = {
      {s.infinite(true), s.infinite(false)},
      {s.date(1899, 12, 31), s.timestamp(1800, 1, 1, 0, 0, 0, true)},
      {s.date(1900, 3, 1), s.timestamp(1969, 12, 31, 18, 0, 0, true)},
  };
  const json sheet = read_back(render(info, rows))["sheets"][0];
  EXPECT_EQ(cell(sheet, 0, 1)["v"], "T");
  EXPECT_EQ(cell(sheet, 1, 0), (json{{"v", "infinity"}, {"t", "s"}, {"f", "General"}}));
  EXPECT_EQ(cell(sheet, 1, 1)["v"], "-infinity");
  EXPECT_EQ(cell(sheet, 2, 0)["v"], "1899-12-31");
  EXPECT_EQ(cell(sheet, 2, 1)["v"], "1800-01-01T00:00:00+00:00");
  EXPECT_EQ(cell(sheet, 3, 0)["v"], "1900-03-01T00:00:00");
  EXPECT_EQ(cell(sheet, 3, 1)["v"], "1969-12-31T18:00:00");
}

TEST(XlsxRender, TextIsCleanedAndCutAtExcelsLimit) {
  CellStore s;
  const TableInfo info = table({col("t", Kind::Text)}, "odd\x01 title\xff");
  const std::vector<std::vector<Cell>> rows = {
      {s.text(std::string(40000, 'a'))}, {s.text("bell\x07 and \xc3(")}, {s.text("_x0041_")}};
  const json book = read_back(render(info, rows));
  ASSERT_FALSE(book.contains("error")) << book.dump();
  const json& sheet = book["sheets"][0];
  EXPECT_EQ(sheet["name"], "odd title\uFFFD");
  const std::string cut = cell(sheet, 1, 0)["v"];
  EXPECT_EQ(cut.substr(0, 100), std::string(100, 'a'));
  EXPECT_NE(cut.find("[cut: Excel cells hold at most 32,767 characters]"), std::string::npos);
  EXPECT_LE(cut.size(), 32767u + 3); // the ellipsis takes 3 bytes for one character
  EXPECT_EQ(cell(sheet, 2, 0)["v"], "bell and \uFFFD(");
  // Excel reads "_x005F_" as "_", so it shows the original text; openpyxl shows the escape as it is.
  EXPECT_EQ(cell(sheet, 3, 0)["v"], "_x005F_x0041_");
}

TEST(XlsxRender, ColumnWidthsFollowTheHeaderAndTheFirstRows) {
  CellStore s;
  const TableInfo info = table({col("id", Kind::Integer), col("day", Kind::Date), col("at", Kind::Timestamp),
                                col("comment", Kind::Text), col("late", Kind::Text),
                                col("a_rather_long_column_name", Kind::Integer)});
  std::vector<std::vector<Cell>> rows;
  for (int i = 0; i < 250; ++i) {
    // The late column gets a long value only after the first 200 rows, which do not see it.
    rows.push_back({s.integer(i), s.date(2026, 1, 1), s.timestamp(2026, 1, 1, 0, 0, 0),
                    s.text(i == 3 ? std::string(500, 'w') : "x"),
                    s.text(i >= 200 ? std::string(100, 'z') : "yy"), s.integer(1)});
  }
  const json sheet = read_back(render(info, rows))["sheets"][0];
  EXPECT_EQ(sheet["max_row"], 251);
  const json& w = sheet["widths"];
  EXPECT_NEAR(w["A"].get<double>(), 8, 1);  // narrow columns are still clickable
  EXPECT_NEAR(w["B"].get<double>(), 12, 1); // dates
  EXPECT_NEAR(w["C"].get<double>(), 20, 1); // timestamps
  EXPECT_NEAR(w["D"].get<double>(), 60, 1); // clamped
  EXPECT_NEAR(w["E"].get<double>(), 8, 1);  // from the first 200 rows only
  EXPECT_GE(w["F"].get<double>(), 25);      // the header fits
  EXPECT_EQ(cell(sheet, 250, 4)["v"], std::string(100, 'z'));
}

TEST(XlsxRender, OptionsAreCheckedAndApplied) {
  CellStore s;
  const TableInfo info = table({col("a", Kind::Integer)}, "Q1/Q2 report: a title far longer than thirty-one");
  const std::vector<std::vector<Cell>> rows = {{s.integer(1)}, {s.integer(2)}};

  json sheet = read_back(render(info, rows))["sheets"][0];
  EXPECT_EQ(sheet["name"], "Q1_Q2 report_ a title far longe");

  sheet = read_back(render(info, rows, R"({"sheet_name": "Übersicht", "header": false})"))["sheets"][0];
  EXPECT_EQ(sheet["name"], "Übersicht");
  EXPECT_EQ(sheet["max_row"], 2);
  EXPECT_EQ(cell(sheet, 0, 0)["v"], 1);
  EXPECT_TRUE(sheet["freeze"].is_null());
  EXPECT_TRUE(sheet["autofilter"].is_null());

  const auto fails = [&](const std::string& options, const std::string& message) {
    StringOutput out;
    try {
      make_xlsx(Options::parse(options), out);
      ADD_FAILURE() << "no error for " << options;
    } catch (const Error& e) {
      EXPECT_EQ(e.sqlstate(), "22023") << options;
      EXPECT_EQ(e.message(), message) << options;
    }
  };
  fails(R"({"sheet_name": "a/b"})", "invalid sheet name \"a/b\"");
  fails(R"({"sheet_name": ""})", "invalid sheet name \"\"");
  fails(R"({"sheet_name": 3})", "option \"sheet_name\" must be a string");
  fails(R"({"header": "yes"})", "option \"header\" must be true or false");
  fails(R"({"colour": "red"})", "unknown option \"colour\" for format xlsx");
}

TEST(XlsxRender, EmptyResultHasTheHeaderOnly) {
  const TableInfo info = table({col("a", Kind::Integer), col("b", Kind::Text)});
  const json sheet = read_back(render(info, {}))["sheets"][0];
  EXPECT_EQ(sheet["max_row"], 1);
  EXPECT_EQ(cell(sheet, 0, 1)["v"], "B");
  EXPECT_EQ(sheet["autofilter"], "A1:B1");
}

TEST(XlsxSpill, RowsBeyondASheetContinueOnNumberedSheets) {
  CellStore s;
  const TableInfo info = table({col("n", Kind::Integer), col("label", Kind::Text)}, "orders");
  std::vector<std::vector<Cell>> rows;
  for (int i = 1; i <= 25; ++i) {
    rows.push_back({s.integer(i), s.text("row " + std::to_string(i))});
  }
  const json book = read_back(render(info, rows, "", 10));
  ASSERT_FALSE(book.contains("error")) << book.dump();
  ASSERT_EQ(book["sheets"].size(), 4u); // three of rows, then the parameters
  EXPECT_EQ(book["sheets"][3]["name"], "Parameters");
  const std::vector<std::string> names = {"orders", "orders (2)", "orders (3)"};
  const std::vector<int> sizes = {10, 10, 5};
  int next = 1;
  for (size_t k = 0; k < 3; ++k) {
    const json& sheet = book["sheets"][k];
    EXPECT_EQ(sheet["name"], names[k]);
    EXPECT_EQ(sheet["max_row"], sizes[k] + 1);
    EXPECT_EQ(sheet["freeze"], "A2");
    EXPECT_EQ(sheet["autofilter"], "A1:B" + std::to_string(sizes[k] + 1));
    EXPECT_EQ(cell(sheet, 0, 0)["v"], "N");
    EXPECT_TRUE(sheet["widths"].contains("B"));
    for (int r = 1; r <= sizes[k]; ++r, ++next) {
      EXPECT_EQ(cell(sheet, r, 0)["v"], next);
    }
  }
  EXPECT_EQ(next, 26);
}

TEST(XlsxSpill, ExactlyFullSheetsMakeNoEmptySheet) {
  CellStore s;
  const TableInfo info = table({col("n", Kind::Integer)});
  std::vector<std::vector<Cell>> rows;
  for (int i = 0; i < 20; ++i) {
    rows.push_back({s.integer(i)});
  }
  EXPECT_EQ(read_back(render(info, rows, "", 10))["sheets"].size(), 3u); // two of rows, the parameters
  // Without a header a sheet holds one more data row.
  const json book = read_back(render(info, rows, R"({"header": false})", 10));
  ASSERT_EQ(book["sheets"].size(), 3u);
  EXPECT_EQ(book["sheets"][1]["max_row"], 10);
}

// Error paths and cancellation leave no temporary file behind.
class XlsxTempFiles : public ::testing::Test {
protected:
  void SetUp() override {
    const char* old = std::getenv("TMPDIR");
    old_ = old ? old : "";
    had_ = old != nullptr;
    ::setenv("TMPDIR", dir_.path().c_str(), 1);
  }
  void TearDown() override {
    if (had_) {
      ::setenv("TMPDIR", old_.c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }
  ScratchDir dir_;
  std::string old_;
  bool had_ = false;
};

TEST_F(XlsxTempFiles, RemovedAfterSuccessCancellationAndOutputErrors) {
  CellStore s;
  const TableInfo info = table({col("t", Kind::Text)});
  const std::vector<Cell> row = {s.text(std::string(1000, 'q'))};
  {
    StringOutput out;
    auto r = make_xlsx(Options{}, out);
    r->begin(info);
    r->row(row);
    r->end();
    EXPECT_EQ(out.data().substr(0, 2), "PK");
  }
  EXPECT_TRUE(dir_.files().empty());
  {
    StringOutput out;
    auto r = make_xlsx(Options{}, out);
    r->begin(info);
    for (int i = 0; i < 500; ++i) { // past the held rows: the sheet is being written
      r->row(row);
    }
    EXPECT_FALSE(dir_.files().empty()); // the workbook's file is there while it is written...
  } // ...and gone when the renderer is dropped without end(), as on a cancelled query
  EXPECT_TRUE(dir_.files().empty());
  {
    StringOutput out(100); // too small for any workbook
    auto r = make_xlsx(Options{}, out);
    r->begin(info);
    r->row(row);
    try {
      r->end();
      ADD_FAILURE() << "no error from a full output";
    } catch (const Error& e) {
      EXPECT_EQ(e.sqlstate(), "54000");
    }
  }
  EXPECT_TRUE(dir_.files().empty());
}

TEST_F(XlsxTempFiles, MissingTemporaryDirectoryIsAClearError) {
  ::setenv("TMPDIR", (dir_.path() + "/missing").c_str(), 1);
  StringOutput out;
  auto r = make_xlsx(Options{}, out);
  try {
    r->begin(table({col("a", Kind::Integer)}));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "58030");
    EXPECT_NE(e.message().find("could not create temporary file"), std::string::npos) << e.message();
  }
}

// Excel's real limit: 1,048,576 rows per sheet, the header included. Takes some seconds.
TEST(XlsxSpill, RealExcelLimitOfRowsPerSheet) {
  const auto start = std::chrono::steady_clock::now();
  const TableInfo info = table({col("n", Kind::Integer)}, "big");
  StringOutput out;
  auto r = make_xlsx(Options{}, out);
  r->begin(info);
  const uint32_t total = excel_max_rows + 10;
  Cell c;
  c.is_null = false;
  for (uint32_t i = 1; i <= total; ++i) {
    c.integer = i;
    c.number = i;
    r->row({&c, 1});
  }
  r->end();
  const auto written = std::chrono::steady_clock::now();
  const json book = read_back(out.data(), true);
  ASSERT_FALSE(book.contains("error")) << book.dump();
  ASSERT_EQ(book["sheets"].size(), 3u);
  EXPECT_EQ(book["sheets"][0]["name"], "big");
  EXPECT_EQ(book["sheets"][0]["rows"], excel_max_rows); // 1 header + 1,048,575 data rows
  EXPECT_EQ(book["sheets"][0]["first"][1][0], 1);
  EXPECT_EQ(book["sheets"][0]["last"][0], excel_max_rows - 1);
  EXPECT_EQ(book["sheets"][1]["name"], "big (2)");
  EXPECT_EQ(book["sheets"][1]["rows"], 12); // header + the 11 rows left
  EXPECT_EQ(book["sheets"][1]["first"][0][0], "N");
  EXPECT_EQ(book["sheets"][1]["first"][1][0], excel_max_rows);
  EXPECT_EQ(book["sheets"][1]["last"][0], total);
  const auto read = std::chrono::steady_clock::now();
  using seconds = std::chrono::duration<double>;
  std::printf("[          ] %u rows: written in %.1f s (%zu bytes), read back by openpyxl in %.1f s\n", total,
              seconds(written - start).count(), out.data().size(), seconds(read - written).count());
}

// A column with a presentation, as define_report's `columns` gives it.
Column styled(std::string name, Kind kind, std::string type, NumberStyle style, std::string currency = "",
              int decimals = -1) {
  Column c{std::move(name), kind, std::move(type)};
  c.style = style;
  c.currency = std::move(currency);
  c.decimals = decimals;
  return c;
}

// The Parameters sheet's rows as name → value.
std::map<std::string, std::string> parameters_of(const json& sheet) {
  std::map<std::string, std::string> out;
  for (size_t r = 1; r < sheet.at("rows").size(); ++r) {
    const json& name = cell(sheet, r, 0);
    const json& value = cell(sheet, r, 1);
    out[name["v"].get<std::string>()] = value.is_null() ? "" : value["v"].get<std::string>();
  }
  return out;
}

// The number formats a spreadsheet user sees, from each column's presentation and the locale.
TEST(XlsxPresentation, NumberFormatsFollowTheColumnsPresentation) {
  CellStore s;
  const TableInfo info =
      table({styled("revenue", Kind::Numeric, "numeric(14,2)", NumberStyle::currency, "EUR"),
             styled("share", Kind::Numeric, "numeric", NumberStyle::percent),
             styled("rate", Kind::Numeric, "numeric(6,4)", NumberStyle::percent),
             styled("price", Kind::Numeric, "numeric", NumberStyle::number, "", 2),
             styled("yen", Kind::Numeric, "numeric", NumberStyle::currency, "JPY"),
             styled("code", Kind::Numeric, "numeric(10,2)", NumberStyle::text),
             styled("units", Kind::Numeric, "numeric(10,0)", NumberStyle::automatic),
             styled("weight", Kind::Numeric, "numeric", NumberStyle::automatic, "", 3),
             styled("pct0", Kind::Numeric, "numeric", NumberStyle::percent, "", 0)});
  const json book = read_back(render(
      info, {{s.numeric("1234.5"), s.numeric("0.125"), s.numeric("0.1234"), s.numeric("3.14159"),
              s.numeric("1500"), s.numeric("7.50"), s.numeric("1200"), s.numeric("1.5"), s.numeric("0.5")}}));
  ASSERT_FALSE(book.contains("error")) << book.dump();
  const json& sheet = book["sheets"][0];
  EXPECT_EQ(cell(sheet, 0, 0)["v"], "Revenue");
  EXPECT_EQ(cell(sheet, 1, 0), (json{{"v", 1234.5}, {"t", "n"}, {"f", "\"€\"#,##0.00"}}));
  EXPECT_EQ(cell(sheet, 1, 1), (json{{"v", 0.125}, {"t", "n"}, {"f", "0.0%"}}));
  EXPECT_EQ(cell(sheet, 1, 2)["f"], "0.00%"); // numeric(6,4) as a percentage: two decimals
  EXPECT_EQ(cell(sheet, 1, 3), (json{{"v", 3.14159}, {"t", "n"}, {"f", "#,##0.00"}}));
  EXPECT_EQ(cell(sheet, 1, 4)["f"], "\"¥\"#,##0"); // yen have no decimals
  EXPECT_EQ(cell(sheet, 1, 5)["f"], "General");
  EXPECT_EQ(cell(sheet, 1, 6)["f"], "#,##0");
  EXPECT_EQ(cell(sheet, 1, 7)["f"], "#,##0.000");
  EXPECT_EQ(cell(sheet, 1, 8)["f"], "0%");
}

TEST(XlsxPresentation, CurrencySymbolGoesWhereTheLocalePutsIt) {
  CellStore s;
  const TableInfo info =
      table({styled("revenue", Kind::Numeric, "numeric(14,2)", NumberStyle::currency, "EUR"),
             styled("brl", Kind::Numeric, "numeric(14,2)", NumberStyle::currency, "BRL"),
             styled("odd", Kind::Numeric, "numeric(14,2)", NumberStyle::currency, "XYZ")});
  const std::vector<std::vector<Cell>> rows = {{s.numeric("-1234.50"), s.numeric("10"), s.numeric("1")}};
  json sheet = read_back(render(info, rows, R"({"locale": "de-DE"})"))["sheets"][0];
  EXPECT_EQ(cell(sheet, 1, 0), (json{{"v", -1234.5}, {"t", "n"}, {"f", "#,##0.00\\ \"€\""}}));
  EXPECT_EQ(cell(sheet, 1, 1)["f"], "#,##0.00\\ \"R$\"");
  sheet = read_back(render(info, rows, R"({"locale": "pt-BR"})"))["sheets"][0];
  EXPECT_EQ(cell(sheet, 1, 0)["f"], "\"€ \"#,##0.00");
  EXPECT_EQ(cell(sheet, 1, 1)["f"], "\"R$ \"#,##0.00");
  sheet = read_back(render(info, rows))["sheets"][0];
  EXPECT_EQ(cell(sheet, 1, 1)["f"], "\"R$\"#,##0.00");
  EXPECT_EQ(cell(sheet, 1, 2)["f"], "\"XYZ\"#,##0.00");
}

// Integer and float columns get their presentation's format too (a ratio shown as a percentage).
TEST(XlsxPresentation, IntegerAndFloatColumnsKeepTheirFormat) {
  CellStore s;
  const TableInfo info = table({styled("ratio", Kind::Float, "double precision", NumberStyle::percent),
                                styled("cents", Kind::Integer, "bigint", NumberStyle::currency, "USD", 0),
                                styled("visits", Kind::Integer, "bigint", NumberStyle::number),
                                styled("customer_id", Kind::Integer, "bigint", NumberStyle::automatic),
                                styled("visits_auto", Kind::Integer, "bigint", NumberStyle::automatic)});
  const json sheet = read_back(render(info, {{s.floating(0.25), s.integer(1999), s.integer(1234567),
                                              s.integer(1234567), s.integer(1234567)}}))["sheets"][0];
  EXPECT_EQ(cell(sheet, 1, 0), (json{{"v", 0.25}, {"t", "n"}, {"f", "0.0%"}}));
  EXPECT_EQ(cell(sheet, 1, 1), (json{{"v", 1999}, {"t", "n"}, {"f", "\"$\"#,##0"}}));
  EXPECT_EQ(cell(sheet, 1, 2)["f"], "#,##0");
  EXPECT_EQ(cell(sheet, 1, 3)["f"], "General");
  EXPECT_EQ(cell(sheet, 1, 4)["f"], "General"); // an integer without a presentation: as before
}

TEST(XlsxPresentation, IdentifierLikeColumnsAreNotGrouped) {
  CellStore s;
  const TableInfo info = table(
      {Column{"id", Kind::Numeric, "numeric(10,0)"}, Column{"customer_id", Kind::Numeric, "numeric(10,0)"},
       Column{"year", Kind::Numeric, "numeric(4,0)"}, Column{"customerId", Kind::Numeric, "numeric(10,0)"},
       Column{"paid", Kind::Numeric, "numeric(10,0)"}});
  const json sheet = read_back(render(info, {{s.numeric("12345"), s.numeric("12345"), s.numeric("2026"),
                                              s.numeric("12345"), s.numeric("12345")}}))["sheets"][0];
  for (size_t c = 0; c < 4; ++c) {
    EXPECT_EQ(cell(sheet, 1, c)["f"], "General") << c;
  }
  EXPECT_EQ(cell(sheet, 1, 4)["f"], "#,##0"); // "paid" only ends in "id"
  EXPECT_EQ(cell(sheet, 0, 3)["v"], "Customer ID");
}

TEST(XlsxPresentation, LabelsHeadTheColumns) {
  CellStore s;
  Column revenue{"revenue", Kind::Numeric, "numeric(14,2)"};
  revenue.label = "Umsatz (€)";
  const TableInfo info = table({Column{"order_count", Kind::Integer, "bigint"}, revenue});
  const json sheet = read_back(render(info, {{s.integer(1), s.numeric("2")}}))["sheets"][0];
  EXPECT_EQ(cell(sheet, 0, 0)["v"], "Order count");
  EXPECT_EQ(cell(sheet, 0, 1)["v"], "Umsatz (€)");
}

TEST(XlsxPresentation, DatesInTheLocalesOrderWhenOneIsAsked) {
  CellStore s;
  const TableInfo info = table({col("day", Kind::Date), col("at", Kind::Timestamp)});
  const std::vector<std::vector<Cell>> rows = {{s.date(2026, 1, 31), s.timestamp(2026, 1, 31, 9, 30, 0)}};
  json sheet = read_back(render(info, rows, R"({"locale": "de-DE"})"))["sheets"][0];
  EXPECT_EQ(cell(sheet, 1, 0), (json{{"v", "2026-01-31T00:00:00"}, {"t", "d"}, {"f", "dd.mm.yyyy"}}));
  EXPECT_EQ(cell(sheet, 1, 1)["f"], "dd.mm.yyyy hh:mm:ss");
  sheet = read_back(render(info, rows, R"({"locale": "en-US"})"))["sheets"][0];
  EXPECT_EQ(cell(sheet, 1, 0)["f"], "mm/dd/yyyy");
  // The session's locale alone does not reorder dates: ISO unless the render asks.
  TableInfo session = info;
  session.locale = "de-DE";
  sheet = read_back(render(session, rows))["sheets"][0];
  EXPECT_EQ(cell(sheet, 1, 0)["f"], "yyyy-mm-dd");
}

// Excel has no time zones: a timestamptz is the wall-clock time of the zone the value is written in.
TEST(XlsxPresentation, TimestamptzIsTheWallTimeOfItsZone) {
  CellStore s;
  const TableInfo info = table({col("at", Kind::TimestampTz), col("utc", Kind::TimestampTz)});
  Cell berlin = s.timestamp(2026, 1, 31, 23, 30, 0, true); // 23:30 UTC
  berlin.utc_offset = 3600;
  berlin.text = s.text("2026-02-01T00:30:00+01:00").text;
  Cell new_york = s.timestamp(2026, 1, 31, 3, 15, 0, true);
  new_york.utc_offset = -5 * 3600;
  new_york.text = s.text("2026-01-30T22:15:00-05:00").text;
  Cell kolkata = s.timestamp(2026, 6, 30, 20, 0, 0, true);
  kolkata.utc_offset = 5 * 3600 + 1800;
  const json sheet = read_back(render(info, {{berlin, s.timestamp(2026, 1, 31, 23, 30, 0, true)},
                                             {new_york, s.null()},
                                             {kolkata, s.null()}}))["sheets"][0];
  EXPECT_EQ(cell(sheet, 1, 0),
            (json{{"v", "2026-02-01T00:30:00"}, {"t", "d"}, {"f", "yyyy-mm-dd hh:mm:ss"}}));
  EXPECT_EQ(cell(sheet, 1, 1)["v"], "2026-01-31T23:30:00");
  EXPECT_EQ(cell(sheet, 2, 0)["v"], "2026-01-30T22:15:00");
  EXPECT_EQ(cell(sheet, 3, 0)["v"], "2026-07-01T01:30:00");
  EXPECT_EQ(cell(sheet, 0, 0)["v"], "At"); // the heading is the label; the Parameters sheet names the zone
}

TEST(XlsxTotals, RowOfSubtotalFormulasWithCachedValues) {
  CellStore s;
  const TableInfo info =
      table({col("region", Kind::Text),
             styled("revenue", Kind::Numeric, "numeric(14,2)", NumberStyle::currency, "EUR"),
             Column{"orders", Kind::Integer, "bigint"}, Column{"customer_id", Kind::Integer, "bigint"},
             styled("share", Kind::Numeric, "numeric(6,4)", NumberStyle::percent)});
  const std::vector<std::vector<Cell>> rows = {
      {s.text("North"), s.numeric("1000.10"), s.integer(3), s.integer(17), s.numeric("0.2500")},
      {s.text("South"), s.numeric("-200.05"), s.integer(4), s.integer(18), s.numeric("0.7500")},
      {s.text("East"), s.null(), s.integer(5), s.integer(19), s.null()},
  };
  const json book = read_back(render(info, rows, R"({"totals": true})"));
  ASSERT_FALSE(book.contains("error")) << book.dump();
  const json& sheet = book["sheets"][0];
  EXPECT_EQ(sheet["max_row"], 5);
  EXPECT_EQ(sheet["autofilter"], "A1:E4"); // the filter covers the rows, not the totals
  EXPECT_EQ(cell(sheet, 4, 0), (json{{"v", "Total"}, {"t", "s"}, {"f", "General"}}));
  EXPECT_EQ(cell(sheet, 4, 1),
            (json{{"v", 800.05}, {"t", "n"}, {"f", "\"€\"#,##0.00"}, {"formula", "=SUBTOTAL(109,B2:B4)"}}));
  EXPECT_EQ(cell(sheet, 4, 2),
            (json{{"v", 12}, {"t", "n"}, {"f", "General"}, {"formula", "=SUBTOTAL(109,C2:C4)"}}));
  EXPECT_TRUE(cell(sheet, 4, 3).is_null()) << "identifiers are not added up";
  EXPECT_TRUE(cell(sheet, 4, 4).is_null()) << "nor percentages";
  for (bool bold : sheet["bold_last_row"]) {
    EXPECT_TRUE(bold);
  }
}

TEST(XlsxTotals, EachKindOfTotalIsItsSubtotalFunction) {
  CellStore s;
  const auto with = [](Column c, Total t) {
    c.total = t;
    return c;
  };
  const TableInfo info = table({with(Column{"a", Kind::Numeric, "numeric"}, Total::avg),
                                with(Column{"b", Kind::Numeric, "numeric"}, Total::min),
                                with(Column{"c", Kind::Numeric, "numeric"}, Total::max),
                                with(Column{"d", Kind::Text, "text"}, Total::count),
                                with(Column{"e", Kind::Date, "date"}, Total::count),
                                with(Column{"f", Kind::Numeric, "numeric"}, Total::none)});
  const std::vector<std::vector<Cell>> rows = {
      {s.numeric("1"), s.numeric("5"), s.numeric("5"), s.text("x"), s.date(2026, 1, 1), s.numeric("1")},
      {s.numeric("2"), s.numeric("-3.5"), s.numeric("7.25"), s.null(), s.null(), s.numeric("2")},
      {s.numeric("4"), s.null(), s.numeric("-1"), s.text(""), s.date(2026, 1, 2), s.numeric("3")},
  };
  const json sheet = read_back(render(info, rows, R"({"totals": true, "locale": "de-DE"})"))["sheets"][0];
  const json& totals = sheet["rows"][4];
  EXPECT_EQ(totals[0]["formula"], "=SUBTOTAL(101,A2:A4)");
  EXPECT_NEAR(totals[0]["v"].get<double>(), 7.0 / 3, 1e-13); // 15 significant digits
  EXPECT_EQ(totals[1]["formula"], "=SUBTOTAL(105,B2:B4)");
  EXPECT_EQ(totals[1]["v"], -3.5);
  EXPECT_EQ(totals[2]["formula"], "=SUBTOTAL(104,C2:C4)");
  EXPECT_EQ(totals[2]["v"], 7.25);
  // Counting a text column: COUNTA of the non-empty cells (the empty string is a value).
  EXPECT_EQ(totals[3]["formula"], "=SUBTOTAL(103,D2:D4)");
  EXPECT_EQ(totals[3]["v"], 2);
  EXPECT_EQ(totals[3]["f"], "General");
  EXPECT_EQ(totals[4]["formula"], "=SUBTOTAL(103,E2:E4)");
  EXPECT_EQ(totals[4]["v"], 2);
  EXPECT_EQ(totals[4]["f"], "General"); // a count, not a date
  EXPECT_EQ(totals[5]["v"], "Summe");   // the label, in the locale's word
}

TEST(XlsxTotals, NonFiniteValuesAreNotCachedAsNumbers) {
  CellStore s;
  const TableInfo info = table({col("label", Kind::Text), col("ratio", Kind::Float)});
  const json sheet = read_back(render(
      info, {{s.text("a"), s.floating(1.5)}, {s.text("b"), s.floating(NAN)}, {s.text("c"), s.floating(2.5)}},
      R"({"totals": true})"))["sheets"][0];
  EXPECT_EQ(cell(sheet, 2, 1)["v"], "NaN");
  const json& total = cell(sheet, 4, 1);
  EXPECT_EQ(total["formula"], "=SUBTOTAL(109,B2:B4)");
  EXPECT_TRUE(total["v"].is_number()) << total.dump(); // Excel has no NaN: never a NaN in the file
}

// Without rows there is nothing to total: no formula over an empty range (which would be the totals
// cell itself, a circular reference Excel warns about).
TEST(XlsxTotals, EmptyResultHasALabelAndNoFormula) {
  const TableInfo info = table({col("region", Kind::Text), Column{"revenue", Kind::Numeric, "numeric(14,2)"},
                                Column{"orders", Kind::Integer, "bigint"}});
  json sheet = read_back(render(info, {}, R"({"totals": true})"))["sheets"][0];
  EXPECT_EQ(sheet["max_row"], 2);
  EXPECT_EQ(cell(sheet, 1, 0)["v"], "Total");
  for (const json& c : sheet["rows"][1]) {
    EXPECT_TRUE(c.is_null() || !c.contains("formula")) << c.dump();
  }
  // Without a header either.
  sheet = read_back(render(info, {}, R"({"totals": true, "header": false})"))["sheets"][0];
  EXPECT_EQ(cell(sheet, 0, 0)["v"], "Total");
  for (const json& c : sheet["rows"][0]) {
    EXPECT_TRUE(c.is_null() || !c.contains("formula")) << c.dump();
  }
}

TEST(XlsxTotals, WithoutAHeaderTheFormulaStartsAtTheFirstRow) {
  CellStore s;
  const TableInfo info = table({col("region", Kind::Text), Column{"n", Kind::Integer, "bigint"}});
  const json sheet = read_back(render(info, {{s.text("a"), s.integer(1)}, {s.text("b"), s.integer(2)}},
                                      R"({"totals": true, "header": false})"))["sheets"][0];
  EXPECT_EQ(sheet["max_row"], 3);
  EXPECT_EQ(cell(sheet, 2, 1)["formula"], "=SUBTOTAL(109,B1:B2)");
  EXPECT_EQ(cell(sheet, 2, 1)["v"], 3);
}

TEST(XlsxTotals, EverySheetOfASpillHasItsOwnTotals) {
  CellStore s;
  const TableInfo info = table({col("label", Kind::Text), Column{"n", Kind::Integer, "bigint"}}, "orders");
  std::vector<std::vector<Cell>> rows;
  for (int i = 1; i <= 25; ++i) {
    rows.push_back({s.text("row " + std::to_string(i)), s.integer(i)});
  }
  const json book = read_back(render(info, rows, R"({"totals": true})", 10));
  ASSERT_FALSE(book.contains("error")) << book.dump();
  ASSERT_EQ(book["sheets"].size(), 4u);
  const std::vector<int> sizes = {10, 10, 5};
  const std::vector<int> sums = {55, 155, 115};
  for (size_t k = 0; k < 3; ++k) {
    const json& sheet = book["sheets"][k];
    const int last = sizes[k] + 1; // header, then the rows
    EXPECT_EQ(sheet["max_row"], last + 1);
    EXPECT_EQ(sheet["autofilter"], "A1:B" + std::to_string(last));
    EXPECT_EQ(cell(sheet, last, 0)["v"], "Total");
    EXPECT_EQ(cell(sheet, last, 1)["formula"], "=SUBTOTAL(109,B2:B" + std::to_string(last) + ")");
    EXPECT_EQ(cell(sheet, last, 1)["v"], sums[k]) << sheet["name"];
  }
  EXPECT_EQ(parameters_of(book["sheets"][3])["Rows"], "25");
}

TEST(XlsxTotals, ExactlyFullSheetsGetTheirTotalsToo) {
  CellStore s;
  const TableInfo info = table({col("label", Kind::Text), Column{"n", Kind::Integer, "bigint"}});
  std::vector<std::vector<Cell>> rows;
  for (int i = 1; i <= 20; ++i) {
    rows.push_back({s.text("x"), s.integer(i)});
  }
  const json book = read_back(render(info, rows, R"({"totals": true})", 10));
  ASSERT_EQ(book["sheets"].size(), 3u); // no empty third sheet of rows
  EXPECT_EQ(cell(book["sheets"][0], 11, 1)["v"], 55);
  EXPECT_EQ(cell(book["sheets"][1], 11, 1)["v"], 155);
}

TEST(XlsxParameters, SheetSaysWhatTheWorkbookHolds) {
  CellStore s;
  TableInfo info = table({col("n", Kind::Integer), col("at", Kind::TimestampTz)});
  info.parameters = {{"since", "2026-01-01"}, {"region", "North"}};
  info.generated_at = "2026-01-31T09:00:00+01:00";
  info.time_zone = "Europe/Berlin";
  const json book = read_back(render(info, {{s.integer(1), s.null()}, {s.integer(2), s.null()}}));
  ASSERT_EQ(book["sheets"].size(), 2u);
  const json& sheet = book["sheets"][1];
  EXPECT_EQ(sheet["name"], "Parameters");
  EXPECT_EQ(cell(sheet, 0, 0)["v"], "Name");
  EXPECT_EQ(cell(sheet, 0, 1)["v"], "Value");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"Report", "sales"},
      {"Description", "Revenue by day"},
      {"since", "2026-01-01"},
      {"region", "North"},
      {"Generated at", "2026-01-31T09:00:00+01:00"},
      {"Time zone", "Europe/Berlin"},
      {"Rows", "2"}};
  ASSERT_EQ(sheet["rows"].size(), expected.size() + 1);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(cell(sheet, i + 1, 0)["v"], expected[i].first);
    EXPECT_EQ(cell(sheet, i + 1, 1)["v"], expected[i].second);
  }
}

TEST(XlsxParameters, SheetCanBeLeftOut) {
  const TableInfo info = table({col("n", Kind::Integer)});
  const json book = read_back(render(info, {}, R"({"parameters_sheet": false})"));
  ASSERT_EQ(book["sheets"].size(), 1u);
  EXPECT_EQ(book["sheets"][0]["name"], "sales");
}

// A report whose own sheet is called Parameters keeps that name; the parameters move aside.
TEST(XlsxParameters, NameClashWithTheReportsSheet) {
  CellStore s;
  const TableInfo info = table({col("n", Kind::Integer)}, "Parameters");
  json book = read_back(render(info, {{s.integer(1)}}));
  ASSERT_FALSE(book.contains("error")) << book.dump();
  ASSERT_EQ(book["sheets"].size(), 2u);
  EXPECT_EQ(book["sheets"][0]["name"], "Parameters");
  EXPECT_EQ(cell(book["sheets"][0], 1, 0)["v"], 1);
  EXPECT_EQ(book["sheets"][1]["name"], "Report Parameters");
  EXPECT_EQ(parameters_of(book["sheets"][1])["Report"], "Parameters");

  // Excel compares sheet names without regard to case.
  for (const std::string name : {"parameters", "PARAMETERS"}) {
    book = read_back(render(info, {{s.integer(1)}}, R"({"sheet_name": ")" + name + "\"}"));
    ASSERT_FALSE(book.contains("error")) << name << ": " << book.dump();
    ASSERT_EQ(book["sheets"].size(), 2u);
    EXPECT_EQ(book["sheets"][0]["name"], name);
    EXPECT_EQ(book["sheets"][1]["name"], "Report Parameters");
  }

  // Spilled sheets are "Parameters (2)", ...: no clash with those.
  book = read_back(render(info, {{s.integer(1)}, {s.integer(2)}, {s.integer(3)}}, "", 2));
  ASSERT_EQ(book["sheets"].size(), 3u);
  EXPECT_EQ(book["sheets"][1]["name"], "Parameters (2)");
  EXPECT_EQ(book["sheets"][2]["name"], "Report Parameters");
}

TEST(XlsxRender, PresentationOptionsAreChecked) {
  const auto fails = [&](const std::string& options, const std::string& message) {
    StringOutput out;
    try {
      make_xlsx(Options::parse(options), out);
      ADD_FAILURE() << "no error for " << options;
    } catch (const Error& e) {
      EXPECT_EQ(e.sqlstate(), "22023") << options;
      EXPECT_EQ(e.message(), message) << options;
    }
  };
  fails(R"({"totals": "yes"})", "option \"totals\" must be true or false");
  fails(R"({"parameters_sheet": 1})", "option \"parameters_sheet\" must be true or false");
  fails(R"({"locale": "xx-XX"})", "unknown locale \"xx-XX\"");
}

// A totals row needs a row of its own: a sheet filled up to Excel's limit leaves room for it, the rows
// going on to the next sheet. Writes a million rows (a second or two); reads only each sheet's extent
// and formulas back (openpyxl would take several times longer).
TEST(XlsxSpill, TotalsRowFitsUnderExcelsLimit) {
  const TableInfo info = table({col("n", Kind::Integer)}, "big");
  StringOutput out;
  auto r = make_xlsx(Options::parse(R"({"totals": true, "parameters_sheet": false})"), out);
  r->begin(info);
  Cell c;
  c.is_null = false;
  for (uint32_t i = 1; i < excel_max_rows; ++i) { // without totals, the header and these rows fill a sheet
    c.integer = i;
    c.number = i;
    r->row({&c, 1});
  }
  ASSERT_NO_THROW(r->end());
  const ScratchDir dir;
  const std::string file = dir.write("big.xlsx", out.data());
  std::string extents;
  ASSERT_EQ(testing::run_command(
                "/usr/bin/python3 -c 'import re, sys, zipfile\n"
                "z = zipfile.ZipFile(sys.argv[1])\n"
                "for n in sorted(x for x in z.namelist() if x.startswith(\"xl/worksheets/sheet\")):\n"
                "    xml = z.read(n).decode()\n"
                "    print(re.search(\"<dimension ref=.([A-Z0-9:]+)\", xml).group(1), "
                "*re.findall(\"<f>([^<]+)</f>\", xml))' " +
                    file,
                &extents),
            0);
  EXPECT_EQ(extents, "A1:A1048576 SUBTOTAL(109,A2:A1048575)\nA1:A3 SUBTOTAL(109,A2)\n");
}

} // namespace
} // namespace autoreport::render
