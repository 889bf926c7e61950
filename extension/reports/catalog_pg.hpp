// Reading the report catalog, and acting as the extension's owner where the catalog must be written.
#pragma once

#include "common/boundary_pg.hpp"
#include "common/settings_pg.hpp"
#include "reports/params.hpp"

#include <optional>
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
  std::string type_name;    // format_type_with_typemod, as users read it
  std::string ddl_type;     // schema-qualified, for the row type's DDL (only set at definition)
  std::string presentation; // define_report's `columns` for it: a JSON object text, "" for none
};

// One version of a report as the catalog holds it.
struct ReportVersion {
  std::string name;
  int version = 0;
  Oid owner = InvalidOid;
  std::string query;
  std::string bound_query;      // :name rewritten to $n
  std::string search_path;      // as it was when the report was defined; applied to every run
  bool standard_strings = true; // standard_conforming_strings at definition; the query text is read so
  Oid function = InvalidOid;    // reports.<name>(...), as recorded at definition
  std::vector<ParamSpec> params;
  std::vector<ResultColumn> columns;
  std::string description;
  std::string signature;
};

// The current version of report `name`, or nothing when there is no such report. Read with a fresh
// snapshot (in READ COMMITTED), so that a caller who waited for a lock sees what was committed meanwhile.
std::optional<ReportVersion> find_report(const std::string& name);

// 42704: report `name` does not exist.
Error no_such_report(const std::string& name);

// The current version of report `name`; 42704 when there is no such report.
ReportVersion load_report(const std::string& name);

// The current version of the report whose function is `fn`; 42704 when it is no report's function.
ReportVersion load_report_of_function(Oid fn);

// Takes a share lock on a report's function for the rest of the transaction, so that a concurrent
// redefinition or drop cannot remove it mid-call (DROP FUNCTION waits), and checks that it still exists
// once the lock is held (42704 when a redefinition or drop committed first).
void lock_report_function(Oid fn, const std::string& name);

// The current version of report `name` with its function share-locked (see lock_report_function):
// the version read after the lock is held, so a concurrent redefinition is seen whole or not at all.
ReportVersion load_report_locked(const std::string& name);

// Checks that `fn` is still the function autoreport made for the report: its name, schema, argument
// and result types, and the attributes the call relies on (not STRICT, not SECURITY DEFINER, PARALLEL
// UNSAFE, VOLATILE, no SET clause, autoreport's C entry point). 55000 naming what changed otherwise.
void verify_report_function(const ReportVersion& report, Oid fn);
// What verify_report_function() would refuse, in words ("it is STRICT"), or "" when nothing.
std::string report_function_problem(const ReportVersion& report, Oid fn);

// The argument types of a report's function, in its argument order (required parameters first).
std::vector<Oid> function_arg_types(const std::vector<ParamSpec>& params);

// Refuses (42501) a caller who may not run the report: running needs EXECUTE on its function (or
// membership in the role that owns the report).
void check_may_run(const ReportVersion& report);

// The parameter types as PostgreSQL OIDs, in declaration order.
std::vector<Oid> param_types(const std::vector<ParamSpec>& params);
Oid param_type(const ParamSpec& spec);

// Whether `user` is a superuser or has the privileges of autoreport_admin.
bool is_admin(Oid user);

} // namespace autoreport::reports
