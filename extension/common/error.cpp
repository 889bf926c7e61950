// The exception type that carries a SQLSTATE through C++ code.
#include "common/error.hpp"

#include <utility>

#include "common/pure.hpp"

namespace autoreport {

bool is_valid_sqlstate(std::string_view code) noexcept {
  if (code.size() != 5) {
    return false;
  }
  for (char c : code) {
    const bool digit = c >= '0' && c <= '9';
    const bool upper = c >= 'A' && c <= 'Z';
    if (!digit && !upper) {
      return false;
    }
  }
  return !(code[0] == '0' && (code[1] == '0' || code[1] == '1' || code[1] == '2'));
}

Error::Error(std::string_view code, std::string message)
    : sqlstate_(is_valid_sqlstate(code) ? code : sqlstate::internal_error), message_(std::move(message)) {}

Error& Error::with_detail(std::string detail) & {
  detail_ = std::move(detail);
  return *this;
}
Error&& Error::with_detail(std::string detail) && {
  return std::move(with_detail(std::move(detail)));
}

Error& Error::with_hint(std::string hint) & {
  hint_ = std::move(hint);
  return *this;
}
Error&& Error::with_hint(std::string hint) && {
  return std::move(with_hint(std::move(hint)));
}

Error& Error::with_context(std::string context) & {
  context_ = std::move(context);
  return *this;
}
Error&& Error::with_context(std::string context) && {
  return std::move(with_context(std::move(context)));
}

Error& Error::with_internal_query(std::string query, int position) & {
  internal_query_ = std::move(query);
  internal_position_ = position;
  return *this;
}

Error&& Error::with_internal_query(std::string query, int position) && {
  return std::move(with_internal_query(std::move(query), position));
}

} // namespace autoreport
