// A pure C++ busy loop that knows nothing of PostgreSQL but can still be cancelled.
#include "spin.hpp"

#include "common/runtime.hpp"

#include <chrono>

#include "common/pure.hpp"

namespace autoreport_test {

int64_t spin(double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int64_t iterations = 0;
  volatile double sink = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    autoreport::check_interrupts();
    sink = sink + 1.0;
    ++iterations;
  }
  return iterations;
}

} // namespace autoreport_test
