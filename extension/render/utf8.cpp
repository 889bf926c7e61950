// UTF-8 decoding with U+FFFD substitution of maximal subparts.
#include "render/utf8.hpp"

#include "common/pure.hpp"

namespace autoreport::render {

char32_t decode_utf8(std::string_view s, size_t& pos) noexcept {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(pos);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  // Length and the allowed range of the second byte (Unicode Table 3-7, well-formed byte sequences).
  size_t length = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  char32_t c = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
    c = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    c = b0 & 0x0F;
    lo = b0 == 0xE0 ? 0xA0 : 0x80; // no overlong forms
    hi = b0 == 0xED ? 0x9F : 0xBF; // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    c = b0 & 0x07;
    lo = b0 == 0xF0 ? 0x90 : 0x80; // no overlong forms
    hi = b0 == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
  } else {
    ++pos; // continuation byte without a lead, or a byte that never occurs in UTF-8
    return replacement_character;
  }
  ++pos;
  for (size_t i = 1; i < length; ++i) {
    if (pos >= s.size()) {
      return replacement_character;
    }
    const unsigned char b = byte(pos);
    if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF)) {
      return replacement_character; // the offending byte starts the next decode
    }
    c = (c << 6) | (b & 0x3F);
    ++pos;
  }
  return c;
}

std::string repair_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    const char32_t c = decode_utf8(text, pos);
    if (c == replacement_character) {
      append_utf8(out, c);
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
  return out;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

} // namespace autoreport::render
