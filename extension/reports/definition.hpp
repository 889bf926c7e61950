// The decisions of define_report that need no server: the text of a report's row type and function,
// and the rule that says whether a definition makes a new version and new objects.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace autoreport::reports {

struct DdlParam {
  std::string name;
  std::string type;        // as SQL spells it: date, integer, text[]...
  bool required = false;   // required parameters come first
  std::string default_sql; // the DEFAULT expression (a required one's raises an error naming it)
};

struct DdlColumn {
  std::string name;
  std::string type; // schema-qualified: the DDL runs under search_path pg_catalog, pg_temp
};

struct Ddl {
  std::string type;      // CREATE TYPE reports.<name> AS (...)
  std::string function;  // CREATE FUNCTION reports.<name>(...) RETURNS SETOF reports.<name> ...
  std::string signature; // reports.<name>(argtypes), for GRANT, COMMENT and regprocedure
  // Both statements, as the catalog records them (report_version.ddl).
  std::string full() const { return type + ";\n" + function; }
};

// Quotes an identifier as PostgreSQL would (quote_identifier() in the glue).
using QuoteIdent = std::function<std::string(const std::string&)>;

// The row type and C function of a report. Required parameters come first, as SQL demands that
// parameters after one with a default also have one; each group keeps its declared order.
Ddl report_ddl(const std::string& name, const std::vector<DdlParam>& params,
               const std::vector<DdlColumn>& columns, const QuoteIdent& quote);

// What defining a report that may already exist does.
enum class Redefinition {
  first,        // no current report: version = the next after any dropped one's, new objects
  unchanged,    // exactly as it is, objects intact: no new version, nothing written
  same_objects, // a new version; the function and row type are kept
  new_objects,  // a new version; the function and row type are recreated (grants carried over)
};

// exists: the report has a current version. objects_intact: its function and row type are exactly what
// this definition makes and nobody altered them. catalog_same: every recorded property (query,
// parameters, description, search_path, TTL, columns, parse settings, cacheability) is as given.
Redefinition redefinition(bool exists, bool objects_intact, bool catalog_same);

// The version a definition gets: the current one when unchanged, else one past the current version,
// or one past the highest version ever recorded for the name (a dropped report keeps its versions).
int next_version(Redefinition what, std::optional<int> current, int highest_recorded);

} // namespace autoreport::reports
