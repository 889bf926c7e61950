// Normalising a query's constants (a small lexer over the shared SQL lexing pieces).
#include "analyze/sql_text.hpp"

#include "common/sql_lexer.hpp"

#include <cctype>

#include "common/pure.hpp"

namespace autoreport::analyze {

namespace {

bool digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// One token the normaliser cares about.
enum class Kind { Other, Constant, Parameter };
struct Token {
  Kind kind;
  size_t begin;
  size_t end;
  int number; // a parameter's n
};

// Index just past a number starting at i: digits, a fraction, an exponent.
size_t skip_number(std::string_view s, size_t i) {
  while (i < s.size() && digit(s[i])) {
    ++i;
  }
  if (i < s.size() && s[i] == '.' && !(i + 1 < s.size() && s[i + 1] == '.')) {
    ++i;
    while (i < s.size() && digit(s[i])) {
      ++i;
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) {
      ++j;
    }
    if (j < s.size() && digit(s[j])) {
      i = j;
      while (i < s.size() && digit(s[i])) {
        ++i;
      }
    }
  }
  return i;
}

// Calls emit(token) for every constant and parameter, in order.
template <typename F> void scan(std::string_view s, bool standard_strings, F&& emit) {
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    const unsigned char prev = i > 0 ? static_cast<unsigned char>(s[i - 1]) : ' ';
    if (c == '\'') {
      const size_t end = sql::skip_string(s, i, sql::escape_string_at(s, i, standard_strings));
      emit(Token{Kind::Constant, i, end, 0});
      i = end;
    } else if (c == '"') {
      i = sql::skip_quoted_ident(s, i);
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      const size_t nl = s.find('\n', i);
      i = nl == std::string_view::npos ? s.size() : nl + 1;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      i = sql::skip_block_comment(s, i);
    } else if (c == '$' && !sql::ident_char(prev)) {
      if (i + 1 < s.size() && digit(s[i + 1])) {
        size_t j = i + 1;
        int n = 0;
        while (j < s.size() && digit(s[j])) {
          n = n < 100000 ? n * 10 + (s[j] - '0') : n;
          ++j;
        }
        emit(Token{Kind::Parameter, i, j, n});
        i = j;
        continue;
      }
      const size_t end = sql::skip_dollar_quote(s, i);
      if (end != i) {
        emit(Token{Kind::Constant, i, end, 0});
        i = end;
      } else {
        ++i;
      }
    } else if ((digit(c) || (c == '.' && i + 1 < s.size() && digit(s[i + 1]))) && !sql::ident_char(prev)) {
      const size_t end = skip_number(s, i);
      emit(Token{Kind::Constant, i, end, 0});
      i = end;
    } else if (sql::ident_start(static_cast<unsigned char>(c))) {
      const size_t start = i;
      while (i < s.size() && sql::ident_char(static_cast<unsigned char>(s[i]))) {
        ++i;
      }
      // A prefixed literal: E'..', B'..', X'..', N'..' and U&'..' are one constant with their prefix.
      const std::string_view word = s.substr(start, i - start);
      if (word.size() == 1 && i < s.size()) {
        const char p = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
        size_t quote = std::string_view::npos;
        if ((p == 'E' || p == 'B' || p == 'X' || p == 'N') && s[i] == '\'') {
          quote = i;
        } else if (p == 'U' && s.compare(i, 2, "&'") == 0) {
          quote = i + 1;
        }
        if (quote != std::string_view::npos) {
          const size_t end = sql::skip_string(s, quote, p == 'E' || !standard_strings);
          emit(Token{Kind::Constant, start, end, 0});
          i = end;
        }
      }
    } else {
      ++i;
    }
  }
}

} // namespace

int highest_parameter(std::string_view sql, bool standard_strings) {
  int highest = 0;
  scan(sql, standard_strings, [&](const Token& t) {
    if (t.kind == Kind::Parameter && t.number > highest) {
      highest = t.number;
    }
  });
  return highest;
}

Normalised normalise(std::string_view sql, bool standard_strings) {
  Normalised n;
  n.first = highest_parameter(sql, standard_strings) + 1;
  size_t copied = 0;
  scan(sql, standard_strings, [&](const Token& t) {
    if (t.kind != Kind::Constant) {
      return;
    }
    n.text.append(sql.substr(copied, t.begin - copied));
    n.text += '$';
    n.text += std::to_string(n.first + static_cast<int>(n.constants.size()));
    n.constants.emplace_back(sql.substr(t.begin, t.end - t.begin));
    copied = t.end;
  });
  n.text.append(sql.substr(copied));
  return n;
}

std::string substitute(std::string_view sql, const std::vector<std::string>& values, bool standard_strings) {
  std::string out;
  size_t copied = 0;
  scan(sql, standard_strings, [&](const Token& t) {
    if (t.kind != Kind::Parameter || t.number < 1 || static_cast<size_t>(t.number) > values.size() ||
        values[static_cast<size_t>(t.number) - 1].empty()) {
      return;
    }
    out.append(sql.substr(copied, t.begin - copied));
    out += values[static_cast<size_t>(t.number) - 1];
    copied = t.end;
  });
  out.append(sql.substr(copied));
  return out;
}

} // namespace autoreport::analyze
