// Hex text of a digest.
#include "common/digest.hpp"

#include "common/pure.hpp"

namespace autoreport {

std::string to_hex(const Digest& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(hash.size() * 2);
  for (uint8_t b : hash) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

} // namespace autoreport
