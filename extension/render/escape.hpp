// Escaping text for the markup and data formats the renderers write, and base64 for binary values.
//
// Every function takes arbitrary bytes (PostgreSQL text, but also whatever a buggy caller passes) and
// returns text that is valid UTF-8 and safe to place in the target syntax: invalid UTF-8 becomes
// U+FFFD, and characters the target cannot carry are escaped or dropped.
#pragma once

#include <string>
#include <string_view>

namespace autoreport::render {

// Text for XML 1.0 and HTML5 content and quoted attribute values: & < > " ' become entities;
// characters outside the XML 1.0 Char production (C0 controls other than tab, LF and CR; U+FFFE and
// U+FFFF) are dropped; invalid UTF-8 becomes U+FFFD.
std::string xml_escape(std::string_view text);
// The same, appended to out (for renderers building a row in one buffer).
void append_xml_escaped(std::string& out, std::string_view text);

// A JSON string literal, quotes included (RFC 8259): \" \\ \b \f \n \r \t, other control characters
// as \u00XX, U+2028 and U+2029 as \u2028 and \u2029 (so the output is also valid JavaScript), and
// invalid UTF-8 as U+FFFD.
std::string json_quote(std::string_view text);
void append_json_quoted(std::string& out, std::string_view text);

// Base64 (RFC 4648 section 4, standard alphabet, with = padding), as JSON and CSV carry bytea.
std::string base64_encode(std::string_view bytes);

} // namespace autoreport::render
