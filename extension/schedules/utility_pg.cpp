// Statements that need a database to themselves: DROP DATABASE, ALTER DATABASE ... RENAME TO and
// ... SET TABLESPACE, and CREATE DATABASE ... TEMPLATE. PostgreSQL refuses them while another session
// is connected to the database, and a database with jobs always has one: its scheduler (and, while a
// job runs, the run's worker). So while such a statement runs, its database is held: the scheduler and
// the run workers there are asked to end (SIGTERM; a run ended so is marked interrupted and caught up
// by the job's policy, as after a crash), and the launcher starts none there until the statement ends.
// A dropped database's slot is then freed; otherwise the database's scheduler is started again at once.
// PostgreSQL waits up to five seconds for the other sessions to leave, which the workers do well within.
#include "schedules/shared_pg.hpp"

extern "C" {
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "nodes/parsenodes.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/acl.h"

#include <signal.h>
}

#include <cstring>

namespace autoreport::schedules {

namespace {

ProcessUtility_hook_type g_prev_utility = nullptr;

// The value of option `name` among a statement's options, or nullptr.
const char* option_text(List* options, const char* name) {
  ListCell* cell;
  foreach (cell, options) {
    DefElem* option = lfirst_node(DefElem, cell);
    if (std::strcmp(option->defname, name) == 0 && option->arg != nullptr) {
      return defGetString(option);
    }
  }
  return nullptr;
}

// The name of the database `stmt` needs to itself, or nullptr; `dropping` says whether it drops it.
const char* database_needed_alone(Node* stmt, bool* dropping) {
  *dropping = false;
  switch (nodeTag(stmt)) {
  case T_DropdbStmt:
    *dropping = true;
    return castNode(DropdbStmt, stmt)->dbname;
  case T_RenameStmt: {
    const RenameStmt* rename = castNode(RenameStmt, stmt);
    return rename->renameType == OBJECT_DATABASE ? rename->subname : nullptr;
  }
  case T_AlterDatabaseStmt: {
    AlterDatabaseStmt* alter = castNode(AlterDatabaseStmt, stmt);
    return option_text(alter->options, "tablespace") != nullptr ? alter->dbname : nullptr;
  }
  case T_CreatedbStmt:
    return option_text(castNode(CreatedbStmt, stmt)->options, "template");
  default:
    return nullptr;
  }
}

// Marks the database held and asks its scheduler and run workers to end. No error is raised here.
void hold(Oid database) noexcept {
  SchedulesLock lock;
  DatabaseSlot* slot = database_slot(database, true);
  if (slot == nullptr) {
    return; // every slot is taken: the launcher runs no scheduler there either
  }
  ++slot->held;
  if (slot->pid != 0) {
    (void)kill(slot->pid, SIGTERM);
  }
  for (const RunSlot& run : shared()->runs) {
    if (run.database == database && run.pid != 0) {
      (void)kill(run.pid, SIGTERM);
    }
  }
}

// Ends a hold: a dropped database's slot is freed, another's scheduler is started again at once.
void release(Oid database, bool dropped) noexcept {
  SchedulesLock lock;
  DatabaseSlot* slot = database_slot(database, false);
  if (slot == nullptr) {
    return;
  }
  if (slot->held > 0) {
    --slot->held;
  }
  if (slot->held == 0) {
    if (dropped && slot->state != SchedulerState::running && slot->state != SchedulerState::starting) {
      slot->database = InvalidOid;
    } else {
      slot->kicked = true;
    }
  }
  if (shared()->launcher != nullptr) {
    SetLatch(&shared()->launcher->procLatch);
  }
}

void run_utility(PlannedStmt* pstmt, const char* query, bool read_only_tree, ProcessUtilityContext context,
                 ParamListInfo params, QueryEnvironment* query_env, DestReceiver* dest, QueryCompletion* qc) {
  if (g_prev_utility != nullptr) {
    g_prev_utility(pstmt, query, read_only_tree, context, params, query_env, dest, qc);
  } else {
    standard_ProcessUtility(pstmt, query, read_only_tree, context, params, query_env, dest, qc);
  }
}

// The ProcessUtility hook: holds the database a statement needs to itself while the statement runs.
// Its frames hold no C++ object, so PostgreSQL's errors pass through it as they are.
void hold_database_utility(PlannedStmt* pstmt, const char* query, bool read_only_tree,
                           ProcessUtilityContext context, ParamListInfo params, QueryEnvironment* query_env,
                           DestReceiver* dest, QueryCompletion* qc) {
  Oid database = InvalidOid;
  bool dropping = false;
  if (shared() != nullptr) {
    const char* name = database_needed_alone(pstmt->utilityStmt, &dropping);
    database = name != nullptr ? get_database_oid(name, true) : InvalidOid;
    // Only the database's owner (or a superuser) ends its workers: a statement that would be refused
    // for want of privilege must not stop another owner's runs on its way to the error.
    if (database != InvalidOid && !pg_database_ownercheck(database, GetUserId())) {
      database = InvalidOid;
    }
  }
  if (database == InvalidOid) {
    run_utility(pstmt, query, read_only_tree, context, params, query_env, dest, qc);
    return;
  }
  const volatile Oid held = database;
  const volatile bool drops = dropping;
  hold(held);
  PG_TRY();
  { run_utility(pstmt, query, read_only_tree, context, params, query_env, dest, qc); }
  PG_CATCH();
  {
    release(held, false);
    PG_RE_THROW();
  }
  PG_END_TRY();
  release(held, drops);
}

} // namespace

void install_utility_hook() {
  g_prev_utility = ProcessUtility_hook;
  ProcessUtility_hook = hold_database_utility;
}

} // namespace autoreport::schedules
