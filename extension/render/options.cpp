// Typed, checked access to rendering options.
#include "render/options.hpp"

#include "common/error.hpp"

#include "common/pure.hpp"

namespace autoreport::render {

namespace {
[[noreturn]] void wrong_type(std::string_view key, std::string_view expected) {
  throw Error(sqlstate::invalid_parameter_value,
              "option \"" + std::string(key) + "\" must be " + std::string(expected));
}
} // namespace

Options Options::parse(std::string_view json_text) {
  Options o;
  if (json_text.empty()) {
    return o;
  }
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw Error(sqlstate::invalid_parameter_value, "options must be a JSON object")
        .with_hint("Pass options like '{\"header\": false}'::jsonb, or NULL for the defaults.");
  }
  o.json_ = std::move(j);
  return o;
}

void Options::allow_only(std::string_view format, std::initializer_list<std::string_view> allowed) const {
  for (const auto& [key, value] : json_.items()) {
    bool ok = key == "time_zone"; // every format: applied where values are read (render_pg.cpp)
    for (std::string_view a : allowed) {
      ok = ok || key == a;
    }
    if (!ok) {
      std::string list;
      for (std::string_view a : allowed) {
        list += std::string(a) + ", ";
      }
      throw Error(sqlstate::invalid_parameter_value,
                  "unknown option \"" + key + "\" for format " + std::string(format))
          .with_detail("Format " + std::string(format) + " accepts: " + list + "time_zone.");
    }
  }
}

const nlohmann::json* Options::find(std::string_view key) const {
  auto it = json_.find(std::string(key));
  return it == json_.end() ? nullptr : &*it;
}

bool Options::has(std::string_view key) const {
  return find(key) != nullptr;
}

Options Options::object(std::string_view key) const {
  Options o;
  const nlohmann::json* v = find(key);
  if (v == nullptr) {
    return o;
  }
  if (!v->is_object()) {
    wrong_type(key, "a JSON object");
  }
  o.json_ = *v;
  return o;
}

Options Options::without(std::initializer_list<std::string_view> keys) const {
  Options o = *this;
  for (std::string_view k : keys) {
    o.json_.erase(std::string(k));
  }
  return o;
}

bool Options::is_string(std::string_view key) const {
  const nlohmann::json* v = find(key);
  return v != nullptr && v->is_string();
}

bool Options::boolean(std::string_view key, bool fallback) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) {
    return fallback;
  }
  if (!v->is_boolean()) {
    wrong_type(key, "true or false");
  }
  return v->get<bool>();
}

std::string Options::text(std::string_view key, std::string_view fallback) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) {
    return std::string(fallback);
  }
  if (!v->is_string()) {
    wrong_type(key, "a string");
  }
  return v->get<std::string>();
}

std::optional<std::string> Options::nullable_text(std::string_view key,
                                                  std::optional<std::string> fallback) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) {
    return fallback;
  }
  if (v->is_null()) {
    return std::nullopt;
  }
  if (!v->is_string()) {
    wrong_type(key, "a string or null");
  }
  return v->get<std::string>();
}

std::vector<std::string> Options::texts(std::string_view key) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) {
    return {};
  }
  if (v->is_string()) {
    return {v->get<std::string>()};
  }
  std::vector<std::string> out;
  if (v->is_array() && !v->empty()) {
    for (const nlohmann::json& item : *v) {
      if (!item.is_string()) {
        out.clear();
        break;
      }
      out.push_back(item.get<std::string>());
    }
  }
  if (out.empty()) {
    wrong_type(key, "a string or a non-empty array of strings");
  }
  return out;
}

int64_t Options::integer(std::string_view key, int64_t fallback, int64_t min, int64_t max) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) {
    return fallback;
  }
  if (!v->is_number_integer()) {
    wrong_type(key, "an integer");
  }
  const int64_t n = v->get<int64_t>();
  if (n < min || n > max) {
    throw Error(sqlstate::invalid_parameter_value, "option \"" + std::string(key) + "\" must be between " +
                                                       std::to_string(min) + " and " + std::to_string(max))
        .with_detail("It was " + std::to_string(n) + ".");
  }
  return n;
}

} // namespace autoreport::render
