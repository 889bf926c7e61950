// Scoped settings through GUC nest levels.
#include "common/settings_pg.hpp"

extern "C" {
#include "pgstat.h"
#include "utils/guc.h"
}

namespace autoreport::pg {

SettingScope::SettingScope(const char* name, const std::string& value) {
  level_ = guard([&] {
    const int level = NewGUCNestLevel();
    set_config_option(name, value.c_str(), PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
    return level;
  });
}

SettingScope::~SettingScope() {
  try {
    guard([this] { AtEOXact_GUC(true, level_); });
  } catch (...) {
    // Restoring a saved setting does not fail; if it did, the transaction's end restores it.
  }
}

void apply_worker_settings(const char* application_name) {
  guard([&] {
    SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("default_transaction_isolation", "read committed", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("default_transaction_read_only", "off", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("statement_timeout", "0", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("lock_timeout", "0", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("idle_in_transaction_session_timeout", "0", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("application_name", application_name, PGC_SUSET, PGC_S_OVERRIDE);
    pgstat_report_appname(application_name);
  });
}

} // namespace autoreport::pg
