// JSON read with its numbers kept exactly as written.
//
// nlohmann::json reads a number into a double or a 64-bit integer: 0.1 becomes the nearest double,
// 12345678901234567890123.45 loses its last digits and 1e400 is refused. Report parameters and their
// declarations (numeric, bigint) must stay exact, so they are read here: the result is an ordinary
// nlohmann::json, except that every number is held as the text it was written with, in a binary value
// of a private subtype. JSON text never yields a binary value, so nothing else can look like a number.
// The text a number keeps is the one PostgreSQL's numeric input reads, and jsonb writes it so.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace autoreport::reports {

// Parses JSON text (RFC 8259, nested at most 1000 deep); a discarded value when it is not valid.
nlohmann::json parse_exact_json(std::string_view text);

// A number holding `text`, which must be a valid JSON number.
nlohmann::json exact_number(std::string_view text);

// Whether v is a number read by parse_exact_json.
bool is_exact_number(const nlohmann::json& v);

// Whether v is a number written without a fraction or an exponent ("-12", not "1.0" or "1e3").
bool is_exact_integer(const nlohmann::json& v);

// The text of a number, as written.
std::string number_text(const nlohmann::json& v);

// "number" for a number, nlohmann's type name otherwise ("string", "array", ...).
std::string exact_type_name(const nlohmann::json& v);

// Compact JSON text, numbers written as held.
std::string dump_exact(const nlohmann::json& v);

// A JSON value whose numbers are exact, with nlohmann's dump() spelling for its text.
struct ExactJson {
  nlohmann::json value;
  std::string dump() const { return dump_exact(value); }
};

} // namespace autoreport::reports
