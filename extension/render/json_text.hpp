// Checking JSON text that a renderer embeds rather than writes itself: numbers given as text
// (float, numeric) and json/jsonb documents.
#pragma once

#include <string>
#include <string_view>

namespace autoreport::render {

// True when text is exactly one JSON number (RFC 8259 section 6), any size or precision.
bool is_json_number(std::string_view text) noexcept;

// Appends text, when it is one valid JSON document (RFC 8259, UTF-8), without its insignificant
// whitespace, and with U+2028 and U+2029 escaped inside strings, so that it fits on one NDJSON line
// and is also valid JavaScript. Numbers of any size are accepted (jsonb allows them). Returns false
// and leaves out unchanged when text is not valid JSON.
bool append_compact_json(std::string& out, std::string_view text);

} // namespace autoreport::render
