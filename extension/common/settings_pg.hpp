// A setting changed for the lifetime of a C++ scope, as a function's SET clause does: restored at
// the scope's end, also when an exception unwinds (and by the transaction's end after an error).
#pragma once

#include "common/boundary_pg.hpp"

#include <string>

namespace autoreport::pg {

class SettingScope {
public:
  SettingScope(const char* name, const std::string& value);
  ~SettingScope();
  SettingScope(const SettingScope&) = delete;
  SettingScope& operator=(const SettingScope&) = delete;

private:
  int level_;
};

// The session settings a background worker of autoreport needs whatever postgresql.conf says: names
// resolve in pg_catalog only, it can write (read committed), nothing cuts its work short (statement,
// lock and idle-in-transaction timeouts off), and it shows under `application_name`.
void apply_worker_settings(const char* application_name);

} // namespace autoreport::pg
