// The shared pieces of SQL lexing.
#include "common/sql_lexer.hpp"

#include <cctype>

#include "common/pure.hpp"

namespace autoreport::sql {

bool ident_start(unsigned char c) {
  return std::isalpha(c) || c == '_' || c >= 0x80;
}

bool ident_char(unsigned char c) {
  return ident_start(c) || std::isdigit(c) || c == '$';
}

size_t skip_string(std::string_view s, size_t i, bool backslash) {
  ++i;
  while (i < s.size()) {
    if (backslash && s[i] == '\\') {
      i += 2;
      continue;
    }
    if (s[i] == '\'') {
      if (i + 1 < s.size() && s[i + 1] == '\'') {
        i += 2;
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return s.size();
}

size_t skip_quoted_ident(std::string_view s, size_t i) {
  ++i;
  while (i < s.size()) {
    if (s[i] == '"') {
      if (i + 1 < s.size() && s[i + 1] == '"') {
        i += 2;
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return s.size();
}

size_t skip_block_comment(std::string_view s, size_t i) {
  int depth = 0;
  while (i < s.size()) {
    if (s.compare(i, 2, "/*") == 0) {
      ++depth;
      i += 2;
    } else if (s.compare(i, 2, "*/") == 0) {
      i += 2;
      if (--depth == 0) {
        return i;
      }
    } else {
      ++i;
    }
  }
  return s.size();
}

size_t skip_dollar_quote(std::string_view s, size_t i) {
  size_t j = i + 1;
  while (j < s.size() && s[j] != '$') {
    const unsigned char c = static_cast<unsigned char>(s[j]);
    const bool ok = j == i + 1 ? ident_start(c) : (ident_start(c) || std::isdigit(c));
    if (!ok) {
      return i;
    }
    ++j;
  }
  if (j >= s.size()) {
    return i;
  }
  const std::string_view tag = s.substr(i, j - i + 1);
  const size_t end = s.find(tag, j + 1);
  return end == std::string_view::npos ? s.size() : end + tag.size();
}

bool escape_string_at(std::string_view s, size_t i, bool standard_strings) {
  if (!standard_strings) {
    return true;
  }
  const unsigned char prev = i > 0 ? static_cast<unsigned char>(s[i - 1]) : ' ';
  return (prev == 'e' || prev == 'E') && (i < 2 || !ident_char(static_cast<unsigned char>(s[i - 2])));
}

} // namespace autoreport::sql
