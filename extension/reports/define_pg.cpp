// autoreport.define_report() and autoreport.drop_report(): the catalog, the report's row type and its
// function reports.<name>(...).
#include "common/convert_pg.hpp"
#include "common/spi_pg.hpp"
#include "reports/binding_pg.hpp"
#include "reports/catalog_pg.hpp"
#include "reports/definition.hpp"
#include "reports/cache_pg.hpp"
#include "reports/placeholders.hpp"
#include "reports/prepared_pg.hpp"
#include "render/cells_pg.hpp"
#include "render/presentation.hpp"

extern "C" {
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "tcop/cmdtag.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/timestamp.h"
#include "utils/ruleutils.h"
#include "utils/builtins.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
#include "miscadmin.h"
}

#include <algorithm>
#include <array>
#include <map>
#include <regex>

using namespace autoreport;
using namespace autoreport::reports;
namespace pg = autoreport::pg;

namespace {

std::string quote_ident(const std::string& name) {
  return pg::guard([&] { return quote_identifier(name.c_str()); });
}

std::string quote_lit(const std::string& text) {
  char* q = pg::guard([&] { return quote_literal_cstr(text.c_str()); });
  std::string out(q);
  pfree(q);
  return out;
}

// Report names become function names: lower-case identifiers, so nobody has to quote them.
void check_report_name(const std::string& name) {
  if (!valid_param_name(name)) {
    throw Error(sqlstate::invalid_parameter_value, "invalid report name \"" + name + "\"")
        .with_hint("Report names are lower-case SQL identifiers of at most 63 bytes: letters, digits and _, "
                   "not starting with a digit.");
  }
}

// Defining and dropping write the catalog: refused up front on a standby or in a read-only transaction.
void check_writable(const char* what) {
  const bool standby = pg::guard([] { return RecoveryInProgress(); });
  if (standby || pg::guard([] { return XactReadOnly; })) {
    throw Error(sqlstate::read_only_sql_transaction,
                std::string("cannot ") + what + (standby ? " on a standby" : " in a read-only transaction"))
        .with_hint(standby ? "Reports are defined on the primary and replicate to its standbys."
                           : "Run it in a read-write transaction.");
  }
}

// Serialises define and drop of one report name across sessions until the end of the transaction.
void lock_report_name(const std::string& name) {
  pg::SpiConnection spi;
  const std::array<pg::SpiParam, 1> args = {pg::SpiParam{TEXTOID, pg::string_to_text(name), false}};
  spi.execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('autoreport.report'), "
              "pg_catalog.hashtext($1))",
              args, false);
}

// Only one read-only SELECT or WITH statement: checked on the raw parse tree, before planning.
void check_single_select(const std::string& sql) {
  List* stmts = pg::guard([&] { return pg_parse_query(sql.c_str()); });
  const int n = list_length(stmts);
  if (n == 0) {
    throw Error(sqlstate::invalid_parameter_value, "report query is empty");
  }
  if (n > 1) {
    throw Error(sqlstate::invalid_parameter_value, "report query must be a single statement")
        .with_detail("It has " + std::to_string(n) + " statements.");
  }
  RawStmt* raw = linitial_node(RawStmt, stmts);
  if (!IsA(raw->stmt, SelectStmt)) {
    const char* tag = pg::guard([&] { return GetCommandTagName(CreateCommandTag(raw->stmt)); });
    throw Error(sqlstate::invalid_parameter_value, "report query must be a SELECT or WITH query")
        .with_detail(std::string("It is ") + tag + ".")
        .with_hint("Reports only read data.");
  }
  if (reinterpret_cast<SelectStmt*>(raw->stmt)->intoClause != nullptr) {
    throw Error(sqlstate::invalid_parameter_value, "report query must not be SELECT ... INTO")
        .with_hint("Reports only read data; remove the INTO clause.");
  }
}

