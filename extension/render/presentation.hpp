// How a report's columns are presented to people: labels and number styles given with
// define_report(..., columns => ...), humanised names where none is given, and what a totals row adds up.
#pragma once

#include "render/table.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autoreport::render {

// "order_count" → "Order count", "customerId" → "Customer ID": words split at "_", "-", spaces and
// lower-to-upper case changes, the first capitalised, well-known abbreviations (ID, URL, SKU, ...) in
// capitals.
std::string humanise(std::string_view name);

// The heading human formats show: the column's label, else its name humanised ("Column 3" when unnamed).
std::string column_label(const Column& column, size_t index);

// Reads define_report's `columns` argument (a JSON object: column name → {label, format, currency,
// decimals, total}) against the result's columns. Returns, for each column named, its presentation as
// the catalog keeps it (a JSON object text). Throws 22023 naming what is wrong: an unknown column or
// key, a number style on a column that holds no numbers, a currency that is not three capitals.
std::vector<std::pair<std::string, std::string>> parse_presentation(std::string_view json_text,
                                                                    const std::vector<Column>& columns);

// Sets the presentation fields of `column` from the catalog's JSON object text (as parse_presentation
// made it; "" or "{}" for none).
void apply_presentation(Column& column, std::string_view json_text);

// The scale a column's type declares: numeric(14,2) → 2, money → 2; nothing otherwise.
std::optional<int> declared_scale(std::string_view type_name);

// True for a column whose numbers are identifiers or calendar parts (id, customer_id, year, ...): shown
// without thousands separators and never added up.
bool identifier_like(std::string_view name);

// What a totals row shows in this column (Total::automatic resolved: sum for number columns other than
// percentages and identifiers, none otherwise).
Total effective_total(const Column& column);

} // namespace autoreport::render
