// Test helpers for the binary renderers (XLSX, SVG): files in a scratch directory, and the Python
// checkers in test/render/ that read those files with real parsers (openpyxl, lxml) and print JSON.
#pragma once

#include "render/table.hpp"

#include <nlohmann/json.hpp>

#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::render::testing {

// The repository root: $AUTOREPORT_ROOT, or the first folder up from the working directory that holds
// test/render/ (make test runs the unit tests from the root).
std::string repo_root();

// A fresh directory that is removed with everything in it at the end of the test.
class ScratchDir {
public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes bytes to a file of this directory and returns its path.
  std::string write(const std::string& name, std::string_view bytes) const;
  // The names of the files in the directory.
  std::vector<std::string> files() const;

private:
  std::string path_;
};

// Runs `python3 test/render/<script> args...` and parses its standard output as JSON; on failure the
// result holds {"error": "<exit status and standard error>"}.
nlohmann::json run_checker(const std::string& script, const std::vector<std::string>& args);

// Runs a shell command, returning its exit status; its standard output goes to *output when given.
int run_command(const std::string& command, std::string* output = nullptr);

// Makes cells as the glue would, keeping their texts alive as long as the store.
class CellStore {
public:
  Cell null() const { return Cell{}; }
  Cell integer(int64_t v);
  Cell floating(double v); // text as PostgreSQL prints float8 (NaN, Infinity, -Infinity for those)
  Cell numeric(const std::string& text);
  Cell boolean(bool b);
  Cell text(std::string s);
  Cell date(int64_t year, unsigned month, unsigned day);
  // A timestamp; with tz the text carries "+00:00" as timestamptz output does in UTC.
  Cell timestamp(int64_t year, unsigned month, unsigned day, int hour, int minute, int second,
                 bool tz = false);
  // "infinity" or "-infinity" as a date or timestamp.
  Cell infinite(bool positive);

private:
  std::string_view keep(std::string s);
  std::deque<std::string> texts_;
};

} // namespace autoreport::render::testing