// Plans the query with the parameter types, as the caller: syntax errors, unknown columns,
// privileges and type mismatches surface here. Returns the result columns, and in `analysis` whether
// results may be cached and which tables the query reads.
std::vector<ResultColumn> prepare(const std::string& bound, const std::vector<Oid>& types,
                                  PreparedReport* analysis) {
  pg::SpiConnection spi;
  SPIPlanPtr plan = pg::guard([&] {
    return SPI_prepare(bound.c_str(), static_cast<int>(types.size()), const_cast<Oid*>(types.data()));
  });
  if (plan == nullptr) {
    throw Error(sqlstate::internal_error, "could not prepare the report query")
        .with_detail(SPI_result_code_string(SPI_result));
  }
  List* sources = pg::guard([&] { return SPI_plan_get_plan_sources(plan); });
  CachedPlanSource* source = static_cast<CachedPlanSource*>(linitial(sources));
  *analysis = analyse_plan(plan);
  analysis->plan = nullptr; // freed with this SPI connection
  ListCell* lc;
  foreach (lc, source->query_list) {
    Query* q = lfirst_node(Query, lc);
    if (q->commandType != CMD_SELECT || q->utilityStmt != nullptr) {
      throw Error(sqlstate::invalid_parameter_value, "report query must be a SELECT or WITH query");
    }
    if (q->hasModifyingCTE) {
      throw Error(sqlstate::invalid_parameter_value, "report query must not modify data")
          .with_detail("A WITH clause holds INSERT, UPDATE or DELETE.");
    }
    if (q->rowMarks != NIL) {
      throw Error(sqlstate::invalid_parameter_value, "report query must not lock rows")
          .with_hint("Remove FOR UPDATE / FOR SHARE: reports only read data.");
    }
  }
  TupleDesc desc = source->resultDesc;
  if (desc == nullptr || desc->natts == 0) {
    throw Error(sqlstate::invalid_parameter_value, "report query must return at least one column");
  }
  std::vector<ResultColumn> columns;
  for (int i = 0; i < desc->natts; ++i) {
    Form_pg_attribute att = TupleDescAttr(desc, i);
    ResultColumn c{NameStr(att->attname), att->atttypid, att->atttypmod, "", "", ""};
    c.type_name = pg::guard([&] { return format_type_with_typemod(att->atttypid, att->atttypmod); });
    // The row type is created under search_path pg_catalog, pg_temp: a type found through the
    // definer's path (an enum in their schema) must be named with its schema there.
    c.ddl_type = pg::guard([&] {
      return format_type_extended(att->atttypid, att->atttypmod,
                                  FORMAT_TYPE_TYPEMOD_GIVEN | FORMAT_TYPE_FORCE_QUALIFY);
    });
    const char kind = pg::guard([&] { return get_typtype(att->atttypid); });
    if (kind == TYPTYPE_PSEUDO) {
      throw Error(sqlstate::invalid_parameter_value,
                  "report column \"" + c.name + "\" has pseudo-type " + c.type_name)
          .with_hint("Cast it to a real type, or expand the record into columns.");
    }
    for (const ResultColumn& other : columns) {
      if (other.name == c.name) {
        throw Error(sqlstate::invalid_parameter_value,
                    "report query returns two columns named \"" + c.name + "\"")
            .with_hint("Give each result column its own name with AS.");
      }
    }
    columns.push_back(std::move(c));
  }
  return columns;
}

std::string current_search_path() {
  char* value = pg::guard([] { return GetConfigOptionByName("search_path", nullptr, false); });
  return value;
}

// The DDL of a report (reports/definition.hpp) from its parameters and result columns.
Ddl make_ddl(const std::string& name, const std::vector<ParamSpec>& params,
             const std::vector<ResultColumn>& cols) {
  std::vector<DdlParam> ddl_params;
  for (const ParamSpec& p : params) {
    ddl_params.push_back({p.name, p.sql_type(), p.required, default_literal(p)});
  }
  std::vector<DdlColumn> ddl_columns;
  for (const ResultColumn& c : cols) {
    ddl_columns.push_back({c.name, c.ddl_type});
  }
  return report_ddl(name, ddl_params, ddl_columns, quote_ident);
}

// One grant of EXECUTE on a report function.
struct Grant {
  std::string grantee; // quoted role name, or PUBLIC
  Oid grantor;
  bool grantable;
};

