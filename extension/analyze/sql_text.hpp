// A query's text with its constants replaced by parameters, as pg_stat_statements shows it, and the
// constants of the instance put back when the query is planned again.
//
// Constants are the literals SQL writes: numbers, '...' strings with their prefixes (E'', B'', X'',
// N'', U&''), and dollar-quoted strings. Everything else (identifiers, "quoted" names, comments,
// operators, casts, $n parameters already there) is kept as written.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace autoreport::analyze {

struct Normalised {
  std::string text;                   // constants replaced by $k
  std::vector<std::string> constants; // each constant as written, for $first, $first+1, ...
  int first = 1;                      // the number of the first replaced constant
};

// Replaces each constant with $k, numbering after the highest $n the text already holds.
// standard_strings is the session's standard_conforming_strings.
Normalised normalise(std::string_view sql, bool standard_strings = true);

// The text with each $n (outside literals, names and comments) for which values[n - 1] is present
// replaced by that value. A value that is empty stands for none (the $n is kept).
std::string substitute(std::string_view sql, const std::vector<std::string>& values,
                       bool standard_strings = true);

// The highest $n the text holds (0 when none).
int highest_parameter(std::string_view sql, bool standard_strings = true);

} // namespace autoreport::analyze
