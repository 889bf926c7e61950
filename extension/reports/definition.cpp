// The DDL text and the version rule of define_report.
#include "reports/definition.hpp"

#include "common/pure.hpp"

namespace autoreport::reports {

Ddl report_ddl(const std::string& name, const std::vector<DdlParam>& params,
               const std::vector<DdlColumn>& columns, const QuoteIdent& quote) {
  Ddl d;
  const std::string qname = "reports." + quote(name);
  d.type = "CREATE TYPE " + qname + " AS (";
  for (size_t i = 0; i < columns.size(); ++i) {
    d.type += (i ? ", " : "") + quote(columns[i].name) + " " + columns[i].type;
  }
  d.type += ")";
  std::string args;
  std::string types;
  for (const bool required : {true, false}) {
    for (const DdlParam& p : params) {
      if (p.required != required) {
        continue;
      }
      args += (args.empty() ? "" : ", ") + quote(p.name) + " " + p.type + " DEFAULT " + p.default_sql;
      types += (types.empty() ? "" : ", ") + p.type;
    }
  }
  d.function = "CREATE FUNCTION " + qname + "(" + args + ") RETURNS SETOF " + qname +
               " LANGUAGE c VOLATILE PARALLEL UNSAFE AS '$libdir/autoreport', 'autoreport_report_call'";
  d.signature = qname + "(" + types + ")";
  return d;
}

Redefinition redefinition(bool exists, bool objects_intact, bool catalog_same) {
  if (!exists) {
    return Redefinition::first;
  }
  if (!objects_intact) {
    return Redefinition::new_objects;
  }
  return catalog_same ? Redefinition::unchanged : Redefinition::same_objects;
}

int next_version(Redefinition what, std::optional<int> current, int highest_recorded) {
  if (what == Redefinition::unchanged && current) {
    return *current;
  }
  if (what != Redefinition::first && current) {
    return *current + 1;
  }
  return highest_recorded + 1;
}

} // namespace autoreport::reports