// The grants of EXECUTE on a function, other than its owner's own, those its owner made first (a
// grantor's own grant option must exist before the grants it made are copied).
std::vector<Grant> execute_grants(pg::SpiConnection& spi, Oid fn) {
  const std::array<pg::SpiParam, 1> args = {pg::SpiParam{OIDOID, ObjectIdGetDatum(fn), false}};
  const pg::SpiResult r = spi.execute(
      "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE "
      "pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END, a.grantor, a.is_grantable "
      "FROM pg_catalog.pg_proc AS p, pg_catalog.aclexplode(p.proacl) AS a "
      "WHERE p.oid = $1 AND a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner "
      "ORDER BY a.grantor <> p.proowner, a.is_grantable DESC",
      args, false);
  std::vector<Grant> grants;
  for (uint64 i = 0; i < r.rows(); ++i) {
    grants.push_back({*r.text(i, 0), static_cast<Oid>(*r.integer(i, 1)), *r.boolean(i, 2)});
  }
  return grants;
}

// Acts as another role for its lifetime (to make a grant in its name), and back afterwards.
class AsRole {
public:
  explicit AsRole(Oid role) {
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    SetUserIdAndSecContext(role, saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
  }
  ~AsRole() { SetUserIdAndSecContext(saved_user_, saved_context_); }
  AsRole(const AsRole&) = delete;
  AsRole& operator=(const AsRole&) = delete;

private:
  Oid saved_user_ = InvalidOid;
  int saved_context_ = 0;
};

// Makes the grants on a new function, each in the name of the role that made it on the old one, so
// that its grantor can still revoke it.
void copy_grants(pg::SpiConnection& spi, const std::vector<Grant>& grants, const std::string& target) {
  const Oid self = GetUserId();
  for (const Grant& g : grants) {
    const std::string sql = "GRANT EXECUTE ON FUNCTION " + target + " TO " + g.grantee +
                            (g.grantable ? " WITH GRANT OPTION" : "");
    if (g.grantor == self) {
      spi.execute(sql, {}, false);
    } else {
      AsRole as_grantor(g.grantor);
      spi.execute(sql, {}, false);
    }
  }
}

// True when the report's row type exists with exactly these columns (names, types, typmods).
bool row_type_matches(const std::string& name, const std::vector<ResultColumn>& cols) {
  return pg::guard([&] {
    const Oid ns = get_namespace_oid("reports", true);
    const Oid type = OidIsValid(ns) ? GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
                                                      CStringGetDatum(name.c_str()), ObjectIdGetDatum(ns))
                                    : InvalidOid;
    if (!OidIsValid(type) || get_typtype(type) != TYPTYPE_COMPOSITE) {
      return false;
    }
    TupleDesc desc = lookup_rowtype_tupdesc(type, -1);
    size_t at = 0;
    bool same = true;
    for (int i = 0; same && i < desc->natts; ++i) {
      const Form_pg_attribute att = TupleDescAttr(desc, i);
      if (att->attisdropped) {
        continue;
      }
      same = at < cols.size() && strcmp(NameStr(att->attname), cols[at].name.c_str()) == 0 &&
             att->atttypid == cols[at].type && att->atttypmod == cols[at].typmod;
      ++at;
    }
    ReleaseTupleDesc(desc);
    return same && at == cols.size();
  });
}

// Drops a report's row type when it exists (quietly: no NOTICE when it does not).
void drop_row_type(pg::SpiConnection& spi, const std::string& name) {
  const std::string qname = "reports." + quote_ident(name);
  const std::array<pg::SpiParam, 1> a = {pg::SpiParam{TEXTOID, pg::string_to_text(qname), false}};
  if (!spi.execute("SELECT pg_catalog.to_regtype($1)", a, false).is_null(0, 0)) {
    spi.execute("DROP TYPE " + qname, {}, false);
  }
}

// The DDL stored with a version of a report.
std::string old_ddl(pg::SpiConnection& spi, const ReportVersion& report) {
  const std::array<pg::SpiParam, 2> a = {pg::SpiParam{TEXTOID, pg::string_to_text(report.name), false},
                                         pg::SpiParam{INT4OID, Int32GetDatum(report.version), false}};
  return *spi.execute("SELECT ddl FROM autoreport.report_version WHERE report = $1 AND version = $2", a,
                      false)
              .text(0, 0);
}

// The settings the lexer reads the query text under, as a JSON object: every run reads it the same way.
bool standard_strings() {
  const char* scs = pg::guard([] { return GetConfigOption("standard_conforming_strings", false, false); });
  return std::string(scs) == "on";
}
std::string parse_settings() {
  return nlohmann::json{{"standard_conforming_strings", standard_strings()}}.dump();
}

std::string role_name(Oid role) {
  return pg::guard([&] { return GetUserNameFromId(role, false); });
}

