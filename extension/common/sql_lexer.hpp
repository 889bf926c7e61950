// The pieces of SQL lexing that text scanners share: where a literal, quoted identifier, comment or
// dollar quote that starts at an offset ends. PostgreSQL's own rules: '' doubles a quote, E'...'
// (and every '...' when standard_conforming_strings is off) takes backslash escapes, /* */ comments
// nest, and a dollar quote is $$ or $tag$ with an identifier for tag.
#pragma once

#include <string_view>

namespace autoreport::sql {

bool ident_start(unsigned char c);
bool ident_char(unsigned char c);

// Index just past a '...' literal starting at i (the quote). backslash: backslash escapes apply.
size_t skip_string(std::string_view s, size_t i, bool backslash);

// Index just past a "..." identifier starting at i.
size_t skip_quoted_ident(std::string_view s, size_t i);

// Index just past a /* */ comment starting at i.
size_t skip_block_comment(std::string_view s, size_t i);

// If a dollar quote ($tag$ or $$) starts at i, the index just past its closing tag; otherwise i.
size_t skip_dollar_quote(std::string_view s, size_t i);

// Whether the quote at i opens an escape string: E'...' (the E not part of a longer word), or any
// '...' when standard_strings is off.
bool escape_string_at(std::string_view s, size_t i, bool standard_strings);

} // namespace autoreport::sql
