// A job's definition as far as pure code can check it: its name, its options (known keys, types and
// values) and which of its parameters are relative dates. What needs the server (interval syntax, the
// channel rule, the report's parameters, the alert expression) is checked by the glue (jobs_pg.cpp).
//
// Options (a JSON object; every key optional, any other key refused):
//   retries         integer 0-10, default 3: attempts after a failed one
//   timeout         interval text ("5 minutes"), default none: a run taking longer fails
//   catch_up        "skip" (default), "once" or "all": instants missed while the server was down
//   catch_up_limit  integer 1-1000, only with "all", default 100: at most that many missed instants
//   channel         NOTIFY channel of the job's events, default "autoreport"
//   keep            interval text, default none (the server-wide retention): how long outputs are kept
//   enabled         boolean, default true (false: created paused)
//   alert           text: a boolean SQL expression over the result's columns, or null for none
//   render          object: the render options of the job's format (as autoreport.render() takes)
#pragma once

#include "common/relative_date.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace autoreport::schedules {

struct JobOptions {
  int64_t retries = 3;
  std::optional<std::string> timeout; // interval text as given; the glue checks and normalises it
  std::string catch_up = "skip";
  std::optional<int64_t> catch_up_limit;
  std::string channel = "autoreport";
  std::optional<std::string> keep; // interval text as given
  bool enabled = true;
  std::optional<std::string> alert;
  nlohmann::json render = nlohmann::json::object();

  // Every option with its value, as stored and shown (timeout and keep as the glue normalised them).
  nlohmann::json to_json() const;
};

// Parses the options object (text of a jsonb); 22023 naming the option for an unknown key, a wrong type
// or a value out of range. Render options are checked against the format here too.
JobOptions parse_job_options(std::string_view json_text, std::string_view format);

// A job's name: 1 to 63 bytes, no control characters (22023 otherwise).
void check_job_name(std::string_view name);

// The parameters whose value is {"relative": "<expression>"}, parsed, by name; the expression of each is
// rewritten in its canonical spelling in `params`. 22023 naming the parameter for an unparsable
// expression, or an object value of another shape. params must be a JSON object (22023 otherwise).
std::map<std::string, RelativeDate> relative_params(nlohmann::json& params);

} // namespace autoreport::schedules
