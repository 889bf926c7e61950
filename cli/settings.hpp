// Parameters and rendering options from the command line to the JSON objects render() takes, and the
// output format a file name implies. Pure: no libpq.
//
// A parameter given NAME=VALUE is sent as the JSON string VALUE, which the server reads with the
// parameter's declared type (its type input function: "5" is the integer 5, "2026-01-01" a date,
// "t" a boolean). An array parameter takes a JSON array, so for one NAME=VALUE is an element, and
// repeating it adds elements in order. NAME:=JSON sends the JSON value as written: null, [], an array,
// an exact number. The result is JSON text, built without a round trip through doubles, so a number
// reaches the server digit for digit.
#pragma once

#include "cli/args.hpp"

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::cli {

// Thrown for a setting the user must correct (exit status 1).
struct UsageError {
  std::string message;
};

// The --param entries as one JSON object's text; `array_params` names the report's array parameters.
// Throws UsageError for a scalar given twice, a NAME:=JSON that is not JSON, text that is not UTF-8.
std::string params_object(const std::vector<Setting>& params, const std::set<std::string>& array_params);

// The --option entries as one JSON object's text. VALUE is typed by the option's name: the boolean
// options (header, formula_guard, chart) take true/false, the integer ones (width, height, max_points)
// a whole number; every other option is a string.
std::string options_object(const std::vector<Setting>& options);

// Checks that text is one JSON object (for --params-json and --options-json); throws UsageError.
void check_json_object(std::string_view text, std::string_view flag);

// The format a file name implies by its extension (case-insensitive): .csv .tsv .json .ndjson .jsonl
// .html .htm .md .markdown .xlsx .svg; "" for none of these.
std::string format_for_file(std::string_view path);

} // namespace autoreport::cli
