// A SHA-256 digest and its hex text: what the audit chain and the result cache keep. The hashing
// itself is common/sha256_pg.hpp (PostgreSQL's cryptohash).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace autoreport {

inline constexpr size_t kHashBytes = 32;
using Digest = std::array<uint8_t, kHashBytes>;

// Lower-case hexadecimal, two digits a byte.
std::string to_hex(const Digest& hash);

} // namespace autoreport
