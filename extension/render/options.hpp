// Rendering options as given by the user (a jsonb object), read with types checked and unknown keys
// refused, so that a misspelt option is an error (SQLSTATE 22023) rather than silently ignored.
#pragma once

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::render {

class Options {
public:
  Options() = default;
  // Parses a JSON object; throws autoreport::Error 22023 when it is not one.
  static Options parse(std::string_view json_text);

  // Refuses keys outside `allowed` and "time_zone" (which every format takes), naming the format and
  // the keys it accepts.
  void allow_only(std::string_view format, std::initializer_list<std::string_view> allowed) const;

  // Typed access: the default when absent; 22023 naming the option when present with another type.
  bool boolean(std::string_view key, bool fallback) const;
  std::string text(std::string_view key, std::string_view fallback) const;
  // A string option, or JSON null (given as nullopt) where that is meaningful.
  std::optional<std::string> nullable_text(std::string_view key, std::optional<std::string> fallback) const;
  // A string or a non-empty array of strings, as a list (empty when absent).
  std::vector<std::string> texts(std::string_view key) const;
  int64_t integer(std::string_view key, int64_t fallback, int64_t min, int64_t max) const;
  bool has(std::string_view key) const;
  // The JSON object option `key` as options of their own (empty when absent); 22023 when it is not
  // an object.
  Options object(std::string_view key) const;
  // The same options without `keys` (for a renderer that hands the rest to another).
  Options without(std::initializer_list<std::string_view> keys) const;
  // True when the option is given as a string (for options that take true/false or a word).
  bool is_string(std::string_view key) const;

private:
  const nlohmann::json* find(std::string_view key) const;
  nlohmann::json json_ = nlohmann::json::object();
};

} // namespace autoreport::render
