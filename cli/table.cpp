// Tables printed the way psql prints them (see table.hpp).
#include "cli/table.hpp"

#include <algorithm>

namespace autoreport::cli {

namespace {

size_t width(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string one_line(std::string s) {
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return s;
}

} // namespace

std::string aligned_table(const Row& header, const std::vector<Row>& rows) {
  std::vector<Row> cells;
  for (const Row& r : rows) {
    Row clean;
    for (size_t i = 0; i < header.size(); ++i) {
      clean.push_back(i < r.size() ? one_line(r[i]) : "");
    }
    cells.push_back(std::move(clean));
  }
  std::vector<size_t> widths;
  for (const std::string& h : header) {
    widths.push_back(width(h));
  }
  for (const Row& r : cells) {
    for (size_t i = 0; i < r.size(); ++i) {
      widths[i] = std::max(widths[i], width(r[i]));
    }
  }
  std::string out;
  // psql centres the header, leaning left when the space is odd; the last column has no trailing pad.
  for (size_t i = 0; i < header.size(); ++i) {
    const size_t space = widths[i] - width(header[i]);
    const size_t left = space / 2;
    out += (i == 0 ? " " : " | ") + std::string(left, ' ') + header[i];
    if (i + 1 < header.size()) {
      out += std::string(space - left, ' ');
    }
  }
  out += "\n";
  for (size_t i = 0; i < header.size(); ++i) {
    out += (i == 0 ? "" : "+") + std::string(widths[i] + 2, '-');
  }
  out += "\n";
  for (const Row& r : cells) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += (i == 0 ? " " : " | ") + r[i] + std::string(widths[i] - width(r[i]), ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

} // namespace autoreport::cli
