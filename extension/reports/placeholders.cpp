// Finding and rewriting :name placeholders with a small SQL lexer.
#include "reports/placeholders.hpp"

#include "common/error.hpp"
#include "common/sql_lexer.hpp"

#include <algorithm>
#include <cctype>

#include "common/pure.hpp"

namespace autoreport::reports {

using sql::ident_char;
using sql::ident_start;

namespace {

std::string lower(std::string_view name) {
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return c < 0x80 ? static_cast<char>(std::tolower(c)) : static_cast<char>(c);
  });
  return out;
}

} // namespace

namespace {
// One pass over the text: :name placeholders, and $n positional parameters (which reports refuse).
struct Scan {
  std::vector<Placeholder> placeholders;
  std::vector<size_t> positional;
};

// What an open bracket is: a parenthesis, an array subscript (a[...], where ':' is slice syntax) or
// any other square bracket (ARRAY[...], a type's [3]).
enum class Open { Paren, Subscript, Bracket };

// The last token before the current one, ignoring whitespace and comments: decides whether '[' opens
// a subscript (after an operand) or an array constructor (after ARRAY, an operator, '(' or ',').
enum class Prev { Nothing, Operand, ArrayKeyword, Other };

Scan scan(std::string_view s, bool standard_strings) {
  Scan result;
  std::vector<Placeholder>& found = result.placeholders;
  std::vector<Open> open;
  Prev last = Prev::Nothing;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    const unsigned char prev = i > 0 ? static_cast<unsigned char>(s[i - 1]) : ' ';
    if (c == '\'') {
      i = sql::skip_string(s, i, sql::escape_string_at(s, i, standard_strings));
      last = Prev::Other;
    } else if (c == '"') {
      i = sql::skip_quoted_ident(s, i);
      last = Prev::Operand;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      const size_t nl = s.find('\n', i);
      i = nl == std::string_view::npos ? s.size() : nl + 1;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      i = sql::skip_block_comment(s, i);
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '$' && !ident_char(prev)) {
      if (i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
        result.positional.push_back(i);
      }
      const size_t end = sql::skip_dollar_quote(s, i);
      i = end == i ? i + 1 : end;
      last = Prev::Other;
    } else if (c == '(' || c == '[') {
      open.push_back(c == '(' ? Open::Paren : last == Prev::Operand ? Open::Subscript : Open::Bracket);
      ++i;
      last = Prev::Other;
    } else if (c == ')' || c == ']') {
      // Pop the innermost bracket of this kind; a stray closer changes nothing.
      const auto kind = [&](Open o) { return (c == ')') == (o == Open::Paren); };
      const auto it = std::find_if(open.rbegin(), open.rend(), kind);
      if (it != open.rend()) {
        open.erase(std::next(it).base(), open.end());
      }
      ++i;
      last = Prev::Operand;
    } else if (c == ':') {
      last = Prev::Other;
      if (i + 1 < s.size() && s[i + 1] == ':') {
        i += 2; // a cast
        continue;
      }
      // At the top of a subscript, ':' is the slice colon: a[:n], a[1 :n] slice up to column n.
      // Elsewhere, not after an identifier, number, closing bracket or another colon.
      const bool slice = !open.empty() && open.back() == Open::Subscript;
      const bool after_operand = ident_char(prev) || prev == ']' || prev == ')' || prev == ':';
      size_t j = i + 1;
      if (!slice && !after_operand && j < s.size() && ident_start(static_cast<unsigned char>(s[j]))) {
        while (j < s.size() && ident_char(static_cast<unsigned char>(s[j])) && s[j] != '$') {
          ++j;
        }
        found.push_back({lower(s.substr(i + 1, j - i - 1)), i});
        i = j;
        last = Prev::Operand;
      } else {
        ++i;
      }
    } else if (ident_char(static_cast<unsigned char>(c))) {
      // Skip a whole word so that, e.g., a$1 or name:x inside words are not misread.
      const size_t start = i;
      while (i < s.size() && ident_char(static_cast<unsigned char>(s[i]))) {
        ++i;
      }
      last = lower(s.substr(start, i - start)) == "array" ? Prev::ArrayKeyword : Prev::Operand;
    } else {
      ++i;
      last = Prev::Other;
    }
  }
  return result;
}

// The 1-based character position (as PostgreSQL reports positions) of a byte offset in UTF-8 text.
int char_position(std::string_view s, size_t offset) {
  int chars = 0;
  for (size_t i = 0; i < offset && i < s.size(); ++i) {
    chars += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
  }
  return chars + 1;
}
} // namespace

std::vector<Placeholder> find_placeholders(std::string_view sql, bool standard_strings) {
  return scan(sql, standard_strings).placeholders;
}

std::vector<size_t> find_positional_parameters(std::string_view sql, bool standard_strings) {
  return scan(sql, standard_strings).positional;
}

std::vector<std::string> placeholder_names(std::string_view sql, bool standard_strings) {
  std::vector<std::string> names;
  for (const Placeholder& p : find_placeholders(sql, standard_strings)) {
    if (std::find(names.begin(), names.end(), p.name) == names.end()) {
      names.push_back(p.name);
    }
  }
  return names;
}

std::string rewrite_placeholders(std::string_view sql, const std::vector<std::string>& order,
                                 bool standard_strings) {
  const std::vector<size_t> positional = find_positional_parameters(sql, standard_strings);
  if (!positional.empty()) {
    throw Error(sqlstate::undefined_parameter,
                "report queries name their parameters; positional parameters like $1 are not allowed")
        .with_hint("Write :name and declare name in params.")
        .with_internal_query(std::string(sql), char_position(sql, positional.front()));
  }
  std::string out;
  out.reserve(sql.size() + 16);
  size_t copied = 0;
  for (const Placeholder& p : find_placeholders(sql, standard_strings)) {
    const auto it = std::find(order.begin(), order.end(), p.name);
    if (it == order.end()) {
      throw Error(sqlstate::undefined_parameter,
                  "query uses placeholder :" + p.name + ", which is not a declared parameter")
          .with_hint("Declare it in params, or remove it from the query.")
          .with_internal_query(std::string(sql), char_position(sql, p.offset));
    }
    out.append(sql.substr(copied, p.offset - copied));
    out += '$';
    out += std::to_string(it - order.begin() + 1);
    copied = p.offset + 1 + p.name.size();
  }
  out.append(sql.substr(copied));
  return out;
}

} // namespace autoreport::reports