// The arguments of define_report.
struct DefineArgs {
  std::string name;
  std::string query;
  std::string params_json;
  std::string description;
  bool has_ttl = false;
  Datum ttl = Datum(0);
  std::optional<bool> expose;              // as a view; nothing: as it was (not, for a new report)
  std::optional<std::string> columns_json; // presentation; nothing: as it was, for the columns still there
};

DefineArgs read_define_args(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) {
    throw Error(sqlstate::invalid_parameter_value, "report name and query must not be null");
  }
  DefineArgs a;
  a.name = pg::text_to_string(PG_GETARG_DATUM(0));
  a.query = pg::text_to_string(PG_GETARG_DATUM(1));
  a.params_json = PG_ARGISNULL(2) ? "" : pg::jsonb_to_string(PG_GETARG_DATUM(2));
  a.description = PG_ARGISNULL(3) ? "" : pg::text_to_string(PG_GETARG_DATUM(3));
  a.has_ttl = !PG_ARGISNULL(4);
  a.ttl = a.has_ttl ? PG_GETARG_DATUM(4) : Datum(0);
  if (PG_NARGS() > 5 && !PG_ARGISNULL(5)) {
    const std::string expose = pg::text_to_string(PG_GETARG_DATUM(5));
    if (expose != "view" && expose != "none") {
      throw Error(sqlstate::invalid_parameter_value,
                  "expose must be 'view' or 'none', not \"" + expose + "\"")
          .with_hint("'view' also makes the report the view report_views." + a.name +
                     " (at its defaults); 'none' removes it.");
    }
    a.expose = expose == "view";
  }
  if (PG_NARGS() > 6 && !PG_ARGISNULL(6)) {
    a.columns_json = pg::jsonb_to_string(PG_GETARG_DATUM(6));
  }
  check_report_name(a.name);
  if (a.has_ttl) {
    const bool positive = pg::guard([&] {
      Interval zero{};
      return DatumGetBool(DirectFunctionCall2(interval_gt, a.ttl, IntervalPGetDatum(&zero)));
    });
    if (!positive) {
      throw Error(sqlstate::invalid_parameter_value, "cache_ttl must be a positive interval")
          .with_hint("Pass NULL to use the default time to live.");
    }
  }
  return a;
}

// Privilege policy: members of autoreport_admin define reports; the owner (or an admin) redefines one.
void check_may_define(const std::string& name, Oid caller, const std::optional<ReportVersion>& old) {
  const bool allowed =
      is_admin(caller) || (old && pg::guard([&] { return has_privs_of_role(caller, old->owner); }));
  if (!allowed) {
    throw Error(sqlstate::insufficient_privilege,
                old ? "permission denied to redefine report \"" + name + "\""
                    : "permission denied to define report \"" + name + "\"")
        .with_detail(old ? "Only the report's owner and members of autoreport_admin may redefine it."
                         : "Defining reports needs membership in autoreport_admin.")
        .with_hint("GRANT autoreport_admin TO " + role_name(caller) + ";");
  }
}

// What the server makes of a definition: parameters, the bound query, its columns and analysis.
struct Definition {
  std::vector<ParamSpec> params;
  std::string bound;
  std::vector<ResultColumn> columns;
  PreparedReport analysis;
  std::string search_path;
  std::string settings;     // parse_settings as JSON
  std::string params_text;  // the parameters as the catalog keeps them
  std::string columns_text; // the columns as the catalog keeps them
};

