// Escaping for XML/HTML and JSON, and base64.
#include "render/escape.hpp"

#include "render/utf8.hpp"

#include <cstdint>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {
// True for code points that XML 1.0 allows in a document (the Char production, section 2.2).
bool xml_char(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         c >= 0x10000;
}
} // namespace

void append_xml_escaped(std::string& out, std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const unsigned char b = static_cast<unsigned char>(text[pos]);
    if (b < 0x80) { // fast path for ASCII
      ++pos;
      switch (b) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;"; // &apos; is not an HTML4 entity; the numeric form works everywhere
        break;
      default:
        if (xml_char(b)) {
          out += static_cast<char>(b);
        }
      }
      continue;
    }
    const char32_t c = decode_utf8(text, pos);
    if (xml_char(c)) {
      append_utf8(out, c);
    }
  }
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_xml_escaped(out, text);
  return out;
}

void append_json_quoted(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  size_t pos = 0;
  while (pos < text.size()) {
    // The common case first: a run of printable ASCII that needs no escaping, appended at once.
    size_t plain = pos;
    while (plain < text.size()) {
      const unsigned char p = static_cast<unsigned char>(text[plain]);
      if (p < 0x20 || p >= 0x80 || p == '"' || p == '\\') {
        break;
      }
      ++plain;
    }
    if (plain > pos) {
      out.append(text.data() + pos, plain - pos);
      pos = plain;
      continue;
    }
    const unsigned char b = static_cast<unsigned char>(text[pos]);
    if (b < 0x80) {
      ++pos;
      switch (b) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (b < 0x20) {
          out += "\\u00";
          out += hex[b >> 4];
          out += hex[b & 0xF];
        } else {
          out += static_cast<char>(b);
        }
      }
      continue;
    }
    const char32_t c = decode_utf8(text, pos);
    if (c == 0x2028) {
      out += "\\u2028";
    } else if (c == 0x2029) {
      out += "\\u2029";
    } else {
      append_utf8(out, c);
    }
  }
  out += '"';
}

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_json_quoted(out, text);
  return out;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto at = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{at(i)} << 16) | (uint32_t{at(i + 1)} << 8) | at(i + 2);
    out += alphabet[(v >> 18) & 0x3F];
    out += alphabet[(v >> 12) & 0x3F];
    out += alphabet[(v >> 6) & 0x3F];
    out += alphabet[v & 0x3F];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    const uint32_t v = (uint32_t{at(i)} << 16) | (rest == 2 ? uint32_t{at(i + 1)} << 8 : 0);
    out += alphabet[(v >> 18) & 0x3F];
    out += alphabet[(v >> 12) & 0x3F];
    out += rest == 2 ? alphabet[(v >> 6) & 0x3F] : '=';
    out += '=';
  }
  return out;
}

} // namespace autoreport::render
