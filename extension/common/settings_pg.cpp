// Scoped settings through GUC nest levels.
#include "common/settings_pg.hpp"

extern "C" {
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

} // namespace autoreport::pg
