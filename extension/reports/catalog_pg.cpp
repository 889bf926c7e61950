// The report catalog: loading versions and switching to the extension owner for catalog writes.
#include "reports/catalog_pg.hpp"

#include "common/convert_pg.hpp"
#include "common/spi_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_language.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/regproc.h"
#include "catalog/pg_authid.h"
#include "utils/catcache.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "access/table.h"
#include "access/genam.h"
}

#include <array>
#include <cstring>
#include <optional>

namespace autoreport::reports {

namespace pg = autoreport::pg;

bool is_admin(Oid user) {
  const Oid admin = pg::guard([] { return get_role_oid("autoreport_admin", true); });
  return pg::guard(
      [&] { return superuser_arg(user) || (OidIsValid(admin) && has_privs_of_role(user, admin)); });
}

namespace {

// The role that owns the autoreport extension in this database.
Oid extension_owner() {
  return pg::guard([] {
    Oid ext = get_extension_oid("autoreport", false);
    Relation rel = table_open(ExtensionRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(ext));
    SysScanDesc scan = systable_beginscan(rel, ExtensionOidIndexId, true, nullptr, 1, &key);
    HeapTuple tuple = systable_getnext(scan);
    Oid owner = HeapTupleIsValid(tuple) ? reinterpret_cast<Form_pg_extension>(GETSTRUCT(tuple))->extowner
                                        : BOOTSTRAP_SUPERUSERID;
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
    return owner;
  });
}

} // namespace

AsExtensionOwner::AsExtensionOwner() : search_path_("search_path", "pg_catalog, pg_temp") {
  GetUserIdAndSecContext(&saved_user_, &saved_context_);
  SetUserIdAndSecContext(extension_owner(), saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
}

AsExtensionOwner::~AsExtensionOwner() {
  SetUserIdAndSecContext(saved_user_, saved_context_);
}

Oid param_type(const ParamSpec& spec) {
  switch (spec.base) {
  case BaseType::Date:
    return spec.is_array ? DATEARRAYOID : DATEOID;
  case BaseType::TimestampTz:
    return spec.is_array ? TIMESTAMPTZARRAYOID : TIMESTAMPTZOID;
  case BaseType::Integer:
    return spec.is_array ? INT4ARRAYOID : INT4OID;
  case BaseType::BigInt:
    return spec.is_array ? INT8ARRAYOID : INT8OID;
  case BaseType::Numeric:
    return spec.is_array ? NUMERICARRAYOID : NUMERICOID;
  case BaseType::Boolean:
    return spec.is_array ? BOOLARRAYOID : BOOLOID;
  case BaseType::Text:
    break;
  }
  return spec.is_array ? TEXTARRAYOID : TEXTOID;
}

std::vector<Oid> param_types(const std::vector<ParamSpec>& params) {
  std::vector<Oid> types;
  for (const ParamSpec& p : params) {
    types.push_back(param_type(p));
  }
  return types;
}

namespace {

constexpr const char* kSelectVersion =
    "SELECT v.version, r.owner::oid, v.query, v.bound_query, v.search_path, v.params::text, "
    "       v.columns::text, coalesce(v.description, ''), v.signature, r.function::oid, r.name, "
    "       coalesce((v.parse_settings->>'standard_conforming_strings')::boolean, true) "
    "  FROM autoreport.report AS r JOIN autoreport.report_version AS v "
    "    ON v.report = r.name AND v.version = r.current_version ";

// The current version chosen by `where` ($1), read as the extension's owner with a fresh snapshot
// (read_only = false: in READ COMMITTED each statement sees what committed before it started).
std::optional<ReportVersion> read_version(const char* where, const pg::SpiParam& key) {
  AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  const std::array<pg::SpiParam, 1> args = {key};
  const pg::SpiResult res = spi.execute(std::string(kSelectVersion) + where, args, false);
  if (res.rows() == 0) {
    return std::nullopt;
  }
  ReportVersion r;
  r.version = static_cast<int>(*res.integer(0, 0));
  r.owner = static_cast<Oid>(*res.integer(0, 1));
  r.query = *res.text(0, 2);
  r.bound_query = *res.text(0, 3);
  r.search_path = *res.text(0, 4);
  r.params = parse_params(*res.text(0, 5), {});
  const nlohmann::json columns = nlohmann::json::parse(*res.text(0, 6));
  for (const nlohmann::json& c : columns) {
    nlohmann::json presentation = c;
    for (const char* key : {"name", "type", "type_oid", "typmod"}) {
      presentation.erase(key);
    }
    r.columns.push_back({c.at("name").get<std::string>(), c.at("type_oid").get<Oid>(),
                         c.at("typmod").get<int32>(), c.at("type").get<std::string>(), "",
                         presentation.empty() ? "" : presentation.dump()});
  }
  r.description = *res.text(0, 7);
  r.signature = *res.text(0, 8);
  r.function = static_cast<Oid>(*res.integer(0, 9));
  r.name = *res.text(0, 10);
  r.standard_strings = *res.boolean(0, 11);
  return r;
}

// Share-locks a function object (DROP FUNCTION takes an exclusive lock on it) and tells whether it
// still exists once the lock is held (taking the lock processes pending invalidations).
bool lock_function(Oid fn) {
  return pg::guard([&] {
    LockDatabaseObject(ProcedureRelationId, fn, 0, AccessShareLock);
    return SearchSysCacheExists1(PROCOID, ObjectIdGetDatum(fn));
  });
}

} // namespace

Error no_such_report(const std::string& name) {
  return Error(sqlstate::undefined_object, "report \"" + name + "\" does not exist")
      .with_hint("See SELECT name FROM autoreport.reports; for the reports you may run.");
}

std::optional<ReportVersion> find_report(const std::string& name) {
  return read_version("WHERE r.name = $1", pg::SpiParam{TEXTOID, pg::string_to_text(name), false});
}

ReportVersion load_report(const std::string& name) {
  std::optional<ReportVersion> r = find_report(name);
  if (!r) {
    throw no_such_report(name);
  }
  return std::move(*r);
}

ReportVersion load_report_of_function(Oid fn) {
  std::optional<ReportVersion> r =
      read_version("WHERE r.function = $1::regprocedure", pg::SpiParam{OIDOID, ObjectIdGetDatum(fn), false});
  if (!r) {
    const std::string what = pg::guard([&] { return format_procedure(fn); });
    throw Error(sqlstate::undefined_object, "function " + what + " is not the function of a report")
        .with_detail("autoreport matches a report function to its report by the function's identity, "
                     "recorded when the report was defined; the report may have been dropped or redefined.")
        .with_hint("Call the reports.<name>(...) function that autoreport.reports lists.");
  }
  return std::move(*r);
}

void lock_report_function(Oid fn, const std::string& name) {
  if (!lock_function(fn)) {
    throw no_such_report(name).with_detail(
        "It was dropped or redefined by a transaction that committed while this call waited for it.");
  }
}

ReportVersion load_report_locked(const std::string& name) {
  // A redefinition may replace the function between the read and the lock: read again until the
  // version read holds the lock on its own function.
  for (int attempt = 0;; ++attempt) {
    const ReportVersion r = load_report(name);
    if (lock_function(r.function)) {
      ReportVersion again = load_report(name);
      if (again.function == r.function) {
        return again;
      }
    }
    if (attempt == 2) {
      throw no_such_report(name)
          .with_detail("Its function is missing.")
          .with_hint("Redefine the report with autoreport.define_report() to recreate its function.");
    }
  }
}

std::vector<Oid> function_arg_types(const std::vector<ParamSpec>& params) {
  std::vector<Oid> types;
  for (int pass = 0; pass < 2; ++pass) {
    for (const ParamSpec& p : params) {
      if (p.required == (pass == 0)) {
        types.push_back(param_type(p));
      }
    }
  }
  return types;
}

std::string report_function_problem(const ReportVersion& report, Oid fn) {
  struct Seen {
    bool found;
    bool right_place;
    bool right_entry;
    bool definer;
    bool strict;
    bool has_config;
    bool returns_set;
    char parallel;
    char volatility;
    Oid rettype;
    Oid row_type;
    int nargs;
    Oid argtypes[FUNC_MAX_ARGS];
  };
  const Seen s = pg::guard([&] {
    Seen out{};
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
    if (!HeapTupleIsValid(tuple)) {
      return out;
    }
    Form_pg_proc proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
    out.found = true;
    const Oid ns = get_namespace_oid("reports", true);
    out.right_place = proc->pronamespace == ns && strcmp(NameStr(proc->proname), report.name.c_str()) == 0;
    bool isnull = false;
    const Datum src = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_prosrc, &isnull);
    out.right_entry = proc->prolang == ClanguageId && !isnull &&
                      strcmp(TextDatumGetCString(src), "autoreport_report_call") == 0;
    out.definer = proc->prosecdef;
    out.strict = proc->proisstrict;
    SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_proconfig, &isnull);
    out.has_config = !isnull;
    out.returns_set = proc->proretset;
    out.parallel = proc->proparallel;
    out.volatility = proc->provolatile;
    out.rettype = proc->prorettype;
    out.nargs = proc->pronargs;
    for (int i = 0; i < proc->pronargs && i < FUNC_MAX_ARGS; ++i) {
      out.argtypes[i] = proc->proargtypes.values[i];
    }
    ReleaseSysCache(tuple);
    out.row_type = OidIsValid(ns)
                       ? GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum(report.name.c_str()),
                                         ObjectIdGetDatum(ns))
                       : InvalidOid;
    return out;
  });
  if (!s.found) {
    return "it is missing";
  }
  const std::vector<Oid> expected = function_arg_types(report.params);
  bool same_args = s.nargs == static_cast<int>(expected.size());
  for (size_t i = 0; same_args && i < expected.size(); ++i) {
    same_args = s.argtypes[i] == expected[i];
  }
  std::string wrong;
  if (!s.right_place) {
    wrong = "it was renamed or moved out of schema reports";
  } else if (!s.right_entry) {
    wrong = "it no longer calls autoreport's report entry point";
  } else if (!same_args) {
    wrong = "its argument types differ from the report's parameters";
  } else if (!s.returns_set || s.rettype != s.row_type) {
    wrong = "its result type is not the report's row type reports." + report.name;
  } else if (s.definer) {
    wrong = "it is SECURITY DEFINER (a report runs with the privileges of its caller)";
  } else if (s.strict) {
    wrong = "it is STRICT";
  } else if (s.parallel != PROPARALLEL_UNSAFE) {
    wrong = "it is not PARALLEL UNSAFE";
  } else if (s.volatility != PROVOLATILE_VOLATILE) {
    wrong = "it is not VOLATILE";
  } else if (s.has_config) {
    wrong = "it has a SET clause";
  }
  return wrong;
}

void verify_report_function(const ReportVersion& report, Oid fn) {
  const std::string wrong = report_function_problem(report, fn);
  if (wrong == "it is missing") {
    throw no_such_report(report.name).with_detail("Its function is missing.");
  }
  if (!wrong.empty()) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "function " + report.signature + " of report \"" + report.name + "\" was altered")
        .with_detail("A report function must stay as autoreport made it: " + wrong + ".")
        .with_hint("Redefine the report with autoreport.define_report() to recreate its function.");
  }
}

void check_may_run(const ReportVersion& report) {
  const Oid fn = report.function;
  const bool allowed = pg::guard([&] {
    const Oid user = GetUserId();
    return has_privs_of_role(user, report.owner) ||
           (OidIsValid(fn) && pg_proc_aclcheck(fn, user, ACL_EXECUTE) == ACLCHECK_OK);
  });
  if (!allowed) {
    throw Error(sqlstate::insufficient_privilege, "permission denied for report \"" + report.name + "\"")
        .with_hint("Running a report needs EXECUTE on its function: GRANT EXECUTE ON FUNCTION " +
                   report.signature + " TO <role>.");
  }
}

} // namespace autoreport::reports
