// Helpers for the text renderer tests: build cells and tables tersely, render them to a string.
#pragma once

#include "common/error.hpp"
#include "render/options.hpp"
#include "render/table.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::render::testing {

// Cells. Text cells point at the caller's strings, which must outlive the render.
inline Cell null_cell() {
  return Cell{};
}
inline Cell text_cell(std::string_view text) {
  Cell c;
  c.is_null = false;
  c.text = text;
  return c;
}
inline Cell integer_cell(int64_t v, std::string_view text) {
  Cell c = text_cell(text);
  c.integer = v;
  c.number = static_cast<double>(v);
  return c;
}
inline Cell number_cell(std::string_view text, bool finite = true) {
  Cell c = text_cell(text);
  c.finite = finite;
  return c;
}
inline Cell bool_cell(bool v) {
  Cell c = text_cell(v ? "t" : "f");
  c.boolean = v;
  return c;
}

inline TableInfo table(std::vector<Column> columns) {
  TableInfo info;
  info.columns = std::move(columns);
  return info;
}

using Factory = std::function<std::unique_ptr<Renderer>(const Options&, Output&)>;

// Renders info and rows with the given options (a JSON object text).
inline std::string render(const Factory& make, const TableInfo& info,
                          const std::vector<std::vector<Cell>>& rows, std::string_view options = "") {
  StringOutput out;
  std::unique_ptr<Renderer> r = make(Options::parse(options), out);
  r->begin(info);
  for (const auto& row : rows) {
    r->row(row);
  }
  r->end();
  return out.take();
}

// The Error that making a renderer with these options throws (fails the test when none is thrown).
inline Error options_error(const Factory& make, std::string_view options) {
  StringOutput out;
  try {
    make(Options::parse(options), out);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for options " << options;
  return Error(sqlstate::successful_completion, "");
}

} // namespace autoreport::render::testing
