// A report's query prepared once per backend (per version, role and search_path) and kept, with what
// the result cache needs to know about it: may its result be cached, and which tables does it read.
#pragma once

#include "common/settings_pg.hpp"
#include "common/spi_pg.hpp"
#include "reports/catalog_pg.hpp"

#include <string>
#include <vector>

namespace autoreport::reports {

struct PreparedReport {
  SPIPlanPtr plan = nullptr;
  bool cacheable = false;
  std::string not_cacheable_because; // why not, in words, when !cacheable
  std::string not_cacheable_hint;    // what the author can change to make it cacheable, if anything
  std::vector<Oid> tables;           // the ordinary tables the query reads (its cache dependencies)
  // The rewritten query as PostgreSQL will run it for this role: views expanded, row-level security
  // policies applied, names resolved. Part of the cache key, so a changed view or policy never
  // serves results computed under the old one.
  std::string rewritten;
  // A built-in function the query (with its views and policies) calls that acts beyond reading
  // (pg_notify, lo_import, set_config, pg_terminate_backend...), or InvalidOid.
  Oid acting_function = InvalidOid;
};

// Refuses (42501) a report whose query calls a function that acts beyond reading.
void check_reads_only(const PreparedReport& prepared, const std::string& report);

// Raises the same permission error a run would, when the current role may not read everything the
// query reads (a cache hit must not skip the privilege checks of a fresh run).
void check_permissions(const PreparedReport& prepared);

// Applies a report's search_path for as long as it lives.
class SearchPathScope : public pg::SettingScope {
public:
  explicit SearchPathScope(const std::string& path) : pg::SettingScope("search_path", path) {}
};

// The kept plan of a report for the current role; prepared (and analysed) again when PostgreSQL
// invalidated it. Call with the report's search_path applied and SPI connected.
const PreparedReport& prepared_report(const ReportVersion& report, pg::SpiConnection& spi);

// Analyses a prepared statement: cacheable when it reads only ordinary, permanent, non-catalog tables
// and calls only immutable functions (current_user aside: the cache is per role).
PreparedReport analyse_plan(SPIPlanPtr plan);

// The result columns of a prepared statement (valid while the plan is).
TupleDesc plan_result_desc(SPIPlanPtr plan);

} // namespace autoreport::reports
