// The one exception type of autoreport: what the user sees when an operation fails.
//
// It carries a SQLSTATE, a primary message, and the optional detail, hint and context of the
// PostgreSQL message style guide. Pure C++ throws it; the boundary (boundary_pg.hpp) turns it into
// ereport(ERROR) after the C++ frames have unwound, and turns PostgreSQL errors into it on the way in.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

namespace autoreport {

// SQLSTATE codes used by autoreport, spelled as the five characters PostgreSQL shows.
namespace sqlstate {
inline constexpr std::string_view successful_completion = "00000";
inline constexpr std::string_view feature_not_supported = "0A000";
inline constexpr std::string_view data_exception = "22000";
inline constexpr std::string_view numeric_value_out_of_range = "22003";
inline constexpr std::string_view invalid_datetime_format = "22007";
inline constexpr std::string_view datetime_field_overflow = "22008";
inline constexpr std::string_view invalid_parameter_value = "22023";
inline constexpr std::string_view invalid_text_representation = "22P02";
inline constexpr std::string_view object_not_in_prerequisite_state = "55000";
inline constexpr std::string_view read_only_sql_transaction = "25006";
inline constexpr std::string_view insufficient_privilege = "42501";
inline constexpr std::string_view syntax_error = "42601";
inline constexpr std::string_view undefined_object = "42704";
inline constexpr std::string_view duplicate_object = "42710";
inline constexpr std::string_view program_limit_exceeded = "54000";
inline constexpr std::string_view out_of_memory = "53200";
inline constexpr std::string_view io_error = "58030";
inline constexpr std::string_view query_canceled = "57014";
inline constexpr std::string_view internal_error = "XX000";
inline constexpr std::string_view serialization_failure = "40001";
inline constexpr std::string_view configuration_limit_exceeded = "53400";
inline constexpr std::string_view lock_not_available = "55P03";
inline constexpr std::string_view undefined_parameter = "42P02";
} // namespace sqlstate

// True when code is five characters of [0-9A-Z], the alphabet of SQLSTATE, and not of the classes
// for success, warning or "no data" (00, 01, 02), which are not errors.
bool is_valid_sqlstate(std::string_view code) noexcept;

class Error : public std::exception {
public:
  // An invalid code is replaced by XX000 (internal_error) so that no error is ever lost.
  Error(std::string_view code, std::string message);

  // Builder-style setters: throw Error(sqlstate::invalid_parameter_value, "...").with_hint("...").
  Error& with_detail(std::string detail) &;
  Error&& with_detail(std::string detail) &&;
  Error& with_hint(std::string hint) &;
  Error&& with_hint(std::string hint) &&;
  Error& with_context(std::string context) &;
  Error&& with_context(std::string context) &&;
  // Position (1-based, in characters) inside an internal query, as PostgreSQL reports syntax errors.
  Error& with_internal_query(std::string query, int position) &;
  Error&& with_internal_query(std::string query, int position) &&;
  // Set by the boundary on errors that came from PostgreSQL: a token by which it finds the original
  // error again, to re-raise it unchanged (all fields, no repeated context). 0 for C++ errors.
  Error& with_origin(uint64_t token) & {
    origin_ = token;
    return *this;
  }

  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& sqlstate() const noexcept { return sqlstate_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& hint() const noexcept { return hint_; }
  const std::string& context() const noexcept { return context_; }
  const std::string& internal_query() const noexcept { return internal_query_; }
  int internal_position() const noexcept { return internal_position_; }
  uint64_t origin() const noexcept { return origin_; }

private:
  std::string sqlstate_;
  std::string message_;
  std::string detail_;
  std::string hint_;
  std::string context_;
  std::string internal_query_;
  int internal_position_ = 0;
  uint64_t origin_ = 0;
};

// A cancel request, statement_timeout or another interrupt. Deliberately not an Error: code that
// catches Error to recover from bad input must never swallow a cancel (PL/pgSQL's WHEN OTHERS does
// not catch query_canceled either). It unwinds to the boundary, which raises it as PostgreSQL did.
class Interrupted : public std::exception {
public:
  explicit Interrupted(std::string message, uint64_t origin = 0)
      : message_(std::move(message)), origin_(origin) {}
  const char* what() const noexcept override { return message_.c_str(); }
  uint64_t origin() const noexcept { return origin_; }

private:
  std::string message_;
  uint64_t origin_;
};

} // namespace autoreport
