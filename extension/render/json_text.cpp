// A one-pass, non-recursive JSON validator that writes the document back compactly.
#include "render/json_text.hpp"

#include "render/utf8.hpp"

#include <vector>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

// True for an ASCII digit.
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// True for an ASCII hex digit.
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The value of the four hex digits at text[pos], or -1 when they are not four hex digits.
long hex4(std::string_view text, size_t pos) {
  if (pos + 4 > text.size()) {
    return -1;
  }
  long v = 0;
  for (size_t i = pos; i < pos + 4; ++i) {
    if (!is_hex(text[i])) {
      return -1;
    }
    const char c = text[i];
    v = v * 16 + (is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

// Copies the JSON string starting at the quote text[pos] to out, advancing pos past its closing
// quote. False when it is not a valid string (control character, bad escape, lone surrogate escape,
// invalid UTF-8, no closing quote).
bool copy_string(std::string& out, std::string_view text, size_t& pos) {
  out += '"';
  ++pos;
  while (pos < text.size()) {
    const unsigned char b = static_cast<unsigned char>(text[pos]);
    if (b == '"') {
      out += '"';
      ++pos;
      return true;
    }
    if (b < 0x20) {
      return false;
    }
    if (b == '\\') {
      if (pos + 1 >= text.size()) {
        return false;
      }
      const char e = text[pos + 1];
      if (e != 'u') {
        if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
          return false;
        }
        out.append(text.substr(pos, 2));
        pos += 2;
        continue;
      }
      const long u = hex4(text, pos + 2);
      if (u < 0 || (u >= 0xDC00 && u <= 0xDFFF)) {
        return false;
      }
      size_t length = 6;
      if (u >= 0xD800 && u <= 0xDBFF) { // a high surrogate must be followed by a low one
        const bool escaped = pos + 7 < text.size() && text[pos + 6] == '\\' && text[pos + 7] == 'u';
        const long low = escaped ? hex4(text, pos + 8) : -1;
        if (low < 0xDC00 || low > 0xDFFF) {
          return false;
        }
        length = 12;
      }
      out.append(text.substr(pos, length));
      pos += length;
      continue;
    }
    if (b < 0x80) {
      out += static_cast<char>(b);
      ++pos;
      continue;
    }
    const size_t start = pos;
    const char32_t c = decode_utf8(text, pos);
    if (c == replacement_character && text.substr(start, pos - start) != "\xEF\xBF\xBD") {
      return false;
    }
    if (c == 0x2028 || c == 0x2029) {
      out += c == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
  return false;
}

// What may come next in the document.
enum class Expect { Value, ValueOrClose, Key, KeyOrClose, Colon, CommaOrClose, End };

} // namespace

bool is_json_number(std::string_view text) noexcept {
  size_t i = 0;
  const size_t n = text.size();
  if (i < n && text[i] == '-') {
    ++i;
  }
  if (i < n && text[i] == '0') {
    ++i;
  } else if (i < n && text[i] >= '1' && text[i] <= '9') {
    while (i < n && is_digit(text[i])) {
      ++i;
    }
  } else {
    return false;
  }
  if (i < n && text[i] == '.') {
    ++i;
    if (i >= n || !is_digit(text[i])) {
      return false;
    }
    while (i < n && is_digit(text[i])) {
      ++i;
    }
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      ++i;
    }
    if (i >= n || !is_digit(text[i])) {
      return false;
    }
    while (i < n && is_digit(text[i])) {
      ++i;
    }
  }
  return i == n;
}

bool append_compact_json(std::string& out, std::string_view text) {
  const size_t original_size = out.size();
  std::vector<char> open; // the containers we are inside: '[' or '{'
  Expect expect = Expect::Value;
  const auto after_value = [&] { return open.empty() ? Expect::End : Expect::CommaOrClose; };
  const auto fail = [&] {
    out.resize(original_size);
    return false;
  };
  size_t pos = 0;
  while (true) {
    while (pos < text.size() &&
           (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
      ++pos;
    }
    if (pos == text.size()) {
      return expect == Expect::End ? true : fail();
    }
    const char c = text[pos];
    switch (expect) {
    case Expect::End:
      return fail();
    case Expect::Colon:
      if (c != ':') {
        return fail();
      }
      out += ':';
      ++pos;
      expect = Expect::Value;
      break;
    case Expect::CommaOrClose:
      if (c == ',') {
        out += ',';
        ++pos;
        expect = open.back() == '[' ? Expect::Value : Expect::Key;
      } else if ((c == ']' && open.back() == '[') || (c == '}' && open.back() == '{')) {
        out += c;
        ++pos;
        open.pop_back();
        expect = after_value();
      } else {
        return fail();
      }
      break;
    case Expect::Key:
    case Expect::KeyOrClose:
      if (c == '}' && expect == Expect::KeyOrClose) {
        out += '}';
        ++pos;
        open.pop_back();
        expect = after_value();
      } else if (c == '"' && copy_string(out, text, pos)) {
        expect = Expect::Colon;
      } else {
        return fail();
      }
      break;
    case Expect::Value:
    case Expect::ValueOrClose:
      if (c == ']' && expect == Expect::ValueOrClose) {
        out += ']';
        ++pos;
        open.pop_back();
        expect = after_value();
      } else if (c == '[' || c == '{') {
        out += c;
        ++pos;
        open.push_back(c);
        expect = c == '[' ? Expect::ValueOrClose : Expect::KeyOrClose;
      } else if (c == '"') {
        if (!copy_string(out, text, pos)) {
          return fail();
        }
        expect = after_value();
      } else if (c == '-' || is_digit(c)) {
        const size_t start = pos;
        while (pos < text.size() && (is_digit(text[pos]) || text[pos] == '-' || text[pos] == '+' ||
                                     text[pos] == '.' || text[pos] == 'e' || text[pos] == 'E')) {
          ++pos;
        }
        const std::string_view number = text.substr(start, pos - start);
        if (!is_json_number(number)) {
          return fail();
        }
        out.append(number);
        expect = after_value();
      } else {
        bool matched = false;
        for (std::string_view literal : {"true", "false", "null"}) {
          if (text.substr(pos, literal.size()) == literal) {
            out.append(literal);
            pos += literal.size();
            matched = true;
            break;
          }
        }
        if (!matched) {
          return fail();
        }
        expect = after_value();
      }
      break;
    }
  }
}

} // namespace autoreport::render