// The presentation of each column (by name) this definition gives: the `columns` argument, checked
// against the result; or, when it is left out, the previous version's for the columns still there that
// it still fits (one that no longer does is dropped with a NOTICE).
std::map<std::string, std::string> presentation_of(const DefineArgs& a,
                                                   const std::vector<ResultColumn>& result,
                                                   const std::optional<ReportVersion>& old) {
  std::vector<render::Column> columns;
  for (const ResultColumn& c : result) {
    render::Column& col = columns.emplace_back();
    col.name = c.name;
    col.kind = render::kind_for_type(c.type);
    col.type_name = c.type_name;
  }
  std::map<std::string, std::string> out;
  if (a.columns_json) {
    for (auto& [name, json] : render::parse_presentation(*a.columns_json, columns)) {
      out[name] = std::move(json);
    }
    return out;
  }
  if (!old) {
    return out;
  }
  for (const ResultColumn& previous : old->columns) {
    const bool still_there = std::any_of(result.begin(), result.end(),
                                         [&](const ResultColumn& c) { return c.name == previous.name; });
    if (previous.presentation.empty() || !still_there) {
      continue;
    }
    try {
      const nlohmann::json one = {{previous.name, nlohmann::json::parse(previous.presentation)}};
      for (auto& [name, json] : render::parse_presentation(one.dump(), columns)) {
        out[name] = std::move(json);
      }
    } catch (const Error& e) {
      const std::string why = e.what();
      pg::guard([&] {
        ereport(NOTICE,
                (errmsg("the presentation of column \"%s\" of report \"%s\" no longer fits and is dropped",
                        previous.name.c_str(), a.name.c_str()),
                 errdetail("%s", why.c_str())));
      });
    }
  }
  return out;
}

Definition analyse_definition(const DefineArgs& a, const std::optional<ReportVersion>& old) {
  Definition d;
  // The placeholder scanner reads literals as the parser will: with backslash escapes when
  // standard_conforming_strings is off (the setting is recorded and restored at every run).
  const bool scs = standard_strings();
  const std::vector<std::string> used = placeholder_names(a.query, scs);
  d.params = parse_params(a.params_json, used);
  std::vector<std::string> order;
  for (const ParamSpec& p : d.params) {
    if (std::find(used.begin(), used.end(), p.name) == used.end()) {
      throw Error(sqlstate::invalid_parameter_value,
                  "parameter \"" + p.name + "\" is declared but the query does not use it")
          .with_hint("Use :" + p.name + " in the query, or remove the declaration.");
    }
    validate_declaration(p);
    order.push_back(p.name);
  }
  d.bound = rewrite_placeholders(a.query, order, scs);
  check_single_select(d.bound);
  d.columns = prepare(d.bound, param_types(d.params), &d.analysis);
  check_reads_only(d.analysis, a.name);
  if (!d.analysis.cacheable) {
    const std::string because = d.analysis.not_cacheable_because;
    const std::string hint = d.analysis.not_cacheable_hint;
    pg::guard([&] {
      ereport(NOTICE, (errmsg("report \"%s\" will not be cached: %s", a.name.c_str(), because.c_str()),
                       hint.empty() ? 0 : errhint("%s", hint.c_str())));
    });
  }
  d.search_path = current_search_path();
  d.settings = parse_settings();
  d.params_text = params_to_json(d.params).dump();
  const std::map<std::string, std::string> presentation = presentation_of(a, d.columns, old);
  nlohmann::json cols = nlohmann::json::array();
  for (const ResultColumn& c : d.columns) {
    nlohmann::json col = {
        {"name", c.name}, {"type", c.type_name}, {"type_oid", c.type}, {"typmod", c.typmod}};
    if (const auto it = presentation.find(c.name); it != presentation.end()) {
      col.update(nlohmann::json::parse(it->second));
    }
    cols.push_back(std::move(col));
  }
  d.columns_text = cols.dump();
  return d;
}

Datum nullable_text(bool is_null, const std::string& text) {
  return is_null ? Datum(0) : pg::string_to_text(text);
}

// Is every recorded property of the current version as this definition gives it?
bool catalog_same(pg::SpiConnection& spi, const DefineArgs& a, const Definition& d,
                  const ReportVersion& old) {
  const bool cacheable = d.analysis.cacheable;
  const std::array<pg::SpiParam, 11> same = {
      pg::SpiParam{TEXTOID, pg::string_to_text(a.name), false},
      pg::SpiParam{INT4OID, Int32GetDatum(old.version), false},
      pg::SpiParam{TEXTOID, pg::string_to_text(a.query), false},
      pg::SpiParam{JSONBOID, pg::string_to_jsonb(d.params_text), false},
      pg::SpiParam{TEXTOID, pg::string_to_text(a.description), false},
      pg::SpiParam{TEXTOID, pg::string_to_text(d.search_path), false},
      pg::SpiParam{INTERVALOID, a.ttl, !a.has_ttl},
      pg::SpiParam{JSONBOID, pg::string_to_jsonb(d.columns_text), false},
      pg::SpiParam{JSONBOID, pg::string_to_jsonb(d.settings), false},
      pg::SpiParam{BOOLOID, BoolGetDatum(cacheable), false},
      pg::SpiParam{TEXTOID, nullable_text(cacheable, d.analysis.not_cacheable_because), cacheable},
  };
  return spi.execute(
                "SELECT FROM autoreport.report_version AS v JOIN autoreport.report AS r ON r.name = v.report "
                "WHERE v.report = $1 AND v.version = $2 AND v.query = $3 AND v.params = $4 "
                "AND coalesce(v.description, '') = $5 AND v.search_path = $6 "
                "AND r.cache_ttl IS NOT DISTINCT FROM $7 AND v.columns = $8 AND v.parse_settings = $9 "
                "AND v.cacheable = $10 AND v.cache_note IS NOT DISTINCT FROM $11",
                same, false)
             .rows() == 1;
}

