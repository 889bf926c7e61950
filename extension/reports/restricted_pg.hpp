// Running a report's query for its caller without trusting whoever wrote the report.
//
// A report runs with its caller's privileges, so any code it reaches (functions, operators, casts,
// aggregates, domain checks, the functions of views and row-level security policies) would run with
// them too: a report author's PL/pgSQL function could make its author a superuser the moment a
// superuser rendered the report. While a RestrictedScope lives:
//   * the transaction is read-only: nothing the query reaches may write (25006);
//   * the work is a security-restricted operation, as REFRESH MATERIALIZED VIEW's: no SET ROLE, no
//     temporary objects, no cursors WITH HOLD;
//   * a function about to be called (PostgreSQL asks needs_fmgr_hook before it calls any function that
//     is not built in) must be one its caller trusts: SECURITY DEFINER (it then runs with its owner's
//     rights, not the caller's), owned by a superuser, or owned by the caller or a role the caller is a
//     member of (superuser or not). Anything else is refused with 42501 before it runs.
#pragma once

#include "common/boundary_pg.hpp"

#include <string>

namespace autoreport::reports {

class RestrictedScope {
public:
  explicit RestrictedScope(const std::string& report);
  ~RestrictedScope();
  RestrictedScope(const RestrictedScope&) = delete;
  RestrictedScope& operator=(const RestrictedScope&) = delete;

private:
  Oid saved_user_ = InvalidOid;
  int saved_context_ = 0;
  bool saved_read_only_ = false;
  const std::string* saved_report_ = nullptr;
  int guc_level_ = 0;
};

// Installs the function-call check (called from _PG_init).
void restricted_init();

} // namespace autoreport::reports
