// The checks of job_options.hpp.
#include "schedules/job_options.hpp"

#include "common/error.hpp"
#include "render/renderers.hpp"

#include <algorithm>
#include <array>

#include "common/pure.hpp"

namespace autoreport::schedules {

namespace {

constexpr std::array<std::string_view, 9> kKeys = {
    "retries", "timeout", "catch_up", "catch_up_limit", "channel", "keep", "enabled", "alert", "render"};

Error bad(std::string_view key, const std::string& what) {
  return Error(sqlstate::invalid_parameter_value, "option \"" + std::string(key) + "\" " + what);
}

int64_t integer(const nlohmann::json& v, std::string_view key, int64_t min, int64_t max) {
  if (!v.is_number_integer()) {
    throw bad(key, "must be an integer");
  }
  const int64_t n = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                        ? INT64_MAX
                        : v.get<int64_t>();
  if (n < min || n > max) {
    throw bad(key, "must be between " + std::to_string(min) + " and " + std::to_string(max))
        .with_detail("It was " + v.dump() + ".");
  }
  return n;
}

std::string text(const nlohmann::json& v, std::string_view key) {
  if (!v.is_string()) {
    throw bad(key, "must be a string");
  }
  return v.get<std::string>();
}

// Render options are checked by making the format's renderer, which writes nothing until it begins.
void check_render_options(const nlohmann::json& render, std::string_view format) {
  if (!render.is_object()) {
    throw bad("render", "must be a JSON object of the format's render options");
  }
  render::StringOutput sink(0);
  (void)render::make_renderer(format, render::Options::parse(render.dump()), sink);
}

} // namespace

JobOptions parse_job_options(std::string_view json_text, std::string_view format) {
  JobOptions o;
  if (json_text.empty()) {
    return o;
  }
  const nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw Error(sqlstate::invalid_parameter_value, "options must be a JSON object")
        .with_hint("Pass options like '{\"retries\": 5, \"timeout\": \"10 minutes\"}'::jsonb.");
  }
  for (const auto& [key, value] : j.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      std::string list;
      for (std::string_view k : kKeys) {
        list += (list.empty() ? "" : ", ") + std::string(k);
      }
      throw Error(sqlstate::invalid_parameter_value, "unknown option \"" + key + "\"")
          .with_detail("A job accepts: " + list + ".");
    }
    if (key == "retries") {
      o.retries = integer(value, key, 0, 10);
    } else if (key == "timeout") {
      o.timeout = value.is_null() ? std::nullopt : std::optional(text(value, key));
    } else if (key == "catch_up") {
      o.catch_up = text(value, key);
      if (o.catch_up != "skip" && o.catch_up != "once" && o.catch_up != "all") {
        throw bad(key, "must be skip, once or all").with_detail("It was " + value.dump() + ".");
      }
    } else if (key == "catch_up_limit") {
      o.catch_up_limit = integer(value, key, 1, 1000);
    } else if (key == "channel") {
      o.channel = text(value, key);
    } else if (key == "keep") {
      o.keep = value.is_null() ? std::nullopt : std::optional(text(value, key));
    } else if (key == "enabled") {
      if (!value.is_boolean()) {
        throw bad(key, "must be true or false");
      }
      o.enabled = value.get<bool>();
    } else if (key == "alert") {
      o.alert = value.is_null() ? std::nullopt : std::optional(text(value, key));
      if (o.alert && o.alert->find_first_not_of(" \t\r\n") == std::string::npos) {
        throw bad(key, "must not be empty").with_hint("Pass null for no alert.");
      }
    } else if (key == "render") {
      o.render = value;
    }
  }
  if (o.catch_up_limit && o.catch_up != "all") {
    throw bad("catch_up_limit", "is only for catch_up \"all\"");
  }
  if (o.catch_up == "all" && !o.catch_up_limit) {
    o.catch_up_limit = 100;
  }
  check_render_options(o.render, format);
  return o;
}

nlohmann::json JobOptions::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  j["retries"] = retries;
  j["timeout"] = timeout ? nlohmann::json(*timeout) : nlohmann::json(nullptr);
  j["catch_up"] = catch_up;
  if (catch_up_limit) {
    j["catch_up_limit"] = *catch_up_limit;
  }
  j["channel"] = channel;
  j["keep"] = keep ? nlohmann::json(*keep) : nlohmann::json(nullptr);
  j["enabled"] = enabled;
  j["alert"] = alert ? nlohmann::json(*alert) : nlohmann::json(nullptr);
  j["render"] = render;
  return j;
}

void check_job_name(std::string_view name) {
  if (name.empty() || name.size() > 63) {
    throw Error(sqlstate::invalid_parameter_value, "job name must be 1 to 63 bytes long")
        .with_detail("It has " + std::to_string(name.size()) + ".");
  }
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      throw Error(sqlstate::invalid_parameter_value, "job name must not contain control characters");
    }
  }
}

std::map<std::string, RelativeDate> relative_params(nlohmann::json& params) {
  if (!params.is_object()) {
    throw Error(sqlstate::invalid_parameter_value, "params must be a JSON object")
        .with_hint("Pass parameters like '{\"since\": {\"relative\": \"start of last month\"}}'::jsonb.");
  }
  std::map<std::string, RelativeDate> out;
  for (auto& [name, value] : params.items()) {
    if (!value.is_object()) {
      continue;
    }
    const auto it = value.find("relative");
    if (value.size() != 1 || it == value.end() || !it->is_string()) {
      throw Error(sqlstate::invalid_parameter_value,
                  "parameter \"" + name + "\": an object value must be {\"relative\": \"<expression>\"}")
          .with_hint("For example {\"relative\": \"start of last month\"}.");
    }
    try {
      RelativeDate date = parse_relative_date(it->get<std::string>());
      *it = date.text();
      out.emplace(name, std::move(date));
    } catch (Error& e) {
      throw Error(e.sqlstate(), "parameter \"" + name + "\": " + e.message()).with_hint(e.hint());
    }
  }
  return out;
}

} // namespace autoreport::schedules
