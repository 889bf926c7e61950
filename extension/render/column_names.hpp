// Column names as the renderers show them: a visible placeholder for an unnamed column in tables,
// and keys made unique for JSON objects.
#pragma once

#include "render/table.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace autoreport::render {

// The column's name, or "column_N" (N counted from 1) when it is empty, so that a table header
// (Markdown, HTML) never has a blank cell a reader cannot refer to.
std::string display_name(const Column& column, size_t index);

// One key per column for JSON objects: every first occurrence of a name keeps it; later columns with
// the same name get the first free suffix _2, _3, ... (free meaning no other column is called that
// either), so that no value is lost to a duplicate key.
std::vector<std::string> unique_keys(const std::vector<Column>& columns);

} // namespace autoreport::render
