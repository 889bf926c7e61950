// Display names and unique JSON keys for columns.
#include "render/column_names.hpp"

#include <unordered_set>

#include "common/pure.hpp"

namespace autoreport::render {

std::string display_name(const Column& column, size_t index) {
  return column.name.empty() ? "column_" + std::to_string(index + 1) : column.name;
}

std::vector<std::string> unique_keys(const std::vector<Column>& columns) {
  std::unordered_set<std::string> used;
  std::vector<bool> duplicate(columns.size(), false);
  for (size_t i = 0; i < columns.size(); ++i) {
    duplicate[i] = !used.insert(columns[i].name).second;
  }
  std::vector<std::string> keys;
  keys.reserve(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!duplicate[i]) {
      keys.push_back(columns[i].name);
      continue;
    }
    std::string key;
    for (size_t n = 2;; ++n) {
      key = columns[i].name + "_" + std::to_string(n);
      if (used.insert(key).second) {
        break;
      }
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

} // namespace autoreport::render
