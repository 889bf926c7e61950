// The SQLSTATE a call fails with, for tests of error paths.
#pragma once

#include "common/error.hpp"

#include <string>

namespace autoreport::test {

// The SQLSTATE of the autoreport::Error that f() throws, or "no error".
template <class F> std::string sqlstate_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.sqlstate();
  }
  return "no error";
}

} // namespace autoreport::test
