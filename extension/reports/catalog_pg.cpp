// The report catalog: loading versions and switching to the extension owner for catalog writes.
#include "reports/catalog_pg.hpp"

#include "common/convert_pg.hpp"
#include "common/spi_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
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

namespace autoreport::reports {

namespace pg = autoreport::pg;

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

Oid report_function(const std::string& name) {
  return pg::guard([&] {
    Oid ns = get_namespace_oid("reports", true);
    if (!OidIsValid(ns)) {
      return InvalidOid;
    }
    CatCList* list = SearchSysCacheList1(PROCNAMEARGSNSP, CStringGetDatum(name.c_str()));
    Oid found = InvalidOid;
    for (int i = 0; i < list->n_members; ++i) {
      HeapTuple tuple = &list->members[i]->tuple;
      Form_pg_proc proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
      if (proc->pronamespace == ns) {
        found = proc->oid;
      }
    }
    ReleaseSysCacheList(list);
    return found;
  });
}

ReportVersion load_report(const std::string& name) {
  ReportVersion r;
  AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  const std::array<pg::SpiParam, 1> args = {pg::SpiParam{TEXTOID, pg::string_to_text(name), false}};
  const pg::SpiResult res =
      spi.execute("SELECT v.version, r.owner::oid, v.query, v.bound_query, v.search_path, v.params::text, "
                  "v.columns::text, "
                  "       coalesce(v.description, ''), v.signature "
                  "  FROM autoreport.report AS r JOIN autoreport.report_version AS v "
                  "    ON v.report = r.name AND v.version = r.current_version WHERE r.name = $1",
                  args, true);
  if (res.rows() == 0) {
    throw Error(sqlstate::undefined_object, "report \"" + name + "\" does not exist")
        .with_hint("See SELECT name FROM autoreport.reports; for the reports you may run.");
  }
  r.name = name;
  r.version = static_cast<int>(*res.integer(0, 0));
  r.owner = static_cast<Oid>(*res.integer(0, 1));
  r.query = *res.text(0, 2);
  r.bound_query = *res.text(0, 3);
  r.search_path = *res.text(0, 4);
  r.params = parse_params(*res.text(0, 5), {});
  const nlohmann::json columns = nlohmann::json::parse(*res.text(0, 6));
  for (const nlohmann::json& c : columns) {
    r.columns.push_back({c.at("name").get<std::string>(), c.at("type_oid").get<Oid>(),
                         c.at("typmod").get<int32>(), c.at("type").get<std::string>()});
  }
  r.description = *res.text(0, 7);
  r.signature = *res.text(0, 8);
  return r;
}

void check_may_run(const ReportVersion& report) {
  const Oid fn = report_function(report.name);
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
