// CSV and TSV as a spreadsheet or a CSV parser will read them.
#include "render/csv.hpp"

#include "render_text_support.hpp"

namespace autoreport::render {
namespace {

using namespace testing;

const Factory csv = [](const Options& o, Output& out) { return make_delimited(o, out, ','); };
const Factory tsv = [](const Options& o, Output& out) { return make_delimited(o, out, '\t'); };

TableInfo sales() {
  return table({{"id", Kind::Integer, "integer"},
                {"name", Kind::Text, "text"},
                {"price", Kind::Numeric, "numeric(10,2)"},
                {"paid", Kind::Boolean, "boolean"},
                {"day", Kind::Date, "date"}});
}

TEST(RenderCsv, WritesHeaderAndRowsWithCrlf) {
  const std::string out =
      render(csv, sales(),
             {{integer_cell(1, "1"), text_cell("Alice"), number_cell("9.99"), bool_cell(true),
               text_cell("2026-01-31")},
              {integer_cell(-2, "-2"), null_cell(), number_cell("-0.50"), bool_cell(false), null_cell()}});
  EXPECT_EQ(out, "id,name,price,paid,day\r\n"
                 "1,Alice,9.99,true,2026-01-31\r\n"
                 "-2,,-0.50,false,\r\n");
}

TEST(RenderCsv, HeaderCanBeLeftOut) {
  EXPECT_EQ(render(csv, sales(), {}, R"({"header": false})"), "");
  EXPECT_EQ(render(csv, sales(), {}), "id,name,price,paid,day\r\n");
}

TEST(RenderCsv, QuotesFieldsThatWouldOtherwiseSplitOrChange) {
  const TableInfo info = table({{"v", Kind::Text, "text"}});
  const std::string out = render(csv, info,
                                 {{text_cell("a,b")},
                                  {text_cell("say \"hi\"")},
                                  {text_cell("line1\nline2")},
                                  {text_cell("cr\rhere")},
                                  {text_cell(" lead")},
                                  {text_cell("trail ")},
                                  {text_cell("in side")},
                                  {text_cell("tab\tinside")}});
  EXPECT_EQ(out, "v\r\n"
                 "\"a,b\"\r\n"
                 "\"say \"\"hi\"\"\"\r\n"
                 "\"line1\nline2\"\r\n"
                 "\"cr\rhere\"\r\n"
                 "\" lead\"\r\n"
                 "\"trail \"\r\n"
                 "in side\r\n"
                 "tab\tinside\r\n");
}

TEST(RenderCsv, TsvQuotesTabsButNotCommas) {
  const TableInfo info = table({{"a", Kind::Text, "text"}, {"b", Kind::Text, "text"}});
  EXPECT_EQ(render(tsv, info, {{text_cell("x,y"), text_cell("t\tu")}, {text_cell("q\""), null_cell()}}),
            "a\tb\r\n"
            "x,y\t\"t\tu\"\r\n"
            "\"q\"\"\"\t\r\n");
}

TEST(RenderCsv, GuardsTextThatASpreadsheetWouldRunAsAFormula) {
  const TableInfo info = table({{"v", Kind::Text, "text"}});
  const std::string out = render(csv, info,
                                 {{text_cell("=SUM(A1:A9)")},
                                  {text_cell("+1")},
                                  {text_cell("-1")},
                                  {text_cell("@cmd")},
                                  {text_cell("\tx")},
                                  {text_cell("\rx")},
                                  {text_cell("=HYPERLINK(\"http://evil\",\"a,b\")")},
                                  {text_cell("a=b")}});
  EXPECT_EQ(out, "v\r\n"
                 "'=SUM(A1:A9)\r\n"
                 "'+1\r\n"
                 "'-1\r\n"
                 "'@cmd\r\n"
                 "'\tx\r\n"
                 "\"'\rx\"\r\n"
                 "\"'=HYPERLINK(\"\"http://evil\"\",\"\"a,b\"\")\"\r\n"
                 "a=b\r\n");
}

TEST(RenderCsv, NeverAltersNumbersDatesOrBooleans) {
  const TableInfo info = table({{"i", Kind::Integer, "bigint"},
                                {"f", Kind::Float, "double precision"},
                                {"n", Kind::Numeric, "numeric"},
                                {"d", Kind::Date, "date"},
                                {"ts", Kind::TimestampTz, "timestamp with time zone"}});
  EXPECT_EQ(render(csv, info,
                   {{integer_cell(-5, "-5"), number_cell("-Infinity", false), number_cell("-1.5e+30"),
                     text_cell("-infinity"), text_cell("-infinity")}},
                   R"({"header": false})"),
            "-5,-Infinity,-1.5e+30,-infinity,-infinity\r\n");
}

TEST(RenderCsv, GuardsOtherTextLikeKindsAndHeaderNames) {
  const TableInfo info =
      table({{"=cmd", Kind::Interval, "interval"}, {"j", Kind::Json, "jsonb"}, {"t", Kind::Time, "time"}});
  EXPECT_EQ(render(csv, info, {{text_cell("-P1D"), text_cell("-1"), text_cell("+12:00:00")}}),
            "'=cmd,j,t\r\n'-P1D,'-1,'+12:00:00\r\n");
}

TEST(RenderCsv, FormulaGuardCanBeTurnedOff) {
  const TableInfo info = table({{"=v", Kind::Text, "text"}});
  EXPECT_EQ(render(csv, info, {{text_cell("=1+1")}}, R"({"formula_guard": false})"), "=v\r\n=1+1\r\n");
}

TEST(RenderCsv, KeepsNullAndEmptyStringApart) {
  const TableInfo info = table({{"a", Kind::Text, "text"}, {"b", Kind::Text, "text"}});
  const std::vector<std::vector<Cell>> rows = {{null_cell(), text_cell("")},
                                               {text_cell("NULL"), null_cell()}};
  // Default null string "": an empty string is written "" so it does not read back as NULL.
  EXPECT_EQ(render(csv, info, rows), "a,b\r\n,\"\"\r\nNULL,\r\n");
  // A chosen null string: a value equal to it is quoted, the empty string needs no quotes.
  EXPECT_EQ(render(csv, info, rows, R"({"null": "NULL"})"), "a,b\r\nNULL,\r\n\"NULL\",NULL\r\n");
  // The null string is the user's choice: not formula-guarded.
  EXPECT_EQ(render(csv, info, {{null_cell(), text_cell("-")}}, R"({"null": "-", "header": false})"),
            "-,'-\r\n");
  EXPECT_EQ(render(csv, info, {{null_cell(), text_cell("-")}},
                   R"({"null": "-", "header": false, "formula_guard": false})"),
            "-,\"-\"\r\n");
}

TEST(RenderCsv, WritesBytesAsBase64AndKeepsUnicode) {
  const TableInfo info = table({{"b", Kind::Bytes, "bytea"}, {"t", Kind::Text, "text"}});
  EXPECT_EQ(render(csv, info,
                   {{text_cell("foobar"), text_cell("Zürich 東京")}, {text_cell("\xFB\xFF"), null_cell()}},
                   R"({"header": false})"),
            "Zm9vYmFy,Zürich 東京\r\n'+/8=,\r\n");
}

TEST(RenderCsv, StreamsTheHeaderBeforeAnyRow) {
  StringOutput out;
  auto r = make_delimited(Options{}, out, ',');
  r->begin(sales());
  EXPECT_EQ(out.data(), "id,name,price,paid,day\r\n");
  r->row(std::vector<Cell>{integer_cell(1, "1")}); // missing cells are NULL
  EXPECT_EQ(out.data(), "id,name,price,paid,day\r\n1,,,,\r\n");
}

TEST(RenderCsv, RefusesUnknownOptions) {
  const Error e = options_error(csv, R"({"lang": "en"})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "unknown option \"lang\" for format csv");
  EXPECT_EQ(e.detail(), "Format csv accepts: header, null, formula_guard, delimiter, decimal, time_zone.");
  EXPECT_EQ(options_error(tsv, R"({"delimiter": ";"})").message(),
            "unknown option \"delimiter\" for format tsv");
}

// European Excel: semicolons between fields, commas in numbers; only floats and numerics change, and
// a field holding the delimiter is quoted.
TEST(RenderCsv, DelimiterAndDecimalForEuropeanSpreadsheets) {
  const std::string out =
      render(csv, sales(),
             {{integer_cell(1, "1"), text_cell("a;b"), number_cell("4016.10"), bool_cell(true),
               text_cell("2026-01-31")},
              {integer_cell(2, "2"), text_cell("1.5"), number_cell("-0.50"), bool_cell(false), null_cell()}},
             R"({"delimiter": ";", "decimal": ","})");
  EXPECT_EQ(out, "id;name;price;paid;day\r\n"
                 "1;\"a;b\";4016,10;true;2026-01-31\r\n"
                 "2;1.5;-0,50;false;\r\n");
  // A comma decimal needs quotes with the default delimiter... which is why the two must differ.
  Error e = options_error(csv, R"({"decimal": ","})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "options \"decimal\" and \"delimiter\" must differ");
  for (const char* bad : {R"({"delimiter": ""})", R"({"delimiter": ";;"})", R"({"delimiter": "\""})",
                          R"({"delimiter": "\n"})"}) {
    e = options_error(csv, bad);
    EXPECT_EQ(e.sqlstate(), "22023") << bad;
    EXPECT_EQ(e.message(), "option \"delimiter\" must be one character other than a double quote, CR or LF");
  }
  e = options_error(csv, R"({"decimal": "·", "delimiter": ";"})");
  EXPECT_EQ(e.message(), "option \"decimal\" must be \".\" or \",\"");
  // Tabs work too.
  EXPECT_EQ(render(csv, table({{"x", Kind::Float, "double precision"}, {"y", Kind::Text, "text"}}),
                   {{number_cell("0.25", false), text_cell("b")}}, R"({"delimiter": "\t", "decimal": ","})"),
            "x\ty\r\n0,25\tb\r\n");
}

TEST(RenderCsv, RefusesOptionsOfTheWrongType) {
  Error e = options_error(csv, R"({"header": "yes"})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "option \"header\" must be true or false");
  e = options_error(csv, R"({"formula_guard": 1})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "option \"formula_guard\" must be true or false");
  e = options_error(csv, R"({"null": 0})");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "option \"null\" must be a string");
}

TEST(RenderCsv, RefusesANullStringThatCannotBeWrittenUnquoted) {
  for (const char* options :
       {R"({"null": "a,b"})", R"({"null": "\""})", R"({"null": "x\n"})", R"({"null": " "})"}) {
    const Error e = options_error(csv, options);
    EXPECT_EQ(e.sqlstate(), "22023") << options;
    EXPECT_EQ(
        e.message(),
        "option \"null\" must not contain the delimiter, a double quote, a space at either end, CR or LF");
  }
  EXPECT_EQ(options_error(tsv, R"({"null": "\t"})").sqlstate(), "22023");
  // A comma is fine in TSV.
  EXPECT_EQ(render(tsv, table({{"a", Kind::Text, "text"}}), {{null_cell()}}, R"({"null": "n,a"})"),
            "a\r\nn,a\r\n");
}

} // namespace
} // namespace autoreport::render