// Drops the old function and row type (keeping its EXECUTE grants) and creates the new ones, owned by
// the extension's owner; the report's owner gets EXECUTE WITH GRANT OPTION. Returns the function.
Oid recreate_objects(pg::SpiConnection& spi, const std::string& name, const std::optional<ReportVersion>& old,
                     const Ddl& ddl, Oid owner) {
  std::vector<Grant> grants;
  if (old && pg::guard([&] { return SearchSysCacheExists1(PROCOID, ObjectIdGetDatum(old->function)); })) {
    grants = execute_grants(spi, old->function);
    const std::string old_function = pg::guard([&] { return format_procedure_qualified(old->function); });
    spi.execute("DROP FUNCTION " + old_function, {}, false);
  }
  drop_row_type(spi, name);
  spi.execute(ddl.type, {}, false);
  spi.execute(ddl.function, {}, false);
  spi.execute("REVOKE ALL ON FUNCTION " + ddl.signature + " FROM PUBLIC", {}, false);
  const std::array<pg::SpiParam, 1> sig = {pg::SpiParam{TEXTOID, pg::string_to_text(ddl.signature), false}};
  const Oid function =
      static_cast<Oid>(*spi.execute("SELECT $1::regprocedure::oid", sig, false).integer(0, 0));
  if (owner != GetUserId()) {
    spi.execute("GRANT EXECUTE ON FUNCTION " + ddl.signature + " TO " + quote_ident(role_name(owner)) +
                    " WITH GRANT OPTION",
                {}, false);
  }
  copy_grants(spi, grants, ddl.signature);
  return function;
}

// The highest version ever recorded for a name (0 when none): a dropped report keeps its versions.
int highest_version(pg::SpiConnection& spi, const std::string& name) {
  const std::array<pg::SpiParam, 1> a = {pg::SpiParam{TEXTOID, pg::string_to_text(name), false}};
  return static_cast<int>(
      *spi.execute("SELECT coalesce(max(version), 0) FROM autoreport.report_version WHERE report = $1", a,
                   false)
           .integer(0, 0));
}

