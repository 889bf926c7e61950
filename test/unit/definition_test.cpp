// define_report's pure decisions: the DDL text of a report and the version rule.
#include "reports/definition.hpp"

#include <gtest/gtest.h>

namespace autoreport::reports {
namespace {

// Quotes what is not a plain lower-case identifier, like PostgreSQL's quote_identifier().
std::string quote(const std::string& s) {
  for (char c : s) {
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return "\"" + s + "\"";
    }
  }
  return s;
}

// Every parameter has a DEFAULT: a required one's raises an error naming it when it is left out.
TEST(Definition, RequiredParametersComeFirstAndEveryOneHasADefault) {
  const Ddl d = report_ddl("sales",
                           {{"since", "date", false, "'2026-01-01'::date"},
                            {"region", "text", true, "autoreport.required('region', NULL::text)"},
                            {"n", "integer", false, "10"},
                            {"tags", "text[]", true, "autoreport.required('tags', NULL::text[])"}},
                           {{"region", "text"}, {"Total", "numeric(12,2)"}}, quote);
  EXPECT_EQ(d.type, "CREATE TYPE reports.sales AS (region text, \"Total\" numeric(12,2))");
  EXPECT_EQ(d.function,
            "CREATE FUNCTION reports.sales(region text DEFAULT autoreport.required('region', "
            "NULL::text), tags text[] DEFAULT autoreport.required('tags', NULL::text[]), since date "
            "DEFAULT '2026-01-01'::date, n integer DEFAULT 10) RETURNS SETOF reports.sales LANGUAGE c "
            "VOLATILE PARALLEL UNSAFE AS '$libdir/autoreport', 'autoreport_report_call'");
  // The signature lists the argument types in the function's order.
  EXPECT_EQ(d.signature, "reports.sales(text, text[], date, integer)");
  EXPECT_EQ(d.full(), d.type + ";\n" + d.function);
}

TEST(Definition, NoParameters) {
  const Ddl d = report_ddl("moods", {}, {{"Mood", "sec.mood"}}, quote);
  EXPECT_EQ(d.type, "CREATE TYPE reports.moods AS (\"Mood\" sec.mood)");
  EXPECT_EQ(d.signature, "reports.moods()");
}

TEST(Definition, RedefinitionRule) {
  EXPECT_EQ(redefinition(false, false, false), Redefinition::first);
  EXPECT_EQ(redefinition(false, true, true), Redefinition::first);
  EXPECT_EQ(redefinition(true, true, true), Redefinition::unchanged);
  EXPECT_EQ(redefinition(true, true, false), Redefinition::same_objects);
  // Objects altered or made differently: recreated, however the catalog compares (the "redefine it"
  // hint must repair a changed column type even when the text is the same).
  EXPECT_EQ(redefinition(true, false, true), Redefinition::new_objects);
  EXPECT_EQ(redefinition(true, false, false), Redefinition::new_objects);
}

TEST(Definition, VersionRule) {
  EXPECT_EQ(next_version(Redefinition::unchanged, 4, 4), 4);
  EXPECT_EQ(next_version(Redefinition::same_objects, 4, 4), 5);
  EXPECT_EQ(next_version(Redefinition::new_objects, 4, 4), 5);
  // A first definition continues the numbering of a dropped report's versions.
  EXPECT_EQ(next_version(Redefinition::first, std::nullopt, 0), 1);
  EXPECT_EQ(next_version(Redefinition::first, std::nullopt, 7), 8);
}

} // namespace
} // namespace autoreport::reports
