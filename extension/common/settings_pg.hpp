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

} // namespace autoreport::pg
