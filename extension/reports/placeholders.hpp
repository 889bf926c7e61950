// Named placeholders in a report's query (:name) turned into PostgreSQL's positional parameters ($1).
//
// A parameter value is never spliced into SQL text: the query is rewritten once, at definition time,
// and every run binds the values as real parameters. The scanner knows enough SQL lexing to leave
// alone what only looks like a placeholder: string literals ('...', E'...', U&'...'), quoted
// identifiers, dollar-quoted strings, comments (-- and nested /* */), casts (::) and array slices.
// Inside a subscript (a '[' after an operand, not ARRAY[), every ':' at its top level is the slice
// colon: a[:n] and a[1 :n] slice up to column n. A placeholder there is written in parentheses,
// a[(:i)], a[(:lo):(:hi)].
//
// standard_strings is the session's standard_conforming_strings: when it is off, backslash escapes
// apply in every '...' literal, not only in E'...', so 'it\'s :x' is one literal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace autoreport::reports {

// A placeholder occurrence: its name and where it starts in the original text (0-based, bytes).
struct Placeholder {
  std::string name;
  size_t offset;
};

// Every :name occurrence, in order. Names follow SQL's unquoted identifier rules and are lower-cased.
std::vector<Placeholder> find_placeholders(std::string_view sql, bool standard_strings = true);

// Byte offsets of $n positional parameters outside literals and comments (reports refuse them).
std::vector<size_t> find_positional_parameters(std::string_view sql, bool standard_strings = true);

// The distinct names in order of first appearance.
std::vector<std::string> placeholder_names(std::string_view sql, bool standard_strings = true);

// Rewrites each :name to $n, where n is the 1-based position of name in `order`. Throws
// autoreport::Error 42P02 (undefined_parameter) naming the first placeholder not in `order`, or the
// first $n the query already contains.
std::string rewrite_placeholders(std::string_view sql, const std::vector<std::string>& order,
                                 bool standard_strings = true);

} // namespace autoreport::reports