// Records the new version and makes it current; older versions' cached results go.
void write_version(pg::SpiConnection& spi, const DefineArgs& a, const Definition& d, const Ddl& ddl,
                   int version, Oid caller, Oid owner, Oid function) {
  const bool cacheable = d.analysis.cacheable;
  const std::array<pg::SpiParam, 14> row = {
      pg::SpiParam{TEXTOID, pg::string_to_text(a.name), false},
      pg::SpiParam{INT4OID, Int32GetDatum(version), false},
      pg::SpiParam{TEXTOID, pg::string_to_text(a.query), false},
      pg::SpiParam{TEXTOID, pg::string_to_text(d.bound), false},
      pg::SpiParam{TEXTOID, pg::string_to_text(d.search_path), false},
      pg::SpiParam{JSONBOID, pg::string_to_jsonb(d.params_text), false},
      pg::SpiParam{JSONBOID, pg::string_to_jsonb(d.columns_text), false},
      pg::SpiParam{TEXTOID, nullable_text(a.description.empty(), a.description), a.description.empty()},
      pg::SpiParam{TEXTOID, pg::string_to_text(ddl.signature), false},
      pg::SpiParam{TEXTOID, pg::string_to_text(ddl.full()), false},
      pg::SpiParam{OIDOID, ObjectIdGetDatum(caller), false},
      pg::SpiParam{BOOLOID, BoolGetDatum(cacheable), false},
      pg::SpiParam{TEXTOID, nullable_text(cacheable, d.analysis.not_cacheable_because), cacheable},
      pg::SpiParam{JSONBOID, pg::string_to_jsonb(d.settings), false},
  };
  spi.execute(
      "INSERT INTO autoreport.report_version (report, version, query, bound_query, search_path, params, "
      "columns, description, signature, ddl, defined_by, cacheable, cache_note, parse_settings) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::regrole, $12, $13, $14)",
      row, false);
  // Results of older versions are never served again.
  const std::array<pg::SpiParam, 1> report_name = {pg::SpiParam{TEXTOID, pg::string_to_text(a.name), false}};
  spi.execute("DELETE FROM autoreport.cache_entry WHERE report = $1", report_name, false);
  const std::array<pg::SpiParam, 5> head = {
      pg::SpiParam{TEXTOID, pg::string_to_text(a.name), false},
      pg::SpiParam{OIDOID, ObjectIdGetDatum(owner), false},
      pg::SpiParam{INT4OID, Int32GetDatum(version), false},
      pg::SpiParam{INTERVALOID, a.ttl, !a.has_ttl},
      pg::SpiParam{OIDOID, ObjectIdGetDatum(function), false},
  };
  spi.execute("INSERT INTO autoreport.report (name, owner, current_version, cache_ttl, function) "
              "VALUES ($1, $2::regrole, $3, $4, $5::regprocedure) ON CONFLICT (name) DO UPDATE "
              "SET current_version = EXCLUDED.current_version, cache_ttl = EXCLUDED.cache_ttl, "
              "function = EXCLUDED.function, updated_at = now()",
              head, false);
}

// Whether the report is exposed as a view now (autoreport.report.expose).
bool exposed(pg::SpiConnection& spi, const std::string& name) {
  const std::array<pg::SpiParam, 1> a = {pg::SpiParam{TEXTOID, pg::string_to_text(name), false}};
  const pg::SpiResult r =
      spi.execute("SELECT expose = 'view' FROM autoreport.report WHERE name = $1", a, false);
  return r.rows() == 1 && r.boolean(0, 0).value_or(false);
}

void drop_view(pg::SpiConnection& spi, const std::string& name) {
  const std::string view = "report_views." + quote_ident(name);
  const std::array<pg::SpiParam, 1> a = {pg::SpiParam{TEXTOID, pg::string_to_text(view), false}};
  if (spi.execute("SELECT FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass($1) AND relkind = 'v'",
                  a, false)
          .rows() == 1) {
    spi.execute("DROP VIEW " + view, {}, false);
  }
}

// Makes report_views.<name> what the report is now (or drops it), and records it. The view runs the
// function as the one who reads it (security_invoker): reading it takes EXECUTE on the function, so
// it has the function's privileges, whatever grants are made later.
void sync_view(pg::SpiConnection& spi, const std::string& name, bool expose, const std::string& description,
               const std::vector<ParamSpec>& params) {
  const std::string view = "report_views." + quote_ident(name);
  if (expose) {
    for (const ParamSpec& p : params) {
      if (p.required) {
        throw Error(sqlstate::invalid_parameter_value, "report \"" + name +
                                                           "\" cannot be exposed as a view: parameter \"" +
                                                           p.name + "\" is required")
            .with_detail("A view shows the report at its defaults.")
            .with_hint("Give the parameter a default, or define the report with expose => 'none'.");
      }
    }
    spi.execute("CREATE OR REPLACE VIEW " + view +
                    " WITH (security_invoker = true) AS SELECT * FROM reports." + quote_ident(name) + "()",
                {}, false);
    spi.execute("GRANT SELECT ON " + view + " TO PUBLIC", {}, false);
    spi.execute("COMMENT ON VIEW " + view + " IS " +
                    quote_lit((description.empty() ? "autoreport report " + name : description) +
                              " (at its defaults; reading it needs EXECUTE on reports." + name + ")"),
                {}, false);
  } else {
    drop_view(spi, name);
  }
  const std::array<pg::SpiParam, 2> a = {pg::SpiParam{TEXTOID, pg::string_to_text(name), false},
                                         pg::SpiParam{BOOLOID, BoolGetDatum(expose), false}};
  spi.execute("UPDATE autoreport.report SET expose = CASE WHEN $2 THEN 'view' END WHERE name = $1", a, false);
}

} // namespace

