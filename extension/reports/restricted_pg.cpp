// The read-only, security-restricted scope of a report's query and its check of the functions it calls.
#include "reports/restricted_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
}

namespace autoreport::reports {

namespace {

needs_fmgr_hook_type g_previous_needs_fmgr = nullptr;
const std::string* g_report = nullptr; // the report whose query runs now, or null

// Called by PostgreSQL (fmgr_info) before it calls a function that is not built in. Plain C-style code:
// it may ereport(ERROR), so it keeps no C++ object alive.
bool check_function_call(Oid fn) {
  if (g_report != nullptr && fn >= FirstNormalObjectId) {
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
    if (HeapTupleIsValid(tuple)) {
      const Form_pg_proc proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
      const Oid owner = proc->proowner;
      const bool definer = proc->prosecdef;
      ReleaseSysCache(tuple);
      const Oid user = GetUserId();
      if (!definer && owner != user && !superuser_arg(owner) && !is_member_of_role_nosuper(user, owner)) {
        ereport(ERROR,
                (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                 errmsg("report \"%s\" may not call function %s", g_report->c_str(), format_procedure(fn)),
                 errdetail("The function belongs to role \"%s\" and would run with the privileges of role "
                           "\"%s\", who runs the report. A report may only call functions its caller "
                           "trusts: built in, owned by a superuser or by the caller (or a role the caller "
                           "is a member of), or SECURITY DEFINER.",
                           GetUserNameFromId(owner, false), GetUserNameFromId(user, false)),
                 errhint("Have a superuser own the function, or make it SECURITY DEFINER with "
                         "SET search_path, so that it runs with its owner's rights.")));
      }
    }
  }
  return g_previous_needs_fmgr != nullptr && g_previous_needs_fmgr(fn);
}

// An error that ended the transaction inside a scope (without C++ unwinding to its destructor) must
// not leave the check on for what the session does next.
void forget_on_abort(XactEvent event, void*) {
  if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) {
    g_report = nullptr;
  }
}

} // namespace

RestrictedScope::RestrictedScope(const std::string& report) {
  GetUserIdAndSecContext(&saved_user_, &saved_context_);
  SetUserIdAndSecContext(saved_user_, saved_context_ | SECURITY_RESTRICTED_OPERATION);
  saved_read_only_ = XactReadOnly;
  XactReadOnly = true;
  saved_report_ = g_report;
  g_report = &report;
  // Settings the query changes (set_config() in a trusted function) end with it, as in REFRESH
  // MATERIALIZED VIEW: nothing the report does outlives its call.
  guc_level_ = NewGUCNestLevel();
}

RestrictedScope::~RestrictedScope() {
  try {
    pg::guard([this] { AtEOXact_GUC(false, guc_level_); });
  } catch (...) {
    // Restoring saved settings does not fail; if it did, the transaction's end restores them.
  }
  g_report = saved_report_;
  XactReadOnly = saved_read_only_;
  SetUserIdAndSecContext(saved_user_, saved_context_);
}

void restricted_init() {
  g_previous_needs_fmgr = needs_fmgr_hook;
  needs_fmgr_hook = check_function_call;
  pg::guard([] { RegisterXactCallback(forget_on_abort, nullptr); });
}

} // namespace autoreport::reports
