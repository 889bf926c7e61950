// Reading the report catalog, and acting as the extension's owner where the catalog must be written.
#pragma once

#include "common/boundary_pg.hpp"
#include "common/settings_pg.hpp"
#include "reports/params.hpp"

#include <string>
#include <vector>

namespace autoreport::reports {

// Runs as the extension's owner for its lifetime (SetUserIdAndSecContext), with search_path pinned
// to pg_catalog, pg_temp so that no object of the caller's can be picked up, and back as the caller
// afterwards, also when an exception unwinds. The caller's own checks come first: this is only for
// the catalog reads, writes and DDL that autoreport does on their behalf.
class AsExtensionOwner {
public:
  AsExtensionOwner();
  ~AsExtensionOwner();
  AsExtensionOwner(const AsExtensionOwner&) = delete;
  AsExtensionOwner& operator=(const AsExtensionOwner&) = delete;

private:
  pg::SettingScope search_path_;
  Oid saved_user_;
  int saved_context_;
};

struct ResultColumn {
  std::string name;
  Oid type;
  int32 typmod;
  std::string type_name; // format_type_with_typemod
};

// One version of a report as the catalog holds it.
struct ReportVersion {
  std::string name;
  int version = 0;
  Oid owner = InvalidOid;
  std::string query;
  std::string bound_query; // :name rewritten to $n
  std::string search_path; // as it was when the report was defined; applied to every run
  std::vector<ParamSpec> params;
  std::vector<ResultColumn> columns;
  std::string description;
  std::string signature;
};

// The current version of report `name`; 42704 when there is no such report.
ReportVersion load_report(const std::string& name);

// The reports.<name> function, or InvalidOid when it is missing.
Oid report_function(const std::string& name);

// Refuses (42501) a caller who may not run the report: running needs EXECUTE on its function.
void check_may_run(const ReportVersion& report);

// The parameter types as PostgreSQL OIDs, in declaration order.
std::vector<Oid> param_types(const std::vector<ParamSpec>& params);
Oid param_type(const ParamSpec& spec);

} // namespace autoreport::reports
