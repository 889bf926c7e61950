// A long pure C++ loop for the cancellation test: it only stops when the host interrupts it.
#pragma once

#include <cstdint>

namespace autoreport_test {
// Spins for up to `seconds`, calling autoreport::check_interrupts() on every iteration. Returns the
// number of iterations when the time ran out.
int64_t spin(double seconds);
} // namespace autoreport_test