// autoreport.define_report(name, query, params, description, cache_ttl, expose, columns) → the new version
// number.
AUTOREPORT_FUNCTION(autoreport_define_report) {
  const DefineArgs args = read_define_args(fcinfo);
  check_writable("define a report");
  const Oid caller = GetUserId();
  lock_report_name(args.name);
  const std::optional<ReportVersion> old = find_report(args.name);
  check_may_define(args.name, caller, old);
  const Definition def = analyse_definition(args, old);
  const Ddl ddl = make_ddl(args.name, def.params, def.columns);
  const Oid owner = old ? old->owner : caller;

  // From here on autoreport acts for the caller: catalog rows, the row type and the C function. Both
  // belong to the extension's owner, so that nobody but a superuser can alter them into states the
  // call does not expect.
  AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  // The function and row type can be kept when they are exactly what this definition makes and
  // nobody altered them.
  const bool intact = old && old_ddl(spi, *old) == ddl.full() &&
                      report_function_problem(*old, old->function).empty() &&
                      row_type_matches(args.name, def.columns);
  const Redefinition what =
      redefinition(old.has_value(), intact, intact && catalog_same(spi, args, def, *old));
  const std::vector<Oid> watched = def.analysis.cacheable ? def.analysis.tables : std::vector<Oid>{};
  const bool was_exposed = old && exposed(spi, args.name);
  const bool expose = args.expose.value_or(was_exposed);
  if (what == Redefinition::unchanged) {
    // Defining a report exactly as it is makes no new version (a script can run again safely). The
    // tables it reads may have gained partitions or children since: watch them all again.
    cache::watch_tables(args.name, watched);
    if (expose != was_exposed) {
      sync_view(spi, args.name, expose, args.description, def.params);
    }
    PG_RETURN_INT32(old->version);
  }
  if (what != Redefinition::same_objects) {
    drop_view(spi, args.name); // it depends on the function about to be replaced
  }
  const Oid function =
      what == Redefinition::same_objects ? old->function : recreate_objects(spi, args.name, old, ddl, owner);
  spi.execute("COMMENT ON FUNCTION " + ddl.signature + " IS " +
                  quote_lit(args.description.empty() ? "autoreport report " + args.name : args.description),
              {}, false);
  const int version = next_version(what, old ? std::optional<int>(old->version) : std::nullopt,
                                   old ? 0 : highest_version(spi, args.name));
  write_version(spi, args, def, ddl, version, caller, owner, function);
  sync_view(spi, args.name, expose, args.description, def.params);
  cache::watch_tables(args.name, watched);
  PG_RETURN_INT32(version);
}

// autoreport.drop_report(name, if_exists): drops the function and row type; versions stay.
AUTOREPORT_FUNCTION(autoreport_drop_report) {
  if (PG_ARGISNULL(0)) {
    throw Error(sqlstate::invalid_parameter_value, "report name must not be null");
  }
  const std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  const bool if_exists = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
  check_writable("drop a report");
  lock_report_name(name);
  const std::optional<ReportVersion> old = find_report(name);
  if (!old) {
    if (!if_exists) {
      throw no_such_report(name);
    }
    pg::guard([&] { ereport(NOTICE, (errmsg("report \"%s\" does not exist, skipping", name.c_str()))); });
    PG_RETURN_VOID();
  }
  const Oid caller = GetUserId();
  if (!is_admin(caller) && !pg::guard([&] { return has_privs_of_role(caller, old->owner); })) {
    throw Error(sqlstate::insufficient_privilege, "permission denied to drop report \"" + name + "\"")
        .with_detail("Only the report's owner and members of autoreport_admin may drop it.");
  }
  AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  drop_view(spi, name);
  if (pg::guard([&] { return SearchSysCacheExists1(PROCOID, ObjectIdGetDatum(old->function)); })) {
    const std::string function = pg::guard([&] { return format_procedure_qualified(old->function); });
    spi.execute("DROP FUNCTION " + function, {}, false);
  }
  drop_row_type(spi, name);
  const std::array<pg::SpiParam, 1> a = {pg::SpiParam{TEXTOID, pg::string_to_text(name), false}};
  spi.execute("DELETE FROM autoreport.report WHERE name = $1", a, false);
  spi.execute("DELETE FROM autoreport.cache_entry WHERE report = $1", a, false);
  cache::watch_tables(name, {});
  PG_RETURN_VOID();
}
