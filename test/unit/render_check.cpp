// Scratch files and the Python file checkers for the binary renderer tests.
#include "render_check.hpp"

#include "common/calendar.hpp"

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace autoreport::render::testing {

namespace fs = std::filesystem;

namespace {
// A path quoted for /bin/sh.
std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return q + "'";
}

// The Python that has the readers the checkers use: Debian's own, unless AUTOREPORT_PYTHON says otherwise
// (a python3 first on PATH, pyenv say, may lack python3-openpyxl and python3-lxml).
std::string python() {
  if (const char* p = std::getenv("AUTOREPORT_PYTHON"); p != nullptr && *p != '\0') {
    return p;
  }
  return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}
} // namespace

std::string repo_root() {
  if (const char* root = std::getenv("AUTOREPORT_ROOT"); root != nullptr && *root != '\0') {
    return root;
  }
  for (fs::path p = fs::current_path(); !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / "test" / "render" / "check_xlsx.py")) {
      return p.string();
    }
    if (p == p.parent_path()) {
      break;
    }
  }
  throw std::runtime_error("cannot find the repository root: run from it or set AUTOREPORT_ROOT");
}

ScratchDir::ScratchDir() {
  std::string name = (fs::temp_directory_path() / "autoreport-test-XXXXXX").string();
  if (::mkdtemp(name.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed for " + name);
  }
  path_ = name;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string ScratchDir::write(const std::string& name, std::string_view bytes) const {
  const std::string file = path_ + "/" + name;
  std::ofstream out(file, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    throw std::runtime_error("cannot write " + file);
  }
  return file;
}

std::vector<std::string> ScratchDir::files() const {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(path_)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

int run_command(const std::string& command, std::string* output) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return -1;
  }
  char buffer[65536];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    if (output != nullptr) {
      output->append(buffer, n);
    }
  }
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

nlohmann::json run_checker(const std::string& script, const std::vector<std::string>& args) {
  const ScratchDir scratch;
  const std::string errors = scratch.path() + "/stderr";
  std::string command = python() + " " + quote(repo_root() + "/test/render/" + script);
  for (const std::string& a : args) {
    command += " " + quote(a);
  }
  command += " 2>" + quote(errors);
  std::string output;
  const int status = run_command(command, &output);
  if (status != 0) {
    std::ifstream in(errors);
    std::stringstream text;
    text << in.rdbuf();
    return {{"error", script + " exited with " + std::to_string(status) + ": " + text.str()}};
  }
  nlohmann::json result = nlohmann::json::parse(output, nullptr, false);
  if (result.is_discarded()) {
    return {{"error", script + " printed no JSON: " + output.substr(0, 500)}};
  }
  return result;
}

std::string_view CellStore::keep(std::string s) {
  return texts_.emplace_back(std::move(s));
}

Cell CellStore::integer(int64_t v) {
  Cell c;
  c.is_null = false;
  c.integer = v;
  c.number = static_cast<double>(v);
  c.text = keep(std::to_string(v));
  return c;
}

Cell CellStore::floating(double v) {
  Cell c;
  c.is_null = false;
  c.number = v;
  c.finite = std::isfinite(v);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  c.text = keep(std::isnan(v) ? "NaN" : std::isinf(v) ? (v > 0 ? "Infinity" : "-Infinity") : buffer);
  return c;
}

Cell CellStore::numeric(const std::string& text) {
  Cell c;
  c.is_null = false;
  c.text = keep(text);
  c.finite = text != "NaN" && text != "Infinity" && text != "-Infinity";
  c.number = text == "NaN" ? NAN : std::strtod(text.c_str(), nullptr);
  return c;
}

Cell CellStore::boolean(bool b) {
  Cell c;
  c.is_null = false;
  c.boolean = b;
  c.text = b ? "true" : "false";
  return c;
}

Cell CellStore::text(std::string s) {
  Cell c;
  c.is_null = false;
  c.text = keep(std::move(s));
  return c;
}

Cell CellStore::date(int64_t year, unsigned month, unsigned day) {
  Cell c;
  c.is_null = false;
  c.integer = days_from_civil(year, month, day);
  c.text = keep(format_date(c.integer));
  return c;
}

Cell CellStore::timestamp(int64_t year, unsigned month, unsigned day, int hour, int minute, int second,
                          bool tz) {
  Cell c;
  c.is_null = false;
  const int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  c.integer = seconds * 1000000;
  std::string text = format_date_time(seconds, true);
  text[10] = 'T';
  c.text = keep(text + (tz ? "+00:00" : ""));
  return c;
}

Cell CellStore::infinite(bool positive) {
  Cell c;
  c.is_null = false;
  c.finite = false;
  c.integer = positive ? INT64_MAX : INT64_MIN;
  c.text = positive ? "infinity" : "-infinity";
  return c;
}

} // namespace autoreport::render::testing
